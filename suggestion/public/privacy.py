"""The filer's own data-subject requests on /track (PDPA ss.30–36), for the
browser that opened the case with its code and key (the key is how the
filer's identity is verified): ask for a right to be exercised, download a
copy of their data of that case, and withdraw their contact details once the
case has its outcome. Each is recorded in the audit trail as the filer's."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import Response
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from suggestion.cases.models import Case
from suggestion.core import throttle
from suggestion.core.errors import Invalid
from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import strip_text
from suggestion.core.i18n import format_date
from suggestion.core.time import utcnow
from suggestion.privacy import asking
from suggestion.privacy import services
from suggestion.privacy.models import RIGHT_LABELS
from suggestion.privacy.models import SubjectRight
from suggestion.public.views import tracked_case
from suggestion.reports.bundles import data_bundle

bp = Blueprint("public_privacy", __name__)


class FilerRequestForm(Form):
    subject_right = SelectField(
        _l("What would you like us to do with your data?"),
        choices=choices([(r.value, label) for r, label in RIGHT_LABELS.items()]),
        validators=[DataRequired(REQUIRED)],
    )
    note = TextAreaField(
        _l("Anything we should know (optional)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=2000, message=MAX_LENGTH)],
    )


class ConfirmForm(Form):
    """A button that changes something: the CSRF token alone."""


def _page(case: Case, form: FilerRequestForm | None = None, status: int = 200) -> Any:
    return render_template(
        "public/privacy.html",
        case=case,
        form=form or FilerRequestForm(),
        confirm=ConfirmForm(),
        can_withdraw=_can_withdraw(case),
        erasure_refusal=services.erasure_refusal(case),
    ), status


def _can_withdraw(case: Case) -> bool:
    filer = case.complainant
    return not case.is_anonymous and filer is not None and filer.anonymised_at is None


@bp.get("/track/<tracking_code>/privacy")
def page(tracking_code: str) -> Any:
    return _page(tracked_case(tracking_code))


@bp.post("/track/<tracking_code>/privacy/request")
def ask(tracking_code: str) -> Any:
    case = tracked_case(tracking_code)
    form = FilerRequestForm()
    if not form.validate_on_submit():
        return _page(case, form, 422)
    filer = case.complainant
    name = (filer.name if filer and filer.name else None) or _(
        "The filer of %(code)s", code=case.tracking_code
    )
    contact = ", ".join(x for x in ((filer.email, filer.phone) if filer else ()) if x)
    right = SubjectRight(form.subject_right.data)
    if asking.open_request_of(case, right) is None:
        throttle.check_filing()  # a new request counts as a filing from this client
    found, new = asking.ask_as_filer(
        case, right, name=name, contact=contact, note=form.note.data or ""
    )
    if new:
        flash(
            _(
                "Your request no. %(number)s is registered. The agency answers it within 30 days.",
                number=found.id,
            ),
            "success",
        )
    else:
        flash(
            _(
                "You already have request no. %(number)s of this kind open for this case. "
                "The agency answers it by %(due)s.",
                number=found.id,
                due=format_date(found.due_at),
            ),
            "warning",
        )
    return redirect(url_for("public_privacy.page", tracking_code=case.tracking_code), 303)


@bp.post("/track/<tracking_code>/privacy/export")
def export(tracking_code: str) -> Any:
    case = tracked_case(tracking_code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.record_export(services.FILER, [case], None)
    body = data_bundle([case.id], utcnow())
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="my-data-{case.tracking_code}.zip"'},
    )


@bp.route("/track/<tracking_code>/privacy/withdraw", methods=["GET", "POST"])
def withdraw(tracking_code: str) -> Any:
    """A page that says what will be erased and what stays, then erases."""
    case = tracked_case(tracking_code)
    if not _can_withdraw(case):
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ground = services.erase_contact(services.FILER, case)
        except Invalid as error:
            flash(str(error.message), "error")
        else:
            if ground:
                flash(ground, "error")
            else:
                flash(_("Your name and contact details are erased from this case."), "success")
        return redirect(url_for("public_privacy.page", tracking_code=case.tracking_code), 303)
    return render_template(
        "public/privacy_withdraw.html",
        case=case,
        confirm=form,
        erasure_refusal=services.erasure_refusal(case),
    )
