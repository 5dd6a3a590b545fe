"""The delay statistics: five set-based statements, whatever the number of rows.

Every statement groups by country and kind of proceeding (GROUP BY in SQL); the rows
are then added up to the grouping asked for, here. Medians and percentiles are not
computed in SQL (SQLite has no percentile function): the statements count each value
(an age in days, a slip) per group, and `measures` reads those histograms — the same
numbers on both databases, and a few thousand rows at most where a row per proceeding
would be a hundred thousand.

Days of hearings and postponements are the court's days (the hearing's zone), as
everywhere else (`tracker.hearings.ledger`): stored beside the instants
(`Hearing.court_day`, `Postponement.counted_on`, derived on every write), so that a
period of years is read from indexes, not converted row by row. Hearings and moves also
carry copies of their proceeding's country, kind and matter (`hearings.models.copies`):
the hundreds of thousands of them in a period of years are grouped without a join.
"""

from __future__ import annotations

import datetime as dt
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
    seen = access.matter_filter(actor, Proceeding.matter_id)
    #: by the country's id: its code is joined once (by `_counts`, which sees every
    #: proceeding), not on each of hundreds of thousands of hearings
    facts: dict[tuple[int, str], Facts] = {}

    def at(country: int, kind: Any) -> Facts:
        return facts.setdefault((country, str(kind)), Facts())

    codes = _counts(session, seen, query, at)
    _ages(session, seen, query, at)
    _hearings(session, actor, query, at)
    _postponements(session, actor, query, at)
    _flags(session, seen, query, at)
    return _report({(codes[country], kind): f for (country, kind), f in facts.items()}, query)


# --- the statements -----------------------------------------------------------------------


def _open_at(day: dt.date) -> sa.ColumnElement[bool]:
    """Pending at the end of `day`: opened by then (or on an unknown day), not closed."""
    return sa.and_(
        sa.or_(Proceeding.opened_on.is_(None), Proceeding.opened_on <= day),
        sa.or_(Proceeding.closed_on.is_(None), Proceeding.closed_on > day),
    )


def _grouped(base: Any, *columns: Any, joins: tuple[Any, ...] = ()) -> sa.Select:
    """Rows of `base` (joined to their proceeding by `joins`) with the group's keys."""
    statement = sa.select(Proceeding.jurisdiction_id, Proceeding.kind, *columns)
    statement = statement.select_from(base)
    for target, on in joins:
        statement = statement.join(target, on)
    return statement


def _counts(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> dict[int, str]:
    """Proceedings incoming, resolved and pending; the code of each country seen."""

    def number(condition: sa.ColumnElement[bool]) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    statement = (
        _grouped(
            Proceeding,
            Jurisdiction.code,
            number(Proceeding.opened_on.between(q.from_, q.to)),
            number(Proceeding.closed_on.between(q.from_, q.to)),
            number(_open_at(q.from_ - dt.timedelta(days=1))),
            number(_open_at(q.to)),
            joins=((Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id),),
        )
        .where(seen)
        .group_by(Proceeding.jurisdiction_id, Jurisdiction.code, Proceeding.kind)
    )
    codes = {}
    for country, kind, code, incoming, resolved, start, end in session.execute(statement):
        codes[country] = code
        group = at(country, kind)
        group.incoming, group.resolved = int(incoming), int(resolved)
        group.pending_start, group.pending_end = int(start), int(end)
    return codes


def _ages(session: so.Session, seen: Any, q: DelaysQuery, at: Any) -> None:
    statement = (
        _grouped(Proceeding, Proceeding.opened_on, sa.func.count())
        .where(seen, _open_at(q.to), Proceeding.opened_on.is_not(None))
        .group_by(Proceeding.jurisdiction_id, Proceeding.kind, Proceeding.opened_on)
    )
    for code, kind, opened_on, count in session.execute(statement):
        group, age = at(code, kind), (q.to - opened_on).days
        group.ages[age] = group.ages.get(age, 0) + count
        if kind in REQUESTS:
            group.requests[age] = group.requests.get(age, 0) + count


def _hearings(session: so.Session, actor: Actor, q: DelaysQuery, at: Any) -> None:
    """Hearings held in the period (court days): dates set, and the slip of those postponed.
    Read from one index, in its order, with the proceeding's copied country and kind."""
    statement = (
        sa.select(
            Hearing.jurisdiction_id,
            Hearing.proceeding_kind,
            Hearing.dates_set,
            Hearing.slip_days,
            sa.func.count(),
        )
        .where(
            Hearing.status == HearingStatus.held,
            Hearing.court_day.between(q.from_, q.to),
            access.matter_filter(actor, Hearing.matter_id),
        )
        .group_by(
            Hearing.jurisdiction_id, Hearing.proceeding_kind, Hearing.dates_set, Hearing.slip_days
        )
    )
    for code, kind, dates, slipped, count in session.execute(statement):
        group = at(code, kind)
        group.dates[dates] = group.dates.get(dates, 0) + count
        if slipped is not None:
            group.slips[slipped] = group.slips.get(slipped, 0) + count


def _postponements(session: so.Session, actor: Actor, q: DelaysQuery, at: Any) -> None:
    """Postponements counted (standing, putting the hearing off) dated in the period, per
    year: on the day decided when known, else the court's day of the date it moved from.
    Read from one index, with the proceeding's copied country and kind."""
    year = _year(session.get_bind().dialect.name, Postponement.counted_on)
    statement = (
        sa.select(Postponement.jurisdiction_id, Postponement.proceeding_kind, year, sa.func.count())
        .where(
            Postponement.counted_on.between(q.from_, q.to),
            access.matter_filter(actor, Postponement.matter_id),
        )
        .group_by(Postponement.jurisdiction_id, Postponement.proceeding_kind, year)
    )
    for code, kind, number, count in session.execute(statement):
        group = at(code, kind)
        group.postponed[int(number)] = group.postponed.get(int(number), 0) + count


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
        .group_by(Proceeding.jurisdiction_id, Proceeding.kind)
    )
    for code, kind, count in session.execute(statement):
        at(code, kind).authority_overdue = count


# --- days on both databases ------------------------------------------------------------------


def _year(dialect: str, day: Any) -> sa.ColumnElement[int]:
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%Y", day), sa.Integer)
    return sa.cast(sa.extract("year", day), sa.Integer)


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
