"""Warnings about a due date set by hand: later than its rule's date, or on a day the
court does not work (weekend, public holiday, judicial vacation of the jurisdiction).

Not refusals: a lawyer may know better (an extension granted, a court sitting in
August). The API saves and answers with the `warnings`; the web form shows them and
asks to confirm before saving.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.dates import written
from tracker.deadlines.enums import BlockingDays
from tracker.deadlines.models import Deadline
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Proceeding


def hand_set(
    session: so.Session,
    jurisdiction_id: int,
    due_on: dt.date,
    computed_due_on: dt.date | None = None,
) -> list[str]:
    """What is odd about `due_on`, in words; empty when nothing is."""
    found = []
    if computed_due_on is not None and due_on > computed_due_on:
        found.append(
            f"{written(due_on)} is later than the date its rule gives, {written(computed_due_on)}"
        )
    jurisdiction = session.scalars(
        sa.select(Jurisdiction)
        .where(Jurisdiction.id == jurisdiction_id)
        .options(so.selectinload(Jurisdiction.vacations))
    ).one()
    calendar = jurisdictions.calendar_of(jurisdiction)
    day_off = calendar.day_off(due_on, BlockingDays.weekends_and_holidays)
    if day_off:
        found.append(
            f"{written(due_on)} is a day the courts of {jurisdiction.name} do not work ({day_off})"
        )
    vacation = next((v for v in calendar.vacations if v.contains(due_on)), None)
    # a rule whose own date falls in the vacation runs through it (criminal appeals do)
    runs_through = computed_due_on is not None and vacation and vacation.contains(computed_due_on)
    if vacation is not None and not runs_through:
        found.append(
            f"{written(due_on)} falls in the judicial vacation of {jurisdiction.name}: "
            f"{vacation.describe(due_on.year)}"
        )
    return found


def for_deadline(session: so.Session, deadline: Deadline) -> list[str]:
    """The warnings about a deadline's date if it was set by hand (none for a computed one)."""
    if deadline.computed_due_on is not None and not deadline.overridden:
        return []
    jurisdiction_id = session.scalar(
        sa.select(Proceeding.jurisdiction_id).where(Proceeding.id == deadline.proceeding_id)
    )
    assert jurisdiction_id is not None  # a deadline's proceeding exists (foreign key)
    return hand_set(session, jurisdiction_id, deadline.due_on, deadline.computed_due_on)
