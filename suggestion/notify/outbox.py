"""Writing e-mails to the outbox, and publishing them to the worker after commit.

A notification is a row written in the same transaction as the change that
causes it. Only when that transaction commits is the worker asked to deliver
it; if the broker is down then, the row waits and ``notify.requeue_stale``
publishes it later. A rollback sends nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from suggestion.core.time import utcnow
from suggestion.extensions import db
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus

log = logging.getLogger(__name__)

DELIVER_TASK = "notify.deliver"
_SESSION_KEY = "outbox.published"

# Subjects of the e-mails, by template; translated in the recipient's language.
SUBJECTS = {
    "receipt": _l("Your case %(tracking_code)s has been received"),
    "info_requested": _l("Your case %(tracking_code)s: we need more information"),
    "reply": _l("Your case %(tracking_code)s: a reply from us"),
    "outcome": _l("Your case %(tracking_code)s: the outcome"),
    "merged": _l("Your case %(tracking_code)s has been merged into %(surviving_code)s"),
}


def queue_email(
    template: str,
    to_address: str,
    *,
    locale: str,
    case_id: int | None = None,
    dedupe_key: str | None = None,
    **context: Any,
) -> Notification:
    """Render ``templates/email/<template>.txt`` in ``locale`` and put it in the outbox."""
    with force_locale(locale):
        subject = str(SUBJECTS[template]) % context
        body = render_template(f"email/{template}.txt", **context)
    notification = Notification(
        case_id=case_id,
        template=template,
        dedupe_key=dedupe_key,
        to_address=to_address,
        subject=subject,
        body=body,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def _collect(session: Session, flush_context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Notification):
            session.info.setdefault(_SESSION_KEY, set()).add(obj.id)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_SESSION_KEY, None)


def _publish_after_commit(session: Session) -> None:
    ids = session.info.pop(_SESSION_KEY, None)
    if ids:
        publish(sorted(ids))


def publish(notification_ids: list[int]) -> int:
    """Ask the worker to deliver these notifications; return how many were sent off.

    Failing to reach the broker is not an error: the rows stay pending and the
    periodic requeue publishes them again.
    """
    celery = current_app.extensions["celery"]
    published = 0
    for notification_id in notification_ids:
        try:
            celery.send_task(DELIVER_TASK, args=[notification_id], retry=False)
        except Exception:  # the broker is unreachable: the row waits
            log.warning("broker unavailable; notification %s left for requeue", notification_id)
            break
        published += 1
    return published


def stale_notification_ids(grace_seconds: int, limit: int = 500) -> list[int]:
    """Pending notifications whose next attempt is overdue by more than the grace."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    return list(
        db.session.scalars(
            sa.select(Notification.id)
            .where(
                Notification.status == NotificationStatus.PENDING,
                Notification.next_attempt_at <= cutoff,
            )
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
    )


def init_outbox() -> None:
    """Hook the publisher into every SQLAlchemy session (once per process)."""
    if not sa.event.contains(Session, "after_commit", _publish_after_commit):
        sa.event.listen(Session, "after_flush", _collect)
        sa.event.listen(Session, "after_commit", _publish_after_commit)
        sa.event.listen(Session, "after_rollback", _forget)
