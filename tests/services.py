"""Finding the services the tests need: PostgreSQL and Redis.

Outside CI a missing service skips the tests that need it, and the run says
plainly which and why. In CI (CI=true) nothing is skipped: a missing service
makes those tests fail.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from urllib.parse import urlsplit

DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/suggestion_test"
)
BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> str | None:
    """None if something listens at the URL's host and port, else why not."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"nothing answers at {host}:{port} ({error.strerror or error})"


@cache
def missing(service: str) -> str | None:
    """Why ``service`` ('postgres' or 'redis') cannot be used, or None."""
    if service == "postgres":
        why = _reachable(DATABASE_URL, 5432)
        return f"PostgreSQL: {why} (set TEST_DATABASE_URL)" if why else None
    if service == "redis":
        why = _reachable(BROKER_URL, 6379)
        return f"Redis: {why} (set TEST_BROKER_URL)" if why else None
    if service == "chromium":
        if os.access(CHROMIUM, os.X_OK):
            return None
        return (
            f"Chromium: no browser at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        )
    if service == "nginx":
        import shutil

        if shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK):
            return None
        return "nginx: not installed (apt-get install nginx)"
    raise ValueError(service)
