"""``/admin/retention``: how long the filer's personal data is kept, per
kind; and the legal holds placed from the staff case page. Administrators
only (the blueprint answers 404 to others); the services in
suggestion.cases.retention check the values, make the change and audit it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange

from suggestion.admin.views import acting_user
from suggestion.admin.views import bp
from suggestion.admin.views import show_beside_field
from suggestion.cases import retention
from suggestion.cases.codes import normalise_tracking_code
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import Form
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import strip_text


class RetentionForm(Form):
    """One field per kind, ``years_<kind>``."""


for _kind in Kind:
    setattr(
        RetentionForm,
        f"years_{_kind.value}",
        IntegerField(
            KIND_LABELS[_kind],
            validators=[
                InputRequired(REQUIRED),
                NumberRange(
                    min=retention.MIN_YEARS,
                    max=retention.MAX_YEARS,
                    message=retention.YEARS_MESSAGE,
                ),
            ],
        ),
    )


class LegalHoldForm(Form):
    reason = TextAreaField(
        _l("Reason for the legal hold"),
        filters=[strip_text],
        validators=[
            InputRequired(retention.HOLD_REASON_REQUIRED),
            Length(max=retention.REASON_LIMIT, message=retention.HOLD_REASON_TOO_LONG),
        ],
    )


@bp.route("/retention", methods=["GET", "POST"])
def retention_periods() -> Any:
    current = retention.retention_years()
    form = RetentionForm(data={f"years_{k.value}": v for k, v in current.items()})
    if form.validate_on_submit():
        try:
            retention.set_retention_years(
                acting_user(), {k: form[f"years_{k.value}"].data for k in Kind}
            )
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Retention periods saved."), "success")
            return redirect(url_for("admin.retention_periods"), 303)
    return render_template(
        "admin/retention.html",
        form=form,
        kinds=list(Kind),
        defaults=retention.DEFAULT_RETENTION_YEARS,
    ), 422 if form.errors else 200


def _case(tracking_code: str) -> Case:
    code = normalise_tracking_code(tracking_code)
    if code is None:
        abort(404)
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).first()
    return case or abort(404)


@bp.post("/cases/<tracking_code>/legal-hold")
def place_legal_hold(tracking_code: str) -> Any:
    case = _case(tracking_code)
    form = LegalHoldForm()
    if form.validate_on_submit():
        try:
            retention.place_hold(acting_user(), case, form.reason.data or "")
        except Invalid as error:
            flash(str(error.message), "error")
        else:
            flash(
                _("Legal hold placed: this case's personal data is kept until it is lifted."),
                "success",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)


@bp.post("/cases/<tracking_code>/legal-hold/lift")
def lift_legal_hold(tracking_code: str) -> Any:
    case = _case(tracking_code)
    if Form().validate_on_submit():
        retention.lift_hold(acting_user(), case)
        flash(_("Legal hold lifted."), "success")
    return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)
