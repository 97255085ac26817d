"""Secrets that must be kept somewhere readable go sealed: encrypted and
authenticated (Fernet, from the `cryptography` package) under a key derived
from DIGEST_KEY (or SECRET_KEY) and a purpose.

- The session cookie is signed, not encrypted: whoever holds it can read it.
  The receipt shows the filer their access key after the redirect that
  follows a filing, so the key waits in the session meanwhile, sealed, and
  for a day only (``SESSION``).
- An e-mail's text waits in the outbox (the database) until it is delivered,
  and a receipt's text holds the access key and the secret link. It is
  stored sealed, so that the database alone reads no key, not even in an
  e-mail that failed and waits for an administrator to send it again
  (``OUTBOX``); it is cleared once delivered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from flask import current_app

SESSION = "session-seal"
OUTBOX = "outbox-seal"
SEALED_FOR_SECONDS = {SESSION: 24 * 60 * 60, OUTBOX: None}


def _fernet(purpose: str) -> Fernet:
    secret = current_app.config.get("DIGEST_KEY") or current_app.config["SECRET_KEY"]
    return _fernet_for(secret, purpose)


@lru_cache(maxsize=8)
def _fernet_for(secret: str, purpose: str) -> Fernet:
    key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, purpose: str = SESSION) -> str:
    return _fernet(purpose).encrypt(value.encode()).decode()


def unseal(sealed: object, purpose: str = SESSION) -> str | None:
    """The value, or None if it is not one this site sealed for this purpose
    (and, in the session, in the last day)."""
    if not isinstance(sealed, str):
        return None
    try:
        token = sealed.encode()
        return _fernet(purpose).decrypt(token, ttl=SEALED_FOR_SECONDS[purpose]).decode()
    except (InvalidToken, ValueError):
        return None
