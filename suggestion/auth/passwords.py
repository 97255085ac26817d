"""The one rule for a new staff password (DESIGN §5), for the pages and the
command line alike: at least 12 characters, and not one of the common
passwords shipped beside this module (common-passwords.txt, from Django's list)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from suggestion.core.errors import Invalid

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")
COMMENT = "#!comment:"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once per process."""
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith(COMMENT)
        )


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def check_new_password(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Refuse a password that breaks the rule, as :class:`Invalid` whose code
    is the form field it came from: too short or long, a common one, or the
    account's own e-mail address (or its name part)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH), code=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(_l("Use at most %(max)d characters.", max=MAX_PASSWORD_LENGTH), code=field)
    if email and password.strip().lower() in {email.lower(), email.lower().partition("@")[0]}:
        raise Invalid(_l("Do not use your e-mail address as your password."), code=field)
    if is_common(password):
        raise Invalid(
            _l("This password is among the most common ones and easy to guess: choose another."),
            code=field,
        )
