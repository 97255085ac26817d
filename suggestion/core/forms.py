"""What every form shares: filters, messages and choices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
