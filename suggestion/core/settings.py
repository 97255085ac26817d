"""Settings every layer reads, each in one place: the agency's time zone,
today's date there, and the public address that links in e-mails start from."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import current_app

from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.core.time import zone


def agency_zone() -> ZoneInfo:
    """The agency's time zone (``AGENCY_TIMEZONE``, Asia/Bangkok by default)."""
    return zone(current_app.config["AGENCY_TIMEZONE"])


def agency_today() -> date:
    """Today's date in the agency's zone."""
    return local_date(utcnow(), agency_zone())


def public_url(path: str, **query: object) -> str:
    """An absolute link for e-mails, from ``PUBLIC_BASE_URL``: filings and
    alerts also come from the command line and the worker, where there is no
    request to build a URL from."""
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{urlencode(query)}" if query else url
