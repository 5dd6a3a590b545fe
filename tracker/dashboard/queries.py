"""The dashboard's panels: three small queries, whatever the number of matters.

Each panel picks its first rows from its own table alone, in the order of an index
where there is one (hearings by `starts_at`, deadlines by `due_on`), and only then
joins those few rows to their proceeding, matter and jurisdiction, selecting just
the columns shown (no ORM object, no lazy load per row). Lawyers' rows are kept to
their matters by a subquery on their assignments.

How many rows match in all rides on the same query as one more column per panel, a
count that stops at `COUNT_CAP`: a dashboard says "200+", never scans every open
deadline of 10,000 matters to say "48,042". A panel with no rows has nothing to count.

The statements are built once per kind of reader (all matters, or assigned ones) and
take the time and the user as parameters: a page view only binds and runs them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.delays.models import DelayFlag, Severity
from tracker.hearings import lists
from tracker.hearings.models import Hearing, Postponement
from tracker.matters.models import Proceeding, matter_assignees
from tracker.users import access

#: rows shown per panel: the top of each list, whose whole is a page of its own
LIMIT = 10
#: counts stop here
COUNT_CAP = 200
#: how far ahead the hearings panel looks
AHEAD = dt.timedelta(days=30)

NOW: sa.BindParameter[dt.datetime] = sa.bindparam("now")
UNTIL: sa.BindParameter[dt.datetime] = sa.bindparam("until")
USER: sa.BindParameter[int] = sa.bindparam("user_id")


@dataclass
class Panel:
    """The first rows of a panel and how many rows match in all (up to COUNT_CAP + 1)."""

    rows: Sequence[sa.Row] = field(default_factory=list)
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
    """The four panels as `actor` may see them at `now`: three queries."""
    hearings, deadlines, flags = _statements(access.sees_all_matters(actor), LIMIT, COUNT_CAP)
    params = {"now": now, "until": now + AHEAD, "user_id": getattr(actor, "id", None)}
    connection = session.connection()
    both = connection.execute(hearings, params).all()
    upcoming = [row for row in both if row.panel == "upcoming"]
    awaiting = [row for row in both if row.panel == "awaiting"]
    awaiting.reverse()  # fetched in time order like the other; shown latest first
    return Dashboard(
        hearings=_panel(upcoming, both, "upcoming_total"),
        awaiting=_panel(awaiting, both, "awaiting_total"),
        deadlines=_panel(connection.execute(deadlines, params).all()),
        flags=_panel(connection.execute(flags, params).all()),
    )


def _panel(
    rows: Sequence[sa.Row], fetched: Sequence[sa.Row] | None = None, total: str = "total"
) -> Panel:
    """A panel of `rows`; its count is on every row fetched with them (none: nothing matches)."""
    fetched = rows if fetched is None else fetched
    return Panel(rows, fetched[0]._mapping[total] if fetched else 0)


@functools.cache
def _statements(sees_all: bool, limit: int, cap: int) -> tuple[sa.Select, sa.Select, sa.Select]:
    """The hearings (both panels), deadlines and flags queries for one kind of reader."""
    panels = _Panels(sees_all, limit, cap)
    return panels.hearings(), panels.deadlines(), panels.flags()


@dataclass(frozen=True)
class _Panels:
    sees_all: bool
    limit: int
    cap: int

    # --- which rows -----------------------------------------------------------------------

    def visible(self, proceeding_id: sa.SQLColumnExpression[int]) -> sa.ColumnElement[bool]:
        """Rows of the proceedings the reader may see (every row for all but lawyers)."""
        if self.sees_all:
            return sa.true()
        mine = (
            sa.select(Proceeding.id)
            .join(matter_assignees, matter_assignees.c.matter_id == Proceeding.matter_id)
            .where(matter_assignees.c.user_id == USER)
        )
        return proceeding_id.in_(mine)

    def upcoming(self) -> sa.Select:
        """Scheduled hearings from now to 30 days ahead, soonest first (the list's rule)."""
        return (
            sa.select(Hearing.id, Hearing.starts_at)
            .where(*lists.upcoming(NOW, UNTIL), self.visible(Hearing.proceeding_id))
            .order_by(Hearing.starts_at, Hearing.id)
        )

    def awaiting(self) -> sa.Select:
        """Past hearings with no outcome yet, latest first (the list's rule)."""
        return (
            sa.select(Hearing.id, Hearing.starts_at)
            .where(*lists.awaiting(NOW), self.visible(Hearing.proceeding_id))
            .order_by(Hearing.starts_at.desc(), Hearing.id.desc())
        )

    def open_deadlines(self) -> sa.Select:
        """Open deadlines, the earliest due first (so the overdue ones come first)."""
        return (
            sa.select(Deadline.id, Deadline.due_on)
            .where(Deadline.status == DeadlineStatus.open, self.visible(Deadline.proceeding_id))
            .order_by(Deadline.due_on, Deadline.id)
        )

    def open_flags(self, severity: Severity | None = None) -> sa.Select:
        """Open flags (of one severity) in the order they were found."""
        query = sa.select(DelayFlag.id).where(
            DelayFlag.resolved_at.is_(None), self.visible(DelayFlag.proceeding_id)
        )
        if severity is not None:
            query = query.where(DelayFlag.severity == severity)
        return query.order_by(DelayFlag.id)

    def first(self, query: sa.Select, **tags: str) -> sa.Select:
        """The first rows of `query`, selected from a subquery of their own: SQLite takes no
        ORDER BY or LIMIT in a UNION's parts."""
        tagged = query.add_columns(*(sa.literal(v).label(k) for k, v in tags.items()))
        return sa.select(tagged.limit(self.limit).subquery())

    def count(self, query: sa.Select) -> sa.ScalarSelect:
        """How many rows `query` has, up to cap + 1 (in its order, so along its index)."""
        return (
            sa.select(sa.func.count())
            .select_from(query.limit(self.cap + 1).subquery())
            .scalar_subquery()
        )

    # --- what each row shows --------------------------------------------------------------

    def hearings(self) -> sa.Select:
        """Both hearing panels' first rows, tagged by panel, in time order."""
        upcoming, awaiting = self.upcoming(), self.awaiting()
        first = sa.union_all(
            self.first(upcoming, panel="upcoming"), self.first(awaiting, panel="awaiting")
        ).subquery("first")
        moves = (
            sa.select(sa.func.count(Postponement.id))
            .where(Postponement.hearing_id == Hearing.id, Postponement.counted)
            .scalar_subquery()
        )
        query = sa.select(
            first.c.panel,
            Hearing.id,
            Hearing.title,
            Hearing.starts_at,
            Hearing.timezone,
            Hearing.time_known,
            Hearing.location,
            moves.label("postponements"),
            self.count(upcoming).label("upcoming_total"),
            self.count(awaiting).label("awaiting_total"),
        ).join(first, first.c.id == Hearing.id)
        return lists.with_context(query, Hearing.proceeding_id).order_by(
            first.c.starts_at, first.c.id
        )

    def deadlines(self) -> sa.Select:
        deadlines = self.open_deadlines()
        first = self.first(deadlines).subquery("first")
        query = sa.select(
            Deadline.id,
            Deadline.title,
            Deadline.due_on,
            Deadline.rule_id.is_not(None).label("computed"),
            self.count(deadlines).label("total"),
        ).join(first, first.c.id == Deadline.id)
        return lists.with_context(query, Deadline.proceeding_id).order_by(
            first.c.due_on, first.c.id
        )

    def flags(self) -> sa.Select:
        """Critical first, each severity the oldest first: one LIMITed part per severity,
        each read in the order of the primary key (ids grow as flags are found), so that
        no query sorts every open flag to show the first rows."""
        parts = [
            self.first(self.open_flags(severity), severity_order=str(rank))
            for rank, severity in enumerate((Severity.critical, Severity.warning))
        ]
        first = sa.union_all(*parts).subquery("first")
        query = sa.select(
            DelayFlag.id,
            DelayFlag.rule,
            DelayFlag.severity,
            DelayFlag.message,
            DelayFlag.first_seen,
            DelayFlag.began_on,
            DelayFlag.last_seen,
            DelayFlag.hearing_id,
            DelayFlag.deadline_id,
            DelayFlag.acknowledged_at,
            self.count(self.open_flags()).label("total"),
        ).join(first, first.c.id == DelayFlag.id)
        order = (first.c.severity_order, first.c.id)
        return lists.with_context(query, DelayFlag.proceeding_id).order_by(*order).limit(self.limit)


def subject_path(row: sa.Row) -> str:
    """The page of what a flag is about: its hearing, deadline or proceeding."""
    if row.hearing_id is not None:
        return f"/hearings/{row.hearing_id}"
    if row.deadline_id is not None:
        return f"/deadlines/{row.deadline_id}"
    return f"/proceedings/{row.proceeding_id}"
