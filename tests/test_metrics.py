"""/metrics in the app itself: who may read it, and what the gauges of the
deadlines' health count (tests/test_observability.py runs it under gunicorn
and a real worker)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestion import ROOT
from suggestion.core.jobs import enqueue_job
from suggestion.core.tasks import JobName
from suggestion.core.time import utcnow
from suggestion.sla.sweep import run_sweep
from tests.test_observability import _value

TOKEN = "a-long-metrics-token-0123456789"


@pytest.fixture
def scrape(app, client, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)

    def read() -> str:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)

    return read


def test_only_the_token_or_an_allowed_address_reads_the_metrics(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_ADDRESSES", "10.20.0.0/16, ::1, nonsense")
    outsider = {"REMOTE_ADDR": "203.0.113.9"}

    def status(headers=None, remote=outsider):  # type: ignore[no-untyped-def]
        return client.get("/metrics", headers=headers or {}, environ_base=remote).status_code

    assert status() == 404
    assert status({"Authorization": "Bearer wrong"}) == 404
    assert status({"Authorization": TOKEN}) == 404  # the scheme is part of it
    assert status({"Authorization": f"Bearer {TOKEN}"}) == 200
    assert status(remote={"REMOTE_ADDR": "10.20.3.4"}) == 200
    assert status(remote={"REMOTE_ADDR": "::1"}) == 200
    assert status(remote={"REMOTE_ADDR": "10.21.0.1"}) == 404
    # The 404 is the site's own page: nothing says there is anything here.
    page = client.get("/metrics", environ_base=outsider).get_data(as_text=True)
    assert "suggestion_" not in page
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert status({"Authorization": "Bearer None"}) == 404
    assert status({"Authorization": "Bearer "}) == 404


def test_the_gauges_count_open_overdue_and_due_soon_cases(scrape, file_a_case, db_session):
    """Overdue as the staff queue and the published figures count it (a case
    awaiting the filer past its deadline too); due soon: not yet overdue, due
    by the end of the third working day; closed cases are not open."""
    from suggestion.cases.models import Case

    def change(code: str, **values: object) -> None:
        db_session.execute(sa.update(Case).where(Case.tracking_code == code).values(**values))
        db_session.commit()

    before = scrape()
    code, _key, _token = file_a_case()
    waiting, _key, _token = file_a_case()
    closed, _key, _token = file_a_case()
    change(waiting, status="awaiting_info", due_at=utcnow() + timedelta(days=60))
    change(closed, status="closed", closed_at=utcnow(), due_at=utcnow() - timedelta(days=1))

    def moved(text: str, name: str) -> float:
        return _value(text, name) - _value(before, name)

    now = scrape()
    assert moved(now, "suggestion_cases_open") == 2
    assert moved(now, "suggestion_cases_overdue") == 0
    change(code, due_at=utcnow() + timedelta(hours=2))
    soon = scrape()
    assert moved(soon, "suggestion_cases_due_soon") == 1
    assert moved(soon, "suggestion_cases_overdue") == 0
    change(code, due_at=utcnow() - timedelta(minutes=1))
    change(waiting, due_at=utcnow() - timedelta(days=1))
    late = scrape()
    assert moved(late, "suggestion_cases_overdue") == 2
    assert moved(late, "suggestion_cases_due_soon") == 0
    assert moved(late, "suggestion_cases_open") == 2


def test_a_database_that_does_not_answer_still_leaves_the_request_figures():
    from suggestion import create_app
    from suggestion.core.extensions import db
    from tests.helpers import free_port

    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/suggestion"
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": nowhere, "METRICS_TOKEN": TOKEN})
    response = down.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _value(text, "suggestion_domain_metrics_up") == 0
    assert "suggestion_http_requests_total" in text
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_gauges_show_the_outbox_the_sweep_and_the_jobs(scrape, file_a_case, db_session, ctx):
    before = scrape()
    file_a_case()  # its receipt waits in the outbox
    enqueue_job(db_session, JobName.RECOMPUTE_DEADLINES, reason="test")
    db_session.commit()
    run_sweep()
    after = scrape()
    assert (
        _value(after, "suggestion_outbox_pending")
        == _value(before, "suggestion_outbox_pending") + 1
    )
    assert _value(after, "suggestion_outbox_oldest_pending_seconds") >= 0
    swept = _value(after, "suggestion_sweep_last_success_timestamp_seconds")
    assert abs(swept - utcnow().timestamp()) < 60
    for status, more in (("pending", 1), ("running", 0), ("done", 0), ("failed", 0)):
        was = _value(before, "suggestion_jobs", status=status)
        assert _value(after, "suggestion_jobs", status=status) == was + more


def test_gauges_are_kept_for_a_few_seconds(app, scrape, file_a_case, monkeypatch):
    first = _value(scrape(), "suggestion_cases_open")  # counted now
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 3600)
    file_a_case()
    assert _value(scrape(), "suggestion_cases_open") == first  # kept
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)
    assert _value(scrape(), "suggestion_cases_open") == first + 1


def test_requests_are_counted_by_endpoint_and_a_made_up_method_is_not_a_label(scrape, client):
    client.get("/healthz")
    client.open("/healthz", method="BREW")
    client.get("/no/such/page/2569-000001")
    text = scrape()
    ok = _value(
        text, "suggestion_http_requests_total", endpoint="ops.healthz", method="GET", status="200"
    )
    assert ok >= 1
    assert (
        _value(
            text,
            "suggestion_http_requests_total",
            endpoint="unmatched",
            method="other",
            status="405",
        )
        >= 1
    )
    assert "BREW" not in text
    assert _value(text, "suggestion_http_requests_total", endpoint="unmatched", status="404") >= 1
    assert "2569-000001" not in text


def test_a_request_id_is_kept_when_plain_and_made_otherwise(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.42:9"
    for forged in ("two words", "x" * 129, "tab\tin", "<script>", "ท"):
        made = client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert made != forged and len(made) == 32
    assert (
        client.get("/healthz").headers["X-Request-ID"]
        != client.get("/healthz").headers["X-Request-ID"]
    )


def test_the_shipped_alert_rules_name_only_metrics_the_site_serves(scrape):
    rules = (ROOT / "deploy" / "prometheus" / "suggestion-alerts.yml").read_text()
    named = set(re.findall(r"\b(suggestion_[a-z_]+)", "\n".join(re.findall(r"expr: (.*)", rules))))
    assert {"suggestion_sweep_last_success_timestamp_seconds", "suggestion_outbox_failed",
            "suggestion_outbox_oldest_pending_seconds", "suggestion_cases_overdue"} <= named  # fmt: skip
    served = scrape()
    for name in named:
        assert re.search(rf"^# TYPE {name} ", served, re.M), name
