"""The filing form that the public page, the staff intake and the JSON API
share, so that the rules and their messages live in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import MultipleFileField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from suggestion.cases.attachments import AttachmentError
from suggestion.cases.attachments import check_file
from suggestion.cases.attachments import CheckedFile
from suggestion.cases.filing import Filing
from suggestion.cases.models import Category
from suggestion.cases.states import Channel
from suggestion.cases.states import Kind
from suggestion.core.extensions import db
from suggestion.core.forms import choices
from suggestion.core.forms import FALSE_VALUES
from suggestion.core.forms import Form
from suggestion.core.forms import IfGiven
from suggestion.core.forms import int_or_zero
from suggestion.core.forms import MAX_LENGTH
from suggestion.core.forms import none_if_blank
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import strip_text
from suggestion.core.forms import THAI_DIGITS

SUBJECT_MAX = 200
DESCRIPTION_MAX = 10_000


def categories_for(kind: Kind) -> list[Category]:
    rows = db.session.scalars(
        sa.select(Category).where(Category.is_active.is_(True)).order_by(Category.position)
    )
    return [c for c in rows if kind.value in c.kinds]


def check_attachments(field: MultipleFileField) -> list[CheckedFile]:
    """The files of an upload field, checked, or ValidationError naming each
    file refused and why."""
    files = [f for f in (field.data or []) if getattr(f, "filename", "")]
    limit = current_app.config["ATTACHMENT_MAX_COUNT"]
    if len(files) > limit:
        raise ValidationError(_l("You can attach at most %(n)d files.", n=limit))
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(check_file(upload.stream, upload.filename))
        except AttachmentError as error:
            errors.append(str(error.args[0]))
    if errors:
        raise ValidationError(" ".join(errors))
    return checked


class FilingForm(Form):
    """The form of DESIGN §1.2: who files, what about, the facts, the files."""

    # Checked by validate_category, with one message for every kind of bad value.
    category = SelectField(_l("Category"), coerce=int_or_zero, validate_choice=False)
    subject = StringField(
        _l("Subject"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=SUBJECT_MAX, message=MAX_LENGTH)],
    )
    description = TextAreaField(
        _l("The facts"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=DESCRIPTION_MAX, message=MAX_LENGTH)],
    )
    is_anonymous = BooleanField(
        _l("File without giving my name (anonymous)"), false_values=FALSE_VALUES
    )
    name = StringField(
        _l("Your full name"),
        filters=[none_if_blank],
        validators=[Length(max=200, message=MAX_LENGTH)],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[none_if_blank],
        validators=[
            IfGiven(),
            Length(max=254, message=MAX_LENGTH),
            Email(_l("Please give a valid e-mail address."), check_deliverability=False),
        ],
    )
    phone = StringField(
        _l("Telephone"),
        filters=[none_if_blank, lambda v: v.translate(THAI_DIGITS) if isinstance(v, str) else v],
        validators=[
            IfGiven(),
            Length(max=40, message=MAX_LENGTH),
            Regexp(
                r"^\+?[0-9][0-9 \-]{7,}(\s*(ต่อ|ext\.?|x)\s*[0-9]{1,6})?$",
                message=_l(
                    "Please give a telephone number of digits, such as 02 123 4567 or 081 234 5678 ext. 12."
                ),
            ),
        ],
    )
    address = TextAreaField(
        _l("Postal address"),
        filters=[none_if_blank],
        validators=[Length(max=500, message=MAX_LENGTH)],
    )
    attachments = MultipleFileField(_l("Attachments"))
    consent = BooleanField(
        _l("I have read the privacy notice"),
        false_values=FALSE_VALUES,
        validators=[DataRequired(_l("Please read the privacy notice and tick this box."))],
    )
    certify_true = BooleanField(
        _l("I certify that the facts I have given are true"),
        false_values=FALSE_VALUES,
        validators=[DataRequired(_l("Please confirm that the facts are true."))],
    )

    def __init__(self, kind: Kind, locale: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.locale = locale
        self.category_rows = {c.id: c for c in categories_for(kind)}
        self.category.choices = choices(
            [(0, _l("Choose a category"))]
            + [(c.id, c.name(locale)) for c in self.category_rows.values()]
        )
        self.checked_files: list[CheckedFile] = []

    def validate_category(self, field: SelectField) -> None:
        if field.data not in self.category_rows:
            raise ValidationError(_l("Please choose a category."))

    def validate_name(self, field: StringField) -> None:
        if not self.is_anonymous.data and not field.data:
            raise ValidationError(_l("Please give your name, or choose to file anonymously."))

    def validate_address(self, field: TextAreaField) -> None:
        # One way to reach the filer is enough; it is checked on the last of the three.
        if not self.is_anonymous.data and not (self.email.data or self.phone.data or field.data):
            raise ValidationError(
                _l("Please give at least one way to reach you: e-mail, telephone or address.")
            )

    def validate_attachments(self, field: MultipleFileField) -> None:
        self.checked_files = check_attachments(field)

    def category_id_of(self, code: str) -> int:
        """The id of the category with this code among the kind's, else 0."""
        return next((c.id for c in self.category_rows.values() if c.code == code), 0)

    @property
    def selected_category(self) -> Category | None:
        return self.category_rows.get(self.category.data)

    def to_filing(
        self, channel: Channel = Channel.WEB, received_at: datetime | None = None
    ) -> Filing:
        """The checked values as a filing; an anonymous filing keeps no contact."""
        anonymous = bool(self.is_anonymous.data)
        return Filing(
            kind=self.kind,
            category=self.selected_category,
            subject=self.subject.data,
            description=self.description.data,
            is_anonymous=anonymous,
            name=None if anonymous else self.name.data,
            email=None if anonymous else self.email.data,
            phone=None if anonymous else self.phone.data,
            address=None if anonymous else self.address.data,
            locale=self.locale,
            channel=channel,
            received_at=received_at,
            files=self.checked_files,
        )
