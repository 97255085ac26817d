"""The sweep's rule for breaches: the 72-hour deadline to notify the PDPC
(suggestion.deadlines.breaches). The same way as the cases' alerts: one
INSERT … SELECT per kind over an indexed threshold in (last sweep, now],
ON CONFLICT DO NOTHING on (breach, kind), a batch at a time, committed by the
caller; the e-mails go through the outbox with a key of their own. A breach
whose PDPC notification is recorded, or that is closed, gets nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from suggestion.auth.models import User
from suggestion.auth.permissions import BREACH_KEEPERS
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_datetime
from suggestion.deadlines.breaches import hours_left
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import OutboxRow
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email
from suggestion.sla.breaches import Breach
from suggestion.sla.breaches import BreachAlert
from suggestion.sla.breaches import BreachAlertKind

STAFF_LOCALE = "th"


@dataclass(frozen=True)
class BreachRule:
    kind: BreachAlertKind
    threshold: Any
    conditions: tuple[Any, ...]


def breach_rules(now: datetime) -> list[BreachRule]:
    waiting = (Breach.pdpc_notified_at.is_(None), Breach.closed_at.is_(None))
    return [
        # A reminder only while the next threshold is still ahead.
        BreachRule(BreachAlertKind.REMIND, Breach.remind_at,
                   (*waiting, sa.or_(Breach.final_remind_at.is_(None), Breach.final_remind_at > now))),
        BreachRule(BreachAlertKind.FINAL_REMIND, Breach.final_remind_at,
                   (*waiting, Breach.escalate_at > now)),
        BreachRule(BreachAlertKind.ESCALATE, Breach.escalate_at, waiting),
    ]  # fmt: skip


def record_breach_batch(rule: BreachRule, now: datetime, limit: int) -> list[tuple[int, int]]:
    """Record up to ``limit`` alerts of one rule; (alert id, breach id) pairs.
    Those recorded drop out of the next batch's read (NOT EXISTS), and breaches
    are few, so no keyset is needed."""
    already = sa.exists().where(
        BreachAlert.breach_id == Breach.id, BreachAlert.kind == rule.kind.value
    )
    # No lower bound at ``since``: a breach recorded late has its thresholds
    # set to "now", and its transaction may commit after a sweep began, so a
    # window starting at that sweep would never see them. Breaches waiting
    # for the PDPC are few, and the alerts' unique key sends each once.
    window = [rule.threshold <= now, *rule.conditions, ~already]
    candidates = (
        sa.select(
            Breach.id,
            sa.literal(rule.kind.value),
            sa.literal(now, type_=BreachAlert.created_at.type),
        )
        .where(*window)
        .order_by(rule.threshold, Breach.id)
        .limit(limit)
    )
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(BreachAlert)
    statement = (
        insert.from_select(["breach_id", "kind", "created_at"], candidates)
        .on_conflict_do_nothing(index_elements=["breach_id", "kind"])
        .returning(BreachAlert.id, BreachAlert.breach_id)
    )
    return [(row[0], row[1]) for row in db.session.execute(statement)]


def breach_messages(
    alerts: list[tuple[int, int]], kind: BreachAlertKind, now: datetime
) -> list[OutboxRow]:
    """Reminders to whoever recorded the breach (every keeper of the register
    if that account no longer keeps it); the escalation to every keeper:
    administrators and the data protection officer."""
    tz = agency_zone()
    keepers = [role.value for role in BREACH_KEEPERS]
    admins = list(db.session.scalars(sa.select(User).where(User.is_active, User.role.in_(keepers))))
    alert_of = {breach_id: alert_id for alert_id, breach_id in alerts}
    breaches = db.session.scalars(sa.select(Breach).where(Breach.id.in_(alert_of))).all()
    template = "breach_escalate" if kind == BreachAlertKind.ESCALATE else "breach_remind"
    rows: list[OutboxRow] = []
    for breach in breaches:
        people = admins
        if kind != BreachAlertKind.ESCALATE:
            people = [u for u in admins if u.id == breach.recorded_by_id] or admins
        for user in people:
            locale = user.locale or STAFF_LOCALE
            rendered = render_email(
                template,
                locale,
                number=breach.id,
                discovered_at=format_datetime(breach.discovered_at, locale, tz),
                due_at=format_datetime(breach.notify_due_at, locale, tz),
                hours_left=max(hours_left(breach.notify_due_at, now), 0),
                breach_url=public_url(f"/admin/breaches/{breach.id}"),
            )
            rows.append(
                outbox_row(
                    template,
                    user.email,
                    rendered,
                    dedupe_key=f"breach-alert:{alert_of[breach.id]}:user:{user.id}",
                )
            )
    return rows


def sweep_breaches(now: datetime, batch_size: int, count: Callable[[str, int], None]) -> None:
    """Every breach threshold crossed by ``now`` and not yet alerted; commits
    per batch (as suggestion.sla.requests.sweep_requests does for requests)."""
    for rule in breach_rules(now):
        while True:
            alerts = record_breach_batch(rule, now, batch_size)
            if alerts:
                rows = breach_messages(alerts, rule.kind, now)
                queue_emails(rows)
                count(f"breach_{rule.kind.value}", len(alerts))
                count("messages", len(rows))
            db.session.commit()
            if len(alerts) < batch_size:
                break
