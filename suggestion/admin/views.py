"""``/admin/``: accounts and reply templates. Administrators only; others get 404."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from suggestion.admin.forms import ReplyTemplateForm
from suggestion.admin.forms import ROLE_LABELS
from suggestion.admin.forms import UserForm
from suggestion.auth.models import Division
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.auth.services import change_password
from suggestion.auth.views import expire_idle_sessions
from suggestion.cases.models import ReplyTemplate
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(expire_idle_sessions)


@bp.before_request
@login_required
def _admins_only() -> None:
    if current_user.role != Role.ADMIN:
        abort(404)


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
    failed = db.session.scalars(
        sa.select(Notification)
        .where(Notification.status == NotificationStatus.FAILED)
        .order_by(Notification.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/index.html", users=users, templates=templates, failed=failed, ROLE_LABELS=ROLE_LABELS
    )


def _save_user(form: UserForm, user: User | None) -> User | None:
    email = form.email.data.lower()
    clash = db.session.scalar(sa.select(User.id).where(User.email == email))
    if clash is not None and (user is None or clash != user.id):
        form.email.errors = [_("Another account already uses this e-mail.")]
        return None
    division = db.session.get(Division, form.division_id.data)
    if division is None:
        form.division_id.errors = [_("Please choose a division.")]
        return None
    if user is None:
        if not form.password.data:
            form.password.errors = [_("Give a first password (at least 10 characters).")]
            return None
        user = User(email=email, name=form.name.data, role=form.role.data, division_id=division.id)
        user.set_password(form.password.data)
        db.session.add(user)
    else:
        if user.id == current_user.id and (form.role.data != Role.ADMIN or not form.is_active.data):
            form.role.errors = [_("You cannot remove your own administrator access.")]
            return None
        user.email, user.name, user.role, user.division_id = (
            email,
            form.name.data,
            form.role.data,
            division.id,
        )
        if user.is_active and not form.is_active.data:
            user.session_epoch += 1  # deactivation ends their sessions
        user.is_active = form.is_active.data
        if form.password.data:
            change_password(user, form.password.data)
    return user


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    form = UserForm()
    form.division_id.choices = _division_choices()
    if form.validate_on_submit() and _save_user(form, None):
        flash(_("Account created."), "success")
        return redirect(url_for("admin.index"), 303)
    return render_template("admin/user.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Any:
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.division_id.choices = _division_choices()
    if form.validate_on_submit() and _save_user(form, user):
        flash(_("Account saved."), "success")
        return redirect(url_for("admin.index"), 303)
    return render_template("admin/user.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/templates/new", methods=["GET", "POST"])
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int | None = None) -> Any:
    template = (db.session.get(ReplyTemplate, template_id) or abort(404)) if template_id else None
    form = ReplyTemplateForm(obj=template)
    if form.validate_on_submit():
        if template is None:
            template = ReplyTemplate()
            db.session.add(template)
        form.populate_obj(template)
        flash(_("Reply template saved."), "success")
        return redirect(url_for("admin.index"), 303)
    return render_template(
        "admin/template.html", form=form, template=template
    ), 422 if form.errors else 200
