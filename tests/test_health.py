"""/healthz and /readyz (issue 15, item 1; DESIGN §2): cheap, and /readyz
names the part that fails — the database, the migrations, the broker —
against real services the test starts and stops itself."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade

from suggestion import create_app
from suggestion.core.extensions import db
from tests.helpers import free_port
from tests.helpers import recorded_statements
from tests.helpers import RedisServer


def test_healthz_answers_without_touching_anything(app, client):
    with recorded_statements(app) as seen:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert seen == []
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_when_database_schema_and_broker_answer(app, database):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "migrations": "ok", "broker": "ok"}
    with app.app_context():
        db.session.remove()


def test_readyz_says_the_schema_is_behind(tmp_path: Path):
    behind = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite"})
    with behind.app_context():
        upgrade(revision="0017")
        db.session.remove()
    response = behind.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "ok"
    assert response.json["migrations"].startswith("at 0017, the latest is ")
    with behind.app_context():
        db.engine.dispose()


def test_readyz_says_the_database_is_down():
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/suggestion"
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": nowhere})
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"].startswith("OperationalError")
    assert "password" not in response.get_data(as_text=True)
    assert response.json["broker"] == "ok"
    _close(down)


def test_readyz_turns_503_when_the_broker_stops(monkeypatch, database):
    redis = RedisServer()
    redis.start()
    try:
        monkeypatch.setenv("TEST_BROKER_URL", redis.url)
        site = create_app("testing")
        client = site.test_client()
        assert client.get("/readyz").status_code == 200
        redis.stop()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["broker"] != "ok" and response.json["database"] == "ok"
        redis.start()  # it comes back: so does readiness
        assert client.get("/readyz").status_code == 200
        _close(site)
    finally:
        redis.stop()


def _close(site) -> None:  # type: ignore[no-untyped-def]
    """Close the app's database connections (an open one left to the garbage
    collector warns in whichever test runs then)."""
    with site.app_context():
        db.session.remove()
        db.engine.dispose()


def test_check_deploy_names_the_role_the_calendar_the_sweep_and_the_proxy(app, db_session):
    """flask check-deploy (issue 15, item 6), beyond the settings: the site's
    database role must own nothing, next year's holidays be loaded, the
    sweep (beat) have run lately, and PROXY_COUNT be set behind https."""
    from datetime import datetime
    from datetime import timedelta
    from datetime import UTC

    import sqlalchemy as sa

    from suggestion.core.deployment import database_problems
    from suggestion.core.deployment import settings_problems

    with app.app_context():
        engine = db.engine
    far = datetime(2098, 6, 1, tzinfo=UTC)
    problems = " | ".join(database_problems(engine, now=far))
    assert "the site's database role:" in problems  # the tests connect as the superuser
    assert "the holidays of 2099 are not loaded" in problems
    assert "flask holidays sync --year 2099" in problems
    assert "the deadline sweep" in problems and "celery beat" in problems

    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sweep_runs (started_at, finished_at, counts) VALUES (:s, :f, '{}')"
            ),
            {"s": now - timedelta(minutes=1), "f": now},
        )
    try:
        assert not any("the deadline sweep" in p for p in database_problems(engine, now=now))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM sweep_runs WHERE finished_at = :f"), {"f": now})

    behind_nginx = {"PUBLIC_BASE_URL": "https://suggestion.example.go.th", "PROXY_COUNT": 0}
    assert any("PROXY_COUNT" in p for p in settings_problems(behind_nginx))
    assert not any(
        "PROXY_COUNT" in p for p in settings_problems({**behind_nginx, "PROXY_COUNT": 1})
    )


def test_check_deploy_names_what_monitoring_and_the_logs_need(monkeypatch, tmp_path):
    from suggestion.core.deployment import settings_problems

    def said(**config: object) -> str:
        return " | ".join(settings_problems(config))

    assert "LOG_FORMAT is not json" in said(LOG_FORMAT="text")
    assert "LOG_FORMAT" not in said(LOG_FORMAT="json")
    assert "neither METRICS_TOKEN nor METRICS_ALLOWED_ADDRESSES" in said()
    assert "METRICS_TOKEN is weak" in said(METRICS_TOKEN="short")
    assert "METRICS_TOKEN" not in said(METRICS_TOKEN="x" * 40)
    assert "outside ASCII" in said(METRICS_TOKEN="รหัส" * 10)
    assert "'10.0.0.0/33' is not an address" in said(METRICS_ALLOWED_ADDRESSES="::1, 10.0.0.0/33")
    assert "METRICS_ALLOWED_ADDRESSES" not in said(
        METRICS_ALLOWED_ADDRESSES="127.0.0.1, 10.0.0.0/8"
    )
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert "PROMETHEUS_MULTIPROC_DIR is not set" in said()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "absent"))
    assert "suggestion.tmpfiles.conf" in said()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert "PROMETHEUS_MULTIPROC_DIR" not in said()
