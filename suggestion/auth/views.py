"""Staff log-in, log-out and change of password (``/staff/login`` …)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from suggestion.auth.forms import ChangePasswordForm
from suggestion.auth.forms import LoginForm
from suggestion.auth.services import authenticate
from suggestion.auth.services import change_password
from suggestion.auth.services import end_sessions
from suggestion.core.errors import Invalid
from suggestion.core.extensions import limiter
from suggestion.core.extensions import login_manager
from suggestion.core.time import utcnow

bp = Blueprint("auth", __name__, url_prefix="/staff")

SEEN_AT = "seen_at"
LOGGED_IN_AT = "logged_in_at"
SESSION_ID = "sid"  # new at every log-in


def _login_failed(response: Any) -> bool:
    return bool(response.status_code == 401)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("staff.queue")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"], deduct_when=_login_failed)
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        # The failed-attempt counter is kept either way: the request boundary
        # commits a refused log-in too (it answers 401, it does not raise).
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session: nothing of the one before carries over
            login_user(user)
            session.permanent = True
            session[SESSION_ID] = secrets.token_urlsafe(16)
            session[LOGGED_IN_AT] = session[SEEN_AT] = utcnow().timestamp()
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors = [
            _("The e-mail or password is not right, or the account is locked for a while.")
        ]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout() -> Any:
    end_sessions(current_user)  # a copy of this session's cookie opens nothing now
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            try:
                change_password(current_user, form.new_password.data, field="new_password")
            except Invalid as refused:  # refused before anything changed
                form.new_password.errors = [refused.message]
            else:
                login_user(current_user)  # this session stays; the others end
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("staff.queue"), 303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


def expire_idle_sessions() -> Any:
    """Log staff out after a spell without requests (STAFF_IDLE_MINUTES), and
    at the latest PERMANENT_SESSION_LIFETIME (8 hours) after they logged in,
    however busy the session has been."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"]).total_seconds()
    longest = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if now - session.get(SEEN_AT, 0) > idle or now - session.get(LOGGED_IN_AT, 0) > longest:
        logout_user()
        session.clear()
        flash(_("Your session expired. Please log in again."), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session[SEEN_AT] = now
    return None


login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page explains itself
