"""Forms of the matter and proceeding pages: search, add and edit."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
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

from tracker.core import limits
from tracker.matters.models import ClientRole, ProceedingKind, ProceedingStatus
from tracker.web.display import words

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


class MatterForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=limits.TITLE)])
    subject = StringField("Client", validators=[Optional(), Length(max=limits.NAME)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=limits.SUMMARY)])
    assignees = MultiCheckbox("Assigned to", choices=[], coerce=str)


class MatterEditForm(FlaskForm):
    version = HiddenField()
    title = StringField("Title", validators=[DataRequired(), Length(max=limits.TITLE)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=limits.SUMMARY)])
    assignees = MultiCheckbox("Assigned to", choices=[], coerce=str)


class ProceedingForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=limits.TITLE)])
    jurisdiction = SelectField("Jurisdiction", choices=[], validators=[DataRequired()])
    authority = StringField(
        "Authority",
        validators=[Optional(), Length(max=limits.NAME)],
        render_kw={"list": "authorities"},
    )
    kind = SelectField("Kind", choices=_choices(ProceedingKind, ""), validators=[DataRequired()])
    reference = StringField("Case number", validators=[Optional(), Length(max=limits.REFERENCE)])
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
        validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$", message="Write YYYY-MM-DD.")],
        render_kw={"type": "date"},
    )
    parent_id = SelectField("Appeal or stage of", choices=[], coerce=str, default="")
    origin_id = SelectField("Requested by / based on", choices=[], coerce=str, default="")
    origin_other = IntegerField(
        "…or proceeding no. in another matter",
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )


class ProceedingEditForm(ProceedingForm):
    version = HiddenField()


class EventForm(FlaskForm):
    kind = StringField(
        "What happened",
        validators=[DataRequired(), Length(max=limits.KIND)],
        render_kw={"list": "event-kinds", "autocomplete": "off"},
    )
    occurred_on = StringField(
        "On",
        validators=[DataRequired(), PARTIAL_DATE],
        render_kw={"placeholder": "YYYY-MM-DD, YYYY-MM or YYYY", "inputmode": "numeric"},
    )
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=limits.SUMMARY)])
    source = StringField("Source", validators=[Optional(), Length(max=limits.SOURCE)])
