"""Administrators edit holidays and policies; a background job moves the open
cases' deadlines and reports what it moved."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.core.jobs import BackgroundJob
from suggestion.core.time import local_date
from suggestion.core.time import zone
from suggestion.sla.sweep import run_sweep
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.helpers import login

pytestmark = [pytest.mark.worker]


def wait_for_job(app, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.scalars(
                sa.select(BackgroundJob).order_by(BackgroundJob.id.desc())
            ).first()
            db.session.remove()
        if job is not None and job.status in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("the recompute job did not run")


def test_a_cabinet_special_day_moves_open_deadlines_but_not_closed_ones(
    app, live_db, celery_worker
):
    with app.test_request_context():
        make_user("admin", "CENTRAL", "holiday.admin@example.go.th")
        open_case = make_case().case
        closed_case = make_case().case
        closed_case.status, closed_case.resolved_at, closed_case.closed_at = (
            "closed",
            open_case.received_at,
            open_case.received_at,
        )
        db.session.commit()
        tz = zone(app.config["AGENCY_TIMEZONE"])
        due_day = local_date(open_case.due_at, tz)
        code, old_due, closed_due = open_case.tracking_code, open_case.due_at, closed_case.due_at
        closed_code = closed_case.tracking_code
    client = app.test_client()
    login(client, "holiday.admin@example.go.th")
    response = client.post(
        "/admin/holidays",
        data={
            "csrf_token": csrf_token(client, "/admin/holidays"),
            "day": (due_day - timedelta(days=1 if due_day.weekday() else 3)).isoformat(),
            "name": "วันหยุดพิเศษตามมติคณะรัฐมนตรี",
        },
    )
    assert response.status_code == 303
    job = wait_for_job(app)
    assert job.status == "done" and job.result["moved"] >= 1 and code in job.result["cases"]
    with app.app_context():
        moved = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        kept = db.session.scalars(sa.select(Case).where(Case.tracking_code == closed_code)).one()
        assert moved.due_at > old_due and kept.due_at == closed_due
        db.session.remove()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "วันหยุดพิเศษตามมติคณะรัฐมนตรี" in page and code in page


def test_a_new_category_policy_moves_its_open_cases(app, live_db, celery_worker):
    with app.test_request_context():
        make_user("admin", "CENTRAL", "policy.admin@example.go.th")
        case = make_case().case
        db.session.commit()
        code, old_due, category_id = case.tracking_code, case.due_at, case.category_id
    client = app.test_client()
    login(client, "policy.admin@example.go.th")
    client.set_cookie("lang", "en")
    fields = {
        "ack_days": "1",
        "info_request_days": "7",
        "outcome_days": "30",
        "progress_interval_days": "15",
        "remind_before_days": "3",
        "escalate_after_days": "1",
    }
    bad = client.post(
        "/admin/policies/new",
        data={
            "csrf_token": csrf_token(client, "/admin/policies/new"),
            **fields,
            "outcome_days": "0",
            "category_id": str(category_id),
        },
    )
    assert bad.status_code == 422
    response = client.post(
        "/admin/policies/new",
        data={
            "csrf_token": csrf_token(client, "/admin/policies/new"),
            **fields,
            "category_id": str(category_id),
        },
    )
    assert response.status_code == 303
    assert wait_for_job(app).result["moved"] == 1
    with app.app_context():
        assert (
            db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one().due_at
            > old_due
        )
        db.session.remove()


def test_the_case_page_and_the_queue_show_the_alerts_sent(app, client, staff, file_a_case):
    email = staff("officer", "SERVICE")
    code, _, _ = file_a_case()
    with app.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        run_sweep(now=case.ack_due_at + timedelta(minutes=1))
        db.session.remove()
    login(client, email)
    client.set_cookie("lang", "en")
    assert "Acknowledgement overdue" in client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert f'data-testid="alert-{code}"' in client.get("/staff/").get_data(as_text=True)
