"""Deadline forms: add one by hand or with a rule, mark it, override its date."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.core import limits
from tracker.deadlines.models import DeadlineStatus
from tracker.deadlines.queries import RuleGroup
from tracker.matters.models import Event
from tracker.web.display import partial, words


class HandForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=limits.TITLE)])
    due_on = DateField("Due on", validators=[InputRequired("Give the due date.")])
    explanation = TextAreaField("Why this date", validators=[Length(max=limits.EXPLANATION)])


class RuleForm(FlaskForm):
    rule = SelectField("Rule", validators=[InputRequired("Choose a rule.")])
    trigger_event = SelectField(
        "Counted from", validators=[InputRequired("Choose the event the time limit runs from.")]
    )
    title = StringField("Title", validators=[Length(max=limits.TITLE)])
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


class StatusForm(FlaskForm):
    """Mark done, waive or reopen: one button per status, each sending its value."""

    version = HiddenField()
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value) for status in DeadlineStatus],
        validators=[InputRequired()],
    )


class DueForm(FlaskForm):
    """Override the due date by hand."""

    version = HiddenField()
    due_on = DateField("Due on", validators=[InputRequired("Give the due date.")])


def stated_version(form: StatusForm | DueForm) -> int | None:
    """The version the form was shown at; None if it did not come back as a number."""
    value = (form.version.data or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None
