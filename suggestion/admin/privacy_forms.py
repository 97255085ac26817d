"""The forms of the register of data-subject requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import LocalDateField
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import sensible_date
from suggestion.core.forms import strip_text
from suggestion.privacy.models import IDENTITY_LABELS
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import RIGHT_LABELS

STRIP = [strip_text]


class RequestForm(Form):
    requester_name = StringField(
        _l("Name of the person who asked"),
        filters=STRIP,
        validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_LENGTH)],
    )
    requester_contact = StringField(
        _l("How to reach them (as given)"),
        filters=STRIP,
        validators=[Optional(), Length(max=300, message=MAX_LENGTH)],
    )
    received_on = LocalDateField(
        _l("Received on"),
        validators=[Optional(), sensible_date],
    )
    subject_right = SelectField(
        _l("Right"),
        choices=choices([(r.value, label) for r, label in RIGHT_LABELS.items()]),
        validators=[DataRequired(REQUIRED)],
    )
    identity_check = SelectField(
        _l("How their identity was verified"),
        choices=choices([(i.value, label) for i, label in IDENTITY_LABELS.items()]),
        validators=[DataRequired(REQUIRED)],
    )
    tracking_codes = StringField(
        _l("The cases it concerns (tracking codes)"),
        filters=STRIP,
        validators=[DataRequired(REQUIRED), Length(max=500, message=MAX_LENGTH)],
    )
    note = TextAreaField(
        _l("What they asked for"),
        filters=STRIP,
        validators=[Optional(), Length(max=5000, message=MAX_LENGTH)],
    )


class CloseForm(Form):
    status = SelectField(
        _l("Result"),
        choices=choices(
            [(RequestStatus.DONE.value, _l("Done")), (RequestStatus.REFUSED.value, _l("Refused"))]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    outcome = TextAreaField(
        _l("What was done, or the legal ground of the refusal"),
        filters=STRIP,
        validators=[DataRequired(REQUIRED), Length(max=5000, message=MAX_LENGTH)],
    )


class RectifyForm(Form):
    name = StringField(
        _l("Name"), filters=STRIP, validators=[Optional(), Length(max=200, message=MAX_LENGTH)]
    )
    email = StringField(
        _l("E-mail"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=254, message=MAX_LENGTH),
            Email(_l("Please give a valid e-mail address."), check_deliverability=False),
        ],
    )
    phone = StringField(
        _l("Telephone"), filters=STRIP, validators=[Optional(), Length(max=40, message=MAX_LENGTH)]
    )
    address = StringField(
        _l("Address"), filters=STRIP, validators=[Optional(), Length(max=500, message=MAX_LENGTH)]
    )


class ConfirmForm(Form):
    """A button that changes something: the CSRF token alone."""


class ContactDetailsForm(Form):
    """Open the filer's contact details of a case of the request; a
    corruption reporter's asks why (suggestion.cases.personal_data)."""

    reason = TextAreaField(
        _l("Why you need to see who reported this"),
        filters=STRIP,
        validators=[Optional(), Length(max=1000, message=MAX_LENGTH)],
    )
