"""WTForms' own messages that our forms can show, listed so that the catalog
extraction finds them (Flask-WTF translates them through Flask-Babel)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

MESSAGES = (
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
)
