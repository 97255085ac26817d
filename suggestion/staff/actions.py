"""What staff do to a case, as one table: each action is declared once with its
form, its permission, the service it calls, the states it is offered in and
its messages. One POST route serves them all (suggestion.staff.case_page),
and the case page offers each one this user may do now, from its own
template (``templates/staff/actions/<name>.html``).

Adding an action: a service and its ``can_…`` permission in
suggestion.cases, one :class:`StaffAction` here, its template, and its test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.cases import actions as service
from suggestion.cases import permissions as can
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.permissions import Permission
from suggestion.cases.states import FINISHED_STATES
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Priority
from suggestion.cases.states import RejectGround
from suggestion.cases.states import REPLYING_STATES
from suggestion.cases.states import Status
from suggestion.cases.workflow import TRANSITIONS
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.staff import forms
from suggestion.staff.blueprint import category_choices
from suggestion.staff.blueprint import division_choices
from suggestion.staff.blueprint import officer_choices

Perform = Callable[[StaffAccess, Case, Any], object]


@dataclass(frozen=True)
class StaffAction:
    """One verb of the staff desk."""

    name: str  # in the URL, and the template's name
    form: type[forms.ActionForm]
    permission: Permission
    perform: Perform  # calls the service with the form's values
    offered: Callable[[Status], bool]  # in which states the page offers it
    done: Any  # the message on success; its errors' messages come with them
    # (each service raises a domain error that says why, in the page's language)
    # Fills the form's choices and, for the page, its current values.
    prepare: Callable[[Any, Case | None], None] | None = None


def _can_become(status: Status) -> Callable[[Status], bool]:
    return lambda current: status in TRANSITIONS[current]


def _in(states: frozenset[Status]) -> Callable[[Status], bool]:
    return lambda current: current in states


def _prepare_reclassify(form: Any, case: Case | None) -> None:
    form.category.choices = category_choices(_l("No category"))
    if case is not None:
        form.kind.data, form.category.data = case.kind, case.category_id or 0


def _prepare_assign(form: Any, case: Case | None) -> None:
    form.division.choices = division_choices(_l("Choose a division"))
    form.assignee.choices = officer_choices(_l("No one in particular"))
    if case is not None:
        form.division.data, form.assignee.data = case.division_id or 0, case.assignee_id or 0


def _prepare_priority(form: Any, case: Case | None) -> None:
    if case is not None:
        form.priority.data = case.priority


def _reclassify(who: StaffAccess, case: Case, form: Any) -> object:
    category = db.session.get(Category, form.category.data) if form.category.data else None
    return service.reclassify(
        who, case, kind=Kind(form.kind.data), category=category, expected_version=form.version.data
    )


def _assign(who: StaffAccess, case: Case, form: Any) -> object:
    division = db.session.get(Division, form.division.data) if form.division.data else None
    if division is None:
        raise Invalid(_l("Please choose a division."), code="division")
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    return service.assign(
        who, case, division=division, assignee=assignee, expected_version=form.version.data
    )


def _merge(who: StaffAccess, case: Case, form: Any) -> object:
    target = db.session.scalars(
        sa.select(Case).where(Case.tracking_code == form.target.data)
    ).first()
    if target is None or not who.can_view(target):
        raise Invalid(_l("No case with this tracking code that you can see."), code="target")
    return service.merge(who, case, into=target, expected_version=form.version.data)


ACTIONS: dict[str, StaffAction] = {
    a.name: a
    for a in (
        StaffAction(
            "screen", forms.ActionForm, can.can_screen,
            lambda who, case, f: service.screen(who, case, expected_version=f.version.data),
            lambda s: s == Status.RECEIVED,
            _l("The case is being screened."),
        ),
        StaffAction(
            "accept", forms.ActionForm, can.can_accept,
            lambda who, case, f: service.accept(who, case, expected_version=f.version.data),
            _in(frozenset({Status.RECEIVED, Status.SCREENING, Status.AWAITING_INFO})),
            _l("The case is accepted and in progress."),
        ),
        StaffAction(
            "request_info", forms.MessageForm, can.can_request_information,
            lambda who, case, f: service.request_information(
                who, case, message=f.message.data, expected_version=f.version.data
            ),
            _can_become(Status.AWAITING_INFO),
            _l("The filer has been asked for information; the deadline is paused."),
        ),
        StaffAction(
            "reply", forms.MessageForm, can.can_reply,
            lambda who, case, f: service.reply(
                who, case, message=f.message.data, expected_version=f.version.data
            ),
            _in(REPLYING_STATES),
            _l("Your reply has been sent to the filer."),
        ),
        StaffAction(
            "note", forms.MessageForm, can.can_add_note,
            lambda who, case, f: service.add_note(
                who, case, text=f.message.data, expected_version=f.version.data
            ),
            lambda s: True,
            _l("Note added."),
        ),
        StaffAction(
            "assign", forms.AssignForm, can.can_assign, _assign, _in(OPEN_STATES),
            _l("Assignment saved."), prepare=_prepare_assign,
        ),
        StaffAction(
            "reclassify", forms.ReclassifyForm, can.can_reclassify, _reclassify, _in(OPEN_STATES),
            _l("Kind and category changed; the deadlines follow the new policy."),
            prepare=_prepare_reclassify,
        ),
        StaffAction(
            "priority", forms.PriorityForm, can.can_set_priority,
            lambda who, case, f: service.set_priority(
                who, case, priority=Priority(f.priority.data), expected_version=f.version.data
            ),
            _in(OPEN_STATES), _l("Priority set."), prepare=_prepare_priority,
        ),
        StaffAction(
            "resolve", forms.MessageForm, can.can_resolve,
            lambda who, case, f: service.resolve(
                who, case, summary=f.message.data, expected_version=f.version.data
            ),
            _can_become(Status.RESOLVED),
            _l("The case is resolved and the filer told the outcome."),
        ),
        StaffAction(
            "forward", forms.ForwardForm, can.can_forward,
            lambda who, case, f: service.forward(
                who, case, agency=f.agency.data, reason=f.reason.data,
                expected_version=f.version.data,
            ),
            _can_become(Status.FORWARDED),
            _l("The case is forwarded and the filer told where."),
        ),
        StaffAction(
            "reject", forms.RejectForm, can.can_reject,
            lambda who, case, f: service.reject(
                who, case, ground=RejectGround(f.ground.data), explanation=f.explanation.data,
                expected_version=f.version.data,
            ),
            _can_become(Status.REJECTED),
            _l("The case is closed as not accepted; the filer has been told why."),
        ),
        StaffAction(
            "merge", forms.MergeForm, can.can_merge, _merge, _can_become(Status.MERGED),
            _l("The case is merged; its filer has been told the surviving code."),
        ),
        StaffAction(
            "reopen", forms.MessageForm, can.can_reopen,
            lambda who, case, f: service.reopen(
                who, case, reason=f.message.data, expected_version=f.version.data
            ),
            _in(FINISHED_STATES),
            _l("The case is reopened."),
        ),
        StaffAction(
            "close", forms.ActionForm, can.can_close,
            lambda who, case, f: service.close(who, case, expected_version=f.version.data),
            _can_become(Status.CLOSED),
            _l("The case is closed."),
        ),
    )
}  # fmt: skip


def blank_form(action: StaffAction, case: Case) -> Any:
    """The action's form as the page offers it, with the case's values."""
    form = action.form(formdata=None, data={"version": case.version})
    if action.prepare:
        action.prepare(form, case)
    return form


def offered(who: StaffAccess, case: Case) -> list[tuple[StaffAction, Any]]:
    """The actions this person may do to the case now, each with its form."""
    return [
        (a, blank_form(a, case))
        for a in ACTIONS.values()
        if a.offered(case.status) and a.permission(who, case)
    ]
