"""Sign-in and account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.core import limits
from tracker.core.dates import zone_names
from tracker.users.enums import TokenScope
from tracker.users.models import User
from tracker.users.schemas import NewToken, SettingsChanges
from tracker.web.pages import CommandForm, checks


class LoginForm(FlaskForm):
    """Not a command: signing in writes through `tracker.users.login`, which takes the
    address as typed (its buckets count attempts per address written)."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=limits.EMAIL)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(FlaskForm):
    """Not a command either: `login.change_password` checks the current password first."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        render_kw={"autocomplete": "new-password"},
    )


class SettingsForm(CommandForm):
    name = StringField("Name", validators=checks(SettingsChanges, "name"))
    timezone = SelectField("Time zone", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(zone) for zone in zone_names()]

    def command(self, user: User) -> SettingsChanges:
        """The page shows the account as it is now and keeps no version: the change is
        made over the user's current one."""
        return SettingsChanges.parse(
            {
                "version": user.version,
                "name": self.name.data or "",
                "timezone": self.timezone.data,
            }
        )


SCOPES = [
    SelectChoice(TokenScope.read_write.value, "Read and write"),
    SelectChoice(TokenScope.read.value, "Read only"),
]


class TokenForm(CommandForm):
    """A new API token of one's own: what it is for, what it may do, until when."""

    name = StringField("Name", validators=checks(NewToken, "name"))
    scope = SelectField("May", choices=SCOPES, default=TokenScope.read_write.value)
    expires_on = DateField("Last day it works", validators=[Optional()])

    def command(self) -> NewToken:
        return NewToken.parse(
            {
                "name": self.name.data or "",
                "scope": self.scope.data,
                "expires_on": self.expires_on.data,
            }
        )
