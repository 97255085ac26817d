"""Delivering one notification from the outbox, once."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus


class DeliveryResult:
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed for good, or being sent by another worker
    RETRY = "retry"
    FAILED = "failed"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def message_id(notification_id: int) -> str:
    """``<notification-2356@suggestion.agency.go.th>``: the site's host from
    PUBLIC_BASE_URL, the one address every process shares."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<notification-{notification_id}@{host}>"


def build_message(notification: Notification) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = notification.to_address
    message["Subject"] = notification.subject
    message["Date"] = formatdate(localtime=False)
    # A Message-ID from the notification and the site alone, the same on every
    # try, lets mail systems drop a copy resent after a crash (make_msgid would
    # add the time, the process and random bits).
    message["Message-ID"] = message_id(notification.id)
    message.set_content(notification.body or "")
    return message


def send_message(message: EmailMessage, notification_id: int) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        return
    folder = Path(config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{notification_id}.eml"
    path.write_bytes(bytes(message))
    # The development backend shows the message on the console as well; the
    # production (SMTP) backend logs nothing of the recipient or the text.
    print(  # noqa: T201
        f"--- e-mail {notification_id} (saved as {path}) ---\n"
        f"To: {message['To']}\nSubject: {message['Subject']}\n\n{message.get_content()}",
        flush=True,
    )


def deliver(notification_id: int) -> str:
    """Send a pending notification and record the result; the caller commits.

    The row is locked (SKIP LOCKED on PostgreSQL) so that two workers given the
    same id never both send it.
    """
    notification = db.session.scalars(
        sa.select(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == NotificationStatus.PENDING,
        )
        .with_for_update(skip_locked=True)
    ).first()
    if notification is None:
        return DeliveryResult.SKIPPED
    try:
        send_message(build_message(notification), notification.id)
    except (OSError, smtplib.SMTPException) as error:
        notification.attempts += 1
        notification.last_error = f"{type(error).__name__}: {error}"[:500]
        if notification.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            notification.status = NotificationStatus.FAILED
            return DeliveryResult.FAILED
        notification.next_attempt_at = utcnow() + backoff(notification.attempts)
        return DeliveryResult.RETRY
    notification.attempts += 1
    notification.status = NotificationStatus.SENT
    notification.sent_at = utcnow()
    notification.body = None
    notification.last_error = None
    return DeliveryResult.SENT
