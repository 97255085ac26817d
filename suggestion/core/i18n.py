"""Thai by default, English one click away; the choice is kept in a cookie.

Jinja filters show dates in the page's language: Buddhist Era in Thai.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from flask import current_app
from flask import Flask
from flask import request
from flask_babel import get_locale

from suggestion.core import time as t
from suggestion.core.extensions import babel
from suggestion.core.forms import date_hint
from suggestion.core.settings import agency_today
from suggestion.core.settings import agency_zone

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request:
        chosen = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        if chosen and chosen in languages:
            return chosen
        if request.blueprint == "api":
            return str(request.accept_languages.best_match(languages) or "th")
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "th")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return t.format_date(value, current_language(), agency_zone())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return t.format_datetime(value, current_language(), agency_zone())


def format_month(value: date, short: bool = False) -> str:
    return t.format_month(value, current_language(), short=short)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.globals["date_hint"] = date_hint  # how to type a date, as staff do
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["example_tracking_code"] = example_tracking_code


def example_tracking_code() -> str:
    """A code of this fiscal year, for placeholders."""
    return f"{t.fiscal_year_of(agency_today())}-000123"
