"""Throttling. Failed look-ups: one budget per address, shared by the
tracking form, the secret link and the API, that only failures spend.
Filings and the open-data statistics: budgets per client (:func:`spend`).

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

import ipaddress
import logging
import math
import time
from functools import lru_cache

from flask import current_app
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from limits import parse
from limits import parse_many
from limits import RateLimitItem

from suggestion.core.errors import TooManyRequests
from suggestion.core.extensions import limiter

log = logging.getLogger(__name__)

LOOKUP_SCOPE = "case-lookup"
FILING_SCOPE = "filing"
STATS_SCOPE = "stats"


@lru_cache(maxsize=8)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


@lru_cache(maxsize=8)
def _limits(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


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


def client_key() -> str:
    """Who a budget belongs to: the client's address (behind PROXY_COUNT
    proxies, the one they saw), or for IPv6 its /64 — one household or phone
    is given a whole /64, and would otherwise have 2^64 budgets."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def spend(scope: str, limits_text: str) -> int | None:
    """Count one request of ``scope`` from this client against every limit in
    ``limits_text`` ("5 per minute;20 per hour"). None if it is within them;
    else how many seconds until it would be (the request must then be
    refused). The count is atomic in the store, so requests sent at once
    cannot all slip under the limit. If the store is unreachable the request
    goes on, as a look-up does (see the module's note)."""
    if not limiter.enabled:
        return None
    key = client_key()
    try:
        strategy = limiter.limiter
        over = [item for item in _limits(limits_text) if not strategy.hit(item, key, scope)]
        if not over:
            return None
        reset_at = max(strategy.get_window_stats(item, key, scope).reset_time for item in over)
    except Exception:  # the storage is unreachable: see the module's note
        log.warning("%s throttle storage unavailable; request not throttled", scope)
        return None
    return max(1, math.ceil(reset_at - time.time()))


def check_filing() -> None:
    """Count a filing from this client (web form and API together); refuse it
    with :class:`TooManyRequests` past ``FILING_LIMIT``. Called once the
    filing is known to be complete, before anything is written."""
    wait = spend(FILING_SCOPE, str(current_app.config["FILING_LIMIT"]))
    if wait is not None:
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            ngettext(
                "You have sent too many filings from your connection in a short time. "
                "This one was not recorded. Please send it again in %(num)d minute.",
                "You have sent too many filings from your connection in a short time. "
                "This one was not recorded. Please send it again in %(num)d minutes.",
                minutes,
            ),
            retry_after=wait,
        )


def check_stats() -> None:
    """Count a request for the open-data statistics; refuse it past ``STATS_LIMIT``."""
    wait = spend(STATS_SCOPE, str(current_app.config["STATS_LIMIT"]))
    if wait is not None:
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            ngettext(
                "Too many requests for the statistics from your connection. "
                "Please try again in %(num)d minute.",
                "Too many requests for the statistics from your connection. "
                "Please try again in %(num)d minutes.",
                minutes,
            ),
            retry_after=wait,
        )
