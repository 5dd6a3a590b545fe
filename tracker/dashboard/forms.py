"""The agenda's filters, read from the query string: its days and whose agenda it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from wtforms import Form, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice as C

from tracker.core.limits import AGENDA_DAYS
from tracker.web.pages import DayField

EVERY_LAWYER = "all"


class AgendaFilters(Form):
    """`from`, `to` (inclusive, at most AGENDA_DAYS days) and `lawyer` (an id, or "all").

    A refused value is shown next to its field and the agenda drawn without it.
    """

    to = DayField("To", render_kw={"type": "date", "placeholder": "YYYY-MM-DD"})
    lawyer = SelectField("Lawyer", default="")

    def __init__(self, formdata, lawyers: Sequence[sa.Row], *, everyone: bool):
        super().__init__(formdata)
        picks = [C(EVERY_LAWYER, "All lawyers")] if everyone else []
        self.lawyer.choices = picks + [C(str(row.id), row.name or row.email) for row in lawyers]
        self.lawyer.validate_choice = bool(self.lawyer.data)

    def validate_to(self, field: DayField) -> None:
        first = self["from"].data
        if field.data is None or first is None:
            return
        if field.data < first:
            raise ValidationError(
                f"to: {field.data.isoformat()} is before from ({first.isoformat()})."
            )
        if (field.data - first).days >= AGENDA_DAYS:
            raise ValidationError(f"to: an agenda covers at most {AGENDA_DAYS} days.")

    def value(self, name: str):
        field = self[name]
        return None if field.errors or field.data in (None, "") else field.data

    def span(self, today: dt.date, week: int) -> tuple[dt.date, dt.date]:
        """The days asked: from `from` (today) for a week, or to `to`."""
        first, last = self.value("from"), self.value("to")
        if first is None:
            first = min(today, last) if last is not None else today
        if last is None or (last - first).days >= AGENDA_DAYS or last < first:
            last = first + dt.timedelta(days=week - 1)
        return first, last


setattr(  # `from` is a Python keyword
    AgendaFilters, "from", DayField("From", render_kw={"type": "date", "placeholder": "YYYY-MM-DD"})
)
