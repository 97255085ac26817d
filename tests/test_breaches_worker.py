"""A breach's 72 hours through the real stack: the sweep (run with a moved
"now") reminds the one who recorded it at 24 and 48 hours and escalates to
every administrator and data protection officer at 72, each once, by e-mail
through the outbox and a real Celery worker, to a real SMTP server."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest

from suggestion.core.extensions import db
from suggestion.sla import breaches as service
from suggestion.sla.sweep import run_sweep
from tests.factories import make_user
from tests.helpers import worker_caught_up

pytestmark = [pytest.mark.worker]

HOUR = timedelta(hours=1)
DISCOVERED = datetime(2027, 4, 9, 3, 0, tzinfo=UTC)  # a Friday: the weekend counts


def test_the_72_hour_deadline_escalates_on_time_each_exactly_once(
    app, live_db, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    with app.test_request_context():
        dpo = make_user("privacy", "CENTRAL", "breach.dpo@example.go.th")
        make_user("admin", "IT", "breach.admin@example.go.th")
        breach = service.record_breach(
            dpo,
            service.BreachReport(
                discovered_at=DISCOVERED,
                description="แฟ้มรายชื่อผู้ร้องถูกส่งอีเมลผิดผู้รับ",
                tracking_codes=(),
                affected_count=12,
            ),
            now=DISCOVERED + HOUR,
        )
        db.session.commit()
        number = breach.id
    for hours in (23.9, 24.1, 25, 48.1, 49, 71.9, 72.1, 73):  # a sweep each; before, on, after
        with app.app_context():
            run_sweep(now=DISCOVERED + hours * HOUR)
    to_dpo = mailbox.wait_for("breach.dpo@example.go.th", count=3)
    [escalation] = mailbox.wait_for("breach.admin@example.go.th")
    worker_caught_up(app, mailbox)
    # The recorder: two reminders and the escalation; the other administrator: the escalation.
    assert len(mailbox.to("breach.dpo@example.go.th")) == 3
    assert len(mailbox.to("breach.admin@example.go.th")) == 1
    assert all(str(number) in m["Subject"] for m in to_dpo)
    body = escalation.get_body().get_content()
    assert f"/admin/breaches/{number}" in body
    assert "2570" in body  # the deadline in B.E. (12 April 2027)
    assert "แฟ้มรายชื่อ" not in body  # what happened may hold personal data: not e-mailed
