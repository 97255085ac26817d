"""The tracking, add-information and rating forms of the public pages (the
filing form is shared with the staff intake and the API: suggestion.cases.forms)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import MultipleFileField
from wtforms import RadioField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from suggestion.cases.attachments import CheckedFile
from suggestion.cases.filing import Filing
from suggestion.cases.forms import check_attachments
from suggestion.cases.forms import DESCRIPTION_MAX
from suggestion.cases.forms import FilingForm
from suggestion.cases.models import PrivacyNotice
from suggestion.cases.outcome_answers import REASON_MAX
from suggestion.cases.outcome_answers import REASON_REQUIRED
from suggestion.cases.privacy_notice import notice_for_filing
from suggestion.core.forms import choices
from suggestion.core.forms import Form
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import none_if_blank
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import strip_text


class WebFilingForm(FilingForm):
    """The public filing form: the shared one, carrying the version of the
    privacy notice it showed, so that the filing records the words the filer
    read even if a new version is published while they type. A value that
    names no version is not refused: the current version is recorded."""

    privacy_notice = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notice: PrivacyNotice | None = notice_for_filing(self.privacy_notice.data)
        self.privacy_notice.data = str(self.notice.version) if self.notice else ""

    def to_filing(self, *args: Any, **kwargs: Any) -> Filing:
        filing = super().to_filing(*args, **kwargs)
        filing.privacy_notice_version = self.notice.version if self.notice else None
        return filing


class TrackForm(Form):
    tracking_code = StringField(
        _l("Tracking code"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20, message=MAX_LENGTH)],
    )
    access_key = StringField(
        _l("Access key"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20, message=MAX_LENGTH)],
    )


class AddInformationForm(Form):
    text = TextAreaField(
        _l("Information to add"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=DESCRIPTION_MAX, message=MAX_LENGTH)],
    )
    attachments = MultipleFileField(_l("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_files: list[CheckedFile] = []

    def validate_attachments(self, field: MultipleFileField) -> None:
        self.checked_files = check_attachments(field)


class RatingForm(Form):
    score = RadioField(
        _l("How satisfied are you with how we handled your case?"),
        choices=choices(
            [
                ("5", _l("5 — very satisfied")),
                ("4", _l("4 — satisfied")),
                ("3", _l("3 — neither")),
                ("2", _l("2 — dissatisfied")),
                ("1", _l("1 — very dissatisfied")),
            ]
        ),
        validators=[DataRequired(_l("Please choose a rating."))],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us (optional)"),
        filters=[none_if_blank],
        validators=[Length(max=1000, message=MAX_LENGTH)],
    )


class SolvedForm(Form):
    """Was your problem solved? A separate question from the rating: "not
    yet" needs what is still wrong, and reopens the case."""

    solved = RadioField(
        _l("Was your problem solved?"),
        choices=choices([("yes", _l("Yes, it is solved")), ("no", _l("Not yet"))]),
        validators=[DataRequired(_l("Please choose yes or not yet."))],
    )
    unsolved_reason = TextAreaField(
        _l("If not yet: what is still not solved?"),
        filters=[none_if_blank],
        validators=[Length(max=REASON_MAX, message=MAX_LENGTH)],
    )

    def validate_unsolved_reason(self, field: TextAreaField) -> None:
        if self.solved.data == "no" and not field.data:
            raise ValidationError(REASON_REQUIRED)
