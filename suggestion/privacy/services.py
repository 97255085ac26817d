"""The actions of the register (PDPA ss.30–36), each one recorded in the
administrative audit trail (registering a request is suggestion.privacy.intake):
rectifying and erasing a filer's contact details (or refusing with the legal
ground), restricting processing, exporting the data and closing the request.
Like every service they flush and never commit (suggestion.core.uow)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from suggestion.auth.models import User
from suggestion.auth.permissions import can_handle_subject_requests
from suggestion.cases import personal_data
from suggestion.cases.access import NotPermitted
from suggestion.cases.filers import contact_digests
from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.cases.retention import hold_of
from suggestion.cases.states import FINISHED_STATES
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.notify.outbox import clear_filer_mail
from suggestion.notify.outbox import readdress_filer_mail
from suggestion.privacy.forgetting import forget_requesters
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight
from suggestion.privacy.telling import ANSWERED
from suggestion.privacy.telling import tell_requester

# The legal ground recorded when an erasure is refused while the case is
# handled: the agency processes the data for a task in the public interest
# (PDPA s.24(4)) and the law keeps it from erasing it then (s.33 para 2).
OPEN_CASE_GROUND = _l(
    "The case is still being handled: the agency processes this data to carry out "
    "a task in the public interest (PDPA s.24(4)), so it cannot be erased until the "
    "case has its outcome (s.33)."
)
# The legal ground recorded when an erasure is refused because the case is
# under a legal hold (suggestion.cases.retention): the data is needed to
# establish, exercise or defend legal claims (PDPA s.33 para 1(5)).
LEGAL_HOLD_GROUND = _l(
    "The data is kept under a legal hold: it is needed to establish, exercise or "
    "defend legal claims (PDPA s.33), so it cannot be erased while the hold lasts."
)
CONTACT_FIELDS = ("name", "email", "phone", "address")


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff account, or the filer on /track (with the key)."""

    user_id: int | None
    label: str
    user: User | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.email, user)


FILER = Actor(None, AdminActor.FILER.value)


def target_of(request: SubjectRequest) -> str:
    return f"data-subject request {request.id}"


def close(
    actor: Actor, request: SubjectRequest, status: RequestStatus, outcome: str
) -> SubjectRequest:
    """Done, or refused: what was done (or the ground of the refusal) is
    recorded, and the sweep stops watching its deadline. The request's row is
    locked first, so that of two officers closing it at once the second finds
    it closed."""
    _officer(actor)
    db.session.refresh(request, with_for_update=True)
    if request.status != RequestStatus.OPEN:
        raise Invalid(_l("This request is already closed."), code="status")
    if status == RequestStatus.OPEN:
        raise Invalid(_l("Choose done or refused."), code="status")
    if not outcome.strip():
        raise Invalid(_l("Say what was done, or the legal ground of the refusal."), code="outcome")
    request.status = status
    request.outcome = outcome.strip()
    request.closed_at = utcnow()
    request.remind_at = request.final_remind_at = request.escalate_at = None
    db.session.flush()
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.SUBJECT_REQUEST_CLOSED,
        target_of(request),
        {"status": (RequestStatus.OPEN.value, status.value)},
    )
    tell_requester(request, ANSWERED)
    forget_requesters(case_ids=[c.id for c in request.cases], actor_label=actor.label)
    return request


def _refusal(case: Case) -> tuple[str, str] | None:
    """The ground on which the law keeps the filer's data of this case (its
    code for the audit trail, its text for people), or None."""
    if hold_of(case) is not None:
        return "legal_hold", str(LEGAL_HOLD_GROUND)
    if case.status not in FINISHED_STATES:
        return "case_open", str(OPEN_CASE_GROUND)
    return None


def erasure_refusal(case: Case) -> str | None:
    """Why the filer's data of this case may not be erased now, or None."""
    refusal = _refusal(case)
    return refusal[1] if refusal else None


ERASING_RIGHTS = frozenset({SubjectRight.ERASURE, SubjectRight.OBJECTION})  # s.33 para 1(3)
RESTRICTING_RIGHTS = frozenset({SubjectRight.RESTRICTION, SubjectRight.OBJECTION})  # s.34(4)
RECTIFYING_RIGHTS = frozenset({SubjectRight.RECTIFICATION})


def _may_act(
    actor: Actor, request: SubjectRequest, rights: frozenset[SubjectRight], case: Case | None
) -> None:
    """An officer acts on an open request, only as its right allows, and
    only on its own cases."""
    _officer(actor)
    if case is not None and case not in request.cases:
        raise NotPermitted()
    if request.status != RequestStatus.OPEN:
        raise Invalid(_l("This request is already closed."), code="status")
    if SubjectRight(request.subject_right) not in rights:
        raise Invalid(_l("This request's right does not allow this action."), code="right")


def _on(request: SubjectRequest | None) -> dict[str, tuple[None, int]]:
    return {"request": (None, request.id)} if request is not None else {}


def _filer(case: Case) -> Complainant:
    if case.complainant is None or case.is_anonymous:
        raise Invalid(_l("This case was filed anonymously: it holds no contact details."))
    return case.complainant


def erase_contact(actor: Actor, case: Case, request: SubjectRequest | None = None) -> str | None:
    """Erase the filer's name, e-mail, telephone and address of a case that
    has its outcome (its figures stay). While the case is handled or under a
    legal hold nothing is erased: the refusal is recorded with its legal
    ground, which is returned. The officer acts on an erasure (or objection)
    request; the filer withdraws on /track with no request."""
    if request is not None or actor.user_id is not None:
        if request is None:
            raise NotPermitted()
        _may_act(actor, request, ERASING_RIGHTS, case)
    filer = _filer(case)
    if filer.anonymised_at is not None:
        raise Invalid(_l("The contact details of this case have already been erased."))
    if refusal := _refusal(case):
        record_admin_change(
            actor.user_id,
            actor.label,
            AdminAction.ERASURE_REFUSED,
            f"case {case.tracking_code}",
            {"ground": (None, refusal[0]), **_on(request)},
        )
        return refusal[1]
    held = [f for f in CONTACT_FIELDS if getattr(filer, f)]
    for field in CONTACT_FIELDS:
        setattr(filer, field, None)
    filer.email_digest = filer.phone_digest = None
    filer.anonymised_at = utcnow()
    db.session.flush()
    clear_filer_mail([case.id])
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.CONTACT_ERASED,
        f"case {case.tracking_code}",
        {"fields": (held, None), **_on(request)},
    )
    forget_requesters(case_ids=[case.id], actor_label=actor.label)
    return None


def refuse_erasure(actor: Actor, request: SubjectRequest, ground: str) -> SubjectRequest:
    """Close an erasure request as refused, with its legal ground."""
    _may_act(actor, request, ERASING_RIGHTS, None)
    close(actor, request, RequestStatus.REFUSED, ground)
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.ERASURE_REFUSED,
        target_of(request),
        {"cases": (None, sorted(c.tracking_code for c in request.cases)), **_on(request)},
    )
    return request


def rectify_contact(
    actor: Actor,
    request: SubjectRequest,
    case: Case,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    address: str | None,
) -> list[str]:
    """Correct the filer's contact details of a case (s.35); returns the
    fields that changed (their values never enter the audit trail)."""
    _may_act(actor, request, RECTIFYING_RIGHTS, case)
    filer = _filer(case)
    if filer.anonymised_at is not None:
        raise Invalid(_l("The contact details of this case have been erased."))
    new = {"name": name, "email": email, "phone": phone, "address": address}
    new = {k: (v.strip() or None) if v else None for k, v in new.items()}
    if not new["email"] and not new["phone"] and not new["address"]:
        raise Invalid(_l("Keep at least one way to reach the filer."), code="email")
    changed = [k for k, v in new.items() if getattr(filer, k) != v]
    if not changed:
        raise Invalid(_l("Nothing was changed."))
    for key, value in new.items():
        setattr(filer, key, value)
    filer.email_digest, filer.phone_digest = contact_digests(new["email"], new["phone"])
    if "email" in changed:
        # The cap on receipts held back the old address, not this one; what
        # waits for the filer goes to the address they gave now.
        filer.is_email_withheld = False
        readdress_filer_mail(case.id, new["email"])
    db.session.flush()
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.CONTACT_RECTIFIED,
        f"case {case.tracking_code}",
        {"fields": (None, changed), **_on(request)},
    )
    return changed


def restrict_processing(actor: Actor, request: SubjectRequest, case: Case) -> None:
    """Flag the filer's data of a case (s.34): the e-mails the handling of
    the case does not need stop (suggestion.cases.filer_mail.filer_address)."""
    _may_act(actor, request, RESTRICTING_RIGHTS, case)
    filer = _filer(case)
    if filer.processing_restricted_at is not None:
        raise Invalid(_l("Processing is already restricted for this case."))
    filer.processing_restricted_at = utcnow()
    db.session.flush()
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.PROCESSING_RESTRICTED,
        f"case {case.tracking_code}",
        {"processing_restricted": (False, True), **_on(request)},
    )


def _officer(actor: Actor) -> User:
    if actor.user is None or not can_handle_subject_requests(actor.user):
        raise NotPermitted()
    return actor.user


def open_contact_details(
    actor: Actor, request: SubjectRequest, case: Case, *, reason: str | None = None
) -> None:
    """The officer opens the filer's contact details of one of the request's
    cases: recorded in the access log first, with a reason for a corruption
    reporter's (suggestion.cases.personal_data, the rule of the case page)."""
    user = _officer(actor)
    if case not in request.cases:
        raise NotPermitted()
    personal_data.view_for_subject_request(user, case, reason=reason)


def record_export(actor: Actor, cases: Iterable[Case], request: SubjectRequest | None) -> None:
    """An export of a filer's data is itself recorded (DESIGN §5); the
    officer's, also in the access log, one record per case whose contact
    details it carries (the filer's own export on /track is theirs)."""
    cases = list(cases)
    codes = sorted(c.tracking_code for c in cases)
    if actor.user_id is not None:
        user = _officer(actor)
        why = _l("Export for data-subject request %(number)s", number=request.id if request else "")
        for case in cases:
            if case.complainant is not None and not case.is_anonymous:
                personal_data.view_for_subject_request(user, case, reason=str(why))
    target = target_of(request) if request is not None else f"case {codes[0]}"
    record_admin_change(
        actor.user_id,
        actor.label,
        AdminAction.PERSONAL_DATA_EXPORTED,
        target,
        {"cases": (None, codes)},
    )
