"""Forms of the feeds page: make a feed, and (admins) revoke every feed of a user."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.calendar.enums import FeedPrivacy, FeedScope
from tracker.calendar.schemas import FeedsOf, NewFeed
from tracker.core import limits
from tracker.core.limits import MAX_ID
from tracker.web.pages import CommandForm, checks

SCOPES = [
    SelectChoice(FeedScope.mine.value, "My matters"),
    SelectChoice(FeedScope.matter.value, "One matter"),
    SelectChoice(FeedScope.jurisdiction.value, "One jurisdiction"),
]

PRIVACIES = [
    SelectChoice(FeedPrivacy.full.value, "Full: titles, references, places and notes"),
    SelectChoice(FeedPrivacy.minimal.value, "Minimal: only “Hearing (BE)” and the time"),
]


def matter_number(value: object) -> int | None:
    """The matter number typed ('123' or '#123'); None if it cannot be one."""
    text = str(value or "").strip().removeprefix("#").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _stripped(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) else text


class FeedForm(CommandForm):
    name = StringField("Name", validators=checks(NewFeed, "name"))
    scope = SelectField("What it shows", choices=SCOPES, default=FeedScope.mine.value)
    #: typed, not picked from a list: a coordinator sees thousands of matters. The form
    #: checks it is a number; the operation checks the owner may see it (a lawyer's
    #: refusal is the same as for an unknown matter), and the page shows that next to it.
    matter_id = StringField(
        "Matter number",
        filters=[_stripped],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    jurisdiction = SelectField("Jurisdiction", choices=[], default="")
    privacy = SelectField("Privacy", choices=PRIVACIES, default=FeedPrivacy.full.value)
    alarms = BooleanField("Reminders (alarms) before hearings and deadlines")

    #: the title of the matter in `matter_id`, once the page has checked the user may see it
    matter_title: str | None = None

    def __init__(self, *args, jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.jurisdiction.choices = [SelectChoice("", "—")] + [
            SelectChoice(c, f"{c} — {n}") for c, n in jurisdictions
        ]

    @property
    def matter_number(self) -> int | None:
        """The matter of a one-matter feed; None for the other scopes."""
        if self.scope.data != FeedScope.matter.value:
            return None
        return matter_number(self.matter_id.data)

    def validate_matter_id(self, field) -> None:
        if self.scope.data != FeedScope.matter.value:
            return  # typed, then another scope chosen: ignored
        text = (field.data or "").removeprefix("#").strip()
        if not text:
            raise ValidationError("Give the number of the matter this feed shows.")
        if not (text.isascii() and text.isdigit()):
            raise ValidationError("A matter's number is made of digits, like 123.")
        if self.matter_number is None:  # 0 or too large: no such matter (the operation's words)
            raise ValidationError(f"no matter {text}")

    def validate_jurisdiction(self, field) -> None:
        if self.scope.data == FeedScope.jurisdiction.value and not field.data:
            raise ValidationError("Choose the jurisdiction this feed shows.")

    def command(self) -> NewFeed:
        """The feed chosen; a matter or jurisdiction typed, then another scope chosen, is
        left out."""
        scope = self.scope.data
        return NewFeed.parse(
            {
                "scope": scope,
                "matter_id": self.matter_number,
                "jurisdiction": self.jurisdiction.data if scope == FeedScope.jurisdiction else None,
                "privacy": self.privacy.data,
                "alarms": bool(self.alarms.data),
                "name": self.name.data or "",
            }
        )


class RevokeAllForm(CommandForm):
    # the address is the command's to check (`Email`); its length the form says too
    email = EmailField("Email of the user", validators=[DataRequired(), Length(max=limits.EMAIL)])

    def command(self) -> FeedsOf:
        return FeedsOf.parse({"email": self.email.data or ""})
