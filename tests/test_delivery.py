"""A message that cannot be delivered backs off, then is marked failed and
shown to administrators."""

from __future__ import annotations

from datetime import timedelta

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
        results, waits = [], []
        now = notification.next_attempt_at
        for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
            # Published again before its time (the requeue, a restarted
            # worker): not tried, and not counted.
            early = delivery.deliver(notification.id, now=now - timedelta(seconds=1))
            assert early.result == delivery.DeliveryResult.NOT_YET
            tried = delivery.deliver(notification.id, now=now)
            results.append(tried.result)
            db.session.commit()
            if tried.next_attempt_at is not None:
                waits.append((tried.next_attempt_at - now).total_seconds())
                now = tried.next_attempt_at
        db.session.refresh(notification)
        assert results[:-1] == [delivery.DeliveryResult.RETRY] * (len(results) - 1)
        assert results[-1] == delivery.DeliveryResult.FAILED
        assert waits == [30, 60, 120, 240, 480, 960, 1920]  # about 63 minutes in all
        assert notification.status == "failed" and notification.attempts == 8
        assert "ConnectionRefused" in notification.last_error
        assert delivery.deliver(notification.id).result == delivery.DeliveryResult.SKIPPED
        db.session.remove()
    with app.app_context():
        assert delivery.backoff(1).total_seconds() == 30
        assert delivery.backoff(20).total_seconds() == 3600
    login(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "bounce@example.com" in page, page[page.find("<main") :][:3000]


def test_a_message_sent_again_after_a_crash_carries_the_same_message_id(
    app, file_a_case, smtp_server, monkeypatch
):
    """A worker killed between the server's answer and its commit sends the
    message again: mail systems can drop the copy only if both carry one ID,
    derived from the notification and the site alone."""
    mailbox, port = smtp_server
    file_a_case(email="twice@example.com")
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://suggestion.agency.go.th")
    with app.app_context():
        notification_id = db.session.scalars(
            sa.select(Notification.id).where(Notification.to_address == "twice@example.com")
        ).one()
        assert delivery.deliver(notification_id).result == delivery.DeliveryResult.SENT
        db.session.rollback()  # the worker died before its commit
        assert delivery.deliver(notification_id).result == delivery.DeliveryResult.SENT
        db.session.rollback()
        db.session.remove()
    first, second = mailbox.wait_for("twice@example.com", count=2)
    expected = f"<notification-{notification_id}@suggestion.agency.go.th>"
    assert first["Message-ID"] == second["Message-ID"] == expected


def test_development_shows_each_e_mail_at_info_not_warning(
    app, ctx, tmp_path, caplog, capsys, monkeypatch
):
    """It was printed, and Celery logs a worker's standard output at WARNING:
    every e-mail of `make run` looked like a problem."""
    import logging
    from email.message import EmailMessage

    message = EmailMessage()
    message["To"], message["Subject"] = "citizen@example.com", "ได้รับเรื่องแล้ว"
    message.set_content("เลขที่เรื่อง 2570-000001")
    for name, value in {"MAIL_BACKEND": "folder", "MAIL_FOLDER": str(tmp_path)}.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.config, "MAIL_ECHO", True)
    with caplog.at_level(logging.INFO, logger="suggestion.mail"):
        delivery.send_message(message, 7)
    assert capsys.readouterr().out == ""
    [record] = [r for r in caplog.records if r.name == "suggestion.mail"]
    assert record.levelno == logging.INFO and "ได้รับเรื่องแล้ว" in record.getMessage()
