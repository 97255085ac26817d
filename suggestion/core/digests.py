"""Keyed digests (HMAC-SHA256) of short secrets and identifiers that must not
be stored as they came: recovery codes, access keys, a client's address.

A plain SHA-256 of a short secret can be enumerated from a stolen database
alone; under a key kept outside the database it cannot. The key is
``DIGEST_KEY``, or ``SECRET_KEY`` when that is not set (README,
"Configuration"); each purpose gets its own sub-key, so that a digest made for
one use never matches one made for another.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from flask import current_app


def keyed_digest(purpose: str, value: str) -> str:
    """64 hex characters; the same value and purpose give the same digest."""
    secret = current_app.config.get("DIGEST_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(_key(secret, purpose), value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=32)
def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
