"""The dashboard's panels: a constant number of small queries, whatever the number of matters.

Each panel picks its first rows from its own table alone, in the order of an index
where there is one (hearings by `starts_at`, deadlines by `due_on`), and only then
joins those few rows to their proceeding, matter and jurisdiction, selecting just
the columns shown (no ORM object, no lazy load per row). Lawyers' rows are kept to
their matters by a subquery on the proceedings (`access.matter_filter`).

How many rows match in all is counted by one more query for the four panels, each
count stopping at `COUNT_CAP`: a dashboard says "200+", never scans
every open deadline of 10,000 matters to say "48,042".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.delays.models import DelayFlag, Severity
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Matter, Proceeding
from tracker.users import access

#: rows shown per panel
LIMIT = 25
#: counts stop here
COUNT_CAP = 200
#: how far ahead the hearings panel looks
AHEAD = dt.timedelta(days=30)


@dataclass
class Panel:
    """The first rows of a panel and how many rows match in all (up to COUNT_CAP + 1)."""

    rows: list[sa.Row] = field(default_factory=list)
    total: int = 0

    @property
    def capped(self) -> bool:
        """More rows match than were counted."""
        return self.total > COUNT_CAP

    @property
    def more(self) -> int:
        return min(self.total, COUNT_CAP) - len(self.rows)


@dataclass
class Dashboard:
    hearings: Panel
    deadlines: Panel
    flags: Panel
    awaiting: Panel


def dashboard(session: so.Session, actor: Actor, now: dt.datetime) -> Dashboard:
    """The four panels as `actor` may see them at `now`: five queries."""
    selects = {
        "hearings": _upcoming(actor, now),
        "deadlines": _deadlines(actor),
        "flags": _flags(actor),
        "awaiting": _awaiting(actor, now),
    }
    counts = _counts(session, selects, actor)
    return Dashboard(
        **{
            name: Panel(_rows(session, name, select), counts[name])
            for name, select in selects.items()
        }
    )


# --- which rows -----------------------------------------------------------------------------


def _visible(actor: Actor, proceeding_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Rows of the proceedings the actor may see (every row for all but lawyers)."""
    if access.sees_all_matters(actor):
        return sa.true()
    return proceeding_id.in_(
        sa.select(Proceeding.id).where(access.matter_filter(actor, Proceeding.matter_id))
    )


def _upcoming(actor: Actor, now: dt.datetime) -> sa.Select:
    """Scheduled hearings from now to 30 days ahead, soonest first."""
    return (
        sa.select(Hearing.id, Hearing.starts_at)
        .where(
            Hearing.status == HearingStatus.scheduled,
            Hearing.starts_at >= now,
            Hearing.starts_at < now + AHEAD,
            _visible(actor, Hearing.proceeding_id),
        )
        .order_by(Hearing.starts_at, Hearing.id)
    )


def _awaiting(actor: Actor, now: dt.datetime) -> sa.Select:
    """Hearings whose time has passed, still scheduled and with no outcome; latest first."""
    return (
        sa.select(Hearing.id, Hearing.starts_at)
        .where(
            Hearing.status == HearingStatus.scheduled,
            Hearing.starts_at < now,
            Hearing.outcome.is_(None),
            _visible(actor, Hearing.proceeding_id),
        )
        .order_by(Hearing.starts_at.desc(), Hearing.id.desc())
    )


def _deadlines(actor: Actor) -> sa.Select:
    """Open deadlines, the earliest due first (so the overdue ones come first)."""
    return (
        sa.select(Deadline.id, Deadline.due_on)
        .where(Deadline.status == DeadlineStatus.open, _visible(actor, Deadline.proceeding_id))
        .order_by(Deadline.due_on, Deadline.id)
    )


def _flags(actor: Actor) -> sa.Select:
    """Open delay flags: critical first, each severity the oldest first.

    One LIMITed part per severity, each read in the order of the primary key (ids grow
    as flags are found), so that no query sorts every open flag to show the first 50.
    """
    parts = [
        sa.select(DelayFlag.id, sa.literal(rank).label("severity_order"))
        .where(_open_flag(actor), DelayFlag.severity == severity)
        .order_by(DelayFlag.id)
        .limit(LIMIT)
        for rank, severity in enumerate((Severity.critical, Severity.warning))
    ]
    # each part in a subquery of its own: SQLite takes no ORDER BY or LIMIT in a UNION's parts
    ranked = sa.union_all(*(sa.select(part.subquery()) for part in parts)).subquery("ranked")
    return sa.select(ranked.c.id, ranked.c.severity_order).order_by(
        ranked.c.severity_order, ranked.c.id
    )


def _open_flag(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.and_(DelayFlag.resolved_at.is_(None), _visible(actor, DelayFlag.proceeding_id))


def _counted(name: str, select: sa.Select, actor: Actor) -> sa.Select:
    """What a panel counts: its rows, in any order (the flags, not just their first rows)."""
    if name == "flags":
        return sa.select(DelayFlag.id).where(_open_flag(actor))
    return select.order_by(None)


def _counts(session: so.Session, selects: dict[str, sa.Select], actor: Actor) -> dict[str, int]:
    """How many rows each panel has, up to COUNT_CAP + 1: one query for them all."""
    capped = {
        name: sa.select(sa.func.count())
        .select_from(_counted(name, select, actor).limit(COUNT_CAP + 1).subquery())
        .scalar_subquery()
        .label(name)
        for name, select in selects.items()
    }
    return dict(session.execute(sa.select(*capped.values())).one()._mapping)


# --- what each row shows --------------------------------------------------------------------


def _rows(session: so.Session, name: str, select: sa.Select) -> list[sa.Row]:
    """The first LIMIT rows of a panel, joined to what the panel shows of them."""
    first = select.limit(LIMIT).subquery("first")
    return list(session.execute(_DETAILS[name](first)).all())


def _context(query: sa.Select, proceeding_id: sa.ColumnElement[int]) -> sa.Select:
    """Join a panel's rows to their proceeding, matter and jurisdiction."""
    return (
        query.add_columns(
            Proceeding.id.label("proceeding_id"),
            Proceeding.title.label("proceeding_title"),
            Proceeding.reference,
            Matter.id.label("matter_id"),
            Matter.title.label("matter_title"),
            Jurisdiction.code.label("jurisdiction_code"),
            Jurisdiction.name.label("jurisdiction_name"),
        )
        .join(Proceeding, Proceeding.id == proceeding_id)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
    )


def _hearing_details(first: sa.Subquery, *, latest_first: bool = False) -> sa.Select:
    moves = (
        sa.select(sa.func.count(Postponement.id))
        .where(Postponement.hearing_id == Hearing.id)
        .scalar_subquery()
    )
    query = sa.select(
        Hearing.id,
        Hearing.title,
        Hearing.starts_at,
        Hearing.timezone,
        Hearing.time_known,
        Hearing.location,
        moves.label("postponements"),
    ).join(first, first.c.id == Hearing.id)
    order = (
        (first.c.starts_at.desc(), first.c.id.desc())
        if latest_first
        else (first.c.starts_at, first.c.id)
    )
    return _context(query, Hearing.proceeding_id).order_by(*order)


def _deadline_details(first: sa.Subquery) -> sa.Select:
    query = sa.select(
        Deadline.id,
        Deadline.title,
        Deadline.due_on,
        Deadline.rule_id.is_not(None).label("computed"),
    ).join(first, first.c.id == Deadline.id)
    return _context(query, Deadline.proceeding_id).order_by(first.c.due_on, first.c.id)


def _flag_details(first: sa.Subquery) -> sa.Select:
    query = sa.select(
        DelayFlag.id,
        DelayFlag.rule,
        DelayFlag.severity,
        DelayFlag.message,
        DelayFlag.first_seen,
        DelayFlag.hearing_id,
        DelayFlag.deadline_id,
        DelayFlag.acknowledged_at,
    ).join(first, first.c.id == DelayFlag.id)
    return _context(query, DelayFlag.proceeding_id).order_by(first.c.severity_order, first.c.id)


_DETAILS = {
    "hearings": _hearing_details,
    "awaiting": lambda first: _hearing_details(first, latest_first=True),
    "deadlines": _deadline_details,
    "flags": _flag_details,
}


def subject_path(row: sa.Row) -> str:
    """The page of what a flag is about: its hearing, deadline or proceeding."""
    if row.hearing_id is not None:
        return f"/hearings/{row.hearing_id}"
    if row.deadline_id is not None:
        return f"/deadlines/{row.deadline_id}"
    return f"/proceedings/{row.proceeding_id}"
