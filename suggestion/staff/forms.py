"""Forms of the staff desk. Every action form carries the case's version, so
that an action on a case someone else has just changed is refused."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from suggestion.cases.forms import FilingForm
from suggestion.cases.states import Channel
from suggestion.cases.states import CHANNEL_LABELS
from suggestion.cases.states import KIND_LABELS
from suggestion.cases.states import PRIORITY_LABELS
from suggestion.cases.states import REJECT_GROUND_LABELS
from suggestion.cases.states import STATUS_LABELS
from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import int_or_zero
from suggestion.core.forms import LocalDateField
from suggestion.core.forms import LocalDateTimeField
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import sensible_date
from suggestion.core.forms import strip_text

TEXT_MAX = 10_000
TOO_LONG = _l("Please keep this under %(max)d characters.")


def _text(label: Any, max_length: int = TEXT_MAX) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=max_length, message=TOO_LONG)],
    )


class ActionForm(Form):
    version = HiddenField(filters=[int_or_zero])


class MessageForm(ActionForm):
    message = _text(_l("Message"))


class ReclassifyForm(ActionForm):
    kind = SelectField(_l("Kind"), choices=choices([(k.value, v) for k, v in KIND_LABELS.items()]))
    category = SelectField(_l("Category"), coerce=int_or_zero, validate_choice=False)


class PriorityForm(ActionForm):
    priority = SelectField(
        _l("Priority"), choices=choices([(k.value, v) for k, v in PRIORITY_LABELS.items()])
    )


class AssignForm(ActionForm):
    division = SelectField(_l("Division"), coerce=int_or_zero, validate_choice=False)
    assignee = SelectField(_l("Officer"), coerce=int_or_zero, validate_choice=False)


class ForwardForm(ActionForm):
    agency = StringField(
        _l("Agency responsible"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    reason = _text(_l("Why it is theirs"))


class RejectForm(ActionForm):
    ground = SelectField(
        _l("Ground"), choices=choices([(k.value, v) for k, v in REJECT_GROUND_LABELS.items()])
    )
    explanation = _text(_l("Explanation for the filer"))


class MergeForm(ActionForm):
    target = StringField(
        _l("Tracking code of the case that goes on"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)],
    )


class ReasonForm(Form):
    reason = _text(_l("Why you need to open this report"), 1000)


class ContactDetailsForm(Form):
    """Open the filer's contact details; a corruption reporter's asks why
    (suggestion.cases.personal_data says when it is required)."""

    reason = TextAreaField(
        _l("Why you need to see who reported this"),
        filters=[strip_text],
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
    )


class BulkAssignForm(Form):
    division = SelectField(_l("Division"), coerce=int_or_zero, validate_choice=False)
    assignee = SelectField(_l("Officer"), coerce=int_or_zero, validate_choice=False)


class QueueFilterForm(Form):
    """The queue's filters, read from the URL so a view can be bookmarked."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("State"),
        choices=choices(
            [
                ("", _l("Open cases")),
                ("all", _l("All states")),
                ("counted", _l("All but merged duplicates")),
            ]
            + [(k.value, v) for k, v in STATUS_LABELS.items()]
        ),
        default="",
    )
    kind = SelectMultipleField(
        _l("Kinds"),
        choices=choices([(k.value, v) for k, v in KIND_LABELS.items()]),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    category = SelectField(_l("Category"), coerce=int_or_zero, validate_choice=False)
    division = SelectField(_l("Division"), coerce=int_or_zero, validate_choice=False)
    assignee = SelectField(
        _l("Assignee"),
        choices=choices(
            [("", _l("Anyone")), ("mine", _l("Mine")), ("unassigned", _l("Unassigned"))]
        ),
        default="",
    )
    channel = SelectField(
        _l("Channel"),
        choices=choices(
            [("", _l("All channels"))] + [(k.value, v) for k, v in CHANNEL_LABELS.items()]
        ),
        default="",
    )
    due_within = IntegerField(
        _l("Due within (working days)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=365, message=_l("Give a number from 0 to 365.")),
        ],
    )
    overdue = SelectField(
        _l("Overdue"), choices=choices([("", _l("Any")), ("1", _l("Overdue only"))]), default=""
    )
    received_from = LocalDateField(_l("Received from"), validators=[Optional(), sensible_date])
    received_to = LocalDateField(_l("Received until"), validators=[Optional(), sensible_date])
    resolved_from = LocalDateField(_l("Outcome from"), validators=[Optional(), sensible_date])
    resolved_to = LocalDateField(_l("Outcome until"), validators=[Optional(), sensible_date])
    on_time = SelectField(
        _l("Outcome by the deadline"),
        choices=choices([("", _l("Any")), ("yes", _l("On time")), ("no", _l("Late"))]),
        default="",
    )
    q = StringField(
        _l("Search"),
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message=TOO_LONG)],
    )

    def validate_received_to(self, field: LocalDateField) -> None:
        _not_before(self.received_from.data, field)

    def validate_resolved_to(self, field: LocalDateField) -> None:
        _not_before(self.resolved_from.data, field)


def _not_before(first: Any, field: LocalDateField) -> None:
    if first is not None and field.data is not None and field.data < first:
        raise ValidationError(_l("This date is before the first one."))


class IntakeForm(FilingForm):
    """A case that reached the agency by another channel, typed in by staff."""

    channel = SelectField(
        _l("Channel"),
        choices=choices(
            (c.value, CHANNEL_LABELS[c])
            for c in Channel
            if c not in {Channel.WEB, Channel.API, Channel.IMPORT}
        ),
    )
    received_at = LocalDateTimeField(
        _l("Received at"),
        validators=[InputRequired(_l("Give the date and time the case reached us."))],
    )

    def validate_received_at(self, field: LocalDateTimeField) -> None:
        if field.data is None:
            raise ValidationError(_l("Give the date and time the case reached us."))
