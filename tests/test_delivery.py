"""A message that cannot be delivered backs off, then is marked failed and
shown to administrators."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.core.extensions import db
from suggestion.notify import delivery
from suggestion.notify.models import Notification
from tests.helpers import free_port
from tests.helpers import login


def test_a_failing_message_backs_off_then_fails_and_administrators_see_it(
    app, client, staff, file_a_case, monkeypatch
):
    admin = staff("admin", "CENTRAL")
    file_a_case(email="bounce@example.com")
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    with app.app_context():
        notification = db.session.scalars(
            sa.select(Notification).where(Notification.to_address == "bounce@example.com")
        ).one()
        results = []
        for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
            results.append(delivery.deliver(notification.id))
            db.session.commit()
        db.session.refresh(notification)
        assert results[:-1] == [delivery.DeliveryResult.RETRY] * (len(results) - 1)
        assert results[-1] == delivery.DeliveryResult.FAILED
        assert notification.status == "failed" and notification.attempts == 8
        assert "ConnectionRefused" in notification.last_error
        assert delivery.deliver(notification.id) == delivery.DeliveryResult.SKIPPED
        db.session.remove()
    assert (
        delivery.backoff(1).total_seconds() == 30 and delivery.backoff(20).total_seconds() == 3600
    )
    login(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "bounce@example.com" in page, page[page.find("<main") :][:3000]
