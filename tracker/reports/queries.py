"""The delay statistics: five set-based statements, whatever the number of rows.

Every statement groups by country and kind of proceeding (GROUP BY in SQL); the rows
are then added up to the grouping asked for, here. Medians and percentiles are not
computed in SQL (SQLite has no percentile function): the statements count each value
(an age in days, a slip) per group, and `measures` reads those histograms — the same
numbers on both databases, and a few thousand rows at most where a row per proceeding
would be a hundred thousand.

Days of hearings and postponements are the court's days (the hearing's zone), as
everywhere else (`tracker.hearings.ledger`). PostgreSQL converts with `timezone()`;
on SQLite, which knows no zones, the same conversion is a Python function registered
on the connection (`tracker_local_day`). Both give the day as its ordinal (1 = 1 Jan
of year 1), so that slips are differences of whole numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.delays.models import DelayFlag
from tracker.hearings.enums import HearingStatus
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.enums import ProceedingKind
from tracker.matters.models import Proceeding
from tracker.reports import measures
from tracker.reports.schemas import Certainty, DelaysOut, DelaysQuery, DelayStats
from tracker.users import access

#: the kinds whose waiting `requests_waiting_median_days` measures
REQUESTS = frozenset({ProceedingKind.extradition_request, ProceedingKind.mla_request})
#: the flags `authority_overdue` counts
AUTHORITY_OVERDUE = "authority_overdue"
LOCAL_DAY = "tracker_local_day"
#: 0001-01-01, day 1 of the ordinals
DAY_ONE = dt.date(1, 1, 1)

Key = tuple[str | None, str | None]


@dataclass
class Facts:
    """What the statements found about one group."""

    incoming: int = 0
    resolved: int = 0
    pending_start: int = 0
    pending_end: int = 0
    #: age in days at the period's end -> proceedings pending then (opening day known)
    ages: dict[int, int] = field(default_factory=dict)
    #: the same, of extradition and MLA requests only
    requests: dict[int, int] = field(default_factory=dict)
    #: number of dates set -> hearings held in the period
    dates: dict[int, int] = field(default_factory=dict)
    #: slip in days -> hearings held in the period that had been postponed
    slips: dict[int, int] = field(default_factory=dict)
    #: year -> postponements dated in the period
    postponed: dict[int, int] = field(default_factory=dict)
    authority_overdue: int = 0

    def add(self, other: Facts) -> None:
        for name in ("incoming", "resolved", "pending_start", "pending_end", "authority_overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("ages", "requests", "dates", "slips", "postponed"):
            setattr(self, name, measures.merged(getattr(self, name), getattr(other, name)))


@dataclass
class Report:
    """The statistics, with what the page draws beside the answer."""

    answer: DelaysOut
    #: group key -> year -> postponements (the small multiples)
    per_year: dict[Key, dict[int, int]]


def delays(session: so.Session, actor: Actor, query: DelaysQuery) -> Report:
    """The delay statistics over `query`'s period, of the proceedings `actor` may see."""
    _register_local_day(session)
    seen = access.matter_filter(actor, Proceeding.matter_id)
    facts: dict[Key, Facts] = {}

    def at(code: str, kind: Any) -> Facts:
        return facts.setdefault((code, str(kind)), Facts())

    _counts(session, seen, query, at)
    _ages(session, seen, query, at)
    _hearings(session, seen, query, at)
    _postponements(session, seen, query, at)
    _flags(session, seen, query, at)
    return _report(facts, query)


# --- the statements -----------------------------------------------------------------------


def _open_at(day: dt.date) -> sa.ColumnElement[bool]:
    """Pending at the end of `day`: opened by then (or on an unknown day), not closed."""
    return sa.and_(
        sa.or_(Proceeding.opened_on.is_(None), Proceeding.opened_on <= day),
        sa.or_(Proceeding.closed_on.is_(None), Proceeding.closed_on > day),
    )


def _grouped(base: Any, *columns: Any, joins: tuple[Any, ...] = ()) -> sa.Select:
    """Rows of `base` (joined to their proceeding by `joins`) with the group's keys."""
    statement = sa.select(Jurisdiction.code, Proceeding.kind, *columns).select_from(base)
    for target, on in joins:
        statement = statement.join(target, on)
    return statement.join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)


def _counts(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    def number(condition: sa.ColumnElement[bool]) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    statement = (
        _grouped(
            Proceeding,
            number(Proceeding.opened_on.between(q.from_, q.to)),
            number(Proceeding.closed_on.between(q.from_, q.to)),
            number(_open_at(q.from_ - dt.timedelta(days=1))),
            number(_open_at(q.to)),
        )
        .where(seen)
        .group_by(Jurisdiction.code, Proceeding.kind)
    )
    for code, kind, incoming, resolved, start, end in session.execute(statement):
        group = at(code, kind)
        group.incoming, group.resolved = int(incoming), int(resolved)
        group.pending_start, group.pending_end = int(start), int(end)


def _ages(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    statement = (
        _grouped(Proceeding, Proceeding.opened_on, sa.func.count())
        .where(seen, _open_at(q.to), Proceeding.opened_on.is_not(None))
        .group_by(Jurisdiction.code, Proceeding.kind, Proceeding.opened_on)
    )
    for code, kind, opened_on, count in session.execute(statement):
        group, age = at(code, kind), (q.to - opened_on).days
        group.ages[age] = group.ages.get(age, 0) + count
        if kind in REQUESTS:
            group.requests[age] = group.requests.get(age, 0) + count


def _hearings(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    """Hearings held in the period: dates set (1 + postponements), and the slip."""
    dialect = session.get_bind().dialect.name
    moves = (
        sa.select(
            Postponement.hearing_id,
            sa.func.count(sa.case((Postponement.counted, 1))).label("moved"),
            sa.func.min(Postponement.id).label("first_id"),
        )
        .where(Postponement.withdrawn_at.is_(None))
        .group_by(Postponement.hearing_id)
        .subquery("moves")
    )
    first = sa.orm.aliased(Postponement, name="first_move")
    held = _local_day(dialect, Hearing.starts_at, Hearing.timezone)
    first_day = _local_day(dialect, first.from_starts_at, Hearing.timezone)
    earliest, latest = _instants(q)
    inner = (
        _grouped(
            Hearing,
            sa.func.coalesce(moves.c.moved, 0).label("moved"),
            held.label("held"),
            first_day.label("first_day"),
            joins=((Proceeding, Proceeding.id == Hearing.proceeding_id),),
        )
        .outerjoin(moves, moves.c.hearing_id == Hearing.id)
        .outerjoin(first, first.id == moves.c.first_id)
        .where(
            seen,
            Hearing.status == HearingStatus.held,
            Hearing.starts_at >= earliest,
            Hearing.starts_at < latest,
        )
        .subquery("held_hearings")
    )
    slip = sa.case((inner.c.moved > 0, inner.c.held - inner.c.first_day), else_=None)
    statement = (
        sa.select(inner.c.code, inner.c.kind, inner.c.moved, slip.label("slip"), sa.func.count())
        .where(inner.c.held.between(q.from_.toordinal(), q.to.toordinal()))
        .group_by(inner.c.code, inner.c.kind, inner.c.moved, slip)
    )
    for code, kind, moved, slipped, count in session.execute(statement):
        group = at(code, kind)
        group.dates[moved + 1] = group.dates.get(moved + 1, 0) + count
        if slipped is not None:
            group.slips[int(slipped)] = group.slips.get(int(slipped), 0) + count


def _postponements(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    """Postponements counted (standing, putting the hearing off) dated in the period: on
    the day decided when known, else the court's day of the date it moved from."""
    dialect = session.get_bind().dialect.name
    day = sa.func.coalesce(
        _day_number(dialect, Postponement.decided_on),
        _local_day(dialect, Postponement.from_starts_at, Hearing.timezone),
    ).label("day")
    inner = (
        _grouped(
            Postponement,
            day,
            joins=(
                (Hearing, Hearing.id == Postponement.hearing_id),
                (Proceeding, Proceeding.id == Hearing.proceeding_id),
            ),
        )
        .where(seen, Postponement.counted, _maybe_in(q))
        .subquery("dated")
    )
    statement = (
        sa.select(inner.c.code, inner.c.kind, inner.c.day, sa.func.count())
        .where(inner.c.day.between(q.from_.toordinal(), q.to.toordinal()))
        .group_by(inner.c.code, inner.c.kind, inner.c.day)
    )
    for code, kind, number, count in session.execute(statement):
        group, year = at(code, kind), dt.date.fromordinal(int(number)).year
        group.postponed[year] = group.postponed.get(year, 0) + count


def _maybe_in(q: DelaysQuery) -> sa.ColumnElement[bool]:
    """The postponements that may be dated in the period (their day is computed for
    these only): decided in it, or undecided and moved from a date near it."""
    earliest, latest = _instants(q)
    return sa.or_(
        Postponement.decided_on.between(q.from_, q.to),
        sa.and_(
            Postponement.decided_on.is_(None),
            Postponement.from_starts_at >= earliest,
            Postponement.from_starts_at < latest,
        ),
    )


def _flags(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    """authority_overdue flags stored by the scan, open at the end of the period's last
    day (UTC): begun by then (first seen, when the rule gave no day), not resolved."""
    end = dt.datetime.combine(q.to + dt.timedelta(days=1), dt.time(), dt.UTC)
    statement = (
        _grouped(
            DelayFlag,
            sa.func.count(),
            joins=((Proceeding, Proceeding.id == DelayFlag.proceeding_id),),
        )
        .where(
            seen,
            DelayFlag.rule == AUTHORITY_OVERDUE,
            sa.func.coalesce(DelayFlag.began_on, DelayFlag.first_seen) <= q.to,
            sa.or_(DelayFlag.resolved_at.is_(None), DelayFlag.resolved_at >= end),
        )
        .group_by(Jurisdiction.code, Proceeding.kind)
    )
    for code, kind, count in session.execute(statement):
        at(code, kind).authority_overdue = count


def _instants(q: DelaysQuery) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants that hold every court's days of the period (zones are within ±14 h):
    the index on starts_at narrows the hearings before their days are computed."""
    earliest = dt.datetime.combine(q.from_ - dt.timedelta(days=1), dt.time(), dt.UTC)
    latest = dt.datetime.combine(q.to + dt.timedelta(days=2), dt.time(), dt.UTC)
    return earliest, latest


# --- days as numbers, on both databases -----------------------------------------------------


def _local_day(dialect: str, instant: Any, zone: Any) -> sa.ColumnElement[int]:
    """The ordinal of the day `instant` falls on in `zone`."""
    if dialect == "sqlite":
        return sa.func.tracker_local_day(instant, zone, type_=sa.Integer)
    local = sa.cast(sa.func.timezone(zone, instant), sa.Date)
    return _day_number(dialect, local)


def _day_number(dialect: str, day: Any) -> sa.ColumnElement[int]:
    """The ordinal of a date column."""
    if dialect == "sqlite":  # julianday('0001-01-01') is 1721425.5: ordinal 1
        return sa.cast(sa.func.julianday(day) - 1721424.5, sa.Integer)
    return sa.type_coerce(day - sa.literal(DAY_ONE, sa.Date) + 1, sa.Integer)


@functools.lru_cache(maxsize=65536)
def local_day(stamp: str | None, zone: str | None) -> int | None:
    """SQLite's `tracker_local_day`: a stored UTC wall time's day in `zone`, as an ordinal
    (cached: hearings are mostly set at the same few hours)."""
    if stamp is None or zone is None:
        return None
    instant = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC)
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).date().toordinal()


def _register_local_day(session: so.Session) -> None:
    """Teach this SQLite connection `tracker_local_day` (no statement is sent)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection().connection.dbapi_connection
    assert connection is not None
    connection.create_function(LOCAL_DAY, 2, local_day, deterministic=True)


# --- from facts to the answer ----------------------------------------------------------------


def _report(facts: dict[Key, Facts], q: DelaysQuery) -> Report:
    by_country, by_kind = q.group_by.keys
    groups: dict[Key, Facts] = {}
    for (code, kind), found in facts.items():
        key = (code if by_country else None, kind if by_kind else None)
        groups.setdefault(key, Facts()).add(found)
    shown = sorted((key for key, group in groups.items() if _any(group)), key=_order)
    total = Facts()
    for group in groups.values():
        total.add(group)
    answer = DelaysOut(
        from_=q.from_,
        to=q.to,
        group_by=q.group_by,
        days=q.days,
        items=[stats(key, groups[key], q.days) for key in shown],
        total=stats((None, None), total, q.days),
    )
    return Report(answer, {key: dict(groups[key].postponed) for key in shown})


def _order(key: Key) -> tuple[str, str]:
    return key[0] or "", key[1] or ""


def _any(group: Facts) -> bool:
    """A group with nothing in the period (all closed before it) is not listed."""
    counts = (group.incoming, group.resolved, group.pending_start, group.pending_end)
    return any(counts) or bool(group.dates or group.postponed or group.authority_overdue)


def stats(key: Key, group: Facts, days: int) -> DelayStats:
    """A group's measures."""
    bins = measures.certainty(group.dates)
    return DelayStats(
        jurisdiction=key[0],
        kind=key[1],
        incoming=group.incoming,
        resolved=group.resolved,
        pending_start=group.pending_start,
        pending_end=group.pending_end,
        clearance_rate=measures.clearance_rate(group.resolved, group.incoming),
        disposition_time_days=measures.disposition_time(group.pending_end, group.resolved, days),
        age_pending_median_days=measures.median(group.ages),
        age_pending_p90_days=measures.percentile(group.ages, 90),
        hearing_date_certainty=Certainty.model_validate(bins),
        postponements=measures.size(group.postponed),
        median_slip_days=measures.median(group.slips),
        requests_waiting_median_days=measures.median(group.requests),
        authority_overdue=group.authority_overdue,
    )


def rows(items: Iterable[DelayStats]) -> Iterable[list[Any]]:
    """The items as CSV rows, in the order of `COLUMNS`."""
    for item in items:
        data = item.model_dump(by_alias=True)
        certainty = data.pop("hearing_date_certainty")
        yield [data[name] for name in COLUMNS[:14]] + [
            certainty[key] for key in (*measures.CERTAINTY_BINS, "mean")
        ]


def table(answer: DelaysOut) -> list[list[Any]]:
    """The CSV's rows: one per group, then the total (named "total")."""
    found = list(rows(answer.items))
    found += [["total", *row[1:]] for row in rows([answer.total])]
    return found


COLUMNS = (
    "jurisdiction",
    "kind",
    "incoming",
    "resolved",
    "pending_start",
    "pending_end",
    "clearance_rate",
    "disposition_time_days",
    "age_pending_median_days",
    "age_pending_p90_days",
    "postponements",
    "median_slip_days",
    "requests_waiting_median_days",
    "authority_overdue",
    "hearings_held_1_date",
    "hearings_held_2_dates",
    "hearings_held_3_dates",
    "hearings_held_4_or_more_dates",
    "hearing_dates_mean",
)
