"""The one function that changes a case's state, and its table of transitions
(DESIGN §1.3). Every change writes an event; outcomes set ``resolved_at``;
``awaiting_info`` pauses the deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import User
from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import working_days_between
from suggestion.cases.deadlines import move_deadlines_for_pause
from suggestion.cases.events import record_event
from suggestion.cases.filer_mail import announce_deadline_move
from suggestion.cases.filer_mail import DeadlineCause
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import CasePause
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.cases.states import OUTCOMES
from suggestion.cases.states import Status
from suggestion.cases.states import STATUS_LABELS
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import local_date
from suggestion.core.time import utcnow

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.SCREENING, S.AWAITING_INFO, S.IN_PROGRESS, S.FORWARDED, S.REJECTED, S.MERGED}),
    S.SCREENING: frozenset({S.AWAITING_INFO, S.IN_PROGRESS, S.FORWARDED, S.REJECTED, S.MERGED}),
    S.AWAITING_INFO: frozenset({S.SCREENING, S.IN_PROGRESS, S.REJECTED, S.MERGED}),
    S.IN_PROGRESS: frozenset({S.AWAITING_INFO, S.RESOLVED, S.FORWARDED, S.REJECTED, S.MERGED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.FORWARDED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.REJECTED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.MERGED: frozenset({S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}  # fmt: skip


class TransitionError(Invalid):
    """The case's state does not allow this change."""

    def __init__(self, case: Case, to: Status) -> None:
        self.from_status = case.status
        self.to_status = to
        super().__init__(
            _l(
                "This cannot be done while the case is “%(state)s”.",
                state=STATUS_LABELS[self.from_status],
            ),
            code="transition",
        )


def can_transition(case: Case, to: Status) -> bool:
    return to in TRANSITIONS[case.status]


def open_pause(case: Case) -> CasePause | None:
    return db.session.scalars(
        sa.select(CasePause).where(CasePause.case_id == case.id, CasePause.resumed_at.is_(None))
    ).first()


def working_days_taken(received_at: datetime, outcome_at: datetime) -> int:
    """Working days after the day of receipt up to the day of the outcome."""
    tz = agency_zone()
    first, last = local_date(received_at, tz), local_date(outcome_at, tz)
    if last <= first:
        return 0
    return working_days_between(first, last, holiday_dates(first, last))


def paused_days(pause: CasePause, resumed_at: datetime) -> int:
    """The working days d with pause_date < d ≤ resume_date (local dates)."""
    tz = agency_zone()
    paused_day = local_date(pause.paused_at, tz)
    resumed_day = local_date(resumed_at, tz)
    return working_days_between(paused_day, resumed_day, holiday_dates(paused_day, resumed_day))


def transition(
    case: Case,
    to: Status,
    *,
    actor: User | None = None,
    actor_label: Actor = Actor.SYSTEM,
    body: str | None = None,
    is_public: bool = True,
    at: datetime | None = None,
    extra_diff: dict[str, tuple[Any, Any]] | None = None,
) -> CaseEvent:
    """Change the state of ``case`` and write the event, or raise TransitionError.

    ``extra_diff`` holds what the caller changed alongside the state, so that one
    event records the whole action.
    """
    if not can_transition(case, to):
        raise TransitionError(case, to)
    now = at or utcnow()
    before = case.status
    diff: dict[str, tuple[Any, Any] | list[Any]] = {"status": (before.value, to.value)}

    if before == S.AWAITING_INFO:
        pause = open_pause(case)
        if pause is not None:
            old_due, old_ack = case.due_at, case.ack_due_at
            pause.resumed_at = now
            pause.shifted_days = paused_days(pause, now)
            # The deadlines move forward by the days paused (DESIGN §1.4).
            move_deadlines_for_pause(case, pause.shifted_days, resumes_to=to, now=now)
            if case.due_at != old_due:
                diff["due_at"] = (old_due, case.due_at)
                announce_deadline_move(
                    case,
                    {"due_at": (old_due, case.due_at)},
                    DeadlineCause.WAITED,
                    working_days=pause.shifted_days,
                )
            if case.ack_due_at != old_ack:
                diff["ack_due_at"] = (old_ack, case.ack_due_at)
    if to == S.AWAITING_INFO:
        resume_to = S.SCREENING if before == S.RECEIVED else before
        db.session.add(CasePause(case_id=case.id, paused_at=now, resume_status=resume_to.value))
    if to in OUTCOMES:
        diff["resolved_at"] = (case.resolved_at, now)
        case.resolved_at = now
        case.outcome_working_days = working_days_taken(case.received_at, now)
    elif before in OUTCOMES | {S.CLOSED} and to == S.IN_PROGRESS:  # reopened
        diff["resolved_at"] = (case.resolved_at, None)
        case.resolved_at = None
        case.outcome_working_days = None
    if to == S.CLOSED:
        diff["closed_at"] = (case.closed_at, now)
        case.closed_at = now
    elif before == S.CLOSED:
        diff["closed_at"] = (case.closed_at, None)
        case.closed_at = None

    case.status = to
    diff.update(extra_diff or {})
    return record_event(
        case,
        EventAction.STATUS_CHANGED,
        actor=actor,
        actor_label=actor_label,
        diff=diff,
        body=body,
        is_public=is_public,
    )
