"""Answers worth keeping a while, in Flask-Caching (``CACHE_STORAGE_URI``:
Redis, shared by every process, or each process's memory).

An answer that depends on the cases is kept under the current *cases
version*: a counter that any committed change to a case moves on
(suggestion.cases.changes), so the next request computes the answer anew;
and in any case for no longer than its timeout, which also covers what the
version cannot see (a worker's change with a per-process cache, the clock
running past a deadline). A cache that cannot be reached costs only the work
it would have saved: the answer is computed, and a warning logged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from suggestion.core.extensions import cache

log = logging.getLogger(__name__)

T = TypeVar("T")

CASES_VERSION_KEY = "cases-version"


def cases_version() -> str:
    return str(cache.get(CASES_VERSION_KEY) or "0")


def cases_changed() -> None:
    """Move the cases version on: every answer kept under the old one is stale.
    The version is a random token, never a counter, so that it cannot come
    back to a value an old answer was kept under (a counter's key could
    expire or be evicted and start again from zero)."""
    try:
        cache.set(CASES_VERSION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:
        log.warning("cache unavailable; the cases version was not moved on")


def by_cases_version(key: str, compute: Callable[[], T], timeout: int) -> T:
    """The answer kept for ``key`` while no case has changed (at most
    ``timeout`` seconds), else ``compute()``, kept for the next request.
    A timeout of 0 keeps nothing (to the cache, 0 would mean for ever)."""
    if timeout <= 0:
        return compute()
    try:
        versioned = f"{key}:v{cases_version()}"
        kept = cache.get(versioned)
    except Exception:
        log.warning("cache unavailable; %s computed without it", key)
        return compute()
    if kept is not None:
        return kept
    answer = compute()
    try:
        cache.set(versioned, answer, timeout=timeout)
    except Exception:
        log.warning("cache unavailable; %s not kept", key)
    return answer
