"""Hearing forms: schedule a hearing, record what happened at one."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from tracker.core import limits
from tracker.core.commands import WallTime
from tracker.core.dates import in_zone, zone_names
from tracker.hearings.lists import DAYS, MAX_DAYS
from tracker.hearings.models import Hearing, Postponement
from tracker.hearings.schemas import (
    HearingChanges,
    NewHearing,
    Outcome,
    Postpone,
    PostponementChanges,
    Withdrawal,
)
from tracker.web.pages import CommandForm, RangeFilters, checks

#: 09:30, or 02:30+01:00 for a wall time that occurs twice when the clocks go back
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d([+-]\d{2}:\d{2})?$")

TIME_HINT = (
    "24-hour clock, e.g. 09:30. Leave empty if only the day is known. For a time that "
    "occurs twice when the clocks go back, add the offset, e.g. 02:30+01:00."
)


def time_of_day(_form: CommandForm, field: StringField) -> None:
    if field.data and not _TIME.match(field.data.strip()):
        raise ValidationError("Write the time as HH:MM, e.g. 09:30.")


def local_time(day: dt.date, time: str | None) -> str:
    """The local wall time the operations read: "2026-12-01T09:30", or the day alone."""
    time = (time or "").strip()
    if not time:
        return day.isoformat()
    hours, rest = time.split(":", 1)
    return f"{day.isoformat()}T{int(hours):02d}:{rest}"


class _Zoned(CommandForm):
    def _zones(self, field: SelectField, default: str) -> None:
        field.choices = [SelectChoice(zone) for zone in zone_names()]
        if default not in zone_names():  # a zone set through the API, e.g. "Etc/GMT-3"
            field.choices.insert(0, SelectChoice(default))
        if not field.data:
            field.data = default


class HearingForm(_Zoned):
    title = StringField("Title", default="Hearing", validators=checks(NewHearing, "title"))
    day = DateField("Date", validators=[InputRequired(message="Give the day of the hearing.")])
    time = StringField(
        "Time",
        validators=[Optional(), time_of_day],
        render_kw={"placeholder": "HH:MM", "inputmode": "numeric", "size": 12},
    )
    timezone = SelectField("Time zone of the court")
    location = StringField("Location", validators=checks(NewHearing, "location"))

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._zones(self.timezone, zone)

    def field_for(self, name: str) -> str:
        if name == "starts_at":  # a time the zone skips is the time's fault, a bad day the day's
            return "time" if (self.time.data or "").strip() else "day"
        return name

    def command(self) -> NewHearing:
        time = (self.time.data or "").strip()
        return NewHearing.parse(
            {
                "title": self.title.data or "",
                "starts_at": WallTime(local_time(self.day.data, time)),
                "timezone": self.timezone.data,
                "time_known": bool(time),
                "location": self.location.data or "",
            }
        )


ACTIONS = [
    SelectChoice("held", "Held"),
    SelectChoice("postponed", "Postponed to a new date"),
    SelectChoice("sine_die", "Postponed sine die (no new date)"),
    SelectChoice("adjourned", "Adjourned"),
    SelectChoice("decided", "Decided"),
    SelectChoice("cancelled", "Cancelled"),
]

#: the actions that move the hearing (`postpone`); the others record an outcome
POSTPONING = frozenset({"postponed", "sine_die"})
#: the outcomes of a hearing that took place
TOOK_PLACE = frozenset({"held", "adjourned", "decided"})


def possible_actions(status: str, in_future: bool) -> list[SelectChoice]:
    """The choices the operations accept for a hearing in this state (the others are
    refused: a held or cancelled hearing is not postponed, one without a date or whose
    time has not come has no outcome yet, a hearing without a date loses none)."""
    ruled_out: set[str] = set()
    if status in ("held", "cancelled"):
        ruled_out |= POSTPONING
    if status == "postponed":
        ruled_out |= TOOK_PLACE | {"sine_die"}
    if in_future:
        ruled_out |= TOOK_PLACE
    return [choice for choice in ACTIONS if choice.value not in ruled_out]


class OutcomeForm(_Zoned):
    #: the hearing's version when the form was shown: a later change makes it stale
    version = HiddenField()
    action = RadioField(
        "What happened", choices=ACTIONS, validators=[InputRequired("Choose what happened.")]
    )
    new_date = DateField("New date", validators=[Optional()])
    new_time = StringField(
        "New time",
        validators=[Optional(), time_of_day],
        render_kw={"placeholder": "HH:MM", "size": 12},
    )
    zone = SelectField("Time zone of the new time")
    reason = TextAreaField("Reason", validators=checks(Postpone, "reason"))
    decided_on = DateField("Decided on", validators=[Optional()])
    summary = TextAreaField("Summary", validators=checks(Outcome, "summary"))

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._zones(self.zone, zone)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data == "postponed" and self.new_date.data is None:
            if not self.new_date.errors:
                self.new_date.errors.append("Give the date the hearing was moved to.")
            valid = False
        if self.action.data == "decided" and not (self.summary.data or "").strip():
            self.summary.errors.append("Say what was decided.")
            valid = False
        return valid

    def field_for(self, name: str) -> str:
        if name == "to":
            return "new_time" if (self.new_time.data or "").strip() else "new_date"
        return {"result": "action", "status": "action"}.get(name, name)

    def moved(self) -> bool:
        """Whether the choice moves the hearing (a postponement) rather than ends it."""
        return self.action.data in POSTPONING

    def postponement(self, hearing_zone: str) -> Postpone:
        """The postponement chosen; the new time is read on the form's clock (`zone`) and
        written on the hearing's, which `Postpone.to` is on."""
        to = None
        time = (self.new_time.data or "").strip()
        if self.action.data == "postponed":
            to = WallTime(local_time(self.new_date.data, time))
            if time and self.zone.data != hearing_zone:
                instant = to.instant(self.zone.data, "to")
                to = WallTime(in_zone(instant, hearing_zone).isoformat(timespec="minutes"))
        return Postpone.parse(
            {
                "version": self.stated_version(),
                "to": to,
                "reason": self.reason.data or "",
                "decided_on": self.decided_on.data,
                "time_known": bool(time) if to is not None else None,
            }
        )

    def outcome(self) -> Outcome:
        return Outcome.parse(
            {
                "version": self.stated_version(),
                "result": self.action.data,
                "summary": self.summary.data or "",
            }
        )

    def stated_version(self) -> int | None:
        """The version the form was shown at; None if it did not come back as a number."""
        value = (self.version.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else None


def stated_version(field: HiddenField) -> int | None:
    value = (field.data or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


class HearingCorrectionForm(HearingForm):
    """Correct a hearing's details: a mistyped time is corrected here, not postponed."""

    version = HiddenField()

    @classmethod
    def of(cls, hearing: Hearing) -> HearingCorrectionForm:
        start = hearing.local_start
        return cls(
            formdata=None,
            zone=hearing.timezone,
            version=str(hearing.version),
            title=hearing.title,
            day=start.date(),
            time=f"{start:%H:%M}" if hearing.time_known else "",
            location=hearing.location,
        )

    def stated_version(self) -> int | None:
        return stated_version(self.version)

    def changes(self) -> HearingChanges:
        time = (self.time.data or "").strip()
        return HearingChanges.parse(
            {
                "version": self.stated_version() or 0,
                "title": self.title.data or "",
                "starts_at": WallTime(local_time(self.day.data, time)),
                "timezone": self.timezone.data,
                "time_known": bool(time),
                "location": self.location.data or "",
            }
        )


class _Confirmed(CommandForm):
    """A correction of the ledger: shown first with what it will move, saved once confirmed."""

    #: the hearing's version when the form was shown
    version = HiddenField()
    #: "1" once the reader saw what the change moves
    confirmed = HiddenField()

    def stated_version(self) -> int | None:
        return stated_version(self.version)

    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"


class WithdrawalForm(_Confirmed):
    reason = TextAreaField("Why it is withdrawn", validators=checks(Withdrawal, "reason"))

    def command(self) -> Withdrawal:
        return Withdrawal.parse(
            {"version": self.stated_version() or 0, "reason": self.reason.data or ""}
        )


class PostponementCorrectionForm(_Confirmed):
    new_date = DateField("Moved to (date)", validators=[Optional()])
    new_time = StringField(
        "Time",
        validators=[Optional(), time_of_day],
        render_kw={"placeholder": "HH:MM", "size": 12},
    )
    sine_die = BooleanField("No new date (sine die)")
    reason = TextAreaField("Reason", validators=checks(Postpone, "reason"))
    decided_on = DateField("Decided on", validators=[Optional()])

    @classmethod
    def of(cls, move: Postponement, hearing: Hearing) -> PostponementCorrectionForm:
        to = in_zone(move.to_starts_at, hearing.timezone) if move.to_starts_at else None
        known = move.to_time_known if move.to_time_known is not None else hearing.time_known
        return cls(
            formdata=None,
            version=str(hearing.version),
            new_date=to.date() if to else None,
            new_time=f"{to:%H:%M}" if to and known else "",
            sine_die=to is None,
            reason=move.reason,
            decided_on=move.decided_on,
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.sine_die.data and self.new_date.data is None and not self.new_date.errors:
            self.new_date.errors.append("Give the date it was moved to, or tick sine die.")
            valid = False
        return valid

    def field_for(self, name: str) -> str:
        if name == "to":
            return "new_time" if (self.new_time.data or "").strip() else "new_date"
        return name

    def command(self) -> PostponementChanges:
        time = (self.new_time.data or "").strip()
        to = None if self.sine_die.data else WallTime(local_time(self.new_date.data, time))
        body = {
            "version": self.stated_version() or 0,
            "to": to,
            "reason": self.reason.data or "",
            "decided_on": self.decided_on.data,
        }
        if to is not None:
            body["time_known"] = bool(time)
        return PostponementChanges.parse(body)


SHOW_CHOICES = [
    SelectChoice("upcoming", "Coming hearings"),
    SelectChoice("awaiting", "Awaiting an outcome"),
    SelectChoice("all", "Any status"),
]


class InvitationForm(CommandForm):
    """A court's invitation or calendar (.ics) to import into a proceeding."""

    file = FileField(
        "Invitation or calendar (.ics)",
        validators=[FileRequired("Choose the .ics file the court sent.")],
        render_kw={"accept": ".ics,text/calendar"},
    )
    dry_run = BooleanField("Check only: say what it would do, save nothing")

    def upload(self) -> bytes:
        """The file's bytes; one more than the limit at most, for the reader to refuse."""
        return self.file.data.read(limits.INVITE_BYTES + 1)


class HearingFilters(RangeFilters):
    show = SelectField("Show", choices=SHOW_CHOICES, default="upcoming")
    days = IntegerField(
        "Days ahead",
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_DAYS, message=f"From 1 to {MAX_DAYS} days."),
        ],
        default=DAYS,
        render_kw={"min": 1, "max": MAX_DAYS, "inputmode": "numeric"},
    )
