"""The receipt reaches a real SMTP server through a real Celery worker, once;
a broker that is down at filing time loses nothing."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from suggestion import create_app
from suggestion.core.extensions import db
from suggestion.notify import outbox
from suggestion.notify.models import Notification
from tests.helpers import worker_caught_up

pytestmark = [pytest.mark.worker]

FILING = {
    "kind": "inquiry",
    "category": "data-service",
    "subject": "สอบถามวิธีขอข้อมูลรายจังหวัด",
    "description": "ต้องการข้อมูลจำนวนประชากรรายจังหวัด ปี 2568",
    "consent": True,
    "certify_true": True,
}


def notifications(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(Notification)).all()
        db.session.remove()
        return rows


def test_the_receipt_arrives_by_smtp_exactly_once(app, live_db, celery_worker, smtp_server):
    mailbox, _ = smtp_server
    address = "receipt-once@example.com"
    response = app.test_client().post(
        "/api/v1/cases", json={**FILING, "complainant": {"name": "Malee", "email": address}}
    )
    assert response.status_code == 201
    [message] = mailbox.wait_for(address)
    text = message.get_content()
    assert response.json["tracking_code"] in message["Subject"]
    assert response.json["access_key"] in text and "/track/link/" in text

    # Publishing the same notification again (a retry, the requeue) sends nothing more.
    [row] = notifications(app)
    with app.app_context():
        outbox.publish([row.id, row.id])
    worker_caught_up(app, mailbox)
    assert len(mailbox.to(address)) == 1
    [row] = notifications(app)
    assert row.status == "sent" and row.attempts == 1
    assert row.body is None  # the access key does not stay in the outbox


def test_a_broker_that_is_down_at_filing_time_loses_nothing(
    app, live_db, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    address = "broker-down@example.com"
    broken = create_app(
        "testing",
        {"CELERY": {**app.config["CELERY"], "broker_url": "redis://127.0.0.1:9/0"}},
    )
    started = time.monotonic()
    response = broken.test_client().post(
        "/api/v1/cases", json={**FILING, "complainant": {"name": "Wichai", "email": address}}
    )
    assert response.status_code == 201  # the filing itself succeeds
    assert time.monotonic() - started < 10
    with broken.app_context():
        db.engine.dispose()
    [row] = notifications(app)
    assert row.status == "pending"
    worker_caught_up(app, mailbox)
    assert mailbox.to(address) == []

    # The broker is back: the periodic requeue publishes what was left behind.
    app.extensions["celery"].set_default()
    with app.app_context():
        assert outbox.publish(outbox.stale_notification_ids(grace_seconds=0)) == 1
    mailbox.wait_for(address)
    assert [r.status for r in notifications(app)] == ["sent"]
