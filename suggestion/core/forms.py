"""What every form shares: filters, messages and choices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

REQUIRED = _l("This field is required.")
MAX_LENGTH = _l("Please keep this under %(max)d characters.")

# C0 control characters other than tab and newlines: invisible, and refused by
# PostgreSQL (NUL), so they are dropped from everything typed.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


# Lone UTF-16 surrogates (possible in JSON) cannot be stored as UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Values of a check box that mean "not ticked", whatever a client sends.
FALSE_VALUES = ("false", "", "no", "off", "0", "n")


def strip_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _SURROGATES.sub("", value.translate(_CONTROL)).strip()


def none_if_blank(value: Any) -> Any:
    return strip_text(value) or None


class IfGiven:
    """WTForms' ``Optional()``, judged on the filtered value rather than on what
    was sent: a value of blanks and control characters, which the filters drop,
    is not given (``Optional()`` took it for given, and then for wrong)."""

    field_flags = {"optional": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None or field.data == "":
            field.errors[:] = []
            raise StopValidation()


def is_id(text: str) -> bool:
    """ASCII digits that fit an id: ``"²".isdigit()`` is true, but int() refuses it."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def int_or_zero(value: Any) -> int:
    """For select fields of ids: anything that is not a number becomes 0, which
    the form's own validator then refuses with its own message."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 <= number <= 2**31 - 1 else 0  # beyond any id


EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def sensible_date(_form: Any, field: Any) -> None:
    """Dates people mean: from 1900 to 2200 (further ones overflow the arithmetic)."""
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Give a date between the years 1900 and 2200."))


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class _CatalogTranslations:
    """WTForms' own messages ("Not a valid date value.") from our catalog:
    Flask-WTF would look them up in WTForms' catalogs, which have no Thai."""

    # The catalog's raw strings: WTForms fills in %(max)s, %(value)s itself
    # (Flask-Babel's own gettext and ngettext would interpolate, and fail).

    def gettext(self, string: str) -> str:
        return str(flask_babel.get_translations().gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(flask_babel.get_translations().ngettext(singular, plural, n))


class Form(FlaskForm):
    """The base of every form here: WTForms' messages in the page's language."""

    class Meta:
        def get_translations(self, form: Any) -> _CatalogTranslations:
            return _CatalogTranslations()


def with_id_prefix(form: FlaskForm, prefix: str) -> FlaskForm:
    """Give the form's fields ids of their own (``assign-division``) when a
    page holds several forms with fields of the same name: ids must be unique,
    or a label points at another form's control. Names, and so what is
    posted, stay the same."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form


# --- Dates as staff type them ------------------------------------------------------

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LOCAL_DAY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
BE_YEARS_FROM = 2400  # a year typed from here on is Buddhist Era (2400 B.E. = 1857 C.E.)


def date_hint() -> str:
    """How to type a date on this page: "วัน/เดือน/ปี เช่น 25/12/2569"."""
    return str(
        _l("day/month/year, for example %(example)s", example=local_date_text(date(2026, 12, 25)))
    )


def parse_local_date(text: str | None) -> date | None:
    """A date as people type it: ``25/12/2569`` (Buddhist Era, as Thai pages
    write it), ``25/12/2026``, or ``2026-12-25`` (as links carry it); Thai
    digits too. None if it is no such date."""
    raw = (text or "").strip().translate(THAI_DIGITS)
    if match := _ISO_DAY.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _LOCAL_DAY.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if year >= BE_YEARS_FROM:
            year -= 543
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def local_date_text(day: date | None) -> str:
    """A date as the page's language types it: ``25/12/2569`` in Thai (B.E.),
    ``25/12/2026`` in English."""
    if day is None:
        return ""
    thai = str(flask_babel.get_locale() or "th") == "th"
    return f"{day.day}/{day.month}/{day.year + 543 if thai else day.year}"


class LocalDateField(StringField):
    """A date in a plain text box, typed as the page's language writes it
    (:func:`parse_local_date`): a browser's date box shows mm/dd/yyyy in C.E.
    whatever the page's language (docs/decisions.md)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("placeholder", date_hint())
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        raw = str(valuelist[0]) if valuelist else ""
        if not raw.strip():
            return
        self.data = parse_local_date(raw)
        if self.data is None:
            raise ValueError(str(_l("Give the date as %(hint)s.", hint=date_hint())))

    def process_data(self, value: Any) -> None:
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return local_date_text(self.data)


_TIME = re.compile(r"^(.+?)[\sT]+(\d{1,2})[:.](\d{2})(?::\d{2})?$")


def date_time_hint() -> str:
    """How to type a moment on this page: "วัน/เดือน/ปี ชั่วโมง:นาที เช่น 25/12/2569 14:30"."""
    return str(
        _l(
            "day/month/year hour:minute, for example %(example)s",
            example=f"{local_date_text(date(2026, 12, 25))} 14:30",
        )
    )


class LocalDateTimeField(LocalDateField):
    """A moment in a plain text box, its date typed as the page's language
    writes it and then the time: ``25/12/2569 14:30`` (``2026-12-25T14:30``,
    as a browser's box sends it, too). A naive datetime, in the agency's zone."""

    data: datetime | None

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("placeholder", date_time_hint())
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        raw = str(valuelist[0]).strip().translate(THAI_DIGITS) if valuelist else ""
        if not raw:
            return
        match = _TIME.match(raw)
        day = parse_local_date(match.group(1)) if match else None
        if match is None or day is None or int(match.group(2)) > 23 or int(match.group(3)) > 59:
            raise ValueError(str(_l("Give the date and time as %(hint)s.", hint=date_time_hint())))
        self.data = datetime.combine(day, time(int(match.group(2)), int(match.group(3))))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{local_date_text(self.data.date())} {self.data:%H:%M}" if self.data else ""
