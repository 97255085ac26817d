"""One case on the staff desk: its page, the one route of every action on it
(the table in suggestion.staff.actions), the reason an administrator gives
before opening a corruption report, and its attachments."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from suggestion.auth.permissions import can_administer
from suggestion.cases import actions as service
from suggestion.cases import attachments
from suggestion.cases import personal_data
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import ReplyTemplate
from suggestion.cases.retention import hold_of
from suggestion.cases.similar import possible_duplicates
from suggestion.cases.similar import REASON_LABELS
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.cases.workflow import TransitionError
from suggestion.cases.workflow import TRANSITIONS
from suggestion.core.errors import Conflict
from suggestion.core.errors import DomainError
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import with_id_prefix
from suggestion.core.i18n import current_language
from suggestion.core.uow import read_ends_with_commit
from suggestion.staff import forms
from suggestion.staff import queries
from suggestion.staff.actions import ACTIONS
from suggestion.staff.actions import offered
from suggestion.staff.blueprint import access
from suggestion.staff.blueprint import bp
from suggestion.staff.blueprint import case_or_404
from suggestion.staff.blueprint import UNLOCKED


def _reply_templates(case: Case) -> list[tuple[str, str]]:
    locale = current_language()
    templates = db.session.scalars(
        sa.select(ReplyTemplate).where(ReplyTemplate.is_active).order_by(ReplyTemplate.id)
    )
    return [
        (
            t.title_th if locale == "th" else t.title_en,
            t.body_th if case.locale == "th" else t.body_en,
        )
        for t in templates
    ]


def render_case(
    case: Case,
    status: int = 200,
    failed: tuple[str, Any] | None = None,
    *,
    contact_form: forms.ContactDetailsForm | None = None,
    contact_shown: bool = False,
) -> Any:
    """The case page; ``failed`` is an action whose form came back with errors,
    shown open with what was typed. The filer's contact details are in it only
    when ``contact_shown``: after their view was recorded."""
    who = access()
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.id)
        # With the page, not a query per event (docs/performance.md).
        .options(selectinload(CaseEvent.attachments), selectinload(CaseEvent.actor))
    ).all()
    merged_into = db.session.get(Case, case.merged_into_id) if case.merged_into_id else None
    actions = [
        (
            action,
            with_id_prefix(failed[1] if failed and failed[0] == action.name else form, action.name),
        )
        for action, form in offered(who, case)
    ]
    return render_template(
        "staff/case.html",
        case=case,
        status=case.status,
        allowed=TRANSITIONS[case.status],
        events=events,
        merged_into=merged_into,
        show_filer=personal_data.can_view_contact_details(who, case),
        contact_shown=contact_shown,
        contact_form=contact_form or forms.ContactDetailsForm(formdata=None),
        contact_needs_reason=personal_data.needs_reason(case),
        alerts=queries.alerts_of([case.id]).get(case.id, []),
        days_left=queries.working_days_left([case]).get(case.id),
        is_overdue=queries.is_overdue(case),
        KIND_LABELS=KIND_LABELS,
        Kind=Kind,
        actions=actions,
        failed_action=failed[0] if failed else None,
        reply_templates=_reply_templates(case),
        duplicates=possible_duplicates(who, case),
        # Legal holds are the administrators' (DESIGN §5, suggestion.admin.retention).
        can_hold=can_administer(who.user),
        legal_hold=hold_of(case) if can_administer(who.user) else None,
        REASON_LABELS=REASON_LABELS,
        # A duplicate merges in one click when this person may merge it now.
        can_merge=any(a.name == "merge" for a, _form in actions),
    ), status


@bp.get("/cases/<tracking_code>")
def case_page(tracking_code: str) -> Any:
    return render_case(case_or_404(tracking_code))


@bp.get("/cases/<tracking_code>/similar.json")
def similar(tracking_code: str) -> Any:
    """The possible duplicates of the page, best first (DESIGN §2)."""
    case = case_or_404(tracking_code)
    return jsonify(
        [
            {
                "tracking_code": d.case.tracking_code,
                "score": d.score,
                "reasons": [r.value for r in d.reasons],
            }
            for d in possible_duplicates(access(), case)
        ]
    )


@bp.post("/cases/<tracking_code>/<name>")
def act(tracking_code: str, name: str) -> Any:
    """Every action on a case: its form checked, its service called, its message."""
    action = ACTIONS.get(name)
    if action is None:
        abort(404)
    case = case_or_404(tracking_code)
    who = access()
    if not action.permission(who, case):
        abort(404)
    if not action.offered(case.status):  # the page did not offer it in this state
        raise TransitionError(case, case.status)
    form = action.form()
    if action.prepare:
        action.prepare(form, None)
    if form.validate_on_submit():
        try:
            action.perform(who, case, form)
        except Invalid as error:
            # A value the service refused, before it changed anything: shown
            # beside its field when the form has one.
            field = error.code or ""
            if field not in form or field in {"version", "csrf_token"}:
                raise
            form[field].errors = [error.message]
        else:
            flash(str(action.done), "success")
            return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)
    if "csrf_token" in form.errors:
        abort(400, description="csrf")
    return render_case(case, 422, failed=(action.name, form))


@bp.errorhandler(StaleDataError)
def _changed_meanwhile(error: StaleDataError) -> Any:
    """Two officers saved at the same moment: the second is told, as when the
    form's version was already stale."""
    return _refused(Conflict())


@bp.errorhandler(Conflict)
@bp.errorhandler(Invalid)
def _refused(error: DomainError) -> Any:
    """A refused action shows the case as it is now, with why (409 when
    someone changed it meanwhile, 422 when it cannot be done); elsewhere on
    the desk the previous page says why. Nothing was saved: the unit of work
    rolled back before this runs."""
    flash(str(error.message), "error")
    if request.endpoint == "staff.act":
        return render_case(case_or_404((request.view_args or {})["tracking_code"]), error.status)
    return redirect(request.referrer or url_for("staff.queue"), 303)


@bp.post("/cases/<tracking_code>/contact")
def contact_details(tracking_code: str) -> Any:
    """Show the filer's contact details, recorded first in the access log; the
    answer to the POST is the case page with them (never cached, as every
    staff page), so that each showing is one record."""
    case = case_or_404(tracking_code)
    who = access()
    if not personal_data.can_view_contact_details(who, case):
        abort(404)
    form = forms.ContactDetailsForm()
    if form.validate_on_submit():
        try:
            personal_data.view_contact_details(who, case, reason=form.reason.data)
        except Invalid as error:
            form.reason.errors = [error.message]
        else:
            return render_case(case, contact_shown=True)
    if "csrf_token" in form.errors:
        abort(400, description="csrf")
    return render_case(case, 422, contact_form=form)


@bp.route("/cases/<tracking_code>/unlock", methods=["GET", "POST"])
def unlock(tracking_code: str) -> Any:
    case = case_or_404(tracking_code)
    who = access()
    if not who.needs_reason(case):
        abort(404)
    form = forms.ReasonForm()
    if form.validate_on_submit():
        service.unlock_restricted(who, case, reason=form.reason.data)
        session[UNLOCKED] = sorted({*session.get(UNLOCKED, []), case.id})
        return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)
    return render_template("staff/unlock.html", case=case, form=form), 422 if form.errors else 200


@bp.get("/cases/<tracking_code>/attachments/<id:attachment_id>")
@read_ends_with_commit  # a read that writes: the download is recorded, then sent
def download(tracking_code: str, attachment_id: int) -> Any:
    case = case_or_404(tracking_code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    personal_data.download_attachment(access(), case, attachment)
    return attachments.send_attachment(attachment)
