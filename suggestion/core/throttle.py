"""Throttling of failed look-ups: one budget per address, shared by the
tracking form, the secret link and the API, that only failures spend.

It is kept by Flask-Limiter's backend (the ``limits`` strategy and storage the
extension configures from ``RATELIMIT_STORAGE_URI``: Redis in production),
called directly rather than through a decorator: the look-up is the public's
busiest request, and the decorator's per-request machinery cost a fifth of it
(docs/performance.md). A throttled address is refused even with the right
key, so that a guesser cannot tell a right guess from a refused one.

``RATELIMIT_ENABLED = False`` turns it off, as it does Flask-Limiter's own
limits. If the storage cannot be reached, look-ups go on unthrottled and
each one logs a warning: the public keeps its service during a Redis outage,
and a guesser who is not slowed down for that while still faces keys of
about 2^49 values (docs/decisions.md).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse
from limits import RateLimitItem

from suggestion.core.extensions import limiter

log = logging.getLogger(__name__)

LOOKUP_SCOPE = "case-lookup"


@lru_cache(maxsize=8)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


def _budget() -> RateLimitItem:
    return _limit(str(current_app.config["TRACK_FAILED_LOOKUP_LIMIT"]))


def lookup_allowed() -> bool:
    """False once this address has used up its failed look-ups."""
    if not limiter.enabled:
        return True
    try:
        return limiter.limiter.test(_budget(), get_remote_address(), LOOKUP_SCOPE)
    except Exception:  # the storage is unreachable: see the module's note
        log.warning("look-up throttle storage unavailable; look-up not throttled")
        return True


def count_failed_lookup() -> None:
    if not limiter.enabled:
        return
    try:
        limiter.limiter.hit(_budget(), get_remote_address(), LOOKUP_SCOPE)
    except Exception:  # the storage is unreachable: see the module's note
        log.warning("look-up throttle storage unavailable; failure not counted")
