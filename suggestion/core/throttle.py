"""Throttling of failed look-ups: one budget per address, shared by the
tracking form, the secret link and the API, that only failures spend.

It is kept by Flask-Limiter's backend (the ``limits`` strategy and storage the
extension configures from ``RATELIMIT_STORAGE_URI``: Redis in production),
called directly rather than through a decorator: the look-up is the public's
busiest request, and the decorator's per-request machinery cost a fifth of it
(docs/performance.md). A throttled address is refused even with the right
key, so that a guesser cannot tell a right guess from a refused one.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse
from limits import RateLimitItem

from suggestion.extensions import limiter

LOOKUP_SCOPE = "case-lookup"


@lru_cache(maxsize=8)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


def _budget() -> RateLimitItem:
    return _limit(str(current_app.config["TRACK_FAILED_LOOKUP_LIMIT"]))


def lookup_allowed() -> bool:
    """False once this address has used up its failed look-ups."""
    return limiter.limiter.test(_budget(), get_remote_address(), LOOKUP_SCOPE)


def count_failed_lookup() -> None:
    limiter.limiter.hit(_budget(), get_remote_address(), LOOKUP_SCOPE)
