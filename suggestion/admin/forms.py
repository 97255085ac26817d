from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
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

from suggestion.auth.models import Role
from suggestion.auth.services import MIN_PASSWORD_LENGTH
from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import int_or_zero
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import sensible_date
from suggestion.core.forms import strip_text

ROLE_LABELS = {
    Role.OFFICER: _l("Officer"),
    Role.INTEGRITY: _l("Integrity officer"),
    Role.MANAGER: _l("Manager"),
    Role.ADMIN: _l("Administrator"),
}
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD_LENGTH,
    max=200,
    message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
)


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
    password = PasswordField(_l("Password"), validators=[Optional(), PASSWORD_LENGTH])


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
    day = DateField(
        _l("Date"), validators=[DataRequired(_l("Give the date of the holiday.")), sensible_date]
    )
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )


class PolicyForm(Form):
    """The working-day terms of one policy (DESIGN §1.4)."""

    ack_days = IntegerField(
        _l("Acknowledge within (working days)"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=60)],
    )
    info_request_days = IntegerField(
        _l("Ask for missing information within"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=60)],
    )
    outcome_days = IntegerField(
        _l("Report the outcome within"),
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=365)],
    )
    progress_interval_days = IntegerField(
        _l("Progress update every"),
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=365)],
    )
    remind_before_days = IntegerField(
        _l("Remind the assignee this many days before"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=60)],
    )
    escalate_after_days = IntegerField(
        _l("Escalate this many days after the deadline"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=60)],
    )
    category_id = SelectField(
        _l("For the category (empty: the kind's policy)"), coerce=int_or_zero, validate_choice=False
    )
