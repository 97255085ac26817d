"""The two database roles of DESIGN §5, set up as README's production section
says: a database owned by the owner role, which runs the migrations and then
`flask db grant`; the site, the worker and the commands connect as a role that
owns nothing. That role does all the site's work, and PostgreSQL refuses it
anything that would rewrite the audit trail or the schema.

The roles are the shared cluster's (other test runs use it at the same time):
their names are this run's own, and they are dropped at the end."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import normalise_database_url
from suggestion.core import roles as database_roles
from tests import services
from tests.factories import PASSWORD
from tests.helpers import CSRF_RE
from tests.helpers import flask_command
from tests.helpers import SiteProcess
from tests.helpers import start_worker

pytestmark = pytest.mark.postgres

INSUFFICIENT_PRIVILEGE = "42501"


@dataclass(frozen=True)
class Roles:
    owner: str
    web: str
    owner_url: str
    web_url: str
    superuser_url: str  # the tests' own, to change the roles themselves


@pytest.fixture(scope="module")
def roles() -> Iterator[Roles]:
    """A fresh database owned by a new owner role, migrated and granted by it,
    and a new role for the site; all dropped afterwards."""
    base = make_url(normalise_database_url(services.DATABASE_URL))
    suffix = uuid4().hex[:10]
    owner, web = f"suggestion_owner_{suffix}", f"suggestion_web_{suffix}"
    name = f"{base.database}_roles_{suffix}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN'))
            conn.execute(sa.text(f'CREATE ROLE "{web}" LOGIN'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))

        def url(role: str) -> str:
            return base.set(username=role, password=None, database=name).render_as_string(False)

        found = Roles(owner, web, url(owner), url(web), url(str(base.username)))
        flask_command("db", "upgrade", TEST_DATABASE_URL=found.owner_url)
        flask_command("db", "grant", web, TEST_DATABASE_URL=found.owner_url)
        yield found
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{web}"'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


@pytest.fixture
def as_owner(roles: Roles) -> Iterator[sa.Engine]:
    engine = sa.create_engine(normalise_database_url(roles.owner_url))
    yield engine
    engine.dispose()


@pytest.fixture
def as_web(roles: Roles) -> Iterator[sa.Engine]:
    engine = sa.create_engine(normalise_database_url(roles.web_url))
    yield engine
    engine.dispose()


def refusal(engine: sa.Engine, statement: str) -> str:
    """The SQLSTATE with which PostgreSQL refuses ``statement``."""
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as refused:
        conn.execute(sa.text(statement))
    return str(getattr(refused.value.orig, "sqlstate", ""))


def test_the_sites_role_may_not_rewrite_the_audit_trail_nor_the_schema(roles, as_web, as_owner):
    statements = [
        "TRUNCATE case_events CASCADE",
        "TRUNCATE admin_events",
        "UPDATE case_events SET body = 'rewritten'",
        "UPDATE admin_events SET target = 'rewritten'",
        "DELETE FROM case_events",
        "DELETE FROM admin_events",
        "TRUNCATE personal_data_views",
        "UPDATE personal_data_views SET reason = 'rewritten'",
        "DELETE FROM personal_data_views",
        "TRUNCATE privacy_notices CASCADE",
        "UPDATE privacy_notices SET text_en = 'rewritten'",
        "DELETE FROM privacy_notices",
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
        "ALTER TABLE admin_events DISABLE TRIGGER admin_events_no_truncate",
        "SET session_replication_role = replica",  # triggers off, for the whole session
        "DROP TABLE case_events",
        "DROP TABLE cases CASCADE",
        "CREATE TABLE shadow (id integer)",
        "CREATE SCHEMA shadow",
        "TRUNCATE cases CASCADE",
        f'SET ROLE "{roles.owner}"',
    ]
    # Refused for want of the right (42501), not by the triggers (P0001),
    # which are the second guard.
    assert {s: refusal(as_web, s) for s in statements} == dict.fromkeys(
        statements, INSUFFICIENT_PRIVILEGE
    )
    with as_web.connect() as conn:  # what the site does do to them
        conn.execute(sa.text("SELECT count(*) FROM case_events"))
        conn.execute(sa.text("SELECT count(*) FROM admin_events"))
    with as_owner.connect() as conn:
        assert database_roles.problems(conn, roles.web) == []
        owned = conn.scalar(
            sa.text("SELECT count(*) FROM pg_class WHERE relowner = to_regrole(:r)"),
            {"r": roles.web},
        )
        assert owned == 0
        assert sorted(database_roles.append_only_tables(conn)) == [
            "admin_events",
            "case_events",
            "personal_data_views",
            "privacy_notices",
        ]


def test_granting_again_takes_back_what_the_site_must_not_have(roles, as_web, as_owner):
    with as_owner.begin() as conn:  # a careless grant by hand
        conn.execute(sa.text(f'GRANT ALL ON case_events, admin_events TO "{roles.web}"'))
        assert database_roles.problems(conn, roles.web)
    flask_command("db", "grant", roles.web, TEST_DATABASE_URL=roles.owner_url)
    assert refusal(as_web, "DELETE FROM case_events") == INSUFFICIENT_PRIVILEGE
    assert refusal(as_web, "TRUNCATE admin_events") == INSUFFICIENT_PRIVILEGE


def test_granting_refuses_a_role_that_could_become_the_owner(roles):
    with pytest.raises(subprocess.CalledProcessError) as refused:  # the site granting itself
        flask_command("db", "grant", roles.web, TEST_DATABASE_URL=roles.web_url)
    assert f"run this as the owner of the tables ({roles.owner})" in refused.value.stderr
    superuser = sa.create_engine(normalise_database_url(roles.superuser_url))
    with superuser.begin() as conn:
        conn.execute(sa.text(f'GRANT "{roles.owner}" TO "{roles.web}"'))
    try:
        with pytest.raises(subprocess.CalledProcessError) as refused:
            flask_command("db", "grant", roles.web, TEST_DATABASE_URL=roles.owner_url)
        assert f"{roles.web} is a member of {roles.owner}" in refused.value.stderr
        assert "nothing was granted" in refused.value.stderr
        with pytest.raises(subprocess.CalledProcessError) as refused:
            flask_command("db", "grant", roles.owner, TEST_DATABASE_URL=roles.owner_url)
        assert "owns the schema's tables" in refused.value.stderr
    finally:
        with superuser.begin() as conn:
            conn.execute(sa.text(f'REVOKE "{roles.owner}" FROM "{roles.web}"'))
        superuser.dispose()


@pytest.mark.worker
def test_the_site_the_worker_and_the_commands_run_as_a_role_that_owns_nothing(
    roles, as_owner, smtp_server, tmp_path
):
    mailbox, smtp_port = smtp_server
    queue = f"{os.environ.get('CELERY_QUEUE', 'suggestion-test')}-roles-{uuid4().hex[:6]}"
    env = {"TEST_DATABASE_URL": roles.web_url, "CELERY_QUEUE": queue}
    officer, filer = "roles.officer@example.go.th", "roles.filer@example.com"
    flask_command("seed", "demo", **env)
    flask_command("holidays", "sync", "--year", "2027", **env)
    flask_command(
        "users", "create", "--email", officer, "--name", "เจ้าหน้าที่", "--role", "officer",
        "--division", "SERVICE", stdin=PASSWORD + "\n", **env,
    )  # fmt: skip
    worker = start_worker(smtp_port, queue, tmp_path / "worker.log", **env)
    site = SiteProcess(tmp_path / "site.log", **env)
    try:
        status, body = site.request(
            "/api/v1/cases",
            json={
                "kind": "complaint", "category": "data-service",
                "subject": "ตารางสถิติแรงงานไม่ตรงกัน", "description": "ตัวเลขไม่ตรงกับรายงาน",
                "complainant": {"name": "ผู้ร้อง", "email": filer},
                "consent": True, "certify_true": True,
            },
        )  # fmt: skip
        assert status == 201, body
        code = re.search(r'"tracking_code": ?"([^"]+)"', body).group(1)  # type: ignore[union-attr]
        mailbox.wait_for(filer)  # the receipt, sent by the worker

        assert site.log_in(officer, PASSWORD) == 303
        status, page = site.request("/staff/?q=" + quote("สถิติแรงงาน"))  # the pg_trgm search
        assert status == 200 and code in page
        for action, fields in [
            ("screen", {}),
            ("accept", {}),
            ("reply", {"message": "กำลังตรวจสอบตัวเลขกับกองสถิติแรงงาน"}),
            ("resolve", {"message": "แก้ไขตารางแล้ว"}),
        ]:
            status, page = site.request(f"/staff/cases/{code}")
            assert status == 200
            token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
            version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
            status, page = site.request(
                f"/staff/cases/{code}/{action}", {"csrf_token": token, "version": version, **fields}
            )
            assert status == 303, (action, page[:500])
        mailbox.wait_for(filer, count=3)  # the reply and the outcome

        swept = flask_command("sla", "sweep", **env)
        assert swept.stdout.startswith("sweep")
    finally:
        site.stop()
        worker.terminate()
        worker.wait(timeout=30)
    logs = (tmp_path / "site.log").read_text() + (tmp_path / "worker.log").read_text()
    assert "permission denied" not in logs and "InsufficientPrivilege" not in logs

    with as_owner.connect() as conn:
        actions = conn.scalars(
            sa.text(
                "SELECT e.action FROM case_events e JOIN cases c ON c.id = e.case_id"
                " WHERE c.tracking_code = :code ORDER BY e.id"
            ),
            {"code": code},
        ).all()
        assert actions[0] == "filed" and "public_reply" in actions, actions
        assert actions.count("status_changed") == 3, actions  # screened, accepted, resolved
        assert conn.scalar(
            sa.text("SELECT status FROM cases WHERE tracking_code = :code"), {"code": code}
        ) == "resolved"  # fmt: skip
        assert conn.scalar(
            sa.text("SELECT count(*) FROM admin_events WHERE target = :email"),
            {"email": officer},
        )
        assert conn.scalar(
            sa.text(
                "SELECT count(*) FROM notifications WHERE to_address = :filer AND sent_at IS NULL"
            ),
            {"filer": filer},
        ) == 0  # fmt: skip
