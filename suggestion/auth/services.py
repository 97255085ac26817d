"""Checking passwords and second factors, with a lock on an account whose
password is being guessed from an address.

Five wrong passwords or codes for one account from one address lock that
account *from that address* for 15 minutes; its owner, elsewhere, still logs
in. (Counting per account alone let anyone keep any account locked with five
tries every 15 minutes.) Each address is also throttled across accounts by
Flask-Limiter (suggestion.auth.views). A locked pair answers exactly like a
wrong password, and as slowly.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from suggestion.auth import two_factor
from suggestion.auth.models import LoginFailure
from suggestion.auth.models import User
from suggestion.auth.passwords import check_new_password
from suggestion.core.digests import keyed_digest
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

MAX_FAILED_LOGINS = 5
LOCK_FOR = timedelta(minutes=15)
FORGET_FAILURES_AFTER = timedelta(days=1)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def authenticate(email: str, password: str, address: str) -> User | None:
    """The active account with this e-mail and password, or None; the answer
    does not say whether the account exists or is locked."""
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)  # so timing tells nothing
        return None
    right = user.check_password(password)  # always: a locked pair answers as slowly
    failures = _failures(user, address)
    if _is_locked(failures):
        return None
    if not right:
        _count_failure(user, address, failures)
        return None
    if not user.is_active:
        return None
    if not two_factor.is_enabled(user):
        log_in(user, address, failures)
    return user


def check_second_factor(user: User, code: str, address: str) -> bool:
    """The second step of the log-in, counted and locked like the first."""
    failures = _failures(user, address)
    if _is_locked(failures) or not user.is_active:
        return False
    if not two_factor.check_code(user, code):
        _count_failure(user, address, failures)
        return False
    log_in(user, address, failures)
    return True


def log_in(user: User, address: str, failures: LoginFailure | None = None) -> None:
    """The account has proved who it is: the address's failures are forgotten."""
    if failures is None:
        failures = _failures(user, address)
    if failures is not None:
        db.session.delete(failures)
    user.last_login_at = utcnow()


def _address_digest(address: str) -> str:
    return keyed_digest("login-address", address)


def _failures(user: User, address: str) -> LoginFailure | None:
    """The pair's row, locked until the end of the request, so that tries in
    parallel are counted one after another."""
    return db.session.get(LoginFailure, (user.id, _address_digest(address)), with_for_update=True)


def _is_locked(failures: LoginFailure | None) -> bool:
    return (
        failures is not None
        and failures.locked_until is not None
        and failures.locked_until > utcnow()
    )


def _count_failure(user: User, address: str, failures: LoginFailure | None) -> None:
    now = utcnow()
    if failures is None:
        # Failures from addresses long gone are forgotten, as new ones come.
        db.session.execute(
            sa.delete(LoginFailure).where(
                LoginFailure.user_id == user.id,
                LoginFailure.last_failed_at < now - FORGET_FAILURES_AFTER,
            )
        )
        try:
            with db.session.begin_nested():
                failures = LoginFailure(
                    user_id=user.id,
                    address_digest=_address_digest(address),
                    failures=0,
                    last_failed_at=now,
                )
                db.session.add(failures)
        except IntegrityError:  # a try in parallel wrote it first
            failures = _failures(user, address)
            assert failures is not None
    elif failures.locked_until is not None:  # the lock has passed: count afresh
        failures.failures, failures.locked_until = 0, None
    failures.failures += 1
    failures.last_failed_at = now
    if failures.failures >= MAX_FAILED_LOGINS:
        failures.locked_until = now + LOCK_FOR


def change_password(user: User, new_password: str, *, field: str = "password") -> None:
    """Set a new password and end the account's other sessions; a password
    that breaks the rule is refused (:class:`Invalid` for ``field``) before
    anything changes."""
    check_new_password(new_password, email=user.email, field=field)
    if user.check_password(new_password):
        raise Invalid(_l("Choose a password other than the current one."), code=field)
    user.set_password(new_password)
    user.must_change_password = False  # the administrator's sets it again after this
    user.session_epoch += 1
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.user_id == user.id))


def end_sessions(user: User) -> None:
    """End every session of the account on the server (log-out): the session
    cookie names the account with its epoch, which no longer matches. A
    log-out therefore ends the account's other sessions too."""
    user.session_epoch += 1
