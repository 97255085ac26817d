"""``/admin/holidays`` and ``/admin/policies``: the calendar and the SLA
policies. Every change asks for a recomputation of the open cases' deadlines,
which runs in the background and reports what it moved."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from suggestion.admin import services
from suggestion.admin.forms import HolidayForm
from suggestion.admin.forms import PolicyForm
from suggestion.admin.views import acting_user
from suggestion.admin.views import bp
from suggestion.admin.views import show_beside_field
from suggestion.calendar.models import Holiday
from suggestion.calendar.models import HOLIDAY_CATEGORY_LABELS
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import choices
from suggestion.core.i18n import current_language
from suggestion.core.jobs import BackgroundJob
from suggestion.core.time import utcnow
from suggestion.deadlines.models import SlaPolicy
from suggestion.deadlines.policies import POLICY_FIELDS


def _recent_jobs() -> list[BackgroundJob]:
    return list(
        db.session.scalars(
            sa.select(BackgroundJob)
            .where(BackgroundJob.name == services.RECOMPUTE)
            .order_by(BackgroundJob.id.desc())
            .limit(5)
        )
    )


@bp.route("/holidays", methods=["GET", "POST"])
def holidays() -> Any:
    year = request.args.get("year", type=int) or utcnow().year
    if not 1950 <= year <= 2200:
        abort(404)
    form = HolidayForm()
    if form.validate_on_submit() and form.day.data is not None:  # required: given when valid
        try:
            holiday = services.set_holiday(acting_user(), day=form.day.data, name=form.name.data)
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Holiday saved. The deadlines of open cases are being recomputed."), "success")
            return redirect(url_for("admin.holidays", year=holiday.day.year), 303)
    rows = db.session.scalars(
        sa.select(Holiday)
        .where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(Holiday.day)
    ).all()
    return render_template(
        "admin/holidays.html",
        form=form,
        year=year,
        holidays=rows,
        jobs=_recent_jobs(),
        HOLIDAY_CATEGORY_LABELS=HOLIDAY_CATEGORY_LABELS,
    ), (422 if form.errors else 200)


@bp.route("/holidays/<day>/delete", methods=["GET", "POST"])
def delete_holiday(day: str) -> Any:
    """Removing a holiday moves the deadlines of open cases: the list's
    "Remove" opens this page, which asks first (no script needed)."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if request.method == "GET":
        holiday = db.session.get(Holiday, when)
        if holiday is None:
            abort(404)
        return render_template("admin/holiday_delete.html", holiday=holiday)
    services.remove_holiday(acting_user(), day=when)
    flash(_("Holiday removed. The deadlines of open cases are being recomputed."), "success")
    return redirect(url_for("admin.holidays", year=when.year), 303)


def _category_choices() -> list[Any]:
    locale = current_language()
    return choices(
        [(0, "—")]
        + [
            (c.id, c.name(locale))
            for c in db.session.scalars(sa.select(Category).order_by(Category.position))
        ]
    )


@bp.get("/policies")
def policies() -> Any:
    rows = db.session.scalars(
        sa.select(SlaPolicy).order_by(SlaPolicy.kind, SlaPolicy.category_id)
    ).all()
    categories = {c.id: c for c in db.session.scalars(sa.select(Category))}
    form = PolicyForm()
    form.category_id.choices = _category_choices()
    return render_template(
        "admin/policies.html",
        policies=rows,
        categories=categories,
        form=form,
        KIND_LABELS=KIND_LABELS,
        Kind=Kind,
        jobs=_recent_jobs(),
        fields=POLICY_FIELDS,
    )


@bp.route("/policies/<id:policy_id>", methods=["GET", "POST"])
@bp.route("/policies/new", methods=["GET", "POST"])
def edit_policy(policy_id: int | None = None) -> Any:
    policy = (db.session.get(SlaPolicy, policy_id) or abort(404)) if policy_id else None
    form = PolicyForm(obj=policy)
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        terms = {name: form[name].data for name in POLICY_FIELDS}
        try:
            if policy is None:
                services.create_policy(
                    acting_user(), category_id=form.category_id.data, terms=terms
                )
            else:
                services.change_policy(acting_user(), policy, terms=terms)
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Policy saved. The deadlines of open cases are being recomputed."), "success")
            return redirect(url_for("admin.policies"), 303)
    return render_template(
        "admin/policy.html",
        form=form,
        policy=policy,
        fields=POLICY_FIELDS,
        KIND_LABELS=KIND_LABELS,
        Kind=Kind,
    ), 422 if form.errors else 200
