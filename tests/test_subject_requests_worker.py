"""A data-subject request's 30-day deadline through the real stack: the sweep
(run with a moved "now") reminds the data protection officer 7 and 2 days
before it and escalates to the administrators after it, each once, by e-mail
through the outbox and a real Celery worker. The filer hears, at their case's
address, that the request was received (with its deadline) and answered."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest

from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import SubjectRight
from suggestion.sla.sweep import run_sweep
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import worker_caught_up

pytestmark = [pytest.mark.worker]

MINUTE = timedelta(minutes=1)
RECEIVED = datetime(2027, 12, 20, 3, 0, tzinfo=UTC)  # due over New Year


def test_a_request_is_reminded_and_escalated_each_exactly_once(
    app, live_db, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    with app.test_request_context():
        make_user("privacy", "SERVICE", "dpo@example.go.th")
        make_user("admin", "SERVICE", "dpo.admin@example.go.th")
        case = make_case(received_at=RECEIVED, email="asker@example.com").case
        # The case has its outcome, so that only the request's alerts are sent.
        case.status, case.resolved_at = Status.RESOLVED, RECEIVED + timedelta(days=1)
        request = intake.register(
            services.FILER,
            name="สมชาย ใจดี",
            contact="",
            right=SubjectRight.ACCESS,
            identity=IdentityCheck.ACCESS_KEY,
            note="",
            cases=[case],
            now=RECEIVED,
        )
        db.session.commit()
        number, due_at = request.id, request.due_at
        moments = [request.remind_at, request.final_remind_at, request.escalate_at]
    # 20 Dec 2027 + 30 days: the end of 19 Jan 2028, Bangkok time.
    assert due_at == datetime(2028, 1, 19, 16, 59, 59, tzinfo=UTC)
    with app.app_context():
        run_sweep(now=moments[0] - MINUTE)  # nothing is due yet
    for moment in moments:
        with app.app_context():
            run_sweep(now=moment + MINUTE)
            run_sweep(now=moment + 2 * MINUTE)  # a second sweep finds nothing new
    officer_mail = mailbox.wait_for("dpo@example.go.th", count=3)
    [escalation] = mailbox.wait_for("dpo.admin@example.go.th")
    worker_caught_up(app, mailbox)
    assert len(mailbox.to("dpo@example.go.th")) == 3  # two reminders and the escalation
    assert len(mailbox.to("dpo.admin@example.go.th")) == 1
    subjects = [m["Subject"] for m in officer_mail]
    assert all(str(number) in s for s in subjects)
    assert "2563" not in escalation["Subject"] and "2571" in escalation["Subject"]  # B.E.
    body = escalation.get_body().get_content()
    assert f"/privacy/requests/{number}" in body
    assert "สมชาย" not in body  # no personal data in staff e-mail

    [received] = mailbox.wait_for("asker@example.com", count=2)[1:]  # the case's receipt first
    assert str(number) in received["Subject"]
    assert "19 มกราคม 2571" in received.get_body().get_content()  # the deadline, B.E.
    with app.test_request_context():
        officer = services.Actor.of(make_user("privacy", "SERVICE", "dpo2@example.go.th"))
        request = db.session.get(type(request), number)
        services.close(officer, request, RequestStatus.DONE, "ส่งสำเนาข้อมูลทางอีเมลแล้ว")
        db.session.commit()
    answered = mailbox.wait_for("asker@example.com", count=3)[2]
    assert str(number) in answered["Subject"]
    assert "ส่งสำเนาข้อมูลทางอีเมลแล้ว" in answered.get_body().get_content()
