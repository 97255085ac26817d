"""The flask commands of DESIGN §2, and the migrations against the models."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.calendar.models import Holiday
from suggestion.cases.models import ReplyTemplate
from suggestion.core.extensions import db


def test_seed_demo_prints_the_logins_and_can_run_twice(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    second = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    for role in ("officer", "integrity", "manager", "admin", "privacy"):
        assert role in first.output
    assert "demo-password-2569" in first.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 5
    # The demo's passwords are printed for use, not to be changed first.
    assert not any(db.session.scalars(sa.select(User.must_change_password)))
    # A few reply templates, each in Thai and English, added once.
    templates = list(db.session.scalars(sa.select(ReplyTemplate)))
    assert len(templates) >= 3
    assert all(t.title_th and t.body_th and t.title_en and t.body_en for t in templates)
    assert all(t.title_th != t.title_en and t.is_active for t in templates)


def test_a_new_production_database_gets_its_reference_data_and_a_first_account(tmp_path):
    """README, 'Production', step 5: migrated, then seed reference (twice is
    harmless), and the first administrator can be created in CENTRAL."""
    from flask_migrate import upgrade

    from suggestion import create_app
    from suggestion.cases.models import Category

    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.sqlite"})
    with fresh.app_context():
        upgrade()
    runner = fresh.test_cli_runner()
    first = runner.invoke(args=["seed", "reference"])
    again = runner.invoke(args=["seed", "reference"])
    assert first.exit_code == 0 and again.exit_code == 0, first.output
    assert "CENTRAL" in first.output
    created = runner.invoke(
        args=["users", "create", "--email", "admin@agency.go.th", "--name", "ผู้ดูแลระบบ",
              "--role", "admin", "--division", "CENTRAL"],
        input="a-long-enough-password\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with fresh.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
        )  # no demo log-ins
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) > 0
        db.session.remove()
        db.engine.dispose()


def test_users_create_reads_the_password_from_stdin(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Chief@Example.go.th",
            "--name",
            "หัวหน้า",
            "--role",
            "admin",
            "--division",
            "CENTRAL",
        ],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User).where(User.email == "chief@example.go.th")).one()
    assert user.role == "admin" and user.division.code == "CENTRAL"
    assert user.check_password("a-long-enough-password")
    assert "a-long-enough-password" not in user.password_hash

    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "chief@example.go.th",
            "--name",
            "x",
            "--role",
            "admin",
        ],
        input="a-long-enough-password\n",
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["users", "create", "--email", "b@example.go.th", "--name", "x", "--role", "officer"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output  # DESIGN §5
    bad_role = runner.invoke(
        args=["users", "create", "--email", "c@example.go.th", "--name", "x", "--role", "king"],
        input="a-long-enough-password\n",
    )
    assert bad_role.exit_code != 0


def test_holidays_sync_loads_public_and_government_days(app, db_session):
    result = app.test_cli_runner().invoke(args=["holidays", "sync", "--year", "2024"])
    assert result.exit_code == 0, result.output
    days = {
        h.day.isoformat(): h
        for h in db.session.scalars(
            sa.select(Holiday).where(Holiday.day.between(date(2024, 1, 1), date(2024, 12, 31)))
        )
    }
    assert days["2024-04-15"].category == "public"  # Songkran
    assert any(h.category == "government" for h in days.values())  # Royal Ploughing Day


def test_sla_deadline_follows_the_design_example(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["sla", "deadline", "--received", "2026-04-10T15:00", "--working-days", "15"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-05-08T23:59:59+07:00"


def test_the_models_match_the_migrations(app, database):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_migrations_run_up_and_down_on_sqlite(tmp_path):
    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from suggestion import create_app

    sqlite_app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.sqlite"}
    )
    with sqlite_app.app_context():
        # Rows that refer to cases must survive SQLite's table rebuilds.
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO cases (id, tracking_code, fiscal_year, sequence, kind, channel, status, priority,"
                    " subject, description, is_anonymous, locale, access_key_hash, track_token_hash, received_at,"
                    " ack_due_at, due_at, created_at, updated_at, version) VALUES (1, '2570-000001', 2570, 1,"
                    " 'complaint', 'web', 'received', 'normal', 's', 'd', 0, 'th', 'k', 't',"
                    " '2026-11-25 00:00:00', '2026-11-26 00:00:00', '2026-12-16 00:00:00',"
                    " '2026-11-25 00:00:00', '2026-11-25 00:00:00', 1)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO case_events (case_id, at, action, actor_label, is_public, diff)"
                    " VALUES (1, '2026-11-25 00:00:00', 'filed', 'public', 1, '{}')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM case_events")).scalar_one() == 1
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"cases", "case_events", "complainants", "notifications"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


@pytest.mark.postgres
def test_tracking_numbers_move_from_the_counter_to_sequences_and_back(tmp_path):
    """Migration 0007 on PostgreSQL: numbers carry on from the counter (and the
    highest code given), never repeat across a downgrade, and a rolled-back
    filing leaves a gap instead of handing its number out twice."""
    from flask_migrate import downgrade
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from suggestion import create_app
    from tests.helpers import recreate_database
    from tests.services import DATABASE_URL

    base = make_url(DATABASE_URL)
    url = base.set(database=f"{base.database}_migrations")  # beside this run's own database
    recreate_database(url.render_as_string(hide_password=False))
    pg_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url.render_as_string(False)})
    # A web role that may read and write the tables but create nothing.
    web = f"{base.database}_web"

    def take(year: int, role: str | None = None) -> int:
        with db.engine.begin() as conn:
            if role:
                conn.execute(sa.text(f"SET LOCAL ROLE {role}"))
            return int(conn.execute(sa.text(f"SELECT next_tracking_number({year})")).scalar_one())

    try:
        with pg_app.app_context():
            upgrade(revision="0006")
            with db.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO tracking_sequences VALUES (2569, 41), (2570, 7)"))
                conn.execute(sa.text(f"DROP ROLE IF EXISTS {web}"))
                conn.execute(sa.text(f"CREATE ROLE {web}"))
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {web}"))
                conn.execute(
                    sa.text(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {web}")
                )
                conn.execute(sa.text(f"REVOKE CREATE ON SCHEMA public FROM {web}, PUBLIC"))
            upgrade()
            assert [take(2569), take(2569), take(2570), take(2571)] == [42, 43, 8, 1]
            # The first filing of a new year, by a role that may create nothing.
            assert [take(2572, web), take(2572, web), take(2572)] == [1, 2, 3]
            with db.engine.connect() as conn:  # a filing that rolls back
                conn.execute(sa.text("SELECT next_tracking_number(2569)"))
                conn.rollback()
            assert take(2569) == 45

            downgrade(revision="0006")
            with db.engine.connect() as conn:
                counters = dict(conn.execute(sa.text("SELECT * FROM tracking_sequences")).all())
                sequences = conn.execute(
                    sa.text("SELECT count(*) FROM pg_sequences WHERE sequencename LIKE 'tracking%'")
                ).scalar_one()
            assert counters == {2569: 45, 2570: 8, 2571: 1, 2572: 3}
            assert sequences == 0
            upgrade()
            assert take(2569) == 46
            db.engine.dispose()
    finally:
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {web}"))
        admin.dispose()


def test_sqlite_takes_tracking_numbers_from_the_counter(tmp_path):
    """The embedded default has no sequences: the year's counter row gives
    numbers in order, one or a block at a time."""
    from flask_migrate import upgrade

    from suggestion import create_app
    from suggestion.cases.codes import next_tracking_code
    from suggestion.cases.codes import tracking_numbers

    sqlite_app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.sqlite"}
    )
    with sqlite_app.app_context():
        upgrade()
        assert next_tracking_code(2570) == ("2570-000001", 1)
        assert tracking_numbers(2570, 3) == [2, 3, 4]
        assert next_tracking_code(2571) == ("2571-000001", 1)
        db.session.rollback()  # a rolled-back filing gives its numbers back
        assert next_tracking_code(2570) == ("2570-000001", 1)
        db.session.remove()
        db.engine.dispose()
