"""What an import finds already in the tracker: the records its rows may name or repeat,
read in bulk (a statement per kind and per chunk of keys, never one per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.dates import Precision
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Event, Matter, Proceeding

#: keys bound in one IN (...): well under SQLite's and psycopg's limits on parameters
CHUNK = 500

#: a proceeding's key: (jurisdiction code, reference)
ProceedingKey = tuple[str, str]


def _rows(
    session: so.Session,
    column: sa.ColumnElement[Any] | so.InstrumentedAttribute[Any],
    values: Collection[str] | Collection[int],
    statement: sa.Select[*tuple[Any, ...]],
) -> Iterator[sa.Row[*tuple[Any, ...]]]:
    """The rows of `statement` whose `column` is among `values`, CHUNK keys at a time."""
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield from session.execute(statement.where(column.in_(ordered[start : start + CHUNK])))


@dataclass
class MatterFound:
    id: int
    title: str


def matters(session: so.Session, numbers: Collection[str]) -> dict[str, MatterFound]:
    statement = sa.select(Matter.key, Matter.id, Matter.title)
    return {
        row.key: MatterFound(row.id, row.title)
        for row in _rows(session, Matter.key, numbers, statement)
    }


@dataclass
class ProceedingFound:
    ids: list[int]
    matter_id: int
    kind: str
    status: str


def proceedings(
    session: so.Session, references: Collection[str]
) -> dict[ProceedingKey, ProceedingFound]:
    """By (code, reference); `ids` holds more than one where the tracker has twins."""
    statement = (
        sa.select(
            Proceeding.id,
            Proceeding.reference,
            Proceeding.matter_id,
            Proceeding.kind,
            Proceeding.status,
            Jurisdiction.code,
        )
        .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
        .order_by(Proceeding.id)
    )
    found: dict[ProceedingKey, ProceedingFound] = {}
    for row in _rows(session, Proceeding.reference, references, statement):
        key = (row.code, row.reference)
        if key in found:
            found[key].ids.append(row.id)
        else:
            found[key] = ProceedingFound([row.id], row.matter_id, row.kind, row.status)
    return found


def load_proceedings(session: so.Session, ids: Collection[int]) -> list[Proceeding]:
    """The proceedings (and their jurisdictions) at once: the caller holds them, as the
    session holds them only weakly."""
    statement = sa.select(Proceeding).options(so.joinedload(Proceeding.jurisdiction))
    return [row[0] for row in _rows(session, Proceeding.id, ids, statement)]


#: an event's key: (proceeding id, kind, date, precision, summary)
EventKey = tuple[int, str, dt.date, Precision, str]


def events(session: so.Session, proceeding_ids: Collection[int]) -> dict[EventKey, int]:
    """The standing events of these proceedings, by key."""
    statement = sa.select(
        Event.id, Event.proceeding_id, Event.kind, Event.occurred_on, Event.precision, Event.summary
    ).where(Event.withdrawn_at.is_(None))
    found: dict[EventKey, int] = {}
    for row in _rows(session, Event.proceeding_id, proceeding_ids, statement):
        key = (row.proceeding_id, row.kind, row.occurred_on, row.precision, row.summary)
        found.setdefault(key, row.id)
    return found


def deadlines(
    session: so.Session, proceeding_ids: Collection[int]
) -> dict[tuple[int, str, object], str]:
    """The status of deadlines by (proceeding, title, due day) when set by hand, and by
    (proceeding, rule code, trigger event id) when computed."""
    statement = sa.select(
        Deadline.proceeding_id,
        Deadline.title,
        Deadline.due_on,
        Deadline.trigger_event_id,
        Deadline.status,
        DeadlineRule.code,
    ).outerjoin(DeadlineRule, DeadlineRule.id == Deadline.rule_id)
    found: dict[tuple[int, str, object], str] = {}
    for row in _rows(session, Deadline.proceeding_id, proceeding_ids, statement):
        key: tuple[int, str, object] = (
            (row.proceeding_id, row.title, row.due_on)
            if row.code is None
            else (row.proceeding_id, row.code, row.trigger_event_id)
        )
        found.setdefault(key, str(row.status))
    return found


@dataclass
class HearingFound:
    #: None for a hearing this import sets (its id comes at the flush)
    id: int | None
    zone: str
    #: where the standing moves took it, in order (None: sine die)
    moves: list[dt.datetime | None] = field(default_factory=list)
    outcome: str | None = None


def hearings(
    session: so.Session, proceeding_ids: Collection[int]
) -> dict[tuple[int, dt.datetime], HearingFound]:
    """Hearings by (proceeding, the instant they were first set for)."""
    statement = sa.select(
        Hearing.id, Hearing.proceeding_id, Hearing.starts_at, Hearing.timezone, Hearing.outcome
    )
    found: dict[int, tuple[int, HearingFound, dt.datetime]] = {
        row.id: (
            row.proceeding_id,
            HearingFound(row.id, row.timezone, outcome=row.outcome),
            row.starts_at,
        )
        for row in _rows(session, Hearing.proceeding_id, proceeding_ids, statement)
    }
    moves = (
        sa.select(Postponement.hearing_id, Postponement.from_starts_at, Postponement.to_starts_at)
        .where(Postponement.withdrawn_at.is_(None))
        .order_by(Postponement.hearing_id, Postponement.id)
    )
    firsts: dict[int, dt.datetime] = {}
    for move in _rows(session, Postponement.hearing_id, list(found), moves):
        firsts.setdefault(move.hearing_id, move.from_starts_at)
        found[move.hearing_id][1].moves.append(move.to_starts_at)
    return {
        (proceeding_id, firsts.get(hearing_id, starts_at)): hearing
        for hearing_id, (proceeding_id, hearing, starts_at) in found.items()
    }
