"""Two-factor log-in (DESIGN §5): a time-based one-time password (TOTP,
RFC 6238, as authenticator apps make it) and ten one-time recovery codes.

Required for administrators and integrity officers, open to every account.
The secret is shown once, as a QR code drawn here (no outside service), and
kept only once the person has typed a code it makes. A code's time step is
never accepted twice; recovery codes are stored as keyed digests and each
works once. Throttling and lock-out are the log-in's
(suggestion.auth.services).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import RecoveryCode
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.core.digests import keyed_digest
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

REQUIRED_FOR = frozenset({Role.ADMIN, Role.INTEGRITY, Role.PRIVACY})
ISSUER = "Suggestion"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code from the step before or after is accepted (a phone's clock)
RECOVERY_CODES = 10
# Ten characters from an alphabet without look-alikes: 50 bits each.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_LENGTH = 10
PURPOSE = "recovery-code"
WRONG_CODE = _l("The code is not right or has been used. Try the next one.")


def is_required(user: User) -> bool:
    return Role(user.role) in REQUIRED_FOR


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def must_enrol(user: User) -> bool:
    """The account may use nothing but the enrolment page until it has one."""
    return is_required(user) and not is_enabled(user)


# --- Enrolment -----------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret, its link for an app, and
    the same link drawn as a QR code (inline SVG)."""

    secret: str
    uri: str
    qr_svg: str


def new_enrolment(user: User, secret: str | None = None) -> Enrolment:
    secret = secret or pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, title=ISSUER)
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def is_secret(value: str) -> bool:
    """A base32 secret as :func:`new_enrolment` makes them (echoed by the form)."""
    return len(value) == 32 and all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in value)


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor log-in on with ``secret`` once ``code`` shows the app
    has it; returns the new recovery codes, to be shown once."""
    if not is_secret(secret):
        raise Invalid(_l("Start again: the page was out of date."), code="code")
    step = _matching_step(secret, code, after=None)
    if step is None:
        raise Invalid(WRONG_CODE, code="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def turn_off(user: User) -> None:
    """Forget the secret and the recovery codes (the account's own choice, or
    an administrator's reset); the account's sessions end."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_epoch += 1


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes; the ones before stop working."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(
        RecoveryCode(user_id=user.id, digest=keyed_digest(PURPOSE, code)) for code in codes
    )
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


# --- Checking a code -----------------------------------------------------------------


def check_code(user: User, code: str) -> bool:
    """Whether ``code`` is the account's current TOTP (not used before) or
    one of its unused recovery codes, which is then spent."""
    if not is_enabled(user):
        return False
    typed = "".join(code.split()).replace("-", "").upper()
    if typed.isdigit():
        assert user.totp_secret is not None
        step = _matching_step(user.totp_secret, typed, after=user.totp_last_step)
        if step is None:
            return False
        user.totp_last_step = step
        return True
    if len(typed) != RECOVERY_LENGTH:
        return False
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == keyed_digest(PURPOSE, typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return bool(spent.rowcount)  # type: ignore[attr-defined]


def _matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step whose code is ``code`` (within the allowed drift), if
    it comes after ``after``; compared in constant time."""
    typed = "".join(code.split())
    if not (typed.isascii() and typed.isdigit() and len(typed) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), typed):
            return step
    return None
