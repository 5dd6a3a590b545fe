"""Forms of the feeds page: make a feed, and (admins) revoke every feed of a user."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.api import MAX_ID
from tracker.calendar.models import FeedPrivacy, FeedScope

SCOPES = [
    SelectChoice(FeedScope.mine.value, "My matters"),
    SelectChoice(FeedScope.matter.value, "One matter"),
    SelectChoice(FeedScope.jurisdiction.value, "One jurisdiction"),
]

PRIVACIES = [
    SelectChoice(FeedPrivacy.full.value, "Full: titles, references, places and notes"),
    SelectChoice(FeedPrivacy.minimal.value, "Minimal: only “Hearing (BE)” and the time"),
]


def matter_id(value: object) -> int | None:
    """The chosen matter's id; '' is none; anything else not an id is refused."""
    if value in ("", None):
        return None
    number = int(str(value))
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"no matter {value}")
    return number


class FeedForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=200)])
    scope = SelectField("What it shows", choices=SCOPES, default=FeedScope.mine.value)
    # the operation decides which matters the owner may see: a lawyer's refusal names it
    matter_id = SelectField("Matter", coerce=matter_id, validate_choice=False)
    jurisdiction = SelectField("Jurisdiction", choices=[], default="")
    privacy = SelectField("Privacy", choices=PRIVACIES, default=FeedPrivacy.full.value)
    alarms = BooleanField("Reminders (alarms) before hearings and deadlines")

    def __init__(self, *args, matters=(), jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.matter_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(i), f"{t} (#{i})") for i, t in matters
        ]
        self.jurisdiction.choices = [SelectChoice("", "—")] + [
            SelectChoice(c, f"{c} — {n}") for c, n in jurisdictions
        ]

    def validate_matter_id(self, field) -> None:
        if self.scope.data == FeedScope.matter.value and field.data is None and not field.errors:
            raise ValidationError("Choose the matter this feed shows.")

    def validate_jurisdiction(self, field) -> None:
        if self.scope.data == FeedScope.jurisdiction.value and not field.data:
            raise ValidationError("Choose the jurisdiction this feed shows.")


class RevokeAllForm(FlaskForm):
    email = EmailField("Email of the user", validators=[DataRequired(), Length(max=200)])
