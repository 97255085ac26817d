"""Setting a case's deadlines and the sweep's thresholds from the one
computation (suggestion.deadlines.computation): at filing and intake, on
re-classification, on resumption after a pause, and when a policy or the
holiday table changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from suggestion.calendar.services import holiday_dates
from suggestion.calendar.services import holiday_names
from suggestion.cases.models import Case
from suggestion.cases.models import CasePause
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.deadlines.computation import case_deadlines
from suggestion.deadlines.computation import CaseDeadlines
from suggestion.deadlines.computation import holiday_window
from suggestion.deadlines.explanation import DeadlineExplanation
from suggestion.deadlines.explanation import explain
from suggestion.deadlines.policies import deadline_after
from suggestion.deadlines.policies import terms_for


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
    """Set ``ack_due_at`` (until acknowledged), ``due_at``, the progress update
    owed (unless one is owed already) and the thresholds from the date of
    receipt, the case's policy and the working days it spent paused (filing,
    intake, re-classification, recomputation). Returns what changed, for the
    event."""
    tz = agency_zone()
    terms = terms_for(case.kind, case.category_id)
    paused = paused_working_days(case)
    holidays = holiday_dates(*holiday_window(case.received_at, terms, paused, tz))
    computed = case_deadlines(
        case.received_at,
        terms,
        holidays,
        tz,
        now=now or utcnow(),
        paused_days=paused,
        clock_running=case.status in OPEN_STATES,
    )
    return _apply(case, computed)


def move_deadlines_for_pause(
    case: Case, days: int, *, resumes_to: Status, now: datetime
) -> dict[str, tuple[Any, Any]]:
    """After a pause of ``days`` working days, move the case's deadlines as
    they stood forward by those days (a deadline given by an import stays
    the import's, moved), and derive the thresholds again; a case that leaves
    the pause with an outcome keeps none. Returns what changed."""
    tz = agency_zone()
    terms = terms_for(case.kind, case.category_id)
    holidays = holiday_dates(*holiday_window(case.received_at, terms, days, tz, due_at=case.due_at))
    computed = case_deadlines(
        case.received_at,
        terms,
        holidays,
        tz,
        now=now,
        paused_days=days,
        due_at=case.due_at,
        ack_due_at=case.ack_due_at,
        clock_running=resumes_to in OPEN_STATES,
    )
    return _apply(case, computed)


def _apply(case: Case, computed: CaseDeadlines) -> dict[str, tuple[Any, Any]]:
    before = {"due_at": case.due_at, "ack_due_at": case.ack_due_at}
    case.due_at = computed.due_at
    if case.acknowledged_at is None:
        case.ack_due_at = computed.ack_due_at
        case.ack_alert_at = computed.ack_alert_at
    if case.progress_due_at is None:
        case.progress_due_at = computed.progress_due_at
    case.remind_at = computed.remind_at
    case.final_remind_at = computed.final_remind_at
    case.escalate_at = computed.escalate_at
    after = {"due_at": case.due_at, "ack_due_at": case.ack_due_at}
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def explain_deadline(
    case_id: int, received_at: datetime, due_at: datetime, *, was_paused: bool = True
) -> DeadlineExplanation:
    """How the case's outcome deadline was counted, as it stands now (the
    receipt, /track and the API show it). ``was_paused=False``: the caller
    knows the case never waited for the filer, so its pauses are not read
    (the public look-up stays one statement)."""
    tz = agency_zone()
    pauses = (
        [
            (paused_at, resumed_at)
            for paused_at, resumed_at in db.session.execute(
                sa.select(CasePause.paused_at, CasePause.resumed_at)
                .where(CasePause.case_id == case_id)
                .order_by(CasePause.paused_at)
            )
        ]
        if was_paused
        else []
    )
    first, last = local_date(received_at, tz), local_date(due_at, tz)
    return explain(received_at, due_at, holiday_names(first, last), pauses, tz)


def owe_progress_from_now(case: Case) -> None:
    """The filer has just heard from us: the next progress update is owed one
    interval from now."""
    terms = terms_for(case.kind, case.category_id)
    case.progress_due_at = deadline_after(utcnow(), terms.progress_interval_days)
