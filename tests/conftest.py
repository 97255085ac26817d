"""Fixtures: the app on a real PostgreSQL, built once by the migrations, each
test in a transaction that is rolled back; a live mode for tests that need
real commits (concurrency, the worker, the browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import has_request_context
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm import sessionmaker

from tests import services
from tests.helpers import free_port
from tests.helpers import Mailbox
from tests.helpers import RecordingPublisher
from tests.helpers import recreate_database
from tests.helpers import start_worker

ROOT = Path(__file__).resolve().parent.parent
# What live tests may write; truncated after each (the reference data stays).
WORK_TABLES = (
    "attachments", "case_pauses", "case_events", "notifications",
    "complainants", "cases", "tracking_sequences", "users", "reply_templates",
    "sla_alerts", "sweep_runs", "background_jobs", "admin_events",
    "login_failures", "recovery_codes", "legal_holds", "retention_periods",
    "subject_request_alerts", "subject_request_cases", "subject_requests",
    "personal_data_views", "breach_alerts", "breach_cases", "breaches",
)  # fmt: skip
SKIPPED: list[tuple[str, str]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        needs = [m for m in ("postgres", "redis") if item.get_closest_marker(m)]
        if "database" in getattr(item, "fixturenames", ()):
            needs.append("postgres")
        if item.get_closest_marker("worker"):
            needs += ["postgres", "redis"]
        if item.get_closest_marker("browser"):
            needs += ["postgres", "chromium"]
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


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from suggestion import create_app

    tmp = tmp_path_factory.mktemp("instance")
    app = create_app(
        "testing",
        {"UPLOAD_DIR": str(tmp / "uploads"), "MAIL_FOLDER": str(tmp / "mail")},
    )
    yield app
    from suggestion.core.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def database(app: Flask) -> Iterator[None]:
    """A fresh database built by running the migrations, with reference data."""
    if why := services.missing("postgres"):
        pytest.fail(why)
    from flask_migrate import upgrade

    from suggestion.core.extensions import db
    from suggestion.seed import seed_reference_data

    recreate_database(services.DATABASE_URL)
    with app.app_context():
        upgrade()
        seed_reference_data()
        db.session.commit()
        db.session.remove()
    yield


@pytest.fixture
def published(app: Flask) -> Iterator[RecordingPublisher]:
    """What the app publishes, recorded instead of sent: the test's writes are
    rolled back at its end, so tasks sent for them would name rows that never
    existed."""
    real = app.extensions["task_publisher"]
    recorder = app.extensions["task_publisher"] = RecordingPublisher()
    try:
        yield recorder
    finally:
        app.extensions["task_publisher"] = real


@pytest.fixture
def db_session(
    app: Flask, database: None, published: RecordingPublisher
) -> Iterator[scoped_session]:
    """Everything the test writes is rolled back at its end (SQLAlchemy's
    "join a session into an external transaction" recipe)."""
    from suggestion.core.extensions import db

    with app.app_context():
        connection = db.engine.connect()
    # No app context stays pushed: each request of the test client gets its own,
    # as in production, and all of them share this connection's transaction.
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
    from suggestion.core.extensions import db

    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            # The audit trails refuse TRUNCATE (migration 0011); the tests'
            # superuser may set the triggers aside for its own clean-up, which
            # the site's role cannot (DESIGN §5).
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            # The privacy notice's version 1 is the migration's (0022); truncating
            # users cascades to the versions administrators published, and to it.
            conn.execute(
                sa.text(
                    "CREATE TEMP TABLE first_notice ON COMMIT DROP AS"
                    " SELECT * FROM privacy_notices WHERE version = 1"
                )
            )
            conn.execute(sa.text(f"TRUNCATE {', '.join(WORK_TABLES)} RESTART IDENTITY CASCADE"))
            conn.execute(sa.text("INSERT INTO privacy_notices SELECT * FROM first_notice"))
            # The fiscal years' tracking numbers start again from 1 (migration 0007).
            for (name,) in conn.execute(
                sa.text(
                    "SELECT sequencename FROM pg_sequences"
                    " WHERE sequencename ~ '^tracking_number_[0-9]+$'"
                )
            ):
                conn.execute(sa.text(f"DROP SEQUENCE {name}"))
            # Reference data that administrators change: back to the seeded state.
            conn.execute(sa.text("DELETE FROM holidays WHERE source = 'admin'"))
            conn.execute(sa.text("DELETE FROM sla_policies WHERE category_id IS NOT NULL"))
            conn.execute(
                sa.text(
                    "UPDATE sla_policies SET ack_days = 1, info_request_days = 7, outcome_days = 15,"
                    " progress_interval_days = 15, remind_before_days = 3, escalate_after_days = 1"
                )
            )


@pytest.fixture(autouse=True)
def _own_folders(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test writes its uploads and mail into folders of its own."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(tmp_path / "mail"))
    from suggestion.core.extensions import cache
    from suggestion.core.extensions import limiter

    with app.app_context():
        limiter.reset()
        cache.clear()  # answers kept for another test's rolled-back cases


@pytest.fixture
def client(app: Flask, db_session: scoped_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Flask, db_session: scoped_session) -> Iterator[None]:
    """An app context for calling services directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def file_a_case(app: Flask, db_session: scoped_session):  # type: ignore[no-untyped-def]
    """Files a case through the service, committed; returns (code, key, token)."""
    from tests.factories import make_case

    def file(**overrides: object) -> tuple[str, str, str]:
        if has_request_context():
            receipt = make_case(**overrides)
            db_session.commit()
            return receipt.case.tracking_code, receipt.access_key, receipt.track_token
        with app.test_request_context():
            receipt = make_case(**overrides)
            db_session.commit()
            return receipt.case.tracking_code, receipt.access_key, receipt.track_token

    return file


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture(scope="session")
def celery_worker(app: Flask, database: None, smtp_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A real `celery worker` process on the Redis broker, sending to the SMTP server."""
    if why := services.missing("redis"):
        pytest.fail(why)
    _mailbox, port = smtp_server
    app.extensions["celery"].control.purge()
    process = start_worker(
        port,
        app.config["CELERY"]["task_default_queue"],
        tmp_path_factory.mktemp("worker") / "worker.log",
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def worker_package(app: Flask):  # type: ignore[no-untyped-def]
    """The `worker` package (what `celery -A worker` loads), imported here with
    the testing settings; the tests' own Celery app stays the default one."""
    import importlib

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUGGESTION_ENV", "testing")
        worker = importlib.import_module("worker")
    app.extensions["celery"].set_default()
    return worker


@pytest.fixture
def live_server(app: Flask, live_db: None) -> Iterator[str]:
    """The app served over HTTP on a free local port, for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A page in Debian's headless Chromium (Playwright cannot download its own here)."""
    if why := services.missing("chromium"):
        pytest.fail(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=services.CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
        context.close()
        browser.close()


@pytest.fixture
def staff(app: Flask, db_session: scoped_session):  # type: ignore[no-untyped-def]
    """Creates a staff account (committed to the test's transaction); returns its e-mail."""
    from tests.factories import make_user

    def create(role: str, division: str, email: str | None = None) -> str:
        with app.app_context():
            user = make_user(role, division, email)
            db_session.commit()
            return str(user.email)

    return create
