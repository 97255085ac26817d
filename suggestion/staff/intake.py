"""Intake (``/staff/intake``): a case that came by telephone, letter, in
person, e-mail, the 1111 centre or another agency, typed in by staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from suggestion.auth.permissions import can_register_intake
from suggestion.cases.attachments import FilesNotStored
from suggestion.cases.filing import file_case
from suggestion.cases.models import Case
from suggestion.cases.states import Channel
from suggestion.cases.states import Kind
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.sealing import seal
from suggestion.core.sealing import unseal
from suggestion.core.settings import agency_zone
from suggestion.core.time import utcnow
from suggestion.staff import forms
from suggestion.staff.blueprint import access
from suggestion.staff.blueprint import bp
from suggestion.staff.blueprint import case_or_404

# The case just registered, and its access key sealed (the session cookie is
# signed, not encrypted), between the POST and the receipt it redirects to.
_RECEIPT = "intake_receipt"


@bp.errorhandler(FilesNotStored)
def _files_not_stored(error: FilesNotStored) -> Any:
    """The upload folder refused the files: nothing was recorded; the form
    comes back with what was typed."""
    flash(str(error.message), "error")
    args = request.view_args or {}
    if request.endpoint == "staff.intake":
        kind = Kind(args["kind"])
        form = forms.IntakeForm(kind, current_language())
        return render_template("staff/intake.html", form=form, kind=kind), 503
    return render_template("error.html", code=503, message=str(error.message)), 503


@bp.get("/intake")
def intake_kinds() -> Any:
    return render_template("staff/intake_kinds.html")


@bp.route("/intake/<kind>", methods=["GET", "POST"])
def intake(kind: str) -> Any:
    try:
        case_kind = Kind(kind)
    except ValueError:
        abort(404)
    who = access()
    if not can_register_intake(who.user, case_kind == Kind.CORRUPTION):
        abort(404)
    form = forms.IntakeForm(case_kind, current_language())
    tz = agency_zone()
    if form.validate_on_submit() and form.received_at.data is not None:  # required
        received_at = form.received_at.data.replace(tzinfo=tz)
        if received_at > utcnow():
            form.received_at.errors = [_("The date of receipt cannot be in the future.")]
        else:
            receipt = file_case(
                form.to_filing(Channel(form.channel.data), received_at), actor=who.user
            )
            # Redirect after the POST: reloading the receipt must not file
            # the case again.
            session[_RECEIPT] = {
                "tracking_code": receipt.case.tracking_code,
                "access_key": seal(receipt.access_key),
            }
            return redirect(
                url_for("staff.intake_receipt", tracking_code=receipt.case.tracking_code), 303
            )
    if request.method == "GET":
        form.received_at.data = datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
    return render_template(
        "staff/intake.html", form=form, kind=case_kind
    ), 422 if form.errors else 200


@bp.get("/intake/receipt/<tracking_code>")
def intake_receipt(tracking_code: str) -> Any:
    """The receipt of a case just registered. The access key is shown once:
    the first view takes it out of the session, so a reload shows the code
    and says that the key was given already."""
    data = session.get(_RECEIPT) or {}
    access_key = None
    if data.get("tracking_code") == tracking_code:
        # Registered in this session: its receipt is shown even when the case
        # went to a division this person does not see (the key would be lost).
        case = db.session.scalars(
            sa.select(Case).where(Case.tracking_code == tracking_code)
        ).first() or abort(404)
        access_key = unseal(data.get("access_key"))
        session[_RECEIPT] = {"tracking_code": tracking_code}  # the key is shown once
    else:
        case = case_or_404(tracking_code)
    return render_template("staff/intake_receipt.html", case=case, access_key=access_key)
