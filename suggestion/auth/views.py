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
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from suggestion.auth import two_factor
from suggestion.auth.forms import ChangePasswordForm
from suggestion.auth.forms import ConfirmCodeForm
from suggestion.auth.forms import EnrolForm
from suggestion.auth.forms import LoginForm
from suggestion.auth.forms import SecondFactorForm
from suggestion.auth.models import User
from suggestion.auth.services import authenticate
from suggestion.auth.services import change_password
from suggestion.auth.services import check_second_factor
from suggestion.auth.services import end_sessions
from suggestion.auth.session import load_user
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Invalid
from suggestion.core.extensions import limiter
from suggestion.core.extensions import login_manager
from suggestion.core.time import utcnow

bp = Blueprint("auth", __name__, url_prefix="/staff")

SEEN_AT = "seen_at"
LOGGED_IN_AT = "logged_in_at"
SESSION_ID = "sid"  # new at every log-in
PENDING = "second_step"  # the account whose password was right, awaiting its code
SECOND_STEP_SECONDS = 300


def _login_failed(response: Any) -> bool:
    return bool(response.status_code == 401)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("staff.queue")
    return target


# One budget of tries per address for both steps of the log-in.
login_attempts = limiter.shared_limit(
    "20 per 15 minutes", scope="staff-login", methods=["POST"], deduct_when=_login_failed
)


@bp.route("/login", methods=["GET", "POST"])
@login_attempts
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        # The failures are kept either way: the request boundary commits a
        # refused log-in too (it answers 401, it does not raise).
        user = authenticate(form.email.data, form.password.data, client_address())
        if user is not None and two_factor.is_enabled(user):
            session.clear()
            session[PENDING] = {"user": user.get_id(), "at": utcnow().timestamp()}
            return redirect(url_for("auth.second_step", next=request.args.get("next")), 303)
        if user is not None:
            return _start_session(user)
        form.password.errors = [
            _("The e-mail or password is not right, or the account is locked for a while.")
        ]
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
@login_attempts
def second_step() -> Any:
    """The code from the authenticator app, or a recovery code, within a few
    minutes of the right password."""
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "warning")
        return redirect(url_for("auth.login", next=request.args.get("next")), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if check_second_factor(user, form.code.data, client_address()):
            return _start_session(user)
        form.code.errors = [
            _("The code is not right, or the account is locked for a while."),
        ]
        return render_template("auth/second_step.html", form=form), 401
    return render_template("auth/second_step.html", form=form), 422 if form.errors else 200


def _pending_user() -> User | None:
    """The account whose password was right, if that was a short while ago."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), float | int):
        return None
    if utcnow().timestamp() - pending["at"] > SECOND_STEP_SECONDS:
        return None
    return load_user(str(pending.get("user", "")))


def _start_session(user: User) -> Any:
    session.clear()  # a new session: nothing of the one before carries over
    login_user(user)
    session.permanent = True
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session[LOGGED_IN_AT] = session[SEEN_AT] = utcnow().timestamp()
    first = _first_step(user, 303)
    if first is not None:
        return first
    return redirect(_safe_next(request.args.get("next")), 303)


def record_own_change(user: User, action: AdminAction) -> None:
    """A change to the account's own second factor, in the audit trail."""
    record_admin_change(user.id, user.email, action, user.email, {})


def client_address() -> str:
    """The client's address as the throttles see it (PROXY_COUNT, DESIGN §5)."""
    return get_remote_address() or "unknown"


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


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_page() -> Any:
    """Turn two-factor log-in on (a QR code to scan, then a code it makes),
    or, once on, make new recovery codes or turn it off."""
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        return _two_factor_settings(user)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(user, form.secret.data, form.code.data)
        except Invalid as refused:
            form.code.errors = [refused.message]
        else:
            record_own_change(user, AdminAction.TWO_FACTOR_ENABLED)
            flash(_("Two-factor log-in is on."), "success")
            return _show_recovery_codes(codes)
    enrolment = two_factor.new_enrolment(
        user,
        form.secret.data
        if form.is_submitted() and two_factor.is_secret(form.secret.data or "")
        else None,
    )
    form.secret.data = enrolment.secret
    status = 422 if form.errors else 200
    return render_template("auth/two_factor_enrol.html", form=form, enrolment=enrolment), status


def _two_factor_settings(user: User) -> Any:
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        if not two_factor.check_code(user, form.code.data):
            form.code.errors = [str(two_factor.WRONG_CODE)]
        elif form.action.data == "recovery-codes":
            return _show_recovery_codes(two_factor.new_recovery_codes(user))
        elif form.action.data == "off" and not two_factor.is_required(user):
            two_factor.turn_off(user)
            record_own_change(user, AdminAction.TWO_FACTOR_DISABLED)
            login_user(user)  # this session stays; the others end
            flash(_("Two-factor log-in is off."), "success")
            return redirect(url_for("auth.two_factor_page"), 303)
    return render_template(
        "auth/two_factor.html",
        form=form,
        codes_left=two_factor.recovery_codes_left(user),
        required=two_factor.is_required(user),
    ), 422 if form.errors else 200


def _show_recovery_codes(codes: list[str]) -> Any:
    """Shown once, in this answer only (never stored as typed, never cached)."""
    return render_template("auth/recovery_codes.html", codes=codes)


def guard_staff_session() -> Any:
    """Before every staff, report and administration page: the session's
    time limits, then what the account must do before anything else opens:
    choose its own password in place of the one an administrator set, and
    turn on two-factor log-in if its role requires it."""
    expired = expire_idle_sessions()
    if expired is not None:
        return expired
    if current_user.is_authenticated:
        return _first_step(current_user)
    return None


def _first_step(user: User, code: int = 302) -> Any:
    """The page an account must go to before any other, if there is one."""
    if user.must_change_password:
        flash(_("Choose your own password to continue."), "warning")
        return redirect(url_for("auth.password"), code)
    if two_factor.must_enrol(user):
        flash(_("Your role requires two-factor log-in. Turn it on to continue."), "warning")
        return redirect(url_for("auth.two_factor_page"), code)
    return None


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
