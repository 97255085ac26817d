"""E-mails that failed for good, for administrators: each with its case, and
sent again — one or all — once the cause is fixed (the address, the mail
server). Sending again is an administrative change, recorded."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.admin.services import authorise
from suggestion.admin.services import record
from suggestion.auth.models import User
from suggestion.cases.models import Case
from suggestion.core.audit import AdminAction
from suggestion.core.extensions import db
from suggestion.core.jobs import after_commit
from suggestion.core.tasks import TaskName
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus

SHOWN = 50


def failed_mail() -> list[tuple[Notification, str | None]]:
    """The latest failed e-mails, newest first, with their case's code."""
    rows = db.session.execute(
        sa.select(Notification, Case.tracking_code)
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(Notification.status == NotificationStatus.FAILED)
        .order_by(Notification.id.desc())
        .limit(SHOWN)
    ).all()
    return [(notification, code) for notification, code in rows]


def resend_failed(actor: User | None, notification_ids: list[int] | None = None) -> int:
    """Put failed e-mails back in the outbox (all of them, or these), each
    with a fresh round of attempts, and record it; returns how many. One
    without its text (the filer's erased, the case anonymised) stays failed."""
    who = authorise(actor)
    query = sa.select(Notification).where(
        Notification.status == NotificationStatus.FAILED,
        Notification.body.is_not(None),  # an erased or anonymised e-mail has nothing to send
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    notifications = list(db.session.scalars(query.with_for_update()))
    now = utcnow()
    for notification in notifications:
        record(
            who,
            AdminAction.EMAIL_RESENT,
            f"e-mail {notification.id} ({notification.template})",
            {
                "status": [notification.status, NotificationStatus.PENDING.value],
                "attempts": [notification.attempts, 0],
                "last_error": [notification.last_error, None],
            },
        )
        notification.status = NotificationStatus.PENDING
        notification.attempts = 0
        notification.next_attempt_at = now
        after_commit(db.session(), TaskName.DELIVER_NOTIFICATION, notification.id)
    db.session.flush()
    return len(notifications)
