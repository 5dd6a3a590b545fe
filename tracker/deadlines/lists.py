"""The deadlines list (/deadlines): every open deadline, the earliest due first.

The dashboard shows the first rows; this is all of them, fifty a page, read in the
order of `ix_deadlines_open_due_on` (open; due_on, id) and only then joined to their
proceeding, matter and jurisdiction. Two statements a page, as the hearings list
(whose paging it shares).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice as C

from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.hearings.lists import (
    ListPage,
    fetch_page,
    visible_proceedings,
    with_context,
)
from tracker.web.pages import ListFilters

#: "due this week": due within this many days from today, the overdue ones included
WEEK = dt.timedelta(days=7)

DUE_CHOICES = [
    C("all", "Any date"),
    C("overdue", "Overdue"),
    C("week", "Due within 7 days"),
]


class DeadlineFilters(ListFilters):
    due = SelectField("Due", choices=DUE_CHOICES, default="all")


def deadlines(
    session: so.Session,
    actor: Actor,
    today: dt.date,
    *,
    due: str = "all",
    country: str | None = None,
    page: int = 1,
) -> ListPage:
    """One page of the open deadlines `actor` may see, the earliest due first."""
    ids = sa.select(Deadline.id).where(
        Deadline.status == DeadlineStatus.open,
        *_due(due, today),
        visible_proceedings(actor, Deadline.proceeding_id, country),
    )
    shown = sa.select(
        Deadline.id,
        Deadline.title,
        Deadline.due_on,
        Deadline.rule_id.is_not(None).label("computed"),
        Deadline.owed_by,
    )
    shown = with_context(shown, Deadline.proceeding_id)
    order = (Deadline.due_on, Deadline.id)
    return fetch_page(session, ids, shown, Deadline.id, order, page)


def _due(due: str, today: dt.date) -> list[sa.ColumnElement[bool]]:
    """A week's list keeps the overdue ones: a deadline missed yesterday is still the
    most pressing."""
    if due == "overdue":
        return [Deadline.due_on < today]
    if due == "week":
        return [Deadline.due_on <= today + WEEK]
    return []
