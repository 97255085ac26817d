"""Secrets that must ride in the session cookie go sealed.

Flask's session cookie is signed, not encrypted: whoever holds it can read
it. The receipt shows the filer their access key after the redirect that
follows a filing, so the key waits in the session meanwhile, encrypted and
authenticated (Fernet, from the `cryptography` package) under a key derived
from SECRET_KEY, and only for a day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from flask import current_app

SEALED_FOR_SECONDS = 24 * 60 * 60


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, b"session-seal", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def unseal(sealed: object) -> str | None:
    """The value, or None if it is not one this site sealed in the last day."""
    if not isinstance(sealed, str):
        return None
    try:
        return _fernet().decrypt(sealed.encode(), ttl=SEALED_FOR_SECONDS).decode()
    except (InvalidToken, ValueError):
        return None
