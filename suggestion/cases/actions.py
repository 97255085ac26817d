"""What staff do to a case. Each action checks that the actor may work on the
case and that the case has not changed since they looked, goes through the one
transition function where the state changes, writes its event with a diff, and
puts any message to the filer in the outbox."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.cases import permissions
from suggestion.cases.access import NotPermitted
from suggestion.cases.access import StaffAccess
from suggestion.cases.deadlines import apply_deadlines
from suggestion.cases.events import record_event
from suggestion.cases.filer_mail import announce_deadline_move
from suggestion.cases.filer_mail import DeadlineCause
from suggestion.cases.filer_mail import tell_filer
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Category
from suggestion.cases.permissions import Permission
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Priority
from suggestion.cases.states import REJECT_GROUND_LABELS
from suggestion.cases.states import RejectGround
from suggestion.cases.states import REPLYING_STATES
from suggestion.cases.states import Status
from suggestion.cases.workflow import transition
from suggestion.cases.workflow import TransitionError
from suggestion.core.errors import Conflict
from suggestion.core.errors import Invalid
from suggestion.core.time import utcnow


class CaseChanged(Conflict):
    """Someone else changed the case since the actor loaded it."""

    def __init__(self, case: Case) -> None:
        super().__init__(code=case.tracking_code)
        self.tracking_code = case.tracking_code


UNCHANGED = _l("Nothing was changed: the values are the same as before.")
WRONG_CATEGORY = _l("That category is not offered for this kind of case.")
WRONG_ASSIGNEE = _l("That officer cannot take this case (another division, or inactive).")
WRONG_MERGE_TARGET = _l("A case cannot be merged into itself or into a merged case.")


def _check(
    access: StaffAccess, case: Case, expected_version: int | None, permission: Permission
) -> User:
    """The actor, if they may do this to the case as they last saw it."""
    if not permission(access, case):
        raise NotPermitted(code=case.tracking_code)
    if expected_version is not None and expected_version != case.version:
        raise CaseChanged(case)
    return access.user


def _acknowledge(case: Case, diff: dict[str, Any]) -> None:
    if case.acknowledged_at is None:
        now = utcnow()
        diff["acknowledged_at"] = (None, now)
        case.acknowledged_at = now


def screen(access: StaffAccess, case: Case, *, expected_version: int | None = None) -> CaseEvent:
    """Take a new case into screening (this acknowledges it)."""
    actor = _check(access, case, expected_version, permissions.can_screen)
    diff: dict[str, Any] = {}
    _acknowledge(case, diff)
    return transition(case, Status.SCREENING, actor=actor, is_public=False, extra_diff=diff)


def accept(access: StaffAccess, case: Case, *, expected_version: int | None = None) -> CaseEvent:
    """Accept the case for handling; it goes to the actor's division if it has none."""
    actor = _check(access, case, expected_version, permissions.can_accept)
    extra: dict[str, Any] = {}
    _acknowledge(case, extra)
    if case.division_id is None:
        extra["division"] = (None, actor.division.code)
        case.division_id = actor.division_id
    return transition(case, Status.IN_PROGRESS, actor=actor, is_public=True, extra_diff=extra)


def _require_open(case: Case) -> None:
    if case.status not in OPEN_STATES:
        raise TransitionError(case, case.status)


def reclassify(
    access: StaffAccess,
    case: Case,
    *,
    kind: Kind,
    category: Category | None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Change kind and category; the deadlines follow the new policy."""
    actor = _check(access, case, expected_version, permissions.can_reclassify)
    _require_open(case)
    if category is not None and kind.value not in category.kinds:
        raise Invalid(WRONG_CATEGORY, code="category")
    diff: dict[str, Any] = {}
    if case.kind != kind:
        diff["kind"] = (case.kind, kind.value)
    old_category = case.category.code if case.category else None
    new_category = category.code if category else None
    if old_category != new_category:
        diff["category"] = (old_category, new_category)
    if not diff:
        raise Invalid(UNCHANGED, code="unchanged")
    case.kind = kind
    case.category_id = category.id if category else None
    moved = apply_deadlines(case)
    diff.update(moved)
    event = record_event(case, EventAction.RECLASSIFIED, actor=actor, diff=diff)
    if "due_at" in moved:
        announce_deadline_move(case, {"due_at": moved["due_at"]}, DeadlineCause.RECLASSIFIED)
    return event


def set_priority(
    access: StaffAccess, case: Case, *, priority: Priority, expected_version: int | None = None
) -> CaseEvent:
    actor = _check(access, case, expected_version, permissions.can_set_priority)
    _require_open(case)
    if case.priority == priority:
        raise Invalid(UNCHANGED, code="unchanged")
    diff = {"priority": (case.priority, priority.value)}
    case.priority = priority
    return record_event(case, EventAction.PRIORITY_SET, actor=actor, diff=diff)


def assign(
    access: StaffAccess,
    case: Case,
    *,
    division: Division,
    assignee: User | None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Route the case to a division and, optionally, one of its officers."""
    actor = _check(access, case, expected_version, permissions.can_assign)
    _require_open(case)
    if assignee is not None and (assignee.division_id != division.id or not assignee.is_active):
        raise Invalid(WRONG_ASSIGNEE, code="assignee")
    if assignee is not None and not StaffAccess(assignee).can_view(_as_routed(case, division)):
        raise Invalid(WRONG_ASSIGNEE, code="assignee")
    diff: dict[str, Any] = {}
    old_division = case.division.code if case.division else None
    if old_division != division.code:
        diff["division"] = (old_division, division.code)
    old_assignee = case.assignee.email if case.assignee else None
    new_assignee = assignee.email if assignee else None
    if old_assignee != new_assignee:
        diff["assignee"] = (old_assignee, new_assignee)
    if not diff:
        raise Invalid(UNCHANGED, code="unchanged")
    case.division_id = division.id
    case.division = division
    case.assignee_id = assignee.id if assignee else None
    case.assignee = assignee
    return record_event(case, EventAction.ASSIGNED, actor=actor, diff=diff)


def _as_routed(case: Case, division: Division) -> Case:
    """A stand-in with the new division, to ask whether the assignee may see it."""
    probe = Case(kind=case.kind, division_id=division.id, is_anonymous=case.is_anonymous)
    probe.id = case.id
    return probe


def request_information(
    access: StaffAccess, case: Case, *, message: str, expected_version: int | None = None
) -> CaseEvent:
    """Ask the filer for what is missing; the deadlines pause until they answer."""
    actor = _check(access, case, expected_version, permissions.can_request_information)
    event = transition(case, Status.AWAITING_INFO, actor=actor, body=message, is_public=True)
    tell_filer(case, "info_requested", message=message)
    return event


def reply(
    access: StaffAccess, case: Case, *, message: str, expected_version: int | None = None
) -> CaseEvent:
    """A public reply: on the filer's timeline and by e-mail."""
    actor = _check(access, case, expected_version, permissions.can_reply)
    if case.status not in REPLYING_STATES:
        raise TransitionError(case, case.status)
    event = record_event(case, EventAction.PUBLIC_REPLY, actor=actor, body=message, is_public=True)
    tell_filer(case, "reply", message=message)
    return event


def add_note(
    access: StaffAccess, case: Case, *, text: str, expected_version: int | None = None
) -> CaseEvent:
    """An internal note, for staff only."""
    actor = _check(access, case, expected_version, permissions.can_add_note)
    return record_event(case, EventAction.NOTE, actor=actor, body=text, is_public=False)


def resolve(
    access: StaffAccess, case: Case, *, summary: str, expected_version: int | None = None
) -> CaseEvent:
    actor = _check(access, case, expected_version, permissions.can_resolve)
    event = transition(case, Status.RESOLVED, actor=actor, body=summary, is_public=True)
    tell_filer(case, "outcome", message=summary, outcome=Status.RESOLVED.value)
    return event


def forward(
    access: StaffAccess,
    case: Case,
    *,
    agency: str,
    reason: str,
    expected_version: int | None = None,
) -> CaseEvent:
    """Send the case to the agency responsible and tell the filer where."""
    actor = _check(access, case, expected_version, permissions.can_forward)
    body = f"{agency}\n\n{reason}"
    event = transition(
        case, Status.FORWARDED, actor=actor, body=body, extra_diff={"forwarded_to": (None, agency)}
    )
    tell_filer(case, "outcome", message=body, outcome=Status.FORWARDED.value)
    return event


def reject(
    access: StaffAccess,
    case: Case,
    *,
    ground: RejectGround,
    explanation: str,
    expected_version: int | None = None,
) -> CaseEvent:
    """Decline the case on one of the recorded grounds; the filer is told why."""
    actor = _check(access, case, expected_version, permissions.can_reject)
    with force_locale(case.locale):
        label = str(REJECT_GROUND_LABELS[ground])
    body = f"{label}\n\n{explanation}"
    event = transition(
        case, Status.REJECTED, actor=actor, body=body, extra_diff={"ground": (None, ground.value)}
    )
    tell_filer(case, "outcome", message=body, outcome=Status.REJECTED.value)
    return event


def merge(
    access: StaffAccess,
    case: Case,
    *,
    into: Case,
    expected_version: int | None = None,
) -> CaseEvent:
    """Merge a duplicate into the case that goes on; its filer is told the code."""
    actor = _check(access, case, expected_version, permissions.can_merge)
    if into.id == case.id or into.status == Status.MERGED or not access.can_view(into):
        raise Invalid(WRONG_MERGE_TARGET, code="merge_target")
    case.merged_into_id = into.id
    event = transition(
        case, Status.MERGED, actor=actor, extra_diff={"merged_into": (None, into.tracking_code)}
    )
    record_event(
        into, EventAction.MERGED_IN, actor=actor, diff={"merged": (None, case.tracking_code)}
    )
    tell_filer(case, "merged", surviving_code=into.tracking_code)
    return event


def reopen(
    access: StaffAccess, case: Case, *, reason: str, expected_version: int | None = None
) -> CaseEvent:
    actor = _check(access, case, expected_version, permissions.can_reopen)
    extra: dict[str, Any] = {}
    if case.merged_into_id is not None:
        extra["merged_into_id"] = (case.merged_into_id, None)
        case.merged_into_id = None
    return transition(
        case, Status.IN_PROGRESS, actor=actor, body=reason, is_public=False, extra_diff=extra
    )


def close(access: StaffAccess, case: Case, *, expected_version: int | None = None) -> CaseEvent:
    actor = _check(access, case, expected_version, permissions.can_close)
    return transition(case, Status.CLOSED, actor=actor, is_public=True)


def unlock_restricted(access: StaffAccess, case: Case, *, reason: str) -> CaseEvent:
    """An administrator records why they open a corruption report (logged)."""
    if not access.needs_reason(case):
        raise NotPermitted(code=case.tracking_code)
    return record_event(
        case, EventAction.RESTRICTED_ACCESS, actor=access.user, body=reason, is_public=False
    )
