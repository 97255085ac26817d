from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from suggestion.auth.models import ROLE_LABELS
from suggestion.auth.passwords import MAX_PASSWORD_LENGTH
from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import int_or_zero
from suggestion.core.forms import LocalDateField
from suggestion.core.forms import LocalDateTimeField
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import sensible_date
from suggestion.core.forms import strip_text
from suggestion.deadlines.policies import POLICY_BOUNDS


class UserForm(Form):
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip_text],
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=MAX_LENGTH),
            Email(_l("Please give a valid e-mail address."), check_deliverability=False),
        ],
    )
    role = SelectField(
        _l("Role"), choices=choices([(r.value, label) for r, label in ROLE_LABELS.items()])
    )
    division_id = SelectField(_l("Division"), coerce=int_or_zero, validate_choice=False)
    is_active = BooleanField(_l("Active"), default=True)
    # The rule for passwords (length, common ones) is the service's, the same
    # for the command line: suggestion.auth.passwords.
    password = PasswordField(
        _l("Password"), validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH, message=MAX_LENGTH)]
    )


class ReplyTemplateForm(Form):
    title_th = StringField(
        _l("Title (Thai)"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )
    title_en = StringField(
        _l("Title (English)"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )
    body_th = TextAreaField(
        _l("Text (Thai)"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=10_000, message=MAX_LENGTH)],
    )
    body_en = TextAreaField(
        _l("Text (English)"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=10_000, message=MAX_LENGTH)],
    )
    is_active = BooleanField(_l("In use"), default=True)


class HolidayForm(Form):
    day = LocalDateField(
        _l("Date"), validators=[InputRequired(_l("Give the date of the holiday.")), sensible_date]
    )
    name = StringField(
        _l("Name of the holiday"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )


def _working_days(label: Any, name: str) -> IntegerField:
    low, high = POLICY_BOUNDS[name]
    return IntegerField(
        label,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=low, max=high, message=_l("Give a number from %(min)d to %(max)d.")),
        ],
    )


class PolicyForm(Form):
    """The working-day terms of one policy (DESIGN §1.4), within the bounds the
    service holds them to."""

    ack_days = _working_days(_l("Acknowledge within (working days)"), "ack_days")
    info_request_days = _working_days(_l("Ask for missing information within"), "info_request_days")
    outcome_days = _working_days(_l("Report the outcome within"), "outcome_days")
    progress_interval_days = _working_days(_l("Progress update every"), "progress_interval_days")
    remind_before_days = _working_days(
        _l("Remind the assignee this many days before"), "remind_before_days"
    )
    escalate_after_days = _working_days(
        _l("Escalate this many days after the deadline"), "escalate_after_days"
    )
    category_id = SelectField(
        _l("For the category (empty: the kind's policy)"), coerce=int_or_zero, validate_choice=False
    )


AUDIT_TRAILS = {
    "changes": _l("Administrative changes"),
    "personal": _l("Access to personal data"),
}


class AuditFilterForm(Form):
    """``/admin/audit``'s filters, read from the URL: which trail, whose acts,
    which days (the agency's), and for the access log, which case."""

    class Meta:
        csrf = False

    trail = SelectField(_l("Trail"), choices=choices(AUDIT_TRAILS.items()), default="changes")
    case = StringField(
        _l("Tracking code"),
        filters=[strip_text],
        validators=[Optional(), Length(max=40, message=MAX_LENGTH)],
    )
    staff = SelectField(_l("Staff member"), coerce=int_or_zero, validate_choice=False)
    since = LocalDateField(_l("From"), validators=[Optional(), sensible_date])
    until = LocalDateField(_l("Until"), validators=[Optional(), sensible_date])


EARLIEST_DAY = date(2000, 1, 1)


def since_2000(_form: Any, field: Any) -> None:
    """A moment from 2000 on: a year such as 1 overflows once converted
    between zones. (One in the future the service refuses with its own
    message: suggestion.sla.breaches.)"""
    if field.data is not None and field.data.date() < EARLIEST_DAY:
        raise ValidationError(_l("Give a moment from 1 January 2000 on."))


class BreachForm(Form):
    """A personal-data breach as an administrator records it."""

    discovered_at = LocalDateTimeField(
        _l("Discovered at"), validators=[InputRequired(REQUIRED), since_2000]
    )
    description = TextAreaField(
        _l("What happened"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=10_000, message=MAX_LENGTH)],
    )
    cases = TextAreaField(
        _l("Cases affected (tracking codes)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=5_000, message=MAX_LENGTH)],
    )
    affected_count = IntegerField(
        _l("Number of people affected"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=100_000_000, message=_l("Give a number of 0 or more.")),
        ],
    )


class BreachNoticeForm(Form):
    notified_at = LocalDateTimeField(
        _l("Notified at"), validators=[InputRequired(REQUIRED), since_2000]
    )
