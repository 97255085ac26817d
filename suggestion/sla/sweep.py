"""The deadline sweep: finds the cases that crossed a threshold since the last
run, records each alert once, and puts the messages in the outbox.

Set-based: each kind of alert is one INSERT … SELECT over an indexed threshold
column, limited to a batch, with ON CONFLICT DO NOTHING on the alert's unique
key (case, kind, deadline). A batch is committed before the next is read, so a
sweep never holds more than a batch in memory, and a worker killed mid-sweep
leaves only whole batches behind: the next run picks up the rest, and nothing
is sent twice. Two sweeps never run at once (an advisory lock on PostgreSQL;
SQLite has a single writer).
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import selectinload

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.cases.events import record_events
from suggestion.cases.filer_mail import filer_address
from suggestion.cases.models import Case
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import RUNNING_STATES
from suggestion.cases.states import Status
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.locks import advisory_lock
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_date
from suggestion.core.time import format_datetime
from suggestion.core.time import utcnow
from suggestion.deadlines.policies import deadline_after
from suggestion.deadlines.policies import terms_for
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import OutboxRow
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email
from suggestion.sla.breach_sweep import sweep_breaches
from suggestion.sla.models import AlertKind
from suggestion.sla.models import SlaAlert
from suggestion.sla.models import SweepRun
from suggestion.sla.requests import sweep_requests

SWEEP_LOCK_KEY = 0x53_4C_41  # "SLA", for pg_try_advisory_lock
STAFF_LOCALE = "th"  # for an account that never chose a language


@dataclass(frozen=True)
class Rule:
    """When an alert of one kind is due: its threshold column, the deadline it
    refers to, and what else must hold."""

    kind: AlertKind
    threshold: Any
    deadline: Any
    conditions: tuple[Any, ...]


def rules(now: datetime) -> list[Rule]:
    working = Case.status.in_(values(RUNNING_STATES))
    return [
        Rule(AlertKind.ACK_OVERDUE, Case.ack_alert_at, Case.ack_due_at,
             (Case.status.in_([Status.RECEIVED.value, Status.SCREENING.value]),
              Case.acknowledged_at.is_(None))),
        # The first reminder only while the due day has not yet begun.
        Rule(AlertKind.REMIND, Case.remind_at, Case.due_at, (working, Case.final_remind_at > now)),
        Rule(AlertKind.FINAL_REMIND, Case.final_remind_at, Case.due_at, (working, Case.due_at > now)),
        Rule(AlertKind.ESCALATE, Case.escalate_at, Case.due_at, (working,)),
        Rule(AlertKind.PROGRESS, Case.progress_due_at, Case.progress_due_at,
             (working, Case.is_anonymous.is_(False))),
    ]  # fmt: skip


@dataclass
class SweepReport:
    run_id: int | None = None
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, n: int) -> None:
        self.counts[key] += n


def sweep_lock() -> AbstractContextManager[bool]:
    """True if this process may sweep now (suggestion.core.locks)."""
    return advisory_lock(SWEEP_LOCK_KEY)


def _insert(table: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


Cursor = tuple[datetime, int]  # a (threshold, case id) the next batch starts after


def _record_batch(
    rule: Rule,
    since: datetime | None,
    now: datetime,
    limit: int,
    after: Cursor | None = None,
) -> tuple[list[tuple[int, int]], Cursor | None]:
    """Record the alerts of up to ``limit`` cases of one rule, past ``after``;
    returns (alert id, case id) pairs and where the next batch starts (None
    when no case was left)."""
    already = sa.exists().where(
        SlaAlert.case_id == Case.id,
        SlaAlert.kind == rule.kind.value,
        SlaAlert.deadline_at == rule.deadline,
    )
    window = [rule.threshold <= now]
    if since is not None:
        window.append(rule.threshold > since)
    if after is not None:
        # Keyset: each batch starts where the last ended, so that a sweep of
        # many crossings reads each once (without it, every batch re-read the
        # cases already alerted, and the sweep grew with the square of them).
        window.append(sa.tuple_(rule.threshold, Case.id) > sa.tuple_(*after))
    picked = db.session.execute(
        sa.select(Case.id, rule.threshold)
        .where(*window, *rule.conditions, ~already)
        .order_by(rule.threshold, Case.id)
        .limit(limit)
    ).all()
    if not picked:
        return [], None
    # The cursor is what this batch read, not the thresholds as they are after
    # it: a deadline moved meanwhile must not make the sweep skip cases.
    cursor = (picked[-1][1], picked[-1][0])
    candidates = sa.select(
        Case.id,
        sa.literal(rule.kind.value),
        rule.deadline,
        sa.literal(now, type_=SlaAlert.created_at.type),
    ).where(Case.id.in_([case_id for case_id, _ in picked]), *rule.conditions, ~already)
    statement = (
        _insert(SlaAlert)
        .from_select(["case_id", "kind", "deadline_at", "created_at"], candidates)
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "deadline_at"])
        .returning(SlaAlert.id, SlaAlert.case_id)
    )
    alerts = [(row[0], row[1]) for row in db.session.execute(statement)]
    return alerts, cursor if len(picked) == limit else None


def mark_swept(case_ids: list[int], now: datetime | None = None) -> int:
    """Record as already alerted every threshold of these cases that the next
    sweep would act on, and send nothing: an import of open cases past their
    deadlines must not flood the staff with alerts for history. Returns the
    number of alerts recorded."""
    now = now or utcnow()
    recorded = 0
    for rule in rules(now):
        already = sa.exists().where(
            SlaAlert.case_id == Case.id,
            SlaAlert.kind == rule.kind.value,
            SlaAlert.deadline_at == rule.deadline,
        )
        candidates = sa.select(
            Case.id,
            sa.literal(rule.kind.value),
            rule.deadline,
            sa.literal(now, type_=SlaAlert.created_at.type),
        ).where(Case.id.in_(case_ids), rule.threshold <= now, *rule.conditions, ~already)
        statement = (
            _insert(SlaAlert)
            .from_select(["case_id", "kind", "deadline_at", "created_at"], candidates)
            .on_conflict_do_nothing(index_elements=["case_id", "kind", "deadline_at"])
            .returning(SlaAlert.id)
        )
        recorded += len(db.session.execute(statement).all())
    return recorded


def _recipients(cases: list[Case], kind: AlertKind) -> dict[int, list[User]]:
    """Who hears of each case: the assignee, else the division's officers
    (managers, for an escalation); integrity officers for corruption reports;
    administrators when there is no one else. One query for the whole batch."""
    staff = list(db.session.scalars(sa.select(User).where(User.is_active.is_(True))))
    by_division: dict[tuple[int, str], list[User]] = defaultdict(list)
    for user in staff:
        by_division[(user.division_id, user.role)].append(user)
    integrity = [u for u in staff if u.role == Role.INTEGRITY]
    admins = [u for u in staff if u.role == Role.ADMIN]
    found: dict[int, list[User]] = {}
    for case in cases:
        if case.kind == Kind.CORRUPTION:
            people = integrity
        elif kind == AlertKind.ESCALATE:
            people = by_division.get((case.division_id or 0, Role.MANAGER), [])
        elif case.assignee is not None and case.assignee.is_active:
            people = [case.assignee]
        else:
            people = by_division.get((case.division_id or 0, Role.OFFICER), [])
        found[case.id] = people or admins
    return found


def _messages(
    alerts: list[tuple[int, int]], kind: AlertKind, now: datetime
) -> tuple[int, list[OutboxRow]]:
    """The outbox rows for a batch of alerts (and the escalations' events)."""
    tz = agency_zone()
    alert_of = {case_id: alert_id for alert_id, case_id in alerts}
    cases = list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.id.in_(alert_of))
            .options(selectinload(Case.complainant), selectinload(Case.assignee))
        )
    )
    rows: list[OutboxRow] = []
    if kind == AlertKind.PROGRESS:
        for case in cases:
            address = filer_address(case, courtesy=True)
            if address is None:
                continue
            rendered = render_email(
                "progress",
                case.locale,
                tracking_code=case.tracking_code,
                subject=case.subject,
                track_url=public_url("/track", code=case.tracking_code),
                due_at=format_datetime(case.due_at, case.locale, tz),
            )
            rows.append(
                outbox_row(
                    "progress",
                    address,
                    rendered,
                    dedupe_key=f"alert:{alert_of[case.id]}:filer",
                    case_id=case.id,
                )
            )
        return len(cases), rows
    recipients = _recipients(cases, kind)
    for case in cases:
        in_language: dict[str, tuple[str, str]] = {}  # once per language among the recipients
        for user in recipients[case.id]:
            locale = user.locale or STAFF_LOCALE
            if locale not in in_language:
                in_language[locale] = render_email(
                    kind.value,
                    locale,
                    tracking_code=case.tracking_code,
                    subject=case.subject,
                    due_date=format_date(case.due_at, locale, tz),
                    due_at=format_datetime(case.due_at, locale, tz),
                    ack_due_at=format_datetime(case.ack_due_at, locale, tz),
                    case_url=public_url(f"/staff/cases/{case.tracking_code}"),
                )
            rows.append(
                outbox_row(
                    kind.value,
                    user.email,
                    in_language[locale],
                    dedupe_key=f"alert:{alert_of[case.id]}:user:{user.id}",
                    case_id=case.id,
                )
            )
    if kind == AlertKind.ESCALATE and cases:
        record_events(
            ((c.id, {"escalated_to": (None, [u.email for u in recipients[c.id]])}) for c in cases),
            EventAction.ESCALATED,
            actor_label=Actor.SYSTEM,
            at=now,
        )
    return len(cases), rows


def _advance_progress(case_ids: list[int], now: datetime) -> None:
    """Owe the next progress update one interval from now (Core UPDATE: the
    case's version is not bumped, so no officer's open form goes stale). One
    policy read per kind and category, one UPDATE per interval, not per case."""
    by_interval: dict[int, list[int]] = defaultdict(list)
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Case.id, Case.kind, Case.category_id).where(Case.id.in_(case_ids))
    )
    for case_id, kind, category_id in rows:
        groups[(kind, category_id)].append(case_id)
    for (kind, category_id), ids in groups.items():
        by_interval[terms_for(kind, category_id).progress_interval_days].extend(ids)
    for interval, ids in by_interval.items():
        db.session.execute(
            sa.update(Case)
            .where(Case.id.in_(ids))
            .values(progress_due_at=deadline_after(now, interval))
            .execution_options(synchronize_session=False)
        )


def run_sweep(now: datetime | None = None, batch_size: int | None = None) -> SweepReport:
    """One sweep; a job, so it commits after each batch."""
    now = now or utcnow()
    batch_size = batch_size or current_app.config["SLA_SWEEP_BATCH"]
    report = SweepReport()
    with sweep_lock() as acquired:
        if not acquired:
            report.skipped = True
            return report
        since = db.session.scalar(
            sa.select(SweepRun.started_at)
            .where(SweepRun.finished_at.is_not(None))
            .order_by(SweepRun.started_at.desc())
            .limit(1)
        )
        if since is not None and since >= now:
            since = None  # the clock went back (or a test moved it): look at everything up to now
        run = SweepRun(started_at=now, counts={})
        db.session.add(run)
        db.session.commit()
        report.run_id = run.id
        for rule in rules(now):
            after: Cursor | None = None
            while True:
                alerts, after = _record_batch(rule, since, now, batch_size, after)
                if alerts:
                    case_count, rows = _messages(alerts, rule.kind, now)
                    queue_emails(rows)
                    if rule.kind == AlertKind.PROGRESS:
                        _advance_progress([case_id for _, case_id in alerts], now)
                    report.add(rule.kind.value, case_count)
                    report.add("messages", len(rows))
                db.session.commit()
                if after is None:
                    break
        sweep_requests(since, now, batch_size, report.add)
        sweep_breaches(now, batch_size, report.add)  # the PDPC's 72 hours
        run.finished_at = utcnow()
        run.counts = dict(report.counts)
        db.session.commit()
    return report


def last_run() -> SweepRun | None:
    return db.session.scalars(
        sa.select(SweepRun).order_by(SweepRun.started_at.desc()).limit(1)
    ).first()
