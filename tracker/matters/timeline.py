"""A matter's chronology: every proceeding, hearing, postponement, event and deadline.

A handful of queries whatever the size of the dossier (one per kind of row), then a sort.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.dates import Precision, format_partial, in_zone
from tracker.deadlines.models import Deadline
from tracker.hearings.models import Hearing, Postponement
from tracker.matters.models import Event, Matter, Proceeding

#: at the same date, a proceeding opens before its facts are listed
ORDER = {"proceeding": 0, "event": 1, "postponement": 2, "hearing": 3, "deadline": 4}


@dataclass(frozen=True)
class Entry:
    type: str
    #: None for a proceeding whose opening date is unknown: listed first
    date: dt.date | None
    #: orders entries of one day: hearings by time
    at: dt.datetime | None
    row: Any
    #: how precisely `date` is known (a proceeding opened in "2016", an event in "2016-11")
    precision: Precision = Precision.day

    @property
    def label(self) -> str | None:
        """The date as precisely as it is known."""
        return format_partial(self.date, self.precision)


def entries(session: so.Session, matter: Matter) -> list[Entry]:
    proceedings = list(
        session.scalars(
            sa.select(Proceeding)
            .where(Proceeding.matter_id == matter.id)
            .options(so.joinedload(Proceeding.jurisdiction), so.joinedload(Proceeding.authority))
        )
    )
    ids = [p.id for p in proceedings]
    hearings = list(
        session.scalars(
            sa.select(Hearing)
            .where(Hearing.proceeding_id.in_(ids))
            .options(so.selectinload(Hearing.postponements))
        )
    )
    postponements = [p for hearing in hearings for p in hearing.postponements]
    events = session.scalars(sa.select(Event).where(Event.proceeding_id.in_(ids)))
    deadlines = session.scalars(
        sa.select(Deadline)
        .where(Deadline.proceeding_id.in_(ids))
        .options(so.joinedload(Deadline.rule))
    )
    found = [Entry("proceeding", p.opened_on, None, p, p.opened_precision) for p in proceedings]
    found += [Entry("hearing", h.local_start.date(), h.starts_at, h) for h in hearings]
    found += [Entry("postponement", _postponed_on(p), None, p) for p in postponements]
    found += [Entry("event", e.occurred_on, None, e, e.precision) for e in events]
    found += [Entry("deadline", d.due_on, None, d) for d in deadlines]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(
        found, key=lambda e: (e.date or dt.date.min, ORDER[e.type], e.at or epoch, e.row.id)
    )


def _postponed_on(postponement: Postponement) -> dt.date:
    """The day the postponement was decided, else the day the hearing was set for."""
    if postponement.decided_on:
        return postponement.decided_on
    return in_zone(postponement.from_starts_at, postponement.hearing.timezone).date()
