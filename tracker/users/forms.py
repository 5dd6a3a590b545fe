"""Sign-in and account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.core import limits
from tracker.core.dates import zone_names
from tracker.users import preferences
from tracker.users.enums import TokenScope
from tracker.users.models import User
from tracker.users.schemas import NewFactor, NewToken, SettingsChanges
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
        validators=[
            DataRequired(),
            Length(
                min=limits.PASSWORD_MIN,
                max=limits.PASSWORD,
                message=f"use at least {limits.PASSWORD_MIN} characters",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SettingsForm(CommandForm):
    name = StringField("Name", validators=checks(SettingsChanges, "name"))
    timezone = SelectField("Time zone", choices=[])
    discreet_mail = BooleanField("Discreet mail")

    def __init__(self, *args, obj: User | None = None, **kwargs):
        if obj is not None:  # a setting, not a column: shown as the user's settings say
            kwargs.setdefault("discreet_mail", _discreet(obj))
        super().__init__(*args, obj=obj, **kwargs)
        self.timezone.choices = [SelectChoice(zone) for zone in zone_names()]

    def command(self, user: User) -> SettingsChanges:
        """The page shows the account as it is now and keeps no version: the change is
        made over the user's current one. Discreet mail is stored only when it changes,
        so a user who never chose keeps following the default of their role."""
        values = {
            "version": user.version,
            "name": self.name.data or "",
            "timezone": self.timezone.data,
        }
        if self.discreet_mail.data != _discreet(user):
            values["preferences"] = {"discreet_mail": self.discreet_mail.data}
        return SettingsChanges.parse(values)


def _discreet(user: User) -> bool:
    return preferences.load(user.preferences, user.role).discreet_mail


# --- two factors --------------------------------------------------------------------------


class CodeForm(FlaskForm):
    """A code from an authenticator app, typed at sign-in."""

    code = StringField(
        "Code from your app",
        validators=[DataRequired(), Length(max=limits.ONE_TIME_CODE)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autofocus": True,
            "spellcheck": "false",
        },
    )


class RecoveryForm(FlaskForm):
    """A recovery code, typed at sign-in when the usual factor is not at hand."""

    code = StringField(
        "Recovery code",
        validators=[DataRequired(), Length(max=limits.ONE_TIME_CODE)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class KeyForm(FlaskForm):
    """A security key's answer (JSON), put in the form by static/webauthn.js."""

    credential = HiddenField(validators=[DataRequired(), Length(max=limits.KEY_ANSWER)])


class NewAppForm(CommandForm):
    """Add an authenticator app: its name, and a code it shows (proof that it was set up)."""

    name = StringField("Name", validators=checks(NewFactor, "name"), default="Authenticator app")
    code = StringField(
        "Code the app shows",
        validators=[DataRequired(), Length(max=limits.ONE_TIME_CODE)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )

    def command(self) -> NewFactor:
        return NewFactor.parse({"name": self.name.data or ""})


class NewKeyForm(CommandForm):
    """Add a security key or passkey: its name, and the key's answer (static/webauthn.js)."""

    name = StringField("Name", validators=checks(NewFactor, "name"), default="Security key")
    credential = HiddenField(validators=[Length(max=limits.KEY_ANSWER)])

    def command(self) -> NewFactor:
        return NewFactor.parse({"name": self.name.data or ""})


class ConfirmPasswordForm(FlaskForm):
    """The password again, for a change that weakens or renews the second step."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        render_kw={"autocomplete": "current-password"},
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
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )

    def command(self) -> NewToken:
        return NewToken.parse(
            {
                "name": self.name.data or "",
                "scope": self.scope.data,
                "expires_on": self.expires_on.data,
            }
        )
