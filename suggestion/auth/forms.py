from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from suggestion.core.forms import Form
from suggestion.core.forms import REQUIRED
from suggestion.core.forms import strip_text


class LoginForm(Form):
    email = EmailField(
        _l("E-mail"),
        filters=[strip_text],  # control characters (a NUL byte) never reach the database
        validators=[DataRequired(REQUIRED), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        _l("New password"),
        # The length and the common passwords are the service's rule
        # (suggestion.auth.passwords), the same for every way in.
        validators=[DataRequired(REQUIRED)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class SecondFactorForm(Form):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )


class EnrolForm(Form):
    secret = HiddenField(filters=[strip_text], validators=[Length(max=64)])
    code = StringField(
        _l("The 6-digit code the app shows"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )


class ConfirmCodeForm(Form):
    """A change to the second factor needs a current code (or a recovery code)."""

    action = HiddenField(filters=[strip_text], validators=[Length(max=20)])
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )
