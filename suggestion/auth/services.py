"""Checking passwords, with a lock on accounts whose password is being guessed."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from suggestion.auth.models import User
from suggestion.auth.passwords import check_new_password
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

MAX_FAILED_LOGINS = 5
LOCK_FOR = timedelta(minutes=15)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None.

    Five wrong passwords lock the account for 15 minutes; the answer does not
    say whether the account exists or is locked.
    """
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)  # so timing tells nothing
        return None
    now = utcnow()
    right = user.check_password(password)  # always: a locked account answers as slowly
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCK_FOR
            user.failed_logins = 0
        return None
    if not user.is_active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def change_password(user: User, new_password: str, *, field: str = "password") -> None:
    """Set a new password and end the account's other sessions; a password
    that breaks the rule is refused (:class:`Invalid` for ``field``) before
    anything changes."""
    check_new_password(new_password, email=user.email, field=field)
    if user.check_password(new_password):
        raise Invalid(_l("Choose a password other than the current one."), code=field)
    user.set_password(new_password)
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_until = None


def end_sessions(user: User) -> None:
    """End every session of the account on the server (log-out): the session
    cookie names the account with its epoch, which no longer matches. A
    log-out therefore ends the account's other sessions too."""
    user.session_epoch += 1
