"""Registering a data-subject request (PDPA ss.30–36): the cases it
concerns, named by their tracking codes; the day it was received, from which
its 30 calendar days run (suggestion.deadlines.computation); one open request
of a right per case; the filer told by e-mail (suggestion.privacy.telling).
Like every service it flushes and never commits (suggestion.core.uow)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.cases.codes import normalise_tracking_code
from suggestion.cases.models import Case
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.deadlines.computation import calendar_deadlines
from suggestion.privacy.models import FINAL_REMIND_BEFORE_DAYS
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import REMIND_BEFORE_DAYS
from suggestion.privacy.models import REQUEST_DAYS
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import subject_request_cases
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight
from suggestion.privacy.services import Actor
from suggestion.privacy.services import target_of
from suggestion.privacy.telling import RECEIVED
from suggestion.privacy.telling import tell_requester


def cases_by_codes(text: str) -> list[Case]:
    """The cases named by tracking codes (separated by spaces or commas); an
    unknown code is refused by name."""
    codes = [c for c in text.replace(",", " ").split() if c]
    if not codes:
        raise Invalid(_l("Name at least one case by its tracking code."), code="cases")
    normalised = []
    for code in codes:
        found = normalise_tracking_code(code)
        if found is None:
            raise Invalid(_l("%(code)s is not a tracking code.", code=code[:20]), code="cases")
        normalised.append(found)
    cases = list(db.session.scalars(sa.select(Case).where(Case.tracking_code.in_(normalised))))
    missing = sorted(set(normalised) - {c.tracking_code for c in cases})
    if missing:
        raise Invalid(_l("There is no case %(code)s.", code=missing[0]), code="cases")
    return cases


class AlreadyOpen(Invalid):
    """A request of this right already waits on one of these cases."""

    def __init__(self, request: SubjectRequest, code: str) -> None:
        super().__init__(
            _l(
                "Request %(number)s of this right is already open for case %(code)s.",
                number=request.id,
                code=code,
            ),
            code="cases",
        )
        self.request = request


def _open_request_on(cases: list[Case], right: SubjectRight) -> tuple[SubjectRequest, str] | None:
    """An open request of this right naming one of the cases, and that case's code."""
    found = db.session.execute(
        sa.select(SubjectRequest, Case.tracking_code)
        .join(subject_request_cases, subject_request_cases.c.request_id == SubjectRequest.id)
        .join(Case, Case.id == subject_request_cases.c.case_id)
        .where(
            subject_request_cases.c.case_id.in_([c.id for c in cases]),
            SubjectRequest.subject_right == right.value,
            SubjectRequest.status == RequestStatus.OPEN.value,
        )
        .order_by(SubjectRequest.id)
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def _received_at(received_on: date | None, now: datetime) -> datetime:
    """When the request was received: now, or the start of an earlier day
    (the 30 days run from receipt, not from registration); never later."""
    zone = agency_zone()
    if received_on is None or received_on == local_date(now, zone):
        return now
    if received_on > local_date(now, zone):
        raise Invalid(_l("The day of receipt cannot be in the future."), code="received_on")
    return start_of_day(received_on, zone)


def register(
    actor: Actor,
    *,
    name: str,
    contact: str,
    right: SubjectRight,
    identity: IdentityCheck,
    note: str,
    cases: Iterable[Case],
    received_on: date | None = None,
    now: datetime | None = None,
) -> SubjectRequest:
    """Record a request and its deadline: 30 calendar days from the day of
    receipt, with the sweep's reminders and escalation. One request of a
    right is open per case at a time: the cases' rows are locked first, so
    that of two registrations at once the second finds the first
    (:class:`AlreadyOpen`)."""
    now = now or utcnow()
    cases = list(cases)
    if not name.strip():
        raise Invalid(_l("Give the name of the person who asked."), code="name")
    received_at = _received_at(received_on, now)
    db.session.execute(  # in id order, so that two registrations cannot deadlock
        sa.select(Case.id)
        .where(Case.id.in_([c.id for c in cases]))
        .order_by(Case.id)
        .with_for_update()
    )
    if found := _open_request_on(cases, right):
        raise AlreadyOpen(*found)
    due = calendar_deadlines(
        received_at,
        REQUEST_DAYS,
        agency_zone(),
        now=now,
        remind_before_days=REMIND_BEFORE_DAYS,
        final_remind_before_days=FINAL_REMIND_BEFORE_DAYS,
    )
    request = SubjectRequest(
        received_at=received_at,
        requester_name=name.strip()[:200],
        requester_contact=contact.strip()[:300],
        subject_right=right,
        identity_check=identity,
        note=note.strip(),
        status=RequestStatus.OPEN,
        due_at=due.due_at,
        remind_at=due.remind_at,
        final_remind_at=due.final_remind_at,
        escalate_at=due.escalate_at,
        registered_by_id=actor.user_id,
        cases=cases,
    )
    db.session.add(request)
    db.session.flush()
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.SUBJECT_REQUEST_REGISTERED,
        target_of(request),
        {
            "right": (None, right.value),
            "identity_check": (None, identity.value),
            "cases": (None, sorted(c.tracking_code for c in cases)),
        },
    )
    tell_requester(request, RECEIVED)
    return request
