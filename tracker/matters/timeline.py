"""A matter's chronology: every proceeding, hearing, postponement, event and deadline.

A handful of queries whatever the size of the dossier (one per kind of row), then a sort.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import labels
from tracker.core.dates import Precision, format_partial, in_zone
from tracker.deadlines.models import Deadline
from tracker.hearings.models import Hearing, Postponement
from tracker.matters import svg
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
    ours = {"matter_id": matter.id}
    of_proceedings, of_hearings, of_events, of_deadlines = _statements()
    proceedings = list(session.scalars(of_proceedings, ours))
    hearings = list(session.scalars(of_hearings, ours).unique())
    postponements = [p for hearing in hearings for p in hearing.moves]  # standing
    events = session.scalars(of_events, ours)
    deadlines = session.scalars(of_deadlines, ours)
    found = [Entry("proceeding", p.opened_on, None, p, p.opened_precision) for p in proceedings]
    found += [Entry("hearing", h.local_start.date(), h.starts_at, h) for h in hearings]
    found += [Entry("postponement", _postponed_on(p), None, p) for p in postponements]
    found += [Entry("event", e.occurred_on, None, e, e.precision) for e in events]
    found += [Entry("deadline", d.due_on, None, d) for d in deadlines]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(
        found, key=lambda e: (e.date or dt.date.min, ORDER[e.type], e.at or epoch, e.row.id)
    )


@functools.cache
def _statements() -> tuple[
    sa.Select[Proceeding], sa.Select[Hearing], sa.Select[Event], sa.Select[Deadline]
]:
    """The matter's proceedings, hearings (with their moves), events and deadlines: built
    once, the matter bound at each run (the same SQL text, so PostgreSQL keeps its plans)."""
    matter_id: sa.BindParameter[int] = sa.bindparam("matter_id")
    ours = sa.select(Proceeding.id).where(Proceeding.matter_id == matter_id).scalar_subquery()
    return (
        sa.select(Proceeding)
        .where(Proceeding.matter_id == matter_id)
        .options(so.joinedload(Proceeding.jurisdiction), so.joinedload(Proceeding.authority)),
        sa.select(Hearing)
        .where(Hearing.proceeding_id.in_(ours))
        .options(so.joinedload(Hearing.postponements)),
        sa.select(Event).where(Event.proceeding_id.in_(ours), Event.withdrawn_at.is_(None)),
        sa.select(Deadline)
        .where(Deadline.proceeding_id.in_(ours))
        .options(so.joinedload(Deadline.rule)),
    )


def _postponed_on(postponement: Postponement) -> dt.date:
    """The day the postponement was decided, else the day the hearing was set for."""
    if postponement.decided_on:
        return postponement.decided_on
    return in_zone(postponement.from_starts_at, postponement.hearing.timezone).date()


# --- the picture --------------------------------------------------------------------------

#: words of an event kind that make it a decision (drawn as one on the timeline)
DECISION_WORDS = frozenset(
    {
        "judgment",
        "judgement",
        "decision",
        "dismissal",
        "ruling",
        "verdict",
        "acquittal",
        "conviction",
        "annulment",
        "refusal",
    }
)


def is_decision(kind: str) -> bool:
    """judgment, extradition_decision, dismissal... (a word of the kind is a decision)."""
    return any(word in DECISION_WORDS for word in kind.split("_"))


def _words(code: str) -> str:
    return labels.words(code)


def picture(title: str, found: list[Entry], today: dt.date, *, ident: str = "timeline") -> str:
    """The SVG timeline of a matter's chronology (`entries`): lanes, bars, marks, links."""
    proceedings = sorted(
        (e.row for e in found if e.type == "proceeding"),
        key=lambda p: (p.opened_on or dt.date.max, p.id),
    )
    ids = {p.id for p in proceedings}
    lanes: dict[str, svg.Lane] = {}
    for proceeding in proceedings:
        code = proceeding.jurisdiction.code
        lanes.setdefault(code, svg.Lane(code, proceeding.jurisdiction.name))
    bars = [_bar(p) for p in proceedings]
    marks = [mark for entry in found for mark in _marks(entry)]
    links = [
        svg.Link(p.parent_id, p.id, "parent", f"{p.title}: appeal or stage of {p.parent_id}")
        for p in proceedings
        if p.parent_id in ids
    ] + [
        svg.Link(p.origin_id, p.id, "origin", f"{p.title}: requested by / based on {p.origin_id}")
        for p in proceedings
        if p.origin_id in ids
    ]
    return svg.render(
        title=f"Timeline of {title}",
        lanes=list(lanes.values()),
        bars=bars,
        marks=marks,
        links=links,
        today=today,
        ident=ident,
    )


def _bar(proceeding: Proceeding) -> svg.Bar:
    opened = format_partial(proceeding.opened_on, proceeding.opened_precision) or "unknown"
    closed = f", closed {proceeding.closed_on.isoformat()}" if proceeding.closed_on else ""
    return svg.Bar(
        id=proceeding.id,
        lane=proceeding.jurisdiction.code,
        label=proceeding.title,
        href=f"/proceedings/{proceeding.id}",
        start=proceeding.opened_on,
        precision=proceeding.opened_precision.value,
        end=proceeding.closed_on,
        open=proceeding.is_open,
        status=proceeding.status.value,
        tooltip=(
            f"{proceeding.title} · {_words(proceeding.kind.value)} · "
            f"{proceeding.status.value} · opened {opened}{closed}"
        ),
    )


def _marks(entry: Entry) -> list[Any]:
    row = entry.row
    if entry.type == "hearing":
        local = row.local_start
        when = local.strftime("%Y-%m-%d %H:%M" if row.time_known else "%Y-%m-%d")
        return [
            svg.Mark(
                "hearing",
                row.proceeding_id,
                local.date(),  # the entry's date
                f"{row.title}, {when} ({row.status.value})",
                f"/hearings/{row.id}",
                state=row.status.value,
            )
        ]
    if entry.type == "postponement":
        zone = row.hearing.timezone
        start = in_zone(row.from_starts_at, zone).date()
        to = in_zone(row.to_starts_at, zone).date() if row.to_starts_at else None
        label = f"{row.hearing.title} postponed from {start} to {to or 'a date not set (sine die)'}"
        if row.reason:
            label += f": {row.reason}"
        return [
            svg.Mark(
                "postponement",
                row.hearing.proceeding_id,
                start,
                label,
                f"/hearings/{row.hearing_id}",
                to=to,
            )
        ]
    if entry.type == "event":
        kind = "decision" if is_decision(row.kind) else "event"
        label = f"{_words(row.kind)}, {entry.label}" + (f": {row.summary}" if row.summary else "")
        return [
            svg.Mark(
                kind,
                row.proceeding_id,
                row.occurred_on,
                label[:300],
                f"/proceedings/{row.proceeding_id}#event-{row.id}",
            )
        ]
    return []
