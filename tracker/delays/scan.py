"""The delay scan: the facts as of a day, gathered set-based, and the rules run on them.

`gather` asks three queries whatever the size of the data (proceedings, hearings,
deadlines), each a narrow select with the aggregates done by the database (GROUP BY
over events, postponements and hearings), never a query per row or an ORM object per
row. `compute` runs the pure rules on the facts; `run` also stores the flags
(`tracker.delays.operations.store`, a constant number of statements too);
`flags_as_of` computes them for the API.

What the scan takes to have been true on `as_of` (facts dated later do not exist yet):

- a proceeding exists on as_of if it was opened by then (one opened after as_of is not
  looked at, nor are its hearings and deadlines); the hearing and deadline rules look
  at every proceeding that exists, the proceeding rules at the open ones only;
- a proceeding is open on as_of if its status is pending or suspended, or if it ended
  after as_of, on its `closed_on` (which every proceeding no longer open has; the first
  day of the period when partial);
- an event counts from `occurred_on` (the first day of the period when partial);
- a postponement counts from `decided_on` (else the day it was recorded): one decided
  after as_of has not happened yet, and the hearing is still where it was before it;
- a held hearing has its outcome from its own date on; a cancelled one from the day
  the cancellation was recorded;
- a deadline is open on as_of unless it was done or waived by then (`completed_at`);
  one computed from an event dated after as_of does not exist yet;
- an authority's deadline is met on as_of if the event that met it (`met_event_id`,
  kept by the writes) is dated on or before as_of, and is not withdrawn: a decision
  dated later had not come yet, however early it was recorded.

Dates are compared by calendar day; instants against the end of `as_of` in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.core.dates import Precision
from tracker.deadlines.enums import Party
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.delays import operations, rules
from tracker.hearings.models import Hearing, HearingStatus, Postponement, delaying
from tracker.matters.models import OPEN_STATUSES, Event, Proceeding
from tracker.users import access

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)

proceedings_t = Proceeding.__table__
events_t = Event.__table__
hearings_t = Hearing.__table__
postponements_t = Postponement.__table__
deadlines_t = Deadline.__table__


@dataclass(frozen=True)
class Facts:
    proceedings: list[rules.ProceedingFacts]
    hearings: list[rules.HearingFacts]
    deadlines: list[rules.DeadlineFacts]


def compute(
    session: so.Session,
    as_of: dt.date,
    thresholds: rules.Thresholds,
    visible: sa.ColumnElement[bool] | None = None,
    proceeding_ids: Collection[int] | None = None,
) -> list[rules.Flag]:
    """The flags as of `as_of`, computed and not stored (`visible`: a WHERE on proceedings;
    `proceeding_ids`: only these proceedings, their hearings and deadlines)."""
    facts = gather(session, as_of, thresholds, visible, proceeding_ids)
    return rules.evaluate(facts.proceedings, facts.hearings, facts.deadlines, as_of, thresholds)


def run(
    session: so.Session,
    now: dt.datetime,
    as_of: dt.date,
    thresholds: rules.Thresholds,
    proceeding_ids: Collection[int] | None = None,
) -> operations.ScanResult:
    """Scan as of `as_of` and store the flags; flushes, the caller commits.

    With `proceeding_ids`, only the flags of these proceedings are computed, stored and
    resolved (a write's re-scan, `tracker.delays.rescan`); the others stay as they are.
    """
    flags = compute(session, as_of, thresholds, proceeding_ids=proceeding_ids)
    return operations.store(session, flags, as_of, now, proceeding_ids)


def flags_as_of(
    session: so.Session, actor: Actor, as_of: dt.date, thresholds: rules.Thresholds
) -> list[operations.StoredFlag]:
    """The open flags as of `as_of` that `actor` may see, computed then; nothing is written.

    A flag that a scan stored keeps its id, and its first_seen unless that is later than
    as_of; a flag never stored has no id and is first seen on as_of.
    """
    visible = access.matter_filter(actor, Proceeding.matter_id)
    flags_t = operations.flags_t
    stored = session.execute(
        sa.select(flags_t.c.key, flags_t.c.id, flags_t.c.first_seen)
        .join(proceedings_t, proceedings_t.c.id == flags_t.c.proceeding_id)
        .where(visible)
    )
    known = {row.key: row for row in stored}
    listed = []
    for flag in compute(session, as_of, thresholds, visible):
        row = known.get(flag.key)
        if row is None:
            listed.append(operations.StoredFlag(flag, None, as_of))
        else:
            listed.append(operations.StoredFlag(flag, row.id, min(row.first_seen, as_of)))
    return sorted(listed, key=operations.order)


def gather(
    session: so.Session,
    as_of: dt.date,
    thresholds: rules.Thresholds,
    visible: sa.ColumnElement[bool] | None = None,
    proceeding_ids: Collection[int] | None = None,
) -> Facts:
    """The facts the rules need, as of `as_of`: three queries whatever the data size."""
    state = _hearing_state(as_of, proceeding_ids)
    wanted = sa.true() if visible is None else visible
    if proceeding_ids is not None:
        wanted = sa.and_(wanted, proceedings_t.c.id.in_(sorted(proceeding_ids)))
    return Facts(
        proceedings=_proceedings(session, as_of, state, wanted, proceeding_ids),
        hearings=_hearings(session, as_of, thresholds, state, proceeding_ids),
        deadlines=_deadlines(session, as_of, thresholds, proceeding_ids),
    )


def end_of(as_of: dt.date) -> dt.datetime:
    """The first instant after `as_of` (UTC): instants before it are "on or before as_of"."""
    return dt.datetime.combine(as_of + ONE_DAY, dt.time(), UTC)


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """A condition as 0/1, the same on SQLite and PostgreSQL."""
    return sa.case((condition, 1), else_=0)


def _only(
    proceeding_ids: Collection[int] | None, column: sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """`column` (a proceeding id) among `proceeding_ids`; anything when None. Applied
    inside each aggregate: a write's re-scan reads those proceedings' rows only."""
    return sa.true() if proceeding_ids is None else column.in_(sorted(proceeding_ids))


def _hearing_state(as_of: dt.date, proceeding_ids: Collection[int] | None = None) -> sa.Subquery:
    """One row per hearing: where it stood on as_of, how often it had moved, what ended it."""
    end = end_of(as_of)
    p = postponements_t.alias("moves")
    decided = sa.or_(
        p.c.decided_on <= as_of, sa.and_(p.c.decided_on.is_(None), p.c.recorded_at < end)
    )
    # withdrawn moves never happened; one brought forward moves the date but is no delay
    delays = sa.and_(decided, delaying(p.c.to_starts_at, p.c.from_starts_at))
    moves = (
        sa.select(
            p.c.hearing_id,
            sa.func.count(sa.case((delays, 1))).label("moves"),
            # postponements are append-only: the first id is the first move
            sa.func.min(p.c.id).label("first_id"),
            sa.func.max(sa.case((decided, p.c.id))).label("last_id"),
        )
        .where(p.c.withdrawn_at.is_(None))
        .where(
            sa.true()
            if proceeding_ids is None
            else p.c.hearing_id.in_(
                sa.select(hearings_t.c.id).where(_only(proceeding_ids, hearings_t.c.proceeding_id))
            )
        )
        .group_by(p.c.hearing_id)
        .subquery("moved")
    )
    h = hearings_t
    first, last = postponements_t.alias("first_move"), postponements_t.alias("last_move")
    moved = moves.c.last_id.is_not(None)
    starts_at = sa.case(
        # sine die: keep the date it was last set for
        (moved, sa.func.coalesce(last.c.to_starts_at, last.c.from_starts_at)),
        # every move came after as_of: it still stood at its first date
        (moves.c.first_id.is_not(None), first.c.from_starts_at),
        else_=h.c.starts_at,
    )
    held = sa.and_(h.c.status == HearingStatus.held, h.c.starts_at < end)
    cancelled = sa.and_(
        h.c.status == HearingStatus.cancelled,
        sa.or_(h.c.outcome_recorded_at.is_(None), h.c.outcome_recorded_at < end),
    )
    return (
        sa.select(
            h.c.id,
            h.c.proceeding_id,
            h.c.timezone,
            starts_at.label("starts_at"),
            sa.func.coalesce(first.c.from_starts_at, h.c.starts_at).label("first_starts_at"),
            sa.func.coalesce(moves.c.moves, 0).label("moves"),
            _flag(sa.and_(moved, last.c.to_starts_at.is_(None))).label("sine_die"),
            _flag(held).label("held"),
            _flag(cancelled).label("cancelled"),
        )
        .select_from(
            h.outerjoin(moves, moves.c.hearing_id == h.c.id)
            .outerjoin(first, first.c.id == moves.c.first_id)
            .outerjoin(last, last.c.id == moves.c.last_id)
        )
        .where(_only(proceeding_ids, h.c.proceeding_id))
        .subquery("hearing_state")
    )


def _event_dates(as_of: dt.date, proceeding_ids: Collection[int] | None = None) -> sa.Subquery:
    """Per proceeding: its latest event by as_of (and that event's precision), and its
    first decision by as_of."""
    e = events_t
    dated = e.c.occurred_on <= as_of

    def latest(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[dt.date]:
        return sa.func.max(sa.case((sa.and_(dated, *conditions), e.c.occurred_on)))

    return (
        sa.select(
            e.c.proceeding_id,
            latest().label("last_on"),
            latest(e.c.precision == Precision.day).label("last_day_on"),
            latest(e.c.precision == Precision.month).label("last_month_on"),
            sa.func.min(
                sa.case((sa.and_(dated, e.c.kind.in_(rules.DECISION_KINDS)), e.c.occurred_on))
            ).label("decided_on"),
        )
        .where(_only(proceeding_ids, e.c.proceeding_id))
        .where(e.c.withdrawn_at.is_(None))  # recorded by mistake: it never happened
        .group_by(e.c.proceeding_id)
        .subquery("event_dates")
    )


def _hearing_dates(as_of: dt.date, state: sa.Subquery) -> sa.Subquery:
    """Per proceeding: the latest day a hearing was set for by as_of; any hearing ahead."""
    end = end_of(as_of)
    s = state
    pending = sa.and_(s.c.held == 0, s.c.cancelled == 0, s.c.sine_die == 0)
    return (
        sa.select(
            s.c.proceeding_id,
            sa.func.max(
                sa.case((sa.and_(s.c.cancelled == 0, s.c.starts_at < end), s.c.starts_at))
            ).label("last_at"),
            sa.func.max(_flag(sa.and_(pending, s.c.starts_at >= end))).label("ahead"),
        )
        .group_by(s.c.proceeding_id)
        .subquery("hearing_dates")
    )


def _proceedings(
    session: so.Session,
    as_of: dt.date,
    state: sa.Subquery,
    visible: sa.ColumnElement[bool],
    proceeding_ids: Collection[int] | None = None,
) -> list[rules.ProceedingFacts]:
    p = proceedings_t
    events = _event_dates(as_of, proceeding_ids)
    hearings = _hearing_dates(as_of, state)
    query = (
        sa.select(
            p.c.id,
            # plain strings: no enum lookup per row
            sa.type_coerce(p.c.kind, sa.String).label("kind"),
            p.c.opened_on,
            sa.type_coerce(p.c.opened_precision, sa.String).label("opened_precision"),
            events.c.last_on,
            events.c.last_day_on,
            events.c.last_month_on,
            events.c.decided_on,
            hearings.c.last_at,
            hearings.c.ahead,
            _flag(sa.or_(p.c.status.in_(OPEN_STATUSES), p.c.closed_on > as_of)).label("open"),
        )
        .select_from(
            p.outerjoin(events, events.c.proceeding_id == p.c.id).outerjoin(
                hearings, hearings.c.proceeding_id == p.c.id
            )
        )
        # every proceeding that exists on as_of: a closed one may have open deadlines
        .where(sa.or_(p.c.opened_on.is_(None), p.c.opened_on <= as_of), visible)
    )
    return [_proceeding(row) for row in session.execute(query).all()]


def _proceeding(row: sa.Row) -> rules.ProceedingFacts:
    precision = "day"
    if row.last_on is not None and row.last_on != row.last_day_on:
        precision = "month" if row.last_on == row.last_month_on else "year"
    return rules.ProceedingFacts(
        id=row.id,
        kind=row.kind,
        open=bool(row.open),
        opened_on=row.opened_on,
        opened_precision=row.opened_precision,
        last_event_on=row.last_on,
        last_event_precision=precision,
        last_hearing_on=row.last_at.date() if row.last_at is not None else None,
        hearing_ahead=bool(row.ahead),
        decided_on=row.decided_on,
    )


def _hearings(
    session: so.Session,
    as_of: dt.date,
    thresholds: rules.Thresholds,
    state: sa.Subquery,
    proceeding_ids: Collection[int] | None = None,
) -> list[rules.HearingFacts]:
    """The pending hearings a hearing rule could flag: moved ones, and past ones."""
    s = state
    # A superset of "its day in the court's zone is more than N days before as_of":
    # no zone is more than a day away from UTC.
    past = end_of(as_of - dt.timedelta(days=thresholds.outcome_missing_days))
    wanted = [s.c.held == 0, s.c.cancelled == 0, sa.or_(s.c.moves > 0, s.c.starts_at < past)]
    if proceeding_ids is not None:
        wanted.append(s.c.proceeding_id.in_(sorted(proceeding_ids)))
    last_id, nth_id = _move_ids(as_of, s.c.id, thresholds.repeated_postponements)
    pending = (
        sa.select(
            s.c.id,
            s.c.proceeding_id,
            s.c.timezone,
            s.c.starts_at,
            s.c.first_starts_at,
            s.c.moves,
            s.c.sine_die,
            last_id.label("last_id"),
            nth_id.label("nth_id"),
        )
        .where(*wanted)
        .subquery("pending")
    )
    last, nth = postponements_t.alias("last_day"), postponements_t.alias("nth_day")
    query = sa.select(
        *pending.c,
        last.c.decided_on.label("last_decided_on"),
        last.c.recorded_at.label("last_recorded_at"),
        nth.c.decided_on.label("nth_decided_on"),
        nth.c.recorded_at.label("nth_recorded_at"),
    ).select_from(
        pending.outerjoin(last, last.c.id == pending.c.last_id).outerjoin(
            nth, nth.c.id == pending.c.nth_id
        )
    )
    return [
        rules.HearingFacts(
            id=row.id,
            proceeding_id=row.proceeding_id,
            starts_at=row.starts_at,
            first_starts_at=row.first_starts_at,
            timezone=row.timezone,
            postponements=row.moves,
            sine_die=bool(row.sine_die),
            moved_on=_move_day(row.last_decided_on, row.last_recorded_at),
            repeated_on=_move_day(row.nth_decided_on, row.nth_recorded_at),
        )
        for row in session.execute(query).all()
    ]


def _move_ids(
    as_of: dt.date, hearing_id: sa.ColumnElement[int], repeated: int
) -> tuple[sa.ScalarSelect[int], sa.ScalarSelect[int]]:
    """The ids of a hearing's last move by as_of and of its `repeated`th one (when the
    flag's delay began): postponements are append-only, ids go in their order."""
    p = postponements_t.alias("move")
    decided = sa.or_(
        p.c.decided_on <= as_of,
        sa.and_(p.c.decided_on.is_(None), p.c.recorded_at < end_of(as_of)),
    )
    # withdrawn moves never happened; one brought forward is no postponement to count
    moves = sa.select(p.c.id).where(
        p.c.hearing_id == hearing_id, decided, p.c.withdrawn_at.is_(None)
    )
    last = moves.order_by(p.c.id.desc()).limit(1).scalar_subquery()
    counted = moves.where(delaying(p.c.to_starts_at, p.c.from_starts_at))
    nth = counted.order_by(p.c.id).limit(1).offset(max(repeated, 1) - 1).scalar_subquery()
    return last, nth


def _move_day(decided_on: dt.date | None, recorded_at: dt.datetime | None) -> dt.date | None:
    """The day a move was decided, else the day (UTC) it was recorded."""
    if decided_on is not None:
        return decided_on
    return recorded_at.astimezone(UTC).date() if recorded_at is not None else None


def _deadlines(
    session: so.Session,
    as_of: dt.date,
    thresholds: rules.Thresholds,
    proceeding_ids: Collection[int] | None = None,
) -> list[rules.DeadlineFacts]:
    """The deadlines open on as_of that a rule could flag: ours due within the "near"
    window or before, the authorities' due before as_of (however long ago: they can be
    years late), with the days of their trigger and of the event that met them."""
    d, trigger, met = deadlines_t, events_t.alias("trigger"), events_t.alias("met")
    ours = sa.and_(
        d.c.owed_by == Party.client,
        d.c.due_on <= as_of + dt.timedelta(days=thresholds.deadline_near_days),
    )
    theirs = sa.and_(d.c.owed_by == Party.authority, d.c.due_on < as_of)
    query = (
        sa.select(
            d.c.id,
            d.c.proceeding_id,
            d.c.title,
            d.c.due_on,
            # plain strings: no enum lookup per row
            sa.type_coerce(d.c.owed_by, sa.String).label("owed_by"),
            d.c.met_by,
            trigger.c.occurred_on.label("trigger_on"),
            met.c.occurred_on.label("met_on"),
        )
        .select_from(
            d.outerjoin(trigger, trigger.c.id == d.c.trigger_event_id).outerjoin(
                # a withdrawn event never happened: it met nothing
                met,
                sa.and_(met.c.id == d.c.met_event_id, met.c.withdrawn_at.is_(None)),
            )
        )
        .where(
            sa.or_(ours, theirs),
            sa.or_(d.c.status == DeadlineStatus.open, d.c.completed_at >= end_of(as_of)),
            sa.or_(trigger.c.id.is_(None), trigger.c.occurred_on <= as_of),
            # met by as_of: nothing to flag (the rule checks it too, for facts from elsewhere)
            sa.or_(met.c.id.is_(None), met.c.occurred_on > as_of),
        )
    )
    if proceeding_ids is not None:
        query = query.where(d.c.proceeding_id.in_(sorted(proceeding_ids)))
    return [
        rules.DeadlineFacts(
            id=row.id,
            proceeding_id=row.proceeding_id,
            title=row.title,
            due_on=row.due_on,
            owed_by=Party(row.owed_by),
            trigger_on=row.trigger_on,
            met_on=row.met_on,
            met_by=tuple(row.met_by or ()),
        )
        for row in session.execute(query).all()
    ]
