"""``/admin/``: accounts and reply templates. Administrators only; others get
404. The pages check the form; the services in suggestion.admin.services
check the values and the right, make the change and record it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from suggestion.admin import services
from suggestion.admin.failed_mail import failed_mail
from suggestion.admin.failed_mail import resend_failed
from suggestion.admin.forms import ReplyTemplateForm
from suggestion.admin.forms import UserForm
from suggestion.auth import two_factor
from suggestion.auth.models import Division
from suggestion.auth.models import ROLE_LABELS
from suggestion.auth.models import User
from suggestion.auth.permissions import can_administer
from suggestion.auth.permissions import can_handle_subject_requests
from suggestion.auth.views import guard_staff_session
from suggestion.cases.models import ReplyTemplate
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import Form
from suggestion.core.forms import is_id
from suggestion.core.i18n import current_language
from suggestion.notify.outbox import TEMPLATE_LABELS
from suggestion.sla.recompute import reason_text

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(guard_staff_session)


# What the data protection officer (the role privacy) may open of the
# administration: the audit trails with the access log, the breach register
# and the record of processing activities (docs/decisions.md, "The data
# protection officer").
PRIVACY_OFFICER_PAGES = frozenset(
    {
        "admin.audit",
        "admin.breaches",
        "admin.breach",
        "admin.breach_notice",
        "admin.close_breach",
        "admin.processing_record_page",
    }
)


@bp.before_request
@login_required
def _admins_only() -> None:
    if can_administer(current_user):
        return
    if request.endpoint in PRIVACY_OFFICER_PAGES and can_handle_subject_requests(current_user):
        return
    abort(404)


@bp.context_processor
def _job_reasons() -> dict[str, Any]:
    """The reasons of recomputation jobs, in the page's language."""
    return {"job_reason": lambda reason: reason_text(reason, current_language())}


def _division_choices() -> list[SelectChoice]:
    locale = current_language()
    return [
        (d.id, f"{d.code} · {d.name(locale)}")
        for d in db.session.scalars(sa.select(Division).order_by(Division.code))
    ]


@bp.get("/")
def index() -> Any:
    users = db.session.scalars(sa.select(User).order_by(User.is_active.desc(), User.name)).all()
    templates = db.session.scalars(sa.select(ReplyTemplate).order_by(ReplyTemplate.id)).all()
    failed = failed_mail()
    return render_template(
        "admin/index.html",
        users=users,
        templates=templates,
        failed=failed,
        ROLE_LABELS=ROLE_LABELS,
        TEMPLATE_LABELS=TEMPLATE_LABELS,
    )


@bp.post("/failed-mail/resend")
def resend_failed_mail() -> Any:
    """Send again the failed e-mail chosen (``notification``), or all of them."""
    chosen = request.form.get("notification", "")
    count = resend_failed(acting_user(), [int(chosen)] if is_id(chosen) else None)
    flash(_("%(n)d e-mails are being sent again.", n=count), "success")
    return redirect(url_for("admin.index"), 303)


def acting_user() -> User:
    return current_user._get_current_object()


def show_beside_field(form: Form, error: Invalid) -> None:
    """A value the service refused (before it changed anything), shown beside
    the field it came from; one the form does not have is the error page's."""
    field = error.code or ""
    if field not in form or field == "csrf_token":
        raise error
    form[field].errors = [error.message]


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    form = UserForm()
    form.division_id.choices = _division_choices()
    if form.validate_on_submit():
        try:
            services.create_account(
                acting_user(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                division_id=form.division_id.data,
                password=form.password.data or "",
            )
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("admin.index"), 303)
    return render_template("admin/user.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Any:
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.division_id.choices = _division_choices()
    if form.validate_on_submit():
        try:
            services.update_account(
                acting_user(),
                user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                division_id=form.division_id.data,
                is_active=form.is_active.data,
                password=form.password.data or None,
            )
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("admin.index"), 303)
    return render_template(
        "admin/user.html", form=form, user=user, two_factor_on=two_factor.is_enabled(user)
    ), 422 if form.errors else 200


@bp.post("/users/<id:user_id>/two-factor/reset")
def reset_two_factor(user_id: int) -> Any:
    user = db.session.get(User, user_id) or abort(404)
    try:
        services.reset_two_factor(acting_user(), user)
    except Invalid as refused:
        flash(refused.message, "error")
    else:
        flash(
            _("Two-factor log-in reset: the account sets it up again at its next log-in."),
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id), 303)


@bp.route("/templates/new", methods=["GET", "POST"])
@bp.route("/templates/<id:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int | None = None) -> Any:
    template = (db.session.get(ReplyTemplate, template_id) or abort(404)) if template_id else None
    form = ReplyTemplateForm(obj=template)
    if form.validate_on_submit():
        texts = {name: form[name].data for name in services.TEMPLATE_LIMITS}
        try:
            if template is None:
                services.create_template(acting_user(), texts=texts, is_active=form.is_active.data)
            else:
                services.change_template(
                    acting_user(), template, texts=texts, is_active=form.is_active.data
                )
        except Invalid as error:
            show_beside_field(form, error)
        else:
            flash(_("Reply template saved."), "success")
            return redirect(url_for("admin.index"), 303)
    return render_template(
        "admin/template.html", form=form, template=template
    ), 422 if form.errors else 200
