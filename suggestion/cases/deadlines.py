"""Setting a case's deadlines and the sweep's thresholds, in one place: at
filing, on re-classification, on resumption after a pause, and when a policy
or the holiday table changes."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import CasePause
from suggestion.core.time import utcnow
from suggestion.extensions import db
from suggestion.sla.deadlines import case_holidays
from suggestion.sla.deadlines import deadline
from suggestion.sla.deadlines import PolicyTerms
from suggestion.sla.deadlines import shift_deadline
from suggestion.sla.deadlines import terms_for
from suggestion.sla.deadlines import thresholds


def apply_thresholds(
    case: Case, terms: PolicyTerms, holidays: frozenset[date] | None = None
) -> None:
    """Derive the sweep's moments from ``case.due_at``.

    A moment already past (a case registered late, a deadline shortened by a new
    policy) is set to now, so that the next sweep, which looks at what crossed
    since its last run, still sees it.
    """
    now = utcnow()
    moments = thresholds(case.due_at, terms, holidays)
    case.remind_at = max(moments.remind_at, now)
    case.final_remind_at = max(moments.final_remind_at, now)
    case.escalate_at = max(moments.escalate_at, now)


def paused_working_days(case: Case) -> int:
    if case.id is None:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(CasePause.shifted_days), 0)).where(
                CasePause.case_id == case.id
            )
        )
    )


def apply_deadlines(case: Case, *, now: datetime | None = None) -> dict[str, tuple[Any, Any]]:
    """Set ``ack_due_at`` (until acknowledged), ``due_at`` and the thresholds
    from the date of receipt, the case's policy and the working days it spent
    paused. Returns what changed, for the event."""
    terms = terms_for(case.kind, case.category_id)
    shifted = paused_working_days(case)
    holidays = case_holidays(case.received_at, terms, shifted)
    before = {"due_at": case.due_at, "ack_due_at": case.ack_due_at}
    due_at = deadline(case.received_at, terms.outcome_days, holidays)
    case.due_at = shift_deadline(due_at, shifted, holidays) if shifted else due_at
    if case.acknowledged_at is None:
        ack_due_at = deadline(case.received_at, terms.ack_days, holidays)
        case.ack_due_at = shift_deadline(ack_due_at, shifted, holidays) if shifted else ack_due_at
    if case.progress_due_at is None:
        case.progress_due_at = max(
            deadline(case.received_at, terms.progress_interval_days, holidays), utcnow()
        )
    apply_thresholds(case, terms, holidays)
    after = {"due_at": case.due_at, "ack_due_at": case.ack_due_at}
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def owe_progress_from_now(case: Case) -> None:
    """The filer has just heard from us: the next progress update is owed one
    interval from now."""
    terms = terms_for(case.kind, case.category_id)
    case.progress_due_at = deadline(utcnow(), terms.progress_interval_days)
