"""Delivering one notification from the outbox, once."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
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

# Development's copy of each e-mail on the console, at INFO: it is news, not
# a warning (printed, Celery logged it at WARNING; suggestion.create_app shows
# this logger's INFO when MAIL_ECHO is on).
mail_log = logging.getLogger("suggestion.mail")


class DeliveryResult:
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed for good, or being sent by another worker
    NOT_YET = "not_yet"  # published before its next attempt is due: not tried
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """What a try came to, and when the next one is due (for a retry, or a
    message published before its time)."""

    result: str
    next_attempt_at: datetime | None = None


def backoff(attempts: int) -> timedelta:
    """After the N-th failed try: the base (MAIL_RETRY_BASE_SECONDS, 30 s),
    doubling, at most an hour."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


def smtp_code(error: Exception) -> int | None:
    """The server's reply code to a refused message, if it gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return max(codes) if codes else None
    if isinstance(error, smtplib.SMTPResponseException):
        return int(error.smtp_code)
    return None


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (550: no such mailbox) is final; a 4xx answer, a refused
    connection, a timeout or a dropped connection is temporary."""
    code = smtp_code(error)
    return code is not None and 500 <= code < 600


def describe(error: Exception) -> str:
    """The server's answer as it gave it, or the error's name and text."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {message!r}" for code, message in error.recipients.values()]
        return "; ".join(answers)[:500]
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{error.smtp_code} {text}"[:500]
    return f"{type(error).__name__}: {error}"[:500]


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
    message.set_content(notification.text or "")
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
    if not config["MAIL_ECHO"]:  # never the text (keys, links) outside development
        return
    # The development backend shows the message on the console as well; the
    # production backends log nothing of the recipient or the text.
    mail_log.info(
        "--- e-mail %s (saved as %s) ---\nTo: %s\nSubject: %s\n\n%s",
        notification_id,
        path,
        message["To"],
        message["Subject"],
        message.get_content(),
    )


def deliver(notification_id: int, *, now: datetime | None = None) -> Delivery:
    """Try to send a pending notification once, if its next attempt is due,
    and record the result; the caller commits.

    The row decides: nothing is sent before its ``next_attempt_at``, and
    ``attempts`` counts every try, whoever published the message (a retry,
    the requeue, a restarted worker). The row is locked (SKIP LOCKED on
    PostgreSQL) so that two workers given the same id never both send it.
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
        return Delivery(DeliveryResult.SKIPPED)
    now = now or utcnow()
    if notification.next_attempt_at > now:
        return Delivery(DeliveryResult.NOT_YET, notification.next_attempt_at)
    notification.attempts += 1
    try:
        send_message(build_message(notification), notification.id)
    except (OSError, smtplib.SMTPException) as error:
        notification.last_error = describe(error)
        if is_permanent(error) or notification.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            notification.status = NotificationStatus.FAILED
            return Delivery(DeliveryResult.FAILED)
        notification.next_attempt_at = now + backoff(notification.attempts)
        return Delivery(DeliveryResult.RETRY, notification.next_attempt_at)
    notification.status = NotificationStatus.SENT
    notification.sent_at = utcnow()
    notification.body = None
    notification.last_error = None
    return Delivery(DeliveryResult.SENT)
