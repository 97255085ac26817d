"""Fixtures: the app on a real PostgreSQL, built once by the migrations, each
test in a transaction that is rolled back; a live mode for tests that need
real commits (concurrency, the worker, the browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm import sessionmaker

from tests import services

CASE_TABLES = (
    "attachments", "case_pauses", "case_events", "notifications",
    "complainants", "cases", "tracking_sequences",
)  # fmt: skip
SKIPPED: list[tuple[str, str]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        needs = [m for m in ("postgres", "redis") if item.get_closest_marker(m)]
        if "database" in getattr(item, "fixturenames", ()):
            needs.append("postgres")
        if item.get_closest_marker("worker") or item.get_closest_marker("browser"):
            needs += ["postgres", "redis"]
        for service in needs:
            why = services.missing(service)
            if why and not services.IN_CI:
                SKIPPED.append((item.nodeid, why))
                item.add_marker(pytest.mark.skip(reason=f"cannot run here: {why}"))
                break


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if SKIPPED:
        reasons = sorted({why for _, why in SKIPPED})
        terminalreporter.section("tests not run: a service is missing")
        terminalreporter.write_line(
            f"{len(SKIPPED)} tests need a service this machine does not offer:"
        )
        for why in reasons:
            terminalreporter.write_line(f"  - {why}")
        terminalreporter.write_line("Start PostgreSQL and Redis (see README) to run them.")


def _recreate_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    from config import normalise_database_url

    target = make_url(normalise_database_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from suggestion import create_app

    tmp = tmp_path_factory.mktemp("instance")
    app = create_app(
        "testing",
        {"UPLOAD_DIR": str(tmp / "uploads"), "MAIL_FOLDER": str(tmp / "mail")},
    )
    yield app


@pytest.fixture(scope="session")
def database(app: Flask) -> Iterator[None]:
    """A fresh database built by running the migrations, with reference data."""
    if why := services.missing("postgres"):
        pytest.fail(why)
    from flask_migrate import upgrade

    from suggestion.extensions import db
    from suggestion.seed import seed_reference_data

    _recreate_database(services.DATABASE_URL)
    with app.app_context():
        upgrade()
        seed_reference_data()
        db.session.commit()
        db.session.remove()
    yield


@pytest.fixture
def db_session(app: Flask, database: None) -> Iterator[scoped_session]:
    """Everything the test writes is rolled back at its end (SQLAlchemy's
    "join a session into an external transaction" recipe)."""
    from suggestion.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def live_db(app: Flask, database: None) -> Iterator[None]:
    """Real commits, seen by other connections and processes; cases are
    truncated afterwards (the reference data stays)."""
    from suggestion.extensions import db

    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(CASE_TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _own_folders(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test writes its uploads and mail into folders of its own."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(tmp_path / "mail"))


@pytest.fixture
def client(app: Flask, db_session: scoped_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Flask, db_session: scoped_session) -> Iterator[None]:
    """An app context for calling services directly."""
    with app.test_request_context():
        yield


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


FIXTURES = Path(__file__).parent / "fixtures"


def count_rows(table: str) -> int:
    from suggestion.extensions import db

    return int(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
