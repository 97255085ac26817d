"""What an agency's IT team sees of a running site (issue 15): /metrics added
up over gunicorn's workers and the Celery worker, gauges that move when a case
becomes overdue and when an e-mail fails, one JSON line per request and per
task carrying the request's id — and not one of the citizen's details, keys or
tokens in any of it."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from suggestion.core.extensions import db
from suggestion.core.tasks import TaskName
from tests.factories import make_user
from tests.factories import PASSWORD
from tests.helpers import ScriptedMailServer
from tests.helpers import SiteProcess
from tests.helpers import start_worker
from tests.helpers import wait_until

pytestmark = [pytest.mark.worker]

TOKEN = "metrics-token-for-the-test-0123456789"
CITIZEN = {
    "name": "Wilawan Observability-Test",
    "email": "wilawan.private@example.net",
    "phone": "0899990123",
    "address": "99/9 Soi Privacy Test, Bangkok 10400",
}
SUBJECT = "Subject-that-must-not-be-logged"
DESCRIPTION = "Description-that-must-not-be-logged-either"
REFUSED = "refused.mailbox@example.net"
OFFICER = "observed.officer@example.go.th"


def _filing(email: str, **complainant: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "category": "website",
        "subject": SUBJECT,
        "description": DESCRIPTION,
        "complainant": {**CITIZEN, **complainant, "email": email},
        "anonymous": False,
        "consent": True,
        "certify_true": True,
    }


def _scrape(site: SiteProcess, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return site.request("/metrics", headers=headers)


def _value(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text; a missing one fails."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        sample, _, value = line.rpartition(" ")
        if "{" in sample:
            metric, _, rest = sample.partition("{")
            found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        else:
            metric, found = sample, {}
        if metric == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    raise AssertionError(f"no sample {name}{labels or ''} in /metrics")


def _json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_metrics_and_logs_of_a_site_at_work_hold_no_personal_data(app, live_db, tmp_path):
    # A queue of the test's own: the session's worker must not take these
    # tasks, nor this test's worker theirs.
    queue = app.config["CELERY"]["task_default_queue"] + "-observability"
    mail = ScriptedMailServer()
    mail.script[REFUSED] = ["550 5.1.1 No such mailbox"]
    mail.start()
    shared = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "METRICS_CACHE_SECONDS": "0",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail.port),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "CELERY_QUEUE": queue,
    }
    (tmp_path / "metrics").mkdir()
    worker_log = tmp_path / "worker.log"
    worker = start_worker(mail.port, queue, worker_log, **shared)
    site = SiteProcess(tmp_path / "site.log", workers=2, **shared)
    try:
        # Nobody but the token's holder (or an allowed address) reads it.
        assert _scrape(site, token=None)[0] == 404
        assert _scrape(site, token="wrong")[0] == 404
        status, before = _scrape(site)
        assert status == 200
        assert _value(before, "suggestion_cases_overdue") == 0
        assert _value(before, "suggestion_outbox_failed") == 0

        # A citizen files, with an id of the proxy's; another files to an
        # address whose server refuses it.
        request = urllib.request.Request(  # noqa: S310
            site.url + "/api/v1/cases",
            json.dumps(_filing(CITIZEN["email"])).encode(),
            {"Content-Type": "application/json", "X-Request-ID": "proxy-id-filing-1"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            assert answer.status == 201
            assert answer.headers["X-Request-ID"] == "proxy-id-filing-1"
            receipt = json.loads(answer.read())
        status, _ = site.request("/api/v1/cases", json=_filing(REFUSED))
        assert status == 201
        code, key = receipt["tracking_code"], receipt["access_key"]
        received = mail.wait_for(CITIZEN["email"])[0].get_content()
        token = re.search(r"/track/link/([A-Za-z0-9_-]+)", received).group(1)

        with app.app_context():
            division = db.session.execute(
                sa.text(
                    "SELECT d.code FROM cases c JOIN divisions d ON d.id = c.division_id"
                    " WHERE c.tracking_code = :c"
                ),
                {"c": code},
            ).scalar_one()
            make_user("officer", division, OFFICER)
            db.session.commit()
            db.session.remove()

        # The citizen tracks it by key and by the e-mailed link; an officer
        # logs in and opens it.
        assert site.request(f"/api/v1/cases/{code}", headers={"X-Access-Key": key})[0] == 200
        assert site.request(f"/track/link/{token}")[0] in (200, 302, 303)
        assert site.log_in(OFFICER, PASSWORD) in (302, 303)
        assert site.request(f"/staff/cases/{code}")[0] == 200

        # Time passes: the case's deadline is behind it.
        with app.app_context():
            db.session.execute(
                sa.text(
                    "UPDATE cases SET due_at = now() - interval '1 hour' WHERE tracking_code = :c"
                ),
                {"c": code},
            )
            db.session.commit()
            db.session.remove()

        def failed_mail() -> float:
            return _value(_scrape(site)[1], "suggestion_outbox_failed")

        wait_until(lambda: failed_mail() == 1, timeout=30, what="the refused e-mail failed")
        after = _scrape(site)[1]
        assert _value(after, "suggestion_cases_overdue") == 1
        assert _value(after, "suggestion_cases_open") == 2
        # Both gunicorn workers' and the Celery worker's figures, added up.
        assert (
            _value(
                after,
                "suggestion_http_requests_total",
                endpoint="api.create_case",
                method="POST",
                status="201",
            )
            == 2
        )
        assert (
            _value(
                after,
                "suggestion_tasks_total",
                task=TaskName.DELIVER_NOTIFICATION.value,
                outcome="succeeded",
            )
            >= 2
        )
        assert 'suggestion_jobs{status="pending"}' in after
        assert _value(after, "suggestion_domain_metrics_up") == 1
        # The Celery worker's figures came through its own files in the folder.
        writers = {path.stem.rpartition("_")[2] for path in (tmp_path / "metrics").glob("*.db")}
        assert str(worker.pid) in writers and len(writers) >= 2, writers
    finally:
        site.stop()
        worker.terminate()
        worker.wait(timeout=30)
        mail.stop()

    site_lines = _json_lines(tmp_path / "site.log")
    filing = [line for line in site_lines if line.get("request_id") == "proxy-id-filing-1"]
    assert filing, "no line for the filing request"
    assert {
        "logger": "suggestion.request",
        "method": "POST",
        "route": "/api/v1/cases",
        "status": 201,
    }.items() <= filing[0].items()
    assert "time" in filing[0] and "duration_ms" in filing[0]
    link = [line for line in site_lines if line.get("endpoint") == "public.track_link"]
    assert link and link[0]["route"] == "/track/link/<token>"
    staff_page = [
        line for line in site_lines if line.get("route") == "/staff/cases/<tracking_code>"
    ]
    assert staff_page and isinstance(staff_page[0].get("user_id"), int)
    # The task the filing caused carries the filing's request id.
    task_lines = [
        line for line in _json_lines(worker_log) if line.get("logger") == "suggestion.task"
    ]
    receipt_task = [line for line in task_lines if line.get("request_id") == "proxy-id-filing-1"]
    assert receipt_task and receipt_task[0]["task"] == TaskName.DELIVER_NOTIFICATION.value
    assert receipt_task[0]["task_id"] and receipt_task[0]["outcome"] == "succeeded"

    everything = "\n".join(
        [(tmp_path / "site.log").read_text(), worker_log.read_text(), before, after]
    )
    secrets = [
        *CITIZEN.values(),
        CITIZEN["email"].split("@")[0],
        REFUSED,
        SUBJECT,
        DESCRIPTION,
        key,
        token,
        PASSWORD,
        code,
    ]
    leaked = [value for value in secrets if value in everything]
    assert not leaked, f"found in the logs: {leaked}"
