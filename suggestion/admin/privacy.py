"""``/privacy/``: the register of data-subject requests (PDPA ss.30–36), for
the data protection officer and administrators; anyone else gets 404. Each
action is a service of suggestion.privacy.services, recorded in the audit
trail; the bundle of a filer's data is suggestion.reports.bundles'."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import Response
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import selectinload

from suggestion.admin.privacy_forms import CloseForm
from suggestion.admin.privacy_forms import ConfirmForm
from suggestion.admin.privacy_forms import ContactDetailsForm
from suggestion.admin.privacy_forms import RectifyForm
from suggestion.admin.privacy_forms import RequestForm
from suggestion.admin.views import show_beside_field
from suggestion.auth.permissions import can_handle_subject_requests
from suggestion.auth.views import guard_staff_session
from suggestion.cases import personal_data
from suggestion.cases.models import Case
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import is_id
from suggestion.core.i18n import format_date
from suggestion.core.time import utcnow
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.models import IDENTITY_LABELS
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import RIGHT_LABELS
from suggestion.privacy.models import STATUS_LABELS
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight
from suggestion.reports.bundles import data_bundle

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
bp.before_request(guard_staff_session)


@bp.before_request
@login_required
def _officers_only() -> None:
    if not can_handle_subject_requests(current_user):
        abort(404)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "RIGHT_LABELS": RIGHT_LABELS,
        "IDENTITY_LABELS": IDENTITY_LABELS,
        "REQUEST_STATUS_LABELS": STATUS_LABELS,
        "RequestStatus": RequestStatus,
        "erasure_refusal": services.erasure_refusal,
        "needs_reason": personal_data.needs_reason,
        "ERASING_RIGHTS": services.ERASING_RIGHTS,
        "RESTRICTING_RIGHTS": services.RESTRICTING_RIGHTS,
        "RECTIFYING_RIGHTS": services.RECTIFYING_RIGHTS,
    }


def _actor() -> services.Actor:
    return services.Actor.of(current_user)


def _request_or_404(request_id: int) -> SubjectRequest:
    found = db.session.get(SubjectRequest, request_id)
    if found is None:
        abort(404)
    return found


def _case_of(found: SubjectRequest, case_id: int) -> Case:
    """One of the request's cases; any other answers 404."""
    for case in found.cases:
        if case.id == case_id:
            return case
    abort(404)


PAGE_SIZE = 50
SHOWN = {"open": _l("Open"), "closed": _l("Closed")}


def _listed(shown: str, right: str, after: str) -> tuple[list[SubjectRequest], bool]:
    """A page of the register, keyset on (due, no.) for the open requests,
    soonest due first, and on (closed, no.) for the closed ones, latest first."""
    query = sa.select(SubjectRequest).options(selectinload(SubjectRequest.cases))
    if right in SubjectRight.__members__.values():
        query = query.where(SubjectRequest.subject_right == right)
    anchor = db.session.get(SubjectRequest, int(after)) if is_id(after) else None
    if after and anchor is None:
        abort(404)
    if shown == "open":
        query = query.where(SubjectRequest.status == RequestStatus.OPEN.value)
        if anchor is not None:
            query = query.where(
                sa.tuple_(SubjectRequest.due_at, SubjectRequest.id)
                > sa.tuple_(sa.literal(anchor.due_at, SubjectRequest.due_at.type), anchor.id)
            )
        query = query.order_by(SubjectRequest.due_at, SubjectRequest.id)
    else:
        query = query.where(SubjectRequest.status != RequestStatus.OPEN.value)
        if anchor is not None and anchor.closed_at is not None:
            query = query.where(
                sa.tuple_(SubjectRequest.closed_at, SubjectRequest.id)
                < sa.tuple_(sa.literal(anchor.closed_at, SubjectRequest.closed_at.type), anchor.id)
            )
        query = query.order_by(SubjectRequest.closed_at.desc(), SubjectRequest.id.desc())
    rows = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@bp.route("/", methods=["GET", "POST"])
def register() -> Any:
    form = RequestForm()
    if form.validate_on_submit():
        try:
            found = intake.register(
                _actor(),
                name=form.requester_name.data,
                contact=form.requester_contact.data or "",
                right=SubjectRight(form.subject_right.data),
                identity=IdentityCheck(form.identity_check.data),
                note=form.note.data or "",
                cases=intake.cases_by_codes(form.tracking_codes.data),
                received_on=form.received_on.data,
            )
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(
                _(
                    "The request is registered. Its deadline is %(due)s.",
                    due=format_date(found.due_at),
                ),
                "success",
            )
            return redirect(url_for("privacy.detail", request_id=found.id), 303)
    shown = request.args.get("show", "open")
    shown = shown if shown in SHOWN else "open"
    right = request.args.get("right", "")
    requests, more = _listed(shown, right, request.args.get("after", ""))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "privacy/register.html",
        form=form,
        requests=requests,
        more=more,
        shown=shown,
        shown_labels=SHOWN,
        right=right,
    ), status


def _render(found: SubjectRequest, status: int = 200, **forms: Any) -> Any:
    return render_template(
        "privacy/request.html",
        request_=found,
        confirm=ConfirmForm(),
        close_form=forms.get("close_form") or CloseForm(),
        rectify_form=forms.get("rectify_form") or RectifyForm(),
        rectify_case=forms.get("rectify_case"),
        shown_case=forms.get("shown_case"),
        contact_case=forms.get("contact_case"),
        contact_form=forms.get("contact_form") or ContactDetailsForm(formdata=None),
        erasure_refusable=any(services.erasure_refusal(c) for c in found.cases),
        now=utcnow(),
    ), status


@bp.get("/requests/<id:request_id>")
def detail(request_id: int) -> Any:
    return _render(_request_or_404(request_id))


@bp.post("/requests/<id:request_id>/export")
def export(request_id: int) -> Any:
    found = _request_or_404(request_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made_at = utcnow()
    services.record_export(_actor(), found.cases, found)
    body = data_bundle([c.id for c in found.cases], made_at)
    return Response(
        body,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-request-{found.id}.zip"'
        },
    )


@bp.post("/requests/<id:request_id>/cases/<id:case_id>/contact")
def contact_details(request_id: int, case_id: int) -> Any:
    """Show the filer's contact details of one case (and the form to rectify
    them), recorded first in the access log; the answer to the POST is the
    request's page with them, so that each showing is one record."""
    found = _request_or_404(request_id)
    case = _case_of(found, case_id)
    if case.complainant is None or case.is_anonymous:
        abort(404)
    form = ContactDetailsForm()
    if form.validate_on_submit():
        try:
            services.open_contact_details(_actor(), found, case, reason=form.reason.data)
        except Invalid as error:
            form.reason.errors = [str(error.message)]
        else:
            rectify = RectifyForm(formdata=None, obj=case.complainant)
            return _render(found, shown_case=case, rectify_form=rectify, rectify_case=case)
    if "csrf_token" in form.errors:
        abort(400)
    return _render(found, 422, contact_form=form, contact_case=case)


def _act(found: SubjectRequest, action: Any, message: str) -> Any:
    """Run an action of the request; one that returns a refusal's ground
    (an erasure the law does not allow) says it instead of ``message``."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        refused = action()
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        if isinstance(refused, str):
            flash(refused, "error")
        else:
            flash(message, "success")
    return redirect(url_for("privacy.detail", request_id=found.id), 303)


@bp.post("/requests/<id:request_id>/cases/<id:case_id>/erase")
def erase(request_id: int, case_id: int) -> Any:
    found = _request_or_404(request_id)
    case = _case_of(found, case_id)
    return _act(
        found,
        lambda: services.erase_contact(_actor(), case, found),
        _("The filer's contact details of %(code)s are erased.", code=case.tracking_code),
    )


@bp.post("/requests/<id:request_id>/cases/<id:case_id>/restrict")
def restrict(request_id: int, case_id: int) -> Any:
    found = _request_or_404(request_id)
    case = _case_of(found, case_id)
    return _act(
        found,
        lambda: services.restrict_processing(_actor(), found, case),
        _("Processing is restricted for %(code)s.", code=case.tracking_code),
    )


@bp.post("/requests/<id:request_id>/refuse-erasure")
def refuse_erasure(request_id: int) -> Any:
    found = _request_or_404(request_id)
    grounds = [g for g in (services.erasure_refusal(c) for c in found.cases) if g]
    ground = grounds[0] if grounds else ""
    return _act(
        found,
        lambda: services.refuse_erasure(_actor(), found, ground),
        _("The erasure is refused, with its legal ground."),
    )


@bp.post("/requests/<id:request_id>/cases/<id:case_id>/rectify")
def rectify(request_id: int, case_id: int) -> Any:
    found = _request_or_404(request_id)
    case = _case_of(found, case_id)
    form = RectifyForm()
    if form.validate_on_submit():
        try:
            services.rectify_contact(
                _actor(),
                found,
                case,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                address=form.address.data,
            )
        except Invalid as error:
            form.email.errors = [str(error.message)]
        else:
            flash(_("The contact details of %(code)s are corrected.", code=case.tracking_code))
            return redirect(url_for("privacy.detail", request_id=found.id), 303)
    return _render(found, 422, rectify_form=form, rectify_case=case)


@bp.post("/requests/<id:request_id>/close")
def close(request_id: int) -> Any:
    found = _request_or_404(request_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close(_actor(), found, RequestStatus(form.status.data), form.outcome.data)
        except Invalid as error:
            form.outcome.errors = [str(error.message)]
        else:
            flash(_("The request is closed."), "success")
            return redirect(url_for("privacy.detail", request_id=found.id), 303)
    return _render(found, 422, close_form=form)
