"""Did the outcome solve the filer's problem? (issue 14, item 3)

A resolved case asks its filer, by the outcome e-mail and on /track, whether
their problem was solved; the 1–5 rating stays a separate question. "Yes" is
recorded; "not yet", with a reason, reopens the case (its deadline stands:
docs/decisions.md) and alerts the assignee and the division's managers. Each
outcome is answered once (a unique key on the case and the outcome's
moment): only a later outcome may be answered again. A forwarded or rejected
case is not asked: the filer got no solution to judge.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.cases.deadlines import owe_progress_from_now
from suggestion.cases.events import record_event
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import OutcomeAnswer
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import OUTCOMES
from suggestion.cases.states import Status
from suggestion.cases.workflow import transition
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_datetime
from suggestion.core.time import utcnow
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email

STAFF_LOCALE = "th"  # staff e-mails, as the sweep's
REASON_MAX = 2000

NOT_ASKED = _l("This question is asked only about an outcome that resolved your case.")
ALREADY_CONFIRMED = _l("You have already told us that this outcome solved your problem.")
ALREADY_DISPUTED = _l(
    "You have already told us that this outcome did not solve your problem, and the case "
    "was reopened. You can answer again once we report a new outcome."
)
ANSWERED = _l("This outcome has already been answered.")
REASON_REQUIRED = _l("Please tell us what is still not solved.")


def current_outcome(case: Case) -> Status | None:
    """The outcome the case stands on: its state, or for a closed case the
    state it was closed from (the closing event's); None when it has none."""
    if case.status in OUTCOMES:
        return case.status
    if case.status != Status.CLOSED or case.resolved_at is None:
        return None
    closing = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == EventAction.STATUS_CHANGED)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).first()
    if closing is None:  # imported closed: no history of how it got there
        return None
    before = (closing.diff.get("status") or [None])[0]
    return Status(before) if before in OUTCOMES else None


def latest_answer(case: Case) -> OutcomeAnswer | None:
    return db.session.scalars(
        sa.select(OutcomeAnswer)
        .where(OutcomeAnswer.case_id == case.id)
        .order_by(OutcomeAnswer.id.desc())
        .limit(1)
    ).first()


def refusal(case: Case) -> Invalid | None:
    """Why the filer may not answer now, or None if they may."""
    answer = latest_answer(case)
    if answer is not None and (case.resolved_at is None or answer.outcome_at == case.resolved_at):
        if not answer.is_solved:
            return Invalid(ALREADY_DISPUTED, code="answered")
        if case.resolved_at is not None:
            return Invalid(ALREADY_CONFIRMED, code="answered")
    if current_outcome(case) != Status.RESOLVED:
        return Invalid(NOT_ASKED, code="not_asked")
    return None


def can_answer(case: Case) -> bool:
    return refusal(case) is None


def can_rate(case: Case) -> bool:
    """A filer rates once, an outcome that resolved the case: a forwarded or
    rejected case is not asked to rate a solution it did not get."""
    return case.satisfaction is None and current_outcome(case) == Status.RESOLVED


def answer(case: Case, *, solved: bool, reason: str | None = None) -> CaseEvent:
    """Record the filer's answer about the current outcome; "not yet" reopens
    the case and alerts its staff. Returns the answer's event."""
    refused = refusal(case)
    if refused is not None:
        raise refused
    reason = (reason or "").strip() or None
    if not solved and reason is None:
        raise Invalid(REASON_REQUIRED, code="reason")
    outcome_at = case.resolved_at
    if outcome_at is None:  # not reached: a resolved outcome has its moment
        raise Invalid(NOT_ASKED, code="not_asked")
    row = OutcomeAnswer(
        case_id=case.id, outcome_at=outcome_at, answered_at=utcnow(), is_solved=solved
    )
    try:
        with db.session.begin_nested():  # a second answer sent at once
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Invalid(ANSWERED, code="answered") from None
    if solved:
        return record_event(
            case,
            EventAction.OUTCOME_CONFIRMED,
            actor_label=Actor.PUBLIC,
            diff={"solved": (None, True)},
            is_public=True,
        )
    event = record_event(
        case,
        EventAction.OUTCOME_DISPUTED,
        actor_label=Actor.PUBLIC,
        diff={"solved": (None, False)},
        body=reason,
        is_public=True,
    )
    transition(case, Status.IN_PROGRESS, actor_label=Actor.PUBLIC, is_public=True)
    # The filer has just heard the case is reopened: progress is owed from now.
    owe_progress_from_now(case)
    _alert_staff(case, row)
    return event


def dispute_recipients(case: Case) -> list[User]:
    """Who hears that a filer disputes an outcome: the assignee (else the
    division's officers) and the division's managers; for a corruption report
    its integrity officers only; the administrators when there is no one."""
    active = sa.select(User).where(User.is_active.is_(True))
    if case.kind == Kind.CORRUPTION:
        people = list(db.session.scalars(active.where(User.role == Role.INTEGRITY)))
    else:
        division = case.division_id or 0
        managers = db.session.scalars(
            active.where(User.role == Role.MANAGER, User.division_id == division)
        )
        if case.assignee is not None and case.assignee.is_active:
            handlers: Iterable[User] = [case.assignee]
        else:
            handlers = db.session.scalars(
                active.where(User.role == Role.OFFICER, User.division_id == division)
            )
        people = [*handlers, *managers]
    if not people:
        people = list(db.session.scalars(active.where(User.role == Role.ADMIN)))
    unique = {user.id: user for user in people}
    return sorted(unique.values(), key=lambda user: user.id)


def _alert_staff(case: Case, row: OutcomeAnswer) -> None:
    """Each person is alerted in the language their account chose."""

    def rendered(locale: str) -> tuple[str, str]:
        return render_email(
            "outcome_disputed",
            locale,
            tracking_code=case.tracking_code,
            subject=case.subject,
            outcome_at=format_datetime(row.outcome_at, locale, agency_zone()),
            due_at=format_datetime(case.due_at, locale, agency_zone()),
            case_url=public_url(f"/staff/cases/{case.tracking_code}"),
        )

    queue_emails(
        [
            outbox_row(
                "outcome_disputed",
                user.email,
                rendered(user.locale or STAFF_LOCALE),
                dedupe_key=f"dispute:{row.id}:user:{user.id}",
                case_id=case.id,
            )
            for user in dispute_recipients(case)
        ]
    )
