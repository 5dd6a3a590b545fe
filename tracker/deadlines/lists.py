"""The deadlines list (/deadlines): every open deadline, the earliest due first.

The dashboard shows the first rows; this is all of them, fifty a page, read in the
order of `ix_deadlines_open_due_on` (open; due_on, id) and only then joined to their
proceeding, matter and jurisdiction. Two statements a page, as the hearings list
(whose paging and CSV streaming it shares); `from`/`to` keep the deadlines due on those
days, inclusive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice as C

from tracker.core import spreadsheet
from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.hearings.lists import (
    Listing,
    ListPage,
    page_of,
    visible_proceedings,
    with_authority,
    with_context,
)
from tracker.web.pages import RangeFilters

#: "due this week": due within this many days from today, the overdue ones included
WEEK = dt.timedelta(days=7)

DUE_CHOICES = [
    C("all", "Any date"),
    C("overdue", "Overdue"),
    C("week", "Due within 7 days"),
]


class DeadlineFilters(RangeFilters):
    due = SelectField("Due", choices=DUE_CHOICES, default="all")


def deadlines(
    session: so.Session,
    actor: Actor,
    today: dt.date,
    *,
    due: str = "all",
    country: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    page: int = 1,
) -> ListPage:
    """One page of the open deadlines `actor` may see, the earliest due first."""
    found = listing(actor, today, due=due, country=country, first=first, last=last)
    return page_of(session, found, page)


def listing(
    actor: Actor,
    today: dt.date,
    *,
    due: str = "all",
    country: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Listing:
    """The deadlines list before paging (see `deadlines`)."""
    ids = sa.select(Deadline.id).where(
        Deadline.status == DeadlineStatus.open,
        *_due(due, today),
        *_between(first, last),
        visible_proceedings(actor, Deadline.proceeding_id, country),
    )
    shown = sa.select(
        Deadline.id,
        Deadline.title,
        Deadline.due_on,
        Deadline.rule_id.is_not(None).label("computed"),
        Deadline.owed_by,
        Deadline.status,
    )
    shown = with_authority(with_context(shown, Deadline.proceeding_id))
    return Listing(ids, shown, Deadline.id, (Deadline.due_on, Deadline.id))


def _between(first: dt.date | None, last: dt.date | None) -> list[sa.ColumnElement[bool]]:
    kept = [] if first is None else [Deadline.due_on >= first]
    return kept if last is None else [*kept, Deadline.due_on <= last]


def _due(due: str, today: dt.date) -> list[sa.ColumnElement[bool]]:
    """A week's list keeps the overdue ones: a deadline missed yesterday is still the
    most pressing."""
    if due == "overdue":
        return [Deadline.due_on < today]
    if due == "week":
        return [Deadline.due_on <= today + WEEK]
    return []


# --- as CSV -------------------------------------------------------------------------------

CSV_HEADER = (
    "due date",
    "deadline",
    "matter",
    "proceeding",
    "country",
    "authority",
    "reference",
    "owed by",
    "computed",
    "status",
)

#: who owes a deadline, in a lawyer's words
OWED_BY = {"client": "us (the client)", "authority": "the authority"}


def csv_lines(rows: Iterable[sa.Row]) -> Iterator[str]:
    return spreadsheet.lines(CSV_HEADER, (_csv_row(row) for row in rows))


def _csv_row(row: sa.Row) -> tuple[Any, ...]:
    return (
        row.due_on,
        row.title,
        row.matter_title,
        row.proceeding_title,
        row.jurisdiction_code,
        row.authority_name,
        row.reference,
        OWED_BY.get(row.owed_by.value, row.owed_by.value),
        row.computed,
        row.status.value,
    )
