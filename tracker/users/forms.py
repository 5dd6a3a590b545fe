"""Sign-in and account forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

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
    # any value reaches the command, whose refusal of an unknown zone says why
    timezone = SelectField("Time zone", choices=[], validate_choice=False)
    discreet_mail = BooleanField("Discreet mail")
    #: the version of the account the page showed (absent on an older page: the current one)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, obj: User | None = None, **kwargs):
        if obj is not None:  # a setting, not a column: shown as the user's settings say
            kwargs.setdefault("discreet_mail", _discreet(obj))
        super().__init__(*args, obj=obj, **kwargs)
        self.timezone.choices = [SelectChoice(zone) for zone in zone_names()]

    def command(self, user: User) -> SettingsChanges:
        """Discreet mail is stored only when it changes, so a user who never chose keeps
        following the default of their role."""
        values = {
            "version": _version(self, user),
            "name": self.name.data or "",
            "timezone": self.timezone.data,
        }
        if self.discreet_mail.data != _discreet(user):
            values["preferences"] = {"discreet_mail": self.discreet_mail.data}
        return SettingsChanges.parse(values)


def _discreet(user: User) -> bool:
    return preferences.load(user.preferences, user.role).discreet_mail


def _version(form: SettingsForm | AlertsForm, user: User) -> int:
    return form.version.data if form.version.data is not None else user.version


class Offsets(StringField):
    """Days before, typed as "14, 7, 1": shown as typed, read as a list of whole numbers
    (what the command checks: the range, the count)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(day) for day in self.data or ())

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.raw_data = valuelist
        parts = [part for part in str(valuelist[0]).replace(",", " ").split() if part]
        if not all(part.isdigit() for part in parts):
            self.data = None
            raise ValueError("write whole numbers of days, separated by commas (e.g. 7, 3, 1)")
        self.data = [int(part) for part in parts]


def _setting(name: str):
    """A validator that checks one setting as the command does (`preferences.check`)."""

    def check(_form: FlaskForm, field: Any) -> None:
        if field.data is None:
            return  # already refused by the field itself
        try:
            preferences.check({name: field.data})
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return check


HOURS = [SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)]


class AlertsForm(CommandForm):
    """Which mail one gets and when: what `PATCH /api/v1/me` sets as `preferences`.

    Only the settings that differ from what the user has now are sent, so a setting
    left as it was keeps following its default."""

    hearing_reminders = BooleanField("Reminders before hearings")
    hearing_offsets = Offsets("Days before a hearing", validators=[_setting("hearing_offsets")])
    deadline_reminders = BooleanField("Reminders before deadlines")
    deadline_offsets = Offsets("Days before a deadline", validators=[_setting("deadline_offsets")])
    digest = BooleanField("Daily digest of delay flags")
    digest_hour = SelectField(
        "Digest sent at",
        choices=HOURS,
        coerce=int,
        validate_choice=False,  # the command's check says what is wrong
        validators=[_setting("digest_hour")],
    )
    outcome_prompts = BooleanField("Ask me to record hearing outcomes")
    #: the version of the account the page showed: a change made since is not overwritten
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, obj: User | None = None, **kwargs):
        if obj is not None:  # settings, not columns: shown as the user's settings say
            for name, value in _alerts(obj).items():
                kwargs.setdefault(name, value)
            kwargs.setdefault("version", obj.version)
        super().__init__(*args, **kwargs)

    def command(self, user: User) -> SettingsChanges:
        now = _alerts(user)
        changed = {
            name: self[name].data
            for name in ALERTS
            if self[name].data != now[name] and self[name].data is not None
        }
        values: dict[str, Any] = {"version": _version(self, user)}
        if changed:
            values["preferences"] = changed
        return SettingsChanges.parse(values)


#: the settings of AlertsForm (discreet mail is with the name and zone)
ALERTS = (
    "hearing_reminders",
    "hearing_offsets",
    "deadline_reminders",
    "deadline_offsets",
    "digest",
    "digest_hour",
    "outcome_prompts",
)


def _alerts(user: User) -> dict[str, Any]:
    shown = preferences.load(user.preferences, user.role).as_json()
    return {name: shown[name] for name in ALERTS}


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
