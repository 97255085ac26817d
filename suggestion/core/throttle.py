"""Throttling of failed look-ups (Flask-Limiter; Redis in production)."""

from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response

# One budget of failed look-ups per address, shared by the tracking form, the
# secret link and the API.
LOOKUP_SCOPE = "case-lookup"


def failed_lookup(response: Response) -> bool:
    """Only look-ups that found nothing count against the limit."""
    return response.status_code == 404


def track_limit() -> str:
    return str(current_app.config["TRACK_FAILED_LOOKUP_LIMIT"])
