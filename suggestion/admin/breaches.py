"""``/admin/breaches``: the register of personal-data breaches — the list
with the form to record one, and each breach's page, where the notifications
to the PDPC and to the people affected are recorded and the breach closed.
The services (suggestion.sla.breaches) check, change and audit."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from suggestion.admin.forms import BreachForm
from suggestion.admin.forms import BreachNoticeForm
from suggestion.admin.views import acting_user
from suggestion.admin.views import bp
from suggestion.admin.views import show_beside_field
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import Form
from suggestion.core.settings import agency_zone
from suggestion.core.time import utcnow
from suggestion.deadlines.breaches import hours_left
from suggestion.sla import breaches as service
from suggestion.sla.breaches import Breach
from suggestion.sla.breaches import BREACH_ALERT_LABELS
from suggestion.sla.breaches import BreachAlert

CODES = re.compile(r"[\s,;]+")


def _aware(moment: datetime | None) -> datetime:
    """A moment typed in the agency's time (the form required it)."""
    assert moment is not None
    return moment.replace(tzinfo=agency_zone())


@bp.route("/breaches", methods=["GET", "POST"])
def breaches() -> Any:
    form = BreachForm()
    if form.validate_on_submit():
        report = service.BreachReport(
            discovered_at=_aware(form.discovered_at.data),
            description=form.description.data,
            tracking_codes=tuple(c for c in CODES.split(form.cases.data or "") if c),
            affected_count=form.affected_count.data,
        )
        try:
            breach = service.record_breach(acting_user(), report)
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(
                _("Breach recorded. Notify the PDPC within 72 hours of its discovery."), "success"
            )
            return redirect(url_for("admin.breach", breach_id=breach.id), 303)
    listed = db.session.scalars(
        sa.select(Breach).order_by(Breach.closed_at.is_not(None), Breach.discovered_at.desc())
    ).all()
    return render_template(
        "admin/breaches.html", form=form, breaches=listed, now=utcnow(), hours_left=hours_left
    ), 422 if form.errors else 200


def _page(breach: Breach, status: int = 200, **forms: Any) -> Any:
    alerts = db.session.scalars(
        sa.select(BreachAlert).where(BreachAlert.breach_id == breach.id).order_by(BreachAlert.id)
    ).all()
    return render_template(
        "admin/breach.html",
        breach=breach,
        alerts=alerts,
        ALERT_LABELS=BREACH_ALERT_LABELS,
        pdpc_form=forms.get("pdpc") or BreachNoticeForm(prefix="pdpc", formdata=None),
        subjects_form=forms.get("subjects") or BreachNoticeForm(prefix="subjects", formdata=None),
        close_form=Form(formdata=None),
        now=utcnow(),
        hours_left=hours_left,
    ), status


@bp.get("/breaches/<id:breach_id>")
def breach(breach_id: int) -> Any:
    return _page(db.session.get(Breach, breach_id) or abort(404))


@bp.post("/breaches/<id:breach_id>/<any(pdpc, subjects):whom>")
def breach_notice(breach_id: int, whom: str) -> Any:
    breach = db.session.get(Breach, breach_id) or abort(404)
    form = BreachNoticeForm(prefix=whom)
    if form.validate_on_submit():
        try:
            service.record_notice(
                acting_user(),
                breach,
                whom,
                _aware(form.notified_at.data),
            )
        except Invalid as error:
            form.notified_at.errors = [error.message]
        else:
            flash(_("Notification recorded."), "success")
            return redirect(url_for("admin.breach", breach_id=breach.id), 303)
    if "csrf_token" in form.errors:
        abort(400, description="csrf")
    return _page(breach, 422, **{whom: form})


@bp.post("/breaches/<id:breach_id>/close")
def close_breach(breach_id: int) -> Any:
    breach = db.session.get(Breach, breach_id) or abort(404)
    form = Form()
    if not form.validate_on_submit():
        abort(400, description="csrf")
    try:
        service.close_breach(acting_user(), breach)
    except Invalid as error:
        flash(str(error.message), "error")
        return _page(breach, 422)
    flash(_("Breach closed."), "success")
    return redirect(url_for("admin.breach", breach_id=breach.id), 303)
