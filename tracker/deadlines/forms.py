"""Deadline forms: add one by hand or with a rule, mark it, override its date."""

from __future__ import annotations

from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from tracker.deadlines.enums import DeadlineStatus, Party
from tracker.deadlines.queries import RuleGroup
from tracker.deadlines.schemas import DeadlineChanges, NewDeadline
from tracker.matters.models import Event
from tracker.web.display import partial, words
from tracker.web.pages import CommandForm, checks


class HandForm(CommandForm):
    # The command takes a deadline without a title (a rule's gives it one); set by hand, it
    # needs one, which the form asks for in its own words.
    title = StringField("Title", validators=[DataRequired(), *checks(NewDeadline, "title")])
    due_on = DateField("Due on", validators=[InputRequired("Give the due date.")])
    explanation = TextAreaField("Why this date", validators=checks(NewDeadline, "explanation"))
    owed_by = SelectField(
        "Who must act",
        choices=[
            SelectChoice(Party.client.value, "our side"),
            SelectChoice(Party.authority.value, "the authority (a decision or reply we wait for)"),
        ],
        default=Party.client.value,
    )
    met_by = StringField("Met by (event kinds)")
    #: the date the user was warned about and chose to keep (YYYY-MM-DD)
    confirmed = HiddenField()

    def command(self) -> NewDeadline:
        return NewDeadline.parse(
            {
                "title": self.title.data or "",
                "due_on": self.due_on.data,
                "explanation": self.explanation.data or "",
                "owed_by": self.owed_by.data or Party.client.value,
                "met_by": met_by_kinds(self.met_by.data),
            }
        )


def met_by_kinds(text: str | None) -> list[str]:
    """The event kinds typed in one field, separated by commas or spaces."""
    return (text or "").replace(",", " ").split()


class RuleForm(CommandForm):
    #: the trigger event is picked in `trigger_event`; a date sent with a rule is the rule's fault
    renamed = {"trigger_event_id": "trigger_event", "due_on": "rule"}

    rule = SelectField("Rule", validators=[InputRequired("Choose a rule.")])
    trigger_event = SelectField(
        "Counted from", validators=[InputRequired("Choose the event the time limit runs from.")]
    )
    title = StringField("Title", validators=checks(NewDeadline, "title"))
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    def __init__(self, *args, groups: list[RuleGroup], events: list[Event], **kwargs):
        super().__init__(*args, **kwargs)
        self.rule.choices = [SelectChoice("", "Choose a rule…")] + [
            SelectChoice(
                rule.code,
                f"{rule.code} — {rule.title} (from a {words(rule.trigger_kind).lower()})",
                optgroup=group.jurisdiction + (" (this proceeding)" if group.own else ""),
            )
            for group in groups
            for rule in group.rules
        ]
        self.trigger_event.choices = [SelectChoice("", "Choose an event…")] + [
            _event_choice(event) for event in events
        ]

    def event_id(self) -> int:
        return int(self.trigger_event.data)

    def command(self) -> NewDeadline:
        return NewDeadline.parse(
            {
                "rule": self.rule.data,
                "trigger_event_id": self.event_id(),
                "title": self.title.data or "",
            }
        )


def _event_choice(event: Event) -> SelectChoice:
    label = f"{partial(event.occurred_on, event.precision)} — {words(event.kind)}"
    if event.summary:
        label += f": {event.summary[:80]}"
    if event.precision != "day":
        # a time limit needs the day; the operations refuse it, the picker says why first
        return SelectChoice(
            str(event.id), f"{label} (known only to the {event.precision})", {"disabled": True}
        )
    return SelectChoice(str(event.id), label)


class _Change(CommandForm):
    """A change of one deadline, made from the version the page showed."""

    version = HiddenField()

    def stated_version(self) -> int | None:
        """The version the form was shown at; None if it did not come back as a number."""
        value = (self.version.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else None


class StatusForm(_Change):
    """Mark done, waive or reopen: one button per status, each sending its value."""

    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value) for status in DeadlineStatus],
        validators=[InputRequired()],
    )

    def command(self) -> DeadlineChanges:
        return DeadlineChanges.parse({"version": self.stated_version(), "status": self.status.data})


class DueForm(_Change):
    """Override the due date by hand."""

    due_on = DateField("Due on", validators=[InputRequired("Give the due date.")])
    #: the date the user was warned about and chose to keep (YYYY-MM-DD)
    confirmed = HiddenField()

    def command(self) -> DeadlineChanges:
        return DeadlineChanges.parse({"version": self.stated_version(), "due_on": self.due_on.data})
