"""Forms of the matter and proceeding pages: search, add and edit.

Each form that writes builds its command (`matters.schemas`) in one method: the command
checks the values, and the form's required and length checks are read from it.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.core import errors, limits
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus
from tracker.matters.schemas import (
    EventChanges,
    EventWithdrawal,
    MatterChanges,
    NewEvent,
    NewMatter,
    NewProceeding,
    ProceedingChanges,
)
from tracker.web.display import words
from tracker.web.pages import CommandForm, checks

#: the form of a partial date; the command says whether it is a real one in the range
PARTIAL_DATE = Regexp(
    r"^\d{4}(-\d{2}(-\d{2})?)?$", message="Write YYYY-MM-DD, or YYYY-MM or YYYY when less is known."
)

#: offered in the event form's list; any other word is accepted
COMMON_EVENT_KINDS = (
    "request_received",
    "arrest",
    "search",
    "charged",
    "filing",
    "appeal_filed",
    "complaint_filed",
    "decision",
    "judgment",
    "dismissal",
    "decision_served",
    "listed",
)


def _choices(members, blank: str | None = None) -> list[SelectChoice]:
    found = [SelectChoice(member.value, words(member.value)) for member in members]
    return [SelectChoice("", blank), *found] if blank is not None else found


class SearchForm(FlaskForm):
    """The filters of the matters list (GET: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Name", validators=[Optional(), Length(max=limits.SEARCH)])
    country = SelectField("Country", choices=[], default="")
    kind = SelectField("Kind", choices=_choices(ProceedingKind, "Any kind"), default="")
    status = SelectField(
        "Status",
        default="",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice("open", "Open"),
            SelectChoice("closed", "Closed"),
        ],
    )
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=1_000_000)])


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def stated_version(form: Any) -> int:
    """The version the edit form was shown at (a refusal beside the version field, which
    the page shows as a conflict, if it did not come back as a number)."""
    value = str(form.version.data or "").strip()
    if not (value.isascii() and value.isdigit()):
        raise errors.Invalid("the form has no version: reload the page", field="version")
    return int(value)


class MatterForm(CommandForm):
    title = StringField("Title", validators=checks(NewMatter, "title"))
    subject = StringField("Client", validators=checks(NewMatter, "subject"))
    summary = TextAreaField("Summary", validators=checks(NewMatter, "summary"))
    assignees = MultiCheckbox("Assigned to", choices=[], coerce=str)
    #: shown once a possible duplicate was found: open it anyway
    confirm_duplicate = BooleanField("Open a new matter anyway")

    def command(self) -> NewMatter:
        return NewMatter.parse(
            {
                "title": self.title.data or "",
                "subject": self.subject.data or None,
                "summary": self.summary.data or "",
                "assignees": self.assignees.data or [],
            }
        )


class MatterEditForm(CommandForm):
    version = HiddenField()
    title = StringField("Title", validators=checks(MatterChanges, "title"))
    summary = TextAreaField("Summary", validators=checks(MatterChanges, "summary"))
    assignees = MultiCheckbox("Assigned to", choices=[], coerce=str)

    def changes(self) -> MatterChanges:
        return MatterChanges.parse(
            {
                "version": stated_version(self),
                "title": self.title.data or "",
                "summary": self.summary.data or "",
                "assignees": self.assignees.data or [],
            }
        )


class ProceedingForm(CommandForm):
    title = StringField("Title", validators=checks(NewProceeding, "title"))
    jurisdiction = SelectField("Jurisdiction", choices=[], validators=[DataRequired()])
    authority = StringField(
        "Authority",
        validators=checks(NewProceeding, "authority"),
        render_kw={"list": "authorities"},
    )
    kind = SelectField("Kind", choices=_choices(ProceedingKind, ""), validators=[DataRequired()])
    reference = StringField("Case number", validators=checks(NewProceeding, "reference"))
    client_role = SelectField(
        "The client is", choices=_choices(ClientRole, ""), validators=[DataRequired()]
    )
    status = SelectField("Status", choices=_choices(ProceedingStatus), default="pending")
    opened_on = StringField(
        "Opened on",
        validators=[Optional(), PARTIAL_DATE],
        render_kw={"placeholder": "YYYY-MM-DD, YYYY-MM or YYYY", "inputmode": "numeric"},
    )
    closed_on = StringField(
        "Closed on",
        validators=[Optional(), PARTIAL_DATE],
        description="Required once the status is decided, closed or withdrawn.",
        render_kw={"placeholder": "YYYY-MM-DD, YYYY-MM or YYYY", "inputmode": "numeric"},
    )
    parent_id = SelectField("Appeal or stage of", choices=[], coerce=str, default="")
    origin_id = SelectField("Requested by / based on", choices=[], coerce=str, default="")
    origin_other = IntegerField(
        "…or proceeding no. in another matter",
        validators=[Optional(), NumberRange(min=1, max=limits.MAX_ID)],
    )

    def values(self) -> dict[str, Any]:
        """The proceeding's fields under the command's names."""
        return {
            "jurisdiction": self.jurisdiction.data or "",
            "authority": self.authority.data or None,
            "kind": self.kind.data,
            "title": self.title.data or "",
            "reference": self.reference.data or None,
            "client_role": self.client_role.data,
            "status": self.status.data,
            "opened_on": (self.opened_on.data or "").strip() or None,
            "closed_on": (self.closed_on.data or "").strip() or None,
            "parent_id": int(self.parent_id.data) if self.parent_id.data else None,
            "origin_id": self._origin(),
        }

    def _origin(self) -> int | None:
        """The origin chosen in the list, or given by number (not both)."""
        origin = int(self.origin_id.data) if self.origin_id.data else None
        if self.origin_other.data:
            if origin is not None:
                raise errors.Invalid(
                    "choose the origin in the list or give its number, not both",
                    field="origin_other",
                )
            origin = self.origin_other.data
        return origin

    def command(self, matter_id: int) -> NewProceeding:
        return NewProceeding.parse({"matter_id": matter_id, **self.values()})


class ProceedingEditForm(ProceedingForm):
    version = HiddenField()

    def changes(self) -> ProceedingChanges:
        return ProceedingChanges.parse({"version": stated_version(self), **self.values()})


class EventForm(CommandForm):
    kind = StringField(
        "What happened",
        validators=checks(NewEvent, "kind"),
        render_kw={"list": "event-kinds", "autocomplete": "off"},
    )
    occurred_on = StringField(
        "On",
        validators=[DataRequired(), PARTIAL_DATE],
        render_kw={"placeholder": "YYYY-MM-DD, YYYY-MM or YYYY", "inputmode": "numeric"},
    )
    summary = TextAreaField("Summary", validators=checks(NewEvent, "summary"))
    source = StringField("Source", validators=checks(NewEvent, "source"))

    def command(self) -> NewEvent:
        """The event; words typed with spaces ("Decision served") are one kind."""
        return NewEvent.parse(
            {
                "kind": "_".join((self.kind.data or "").lower().split()),
                "occurred_on": (self.occurred_on.data or "").strip(),
                "summary": self.summary.data or "",
                "source": self.source.data or None,
            }
        )


class EventEditForm(EventForm):
    """Correct an event: the fields of PATCH /events/{id}. A new date is saved once the
    page has shown the deadlines it moves (`confirm` holds the date that was previewed)."""

    version = HiddenField()
    precision = SelectField(
        "Known to the",
        default="",
        choices=[
            SelectChoice("", "as written"),
            *(SelectChoice(p, p) for p in ("day", "month", "year")),
        ],
    )
    confirm = HiddenField()

    def changes(self) -> EventChanges:
        values: dict[str, Any] = {
            "version": stated_version(self),
            "kind": "_".join((self.kind.data or "").lower().split()),
            "occurred_on": (self.occurred_on.data or "").strip(),
            "summary": self.summary.data or "",
            "source": self.source.data or None,
        }
        if self.precision.data:
            values["precision"] = self.precision.data
            if values["occurred_on"] == self.occurred_on.object_data:
                del values["occurred_on"]  # the stored date, known less precisely
        return EventChanges.parse(values)

    @property
    def confirmed(self) -> bool:
        """The date sent is the one whose moves the page showed."""
        return bool(self.confirm.data) and self.confirm.data == self.preview_key

    @property
    def preview_key(self) -> str:
        return f"{(self.occurred_on.data or '').strip()}/{self.precision.data or ''}"


class EventWithdrawForm(CommandForm):
    version = HiddenField()
    reason = TextAreaField("Why", validators=checks(EventWithdrawal, "reason"))

    def command(self) -> EventWithdrawal:
        return EventWithdrawal.parse(
            {"version": stated_version(self), "reason": self.reason.data or ""}
        )
