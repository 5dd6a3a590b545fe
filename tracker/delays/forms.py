"""Forms of the flags page: the list's filters and the acknowledgement."""

from __future__ import annotations

from wtforms import Form, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.core.commands import text_limit
from tracker.delays import rules
from tracker.delays.schemas import Acknowledge
from tracker.web.display import words
from tracker.web.pages import CommandForm

ACKNOWLEDGED_CHOICES = [C("", "Either"), C("no", "Not yet"), C("yes", "Acknowledged")]


class FlagFilters(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    rule = SelectField("Rule", choices=[C("", "Any rule")], default="")
    country = SelectField("Country", choices=[C("", "Any country")], default="")
    acknowledged = SelectField("Acknowledged", choices=ACKNOWLEDGED_CHOICES, default="")
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, formdata, countries: list[tuple[str, str]]):
        super().__init__(formdata)
        self.rule.choices = [C("", "Any rule")] + [C(code, words(code)) for code in rules.CODES]
        self.country.choices = [C("", "Any country")] + [
            C(code, f"{code} · {name}") for code, name in countries
        ]

    def value(self, name: str) -> str | None:
        """A filter's value, or None when empty or refused."""
        field = self[name]
        return (field.data or None) if not field.errors else None

    @property
    def acknowledged_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.value("acknowledged") or "")

    @property
    def page_value(self) -> int:
        return self.page.data if self.page.data and not self.page.errors else 1


class AcknowledgeForm(CommandForm):
    note = TextAreaField(
        "Note",
        validators=[
            # the command's rule (a note, within its limit), in the page's own words
            DataRequired(message="Say what is being done about this delay."),
            Length(max=text_limit(Acknowledge, "note").max_length),
        ],
        render_kw={"rows": 3},
    )
    #: the flag's version when the page was shown: a scan or a colleague may change it since
    version = HiddenField()
    #: the list (with its filters) to go back to
    next = HiddenField()

    def version_value(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def command(self) -> Acknowledge:
        return Acknowledge.parse({"note": self.note.data or "", "version": self.version_value()})
