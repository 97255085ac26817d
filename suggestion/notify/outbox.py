"""Writing e-mails to the outbox, and publishing them to the worker after commit.

A notification is a row written in the same transaction as the change that
causes it. Only when that transaction commits is the worker asked to deliver
it (suggestion.core.jobs.after_commit); if the broker is down then, the row
waits and ``notify.requeue_stale`` publishes it later. A rollback sends nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from typing import TypedDict

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from suggestion.core.extensions import db
from suggestion.core.jobs import after_commit
from suggestion.core.jobs import send_tasks
from suggestion.core.sealing import OUTBOX
from suggestion.core.sealing import seal
from suggestion.core.tasks import TaskName
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus

# Subjects of the e-mails, by template; translated in the recipient's language.
SUBJECTS = {
    "receipt": _l("Your case %(tracking_code)s has been received"),
    "info_requested": _l("Your case %(tracking_code)s: we need more information"),
    "reply": _l("Your case %(tracking_code)s: a reply from us"),
    "outcome": _l("Your case %(tracking_code)s: the outcome"),
    "merged": _l("Your case %(tracking_code)s has been merged into %(surviving_code)s"),
    "deadline_moved": _l("Your case %(tracking_code)s: the deadline has moved"),
    "progress": _l("Your case %(tracking_code)s is still in progress"),
    "remind": _l("Reminder: case %(tracking_code)s is due on %(due_date)s"),
    "final_remind": _l("Due today: case %(tracking_code)s"),
    "ack_overdue": _l("Not yet acknowledged: case %(tracking_code)s"),
    "escalate": _l("Overdue: case %(tracking_code)s was due on %(due_date)s"),
    "outcome_disputed": _l("Not solved, says the filer: case %(tracking_code)s is reopened"),
    "digest": _l("Your cases due soon and overdue, %(date)s"),
    "holidays_loaded": _l("Holidays of %(year)s loaded: please check them"),
    "monthly_report": _l("Monthly SLA report, %(month)s"),
    "request_remind": _l("Reminder: data-subject request %(number)s is due on %(due_date)s"),
    "request_final_remind": _l("Due soon: data-subject request %(number)s, on %(due_date)s"),
    "request_escalate": _l("Overdue: data-subject request %(number)s was due on %(due_date)s"),
    "request_received": _l("Your data-subject request %(number)s has been received"),
    "request_answered": _l("Your data-subject request %(number)s has been answered"),
    "breach_remind": _l("Breach %(number)s: notify the PDPC by %(due_at)s"),
    "breach_escalate": _l("Late: breach %(number)s was to be notified to the PDPC by %(due_at)s"),
}

# The e-mails to a case's filer, by template: the ones whose address, subject
# and text go when the filer's contact details are erased or anonymised
# (:func:`clear_filer_mail`); every other e-mail of a case goes to staff.
FILER_TEMPLATES = frozenset(
    {
        "receipt",
        "info_requested",
        "reply",
        "outcome",
        "merged",
        "deadline_moved",
        "progress",
        "request_received",
        "request_answered",
    }
)
# What replaces a filer's e-mail address and subject in the outbox
# (notifications.to_address and subject are required).
ERASED_ADDRESS = "erased@invalid"
ERASED_SUBJECT = "[ลบแล้ว · erased]"

# What each e-mail is, for the administrators' list of failed ones.
TEMPLATE_LABELS = {
    "receipt": _l("Receipt to the filer"),
    "info_requested": _l("Request for information"),
    "reply": _l("Reply to the filer"),
    "outcome": _l("Outcome to the filer"),
    "merged": _l("Merge notice to the filer"),
    "deadline_moved": _l("Deadline moved, to the filer"),
    "progress": _l("Progress update to the filer"),
    "remind": _l("Reminder to staff"),
    "final_remind": _l("Due-today reminder to staff"),
    "ack_overdue": _l("Acknowledgement overdue, to staff"),
    "escalate": _l("Escalation to managers"),
    "outcome_disputed": _l("Disputed outcome, to staff"),
    "digest": _l("Daily digest to staff"),
    "holidays_loaded": _l("Holidays loaded, to administrators"),
    "monthly_report": _l("Monthly report to managers"),
    "request_remind": _l("Data-subject request reminder"),
    "request_final_remind": _l("Data-subject request due soon"),
    "request_escalate": _l("Data-subject request overdue, to administrators"),
    "request_received": _l("Data-subject request received, to the filer"),
    "request_answered": _l("Data-subject request answered, to the filer"),
    "breach_remind": _l("Breach reminder, to administrators"),
    "breach_escalate": _l("Breach escalation, to administrators"),
}


class OutboxRow(TypedDict):
    """One rendered e-mail for :func:`queue_emails`."""

    case_id: int | None
    template: str
    to_address: str
    dedupe_key: str | None
    subject: str
    body: str


def outbox_row(
    template: str,
    to_address: str,
    rendered: tuple[str, str],
    *,
    dedupe_key: str | None = None,
    case_id: int | None = None,
) -> OutboxRow:
    """A row of the outbox from a rendered e-mail (:func:`render_email`)."""
    subject, body = rendered
    return OutboxRow(
        case_id=case_id,
        template=template,
        to_address=to_address,
        dedupe_key=dedupe_key,
        subject=subject,
        body=seal(body, OUTBOX),  # it may hold an access key (suggestion.core.sealing)
    )


def queue_emails(rows: list[OutboxRow], *, skip_duplicates: bool = False) -> list[int]:
    """Put many rendered e-mails in the outbox in one statement; published
    after commit. With ``skip_duplicates``, a row whose dedupe key is already in the outbox
    is left out instead of failing the transaction."""
    if not rows:
        return []
    statement: Any = sa.insert(Notification)
    if skip_duplicates:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"])
    ids = list(db.session.scalars(statement.returning(Notification.id), rows))
    session = db.session()
    for notification_id in ids:
        after_commit(session, TaskName.DELIVER_NOTIFICATION, notification_id)
    return ids


def render_email(template: str, locale: str, **context: Any) -> tuple[str, str]:
    """The subject and text of an e-mail, in ``locale``."""
    with force_locale(locale):
        subject = str(SUBJECTS[template]) % context
        body = render_template(f"email/{template}.txt", **context)
    return subject, body


def queue_email(
    template: str,
    to_address: str,
    *,
    locale: str,
    case_id: int | None = None,
    dedupe_key: str | None = None,
    recipient_digest: str | None = None,
    **context: Any,
) -> Notification:
    """Render ``templates/email/<template>.txt`` in ``locale`` and put it in
    the outbox. ``recipient_digest`` marks a receipt, counted against the
    address's daily cap (suggestion.notify.caps)."""
    row = outbox_row(
        template,
        to_address,
        render_email(template, locale, **context),
        dedupe_key=dedupe_key,
        case_id=case_id,
    )
    notification = Notification(**row, recipient_digest=recipient_digest)
    db.session.add(notification)
    db.session.flush()
    after_commit(db.session(), TaskName.DELIVER_NOTIFICATION, notification.id)
    return notification


def clear_filer_mail(case_ids: list[int]) -> None:
    """The e-mails to the filer of these cases, recognised by their template
    (whatever address they were sent to, before a rectification too), lose
    their address, digest, subject and text; one still waiting, or failed, is
    given up: it can no longer be sent (its text held the access key)."""
    if not case_ids:
        return
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.case_id.in_(case_ids),
            Notification.template.in_(sorted(FILER_TEMPLATES)),
        )
        .values(
            to_address=ERASED_ADDRESS,
            recipient_digest=None,
            subject=ERASED_SUBJECT,
            body=None,
            status=sa.case(
                (Notification.status == NotificationStatus.PENDING.value, "failed"),
                else_=Notification.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def readdress_filer_mail(case_id: int, address: str | None) -> None:
    """The filer's e-mails of a case still waiting go to their corrected
    address; with none left, they are given up like an erasure's."""
    waiting = (
        Notification.case_id == case_id,
        Notification.template.in_(sorted(FILER_TEMPLATES)),
        Notification.status == NotificationStatus.PENDING.value,
    )
    if address is None:
        db.session.execute(
            sa.update(Notification)
            .where(*waiting)
            .values(to_address=ERASED_ADDRESS, recipient_digest=None, body=None, status="failed")
            .execution_options(synchronize_session=False)
        )
        return
    db.session.execute(
        sa.update(Notification)
        .where(*waiting)
        .values(to_address=address, recipient_digest=None)
        .execution_options(synchronize_session=False)
    )


def publish(notification_ids: list[int]) -> int:
    """Ask the worker to deliver these notifications now; returns how many were
    published (a broker outage leaves the rest to the requeue)."""
    return send_tasks([(TaskName.DELIVER_NOTIFICATION, (i,)) for i in notification_ids])


def stale_notification_ids(grace_seconds: float, limit: int = 500) -> list[int]:
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
