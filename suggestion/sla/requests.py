"""The deadline sweep's rules for data-subject requests (PDPA s.30: 30
calendar days): reminders to the data protection officers 7 and 2 days
before the deadline, escalation to the administrators once it has passed.

The same guarantees as the cases' alerts (suggestion.sla.sweep): each rule is
an INSERT … SELECT over an indexed threshold column, in keyset batches, with
ON CONFLICT DO NOTHING on the alert's unique key (request, kind, deadline),
so that a repeated sweep, a retried task or a killed worker sends nothing
twice; the messages go through the outbox with a dedupe key per alert and
recipient. :func:`sweep_requests` runs inside :func:`run_sweep`'s lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_date
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import OutboxRow
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email
from suggestion.privacy.models import RequestAlertKind
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRequestAlert

STAFF_LOCALE = "th"
TEMPLATES = {
    RequestAlertKind.REMIND: "request_remind",
    RequestAlertKind.FINAL_REMIND: "request_final_remind",
    RequestAlertKind.ESCALATE: "request_escalate",
}


@dataclass(frozen=True)
class RequestRule:
    kind: RequestAlertKind
    threshold: Any
    conditions: tuple[Any, ...]


def request_rules(now: datetime) -> list[RequestRule]:
    is_open = SubjectRequest.status == RequestStatus.OPEN.value
    return [
        # The first reminder only while the second is still ahead, as for cases.
        RequestRule(RequestAlertKind.REMIND, SubjectRequest.remind_at,
                    (is_open, SubjectRequest.final_remind_at > now)),
        RequestRule(RequestAlertKind.FINAL_REMIND, SubjectRequest.final_remind_at,
                    (is_open, SubjectRequest.due_at > now)),
        RequestRule(RequestAlertKind.ESCALATE, SubjectRequest.escalate_at, (is_open,)),
    ]  # fmt: skip


def _insert(table: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


Cursor = tuple[datetime, int]
LATE_COMMIT = timedelta(hours=1)


def _record_batch(
    rule: RequestRule, since: datetime | None, now: datetime, limit: int, after: Cursor | None
) -> tuple[list[tuple[int, int]], Cursor | None]:
    """Record up to ``limit`` alerts of one rule past ``after``; returns
    (alert id, request id) pairs and where the next batch starts."""
    already = sa.exists().where(
        SubjectRequestAlert.request_id == SubjectRequest.id,
        SubjectRequestAlert.kind == rule.kind.value,
        SubjectRequestAlert.deadline_at == SubjectRequest.due_at,
    )
    window = [rule.threshold <= now]
    if since is not None:
        # A threshold set to "now" by a transaction that commits after the
        # last sweep began falls before its start: the window reaches back
        # LATE_COMMIT, and the alerts' unique key makes the overlap harmless.
        window.append(rule.threshold > since - LATE_COMMIT)
    if after is not None:
        window.append(sa.tuple_(rule.threshold, SubjectRequest.id) > sa.tuple_(*after))
    picked = db.session.execute(
        sa.select(SubjectRequest.id, rule.threshold)
        .where(*window, *rule.conditions, ~already)
        .order_by(rule.threshold, SubjectRequest.id)
        .limit(limit)
    ).all()
    if not picked:
        return [], None
    cursor = (picked[-1][1], picked[-1][0])
    candidates = sa.select(
        SubjectRequest.id,
        sa.literal(rule.kind.value),
        SubjectRequest.due_at,
        sa.literal(now, type_=SubjectRequestAlert.created_at.type),
    ).where(SubjectRequest.id.in_([i for i, _ in picked]), *rule.conditions, ~already)
    statement = (
        _insert(SubjectRequestAlert)
        .from_select(["request_id", "kind", "deadline_at", "created_at"], candidates)
        .on_conflict_do_nothing(index_elements=["request_id", "kind", "deadline_at"])
        .returning(SubjectRequestAlert.id, SubjectRequestAlert.request_id)
    )
    alerts = [(row[0], row[1]) for row in db.session.execute(statement)]
    return alerts, cursor if len(picked) == limit else None


def _recipients(kind: RequestAlertKind) -> list[User]:
    """Reminders to the data protection officers (administrators if there
    is none); the escalation to the administrators and to them."""
    people = list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_([Role.PRIVACY, Role.ADMIN]))
            .order_by(User.id)
        )
    )
    officers = [u for u in people if u.role == Role.PRIVACY]
    if kind == RequestAlertKind.ESCALATE:
        return people
    return officers or [u for u in people if u.role == Role.ADMIN]


def _messages(alerts: list[tuple[int, int]], kind: RequestAlertKind) -> list[OutboxRow]:
    tz = agency_zone()
    alert_of = {request_id: alert_id for alert_id, request_id in alerts}
    requests = list(
        db.session.scalars(sa.select(SubjectRequest).where(SubjectRequest.id.in_(alert_of)))
    )
    people = _recipients(kind)
    template = TEMPLATES[kind]
    rows = []
    for request in requests:
        rendered: dict[str, tuple[str, str]] = {}
        for user in people:
            locale = user.locale or STAFF_LOCALE
            if locale not in rendered:
                rendered[locale] = render_email(
                    template,
                    locale,
                    number=request.id,
                    due_date=format_date(request.due_at, locale, tz),
                    request_url=public_url(f"/privacy/requests/{request.id}"),
                )
            rows.append(
                outbox_row(
                    template,
                    user.email,
                    rendered[locale],
                    dedupe_key=f"request-alert:{alert_of[request.id]}:user:{user.id}",
                )
            )
    return rows


def sweep_requests(
    since: datetime | None, now: datetime, batch_size: int, count: Callable[[str, int], None]
) -> None:
    """Every request threshold crossed in (since - LATE_COMMIT, now] and not
    yet alerted; commits per batch."""
    for rule in request_rules(now):
        after: Cursor | None = None
        while True:
            alerts, after = _record_batch(rule, since, now, batch_size, after)
            if alerts:
                rows = _messages(alerts, rule.kind)
                queue_emails(rows)
                count(f"request_{rule.kind.value}", len(alerts))
                count("messages", len(rows))
            db.session.commit()
            if after is None:
                break
