"""Deadlines through the real stack: PostgreSQL, Redis, Celery worker processes
and an SMTP server. Reminders arrive exactly once, even when a worker is killed
mid-sweep or Redis is down."""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
import sqlalchemy as sa

from suggestion import create_app
from suggestion.core.extensions import db
from suggestion.core.tasks import TaskName
from suggestion.notify import outbox
from suggestion.notify.models import Notification
from suggestion.sla.sweep import run_sweep
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import copy_case
from tests.helpers import RedisServer
from tests.helpers import start_worker
from tests.helpers import worker_caught_up

pytestmark = [pytest.mark.worker]

MINUTE = timedelta(minutes=1)
RECEIVED = datetime(2027, 4, 9, 3, 0, tzinfo=UTC)


def test_reminders_and_escalation_arrive_each_exactly_once(
    app, live_db, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    with app.test_request_context():
        officer = make_user("officer", "SERVICE", "once.officer@example.go.th")
        make_user("manager", "SERVICE", "once.manager@example.go.th")
        case = make_case(received_at=RECEIVED, email="once.filer@example.com").case
        case.assignee_id = officer.id
        case.acknowledged_at = RECEIVED + timedelta(hours=1)  # screened in time
        db.session.commit()
        moments = [case.remind_at, case.final_remind_at, case.escalate_at]
    for moment in moments:
        with app.app_context():
            run_sweep(now=moment + MINUTE)
            run_sweep(now=moment + 2 * MINUTE)  # a second sweep finds nothing new
    reminders = mailbox.wait_for("once.officer@example.go.th", count=2)
    [escalation] = mailbox.wait_for("once.manager@example.go.th")
    worker_caught_up(app, mailbox)  # anything sent twice would have arrived before the marker
    assert len(mailbox.to("once.officer@example.go.th")) == 2
    assert len(mailbox.to("once.manager@example.go.th")) == 1
    assert "Reminder" in reminders[0]["Subject"] or "แจ้งเตือน" in reminders[0]["Subject"]
    assert case.tracking_code in escalation["Subject"]


def _many_cases_due_for_a_reminder(app, n: int, officer_email: str) -> None:
    """One case through the service, then copies in one statement, all with a
    reminder due now and nothing else."""
    with app.test_request_context():
        officer = make_user("officer", "SERVICE", officer_email)
        template = make_case().case
        db.session.commit()
        copy_case(template.id, n - 1, 2590, "token")
        db.session.execute(
            sa.text("""
            UPDATE cases SET assignee_id = :officer, status = 'in_progress', acknowledged_at = now(),
                remind_at = now() - interval '1 minute', final_remind_at = now() + interval '1 day',
                due_at = now() + interval '2 days', escalate_at = now() + interval '3 days',
                progress_due_at = now() + interval '30 days'
        """),
            {"officer": officer.id},
        )
        db.session.commit()


def test_a_worker_killed_mid_sweep_sends_every_reminder_exactly_once(
    app, live_db, celery_worker, smtp_server, tmp_path
):
    mailbox, port = smtp_server
    address = "killed.sweep@example.go.th"
    _many_cases_due_for_a_reminder(app, 1000, address)
    queue = "sweep-kill-test"
    sweeper = start_worker(port, queue, tmp_path / "sweeper-1.log", SLA_SWEEP_BATCH="10")
    app.extensions["celery"].send_task(TaskName.SLA_SWEEP, queue=queue)
    alerts = 0
    deadline = time.monotonic() + 60
    with app.app_context():
        while alerts < 100 and time.monotonic() < deadline:
            alerts = db.session.scalar(sa.text("SELECT count(*) FROM sla_alerts"))
            db.session.rollback()
            time.sleep(0.01)
    sweeper.send_signal(signal.SIGKILL)
    sweeper.wait(timeout=10)
    with app.app_context():
        at_kill = db.session.scalar(sa.text("SELECT count(*) FROM sla_alerts"))
        db.session.remove()
    assert 0 < at_kill < 1000, "the sweep should have been killed in the middle"

    restarted = start_worker(port, queue, tmp_path / "sweeper-2.log", SLA_SWEEP_BATCH="10")
    try:
        app.extensions["celery"].send_task(TaskName.SLA_SWEEP, queue=queue)
        # Beat's requeue, every few seconds: a batch committed just before the kill
        # had its messages in the outbox but not yet published.
        deadline = time.monotonic() + 240
        while len(mailbox.to(address)) < 1000 and time.monotonic() < deadline:
            time.sleep(5)
            with app.app_context():
                outbox.publish(outbox.stale_notification_ids(grace_seconds=5))
                db.session.remove()
        messages = mailbox.wait_for(address, count=1000, timeout=5)
        worker_caught_up(app, mailbox)
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
    subjects = Counter(m["Subject"] for m in mailbox.to(address))
    assert len(subjects) == 1000 and set(subjects.values()) == {1}, subjects.most_common(3)
    assert len(messages) == 1000


def test_with_redis_down_nothing_is_lost_and_everything_arrives_once(
    app, live_db, celery_worker, smtp_server, tmp_path
):
    mailbox, smtp_port = smtp_server
    redis = RedisServer()
    broker = redis.url
    queue = "redis-outage-test"

    redis.start()
    worker = start_worker(
        smtp_port, queue, tmp_path / "worker.log", TEST_BROKER_URL=broker, CELERY_QUEUE=queue
    )
    outage = create_app(
        "testing",
        {"CELERY": {**app.config["CELERY"], "broker_url": broker, "task_default_queue": queue}},
    )
    try:
        redis.stop()

        response = outage.test_client().post(
            "/api/v1/cases",
            json={
                "kind": "complaint",
                "category": "data-service",
                "subject": "ระหว่างที่ Redis หยุด",
                "description": "ทดสอบ",
                "complainant": {"name": "Outage", "email": "outage.filer@example.com"},
                "consent": True,
                "certify_true": True,
            },
        )
        assert response.status_code == 201
        with outage.test_request_context():
            officer = make_user("officer", "SERVICE", "outage.officer@example.go.th")
            case = make_case(received_at=RECEIVED, email=None)
            case.case.assignee_id = officer.id
            db.session.commit()
            report = run_sweep(now=case.case.remind_at + MINUTE)
            assert report.counts["remind"] == 1
            pending = outbox.stale_notification_ids(grace_seconds=0)
            db.session.remove()
        assert len(pending) >= 2  # the receipt and the reminder wait in the outbox
        with outage.app_context():  # nothing was sent: both still wait, untried
            waiting = db.session.scalars(
                sa.select(Notification).where(Notification.id.in_(pending))
            ).all()
            assert {(n.status, n.attempts) for n in waiting} == {("pending", 0)}
            db.session.remove()
        assert mailbox.to("outage.filer@example.com") == []

        redis.start()  # Redis is back; the requeue publishes what waited
        with outage.app_context():
            outbox.publish(outbox.stale_notification_ids(grace_seconds=0))
            db.session.remove()
        mailbox.wait_for("outage.filer@example.com", timeout=60)
        mailbox.wait_for("outage.officer@example.go.th", timeout=60)
        with outage.app_context():
            outbox.publish(pending)  # published twice: still delivered once
            db.session.remove()
        worker_caught_up(outage, mailbox, queue)
        # Each message once (the moved clock also owes the filer a progress update).
        for address in ("outage.filer@example.com", "outage.officer@example.go.th"):
            subjects = Counter(m["Subject"] for m in mailbox.to(address))
            assert subjects and set(subjects.values()) == {1}, subjects
    finally:
        app.extensions["celery"].set_default()
        with outage.app_context():
            db.engine.dispose()
        worker.terminate()
        worker.wait(timeout=30)
        redis.stop()
