"""What the matter and proceeding pages read: a constant number of queries per page.

Each function runs one query per kind of row, never one per row, so that a page
costs the same with one proceeding as with a hundred.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.core.dates import in_zone
from tracker.core.errors import NotFound
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.delays.models import DelayFlag, Severity
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.models import (
    OPEN_STATUSES,
    Event,
    Matter,
    Person,
    Proceeding,
    ProceedingKind,
)
from tracker.users import access
from tracker.users.models import User

PER_PAGE = 50

# --- statements built once ---------------------------------------------------------------
#
# Building a statement costs more than running it (a few tenths of a millisecond each,
# the whole search more than one), so the pages' statements bind their values (ids,
# searched words, the time) and are built once for each kind of reader and search.


#: the reader's id, bound at each run: one statement serves every lawyer
READER: sa.BindParameter[int] = sa.bindparam("reader_id")


@dataclass(frozen=True)
class _Reader:
    """A lawyer in a statement built once: the role, and the id bound at run time."""

    role: Any
    id: Any = READER


def _built_once(build: Callable[..., sa.Select]) -> Callable[..., sa.Select]:
    """Cache `build(actor, *shape)`, whose SQL depends on the actor only through
    `access.matter_filter` (every matter, or the reader's own: their id is bound, see
    `_bound`) and on the hashable `shape`: a few statements in all, however many lawyers."""
    cache: dict[tuple[Any, ...], sa.Select] = {}

    @functools.wraps(build)
    def built(actor: Actor, *shape: Hashable) -> sa.Select:
        sees_all = access.sees_all_matters(actor)
        key = (sees_all, *shape)
        statement = cache.get(key)
        if statement is None:
            reader = actor if sees_all else _Reader(getattr(actor, "role", None))
            statement = cache[key] = build(reader, *shape)
        return statement

    return built


def _bound(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """The values of a statement built once, with the reader's id."""
    return {**values, "reader_id": getattr(actor, "id", None)}


# --- the list of matters ------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """The filters of the matters list; empty strings mean "any"."""

    text: str = ""
    country: str = ""
    kind: str = ""
    #: "open": a (matching) proceeding is still open; "closed": none of them is
    status: str = ""
    page: int = 1


@dataclass(frozen=True)
class NextHearing:
    """What the list shows of a matter's next hearing."""

    id: int
    starts_at: dt.datetime
    timezone: str
    time_known: bool


@dataclass
class MatterRow:
    id: int
    title: str
    client: str | None
    countries: list[str] = field(default_factory=list)
    open_proceedings: int = 0
    proceedings: int = 0
    next_hearing: NextHearing | None = None


@dataclass
class MatterPage:
    rows: list[MatterRow]
    total: int
    page: int
    pages: int


def search_matters(
    session: so.Session, actor: Actor, search: Search, now: dt.datetime
) -> MatterPage:
    """One page of the matching matters, with their countries, counts and next hearing.

    One query: the page's matters (with the total), their proceedings counted by
    country and their next hearing, a row per matter and country.
    """
    page = max(search.page, 1)
    rows, total = _page(session, actor, search, now, page)
    if not rows and page > 1:  # past the last page: show the last one
        count = _count_statement(actor, _Shape.of(search))
        total = session.scalar(count, _bound(actor, _values(search))) or 0
        page = max(1, -(-total // PER_PAGE))
        rows, total = _page(session, actor, search, now, page)
    return MatterPage(rows, total, page, max(1, -(-total // PER_PAGE)))


def _page(
    session: so.Session, actor: Actor, search: Search, now: dt.datetime, page: int
) -> tuple[list[MatterRow], int]:
    values = _bound(actor, {**_values(search), "now": now, "offset": (page - 1) * PER_PAGE})
    found = session.execute(_page_statement(actor, _Shape.of(search)), values).all()
    rows: dict[int, MatterRow] = {}
    for found_row in found:
        row = rows.get(found_row.id)
        if row is None:
            row = rows[found_row.id] = MatterRow(found_row.id, found_row.title, found_row.client)
            if found_row.hearing_id is not None:
                row.next_hearing = NextHearing(
                    found_row.hearing_id,
                    found_row.starts_at,
                    found_row.timezone,
                    found_row.time_known,
                )
        if found_row.code is not None:
            row.countries.append(found_row.code)
            row.proceedings += found_row.proceedings
            row.open_proceedings += int(found_row.open or 0)
    return list(rows.values()), found[0].total if found else 0


@dataclass(frozen=True)
class _Shape:
    """What the SQL of a search depends on; the searched values are bound when it runs."""

    text: bool
    country: bool
    kind: bool
    status: str

    @classmethod
    def of(cls, search: Search) -> _Shape:
        return cls(bool(search.text), bool(search.country), bool(search.kind), search.status)

    @property
    def filtered(self) -> bool:
        return self.text or self.country or self.kind or bool(self.status)


def _values(search: Search) -> dict[str, Any]:
    """The searched values, under the names the search statements bind."""
    values: dict[str, Any] = {}
    if search.text:  # a literal % or _, not a wildcard
        values["text"] = search.text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    if search.country:
        values["country"] = search.country
    if search.kind:
        values["kind"] = ProceedingKind(search.kind)
    return values


def _proceeding_filter(shape: _Shape) -> list[sa.ColumnElement[bool]]:
    """Conditions on one proceeding: in that country, of that kind."""
    conditions: list[sa.ColumnElement[bool]] = []
    if shape.country:
        conditions.append(
            Proceeding.jurisdiction_id.in_(
                sa.select(Jurisdiction.id).where(Jurisdiction.code == sa.bindparam("country"))
            )
        )
    if shape.kind:
        conditions.append(Proceeding.kind == sa.bindparam("kind"))
    return conditions


def _has_proceeding(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    # ix_proceedings_search answers the country, kind and status from the index alone
    return sa.exists().where(Proceeding.matter_id == Matter.id, *conditions)


def _matching_matters(actor: Actor, shape: _Shape) -> sa.Select:
    """The ids of the matters the actor may see that match the search."""
    query = (
        sa.select(Matter.id)
        .outerjoin(Person, Matter.subject_id == Person.id)
        .where(access.matter_filter(actor, Matter.id))
    )
    if shape.text:
        query = query.where(
            sa.or_(
                Matter.title.icontains(sa.bindparam("text"), escape="/"),
                Person.name.icontains(sa.bindparam("text"), escape="/"),
            )
        )
    on_proceeding = _proceeding_filter(shape)
    is_open = Proceeding.status.in_(OPEN_STATUSES)
    if shape.status == "open":
        query = query.where(_has_proceeding(*on_proceeding, is_open))
    elif shape.status == "closed":
        query = query.where(
            _has_proceeding(*on_proceeding), ~_has_proceeding(*on_proceeding, is_open)
        )
    elif on_proceeding:
        query = query.where(_has_proceeding(*on_proceeding))
    return query


@_built_once
def _count_statement(actor: Actor, shape: _Shape) -> sa.Select:
    matching = _matching_matters(actor, shape).subquery()
    return sa.select(sa.func.count()).select_from(matching)


@_built_once
def _page_statement(actor: Actor, shape: _Shape) -> sa.Select:
    matching = _matching_matters(actor, shape)
    if shape.filtered:
        # the total rides along with the page: the matching rows are found once
        total: sa.ColumnElement[int] = sa.func.count().over()
    else:  # every visible matter: counting them apart is cheaper than a window over all
        total = sa.select(sa.func.count()).select_from(matching.subquery()).scalar_subquery()
    listed = (
        matching.add_columns(Matter.title, Matter.subject_id, total.label("total"))
        .order_by(sa.func.lower(Matter.title), Matter.id)
        .limit(PER_PAGE)
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .cte("listed")
    )
    counts = _counts(listed)
    first = _next_hearings(listed)
    return (
        sa.select(
            listed.c.id,
            listed.c.title,
            Person.name.label("client"),
            listed.c.total,
            counts.c.code,
            counts.c.proceedings,
            counts.c.open,
            first.c.id.label("hearing_id"),
            first.c.starts_at,
            first.c.timezone,
            first.c.time_known,
        )
        .select_from(
            listed.outerjoin(Person, Person.id == listed.c.subject_id)
            .outerjoin(counts, counts.c.matter_id == listed.c.id)
            .outerjoin(first, first.c.matter_id == listed.c.id)
        )
        .order_by(sa.func.lower(listed.c.title), listed.c.id, counts.c.code)
    )


def _counts(listed: sa.CTE) -> sa.Subquery:
    """Proceedings of the listed matters, all and open, by matter and country."""
    is_open = sa.case((Proceeding.status.in_(OPEN_STATUSES), 1), else_=0)
    return (
        sa.select(
            Proceeding.matter_id,
            Jurisdiction.code,
            sa.func.count().label("proceedings"),
            sa.func.sum(is_open).label("open"),
        )
        .join(Jurisdiction, Proceeding.jurisdiction_id == Jurisdiction.id)
        .where(Proceeding.matter_id.in_(sa.select(listed.c.id)))
        .group_by(Proceeding.matter_id, Jurisdiction.code)
        .subquery("counts")
    )


def _next_hearings(listed: sa.CTE) -> sa.Subquery:
    """Each listed matter's first scheduled hearing from `now` on (a window function)."""
    ranked = (
        sa.select(
            Proceeding.matter_id,
            Hearing.id,
            Hearing.starts_at,
            Hearing.timezone,
            Hearing.time_known,
            sa.func.row_number()
            .over(partition_by=Proceeding.matter_id, order_by=(Hearing.starts_at, Hearing.id))
            .label("rank"),
        )
        .join(Proceeding, Hearing.proceeding_id == Proceeding.id)
        .where(
            Proceeding.matter_id.in_(sa.select(listed.c.id)),
            Hearing.status == HearingStatus.scheduled,
            Hearing.starts_at >= sa.bindparam("now"),
        )
        .subquery("ranked")
    )
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("first")


def countries(session: so.Session) -> list[tuple[str, str]]:
    """(code, name) of every jurisdiction, for the filters and pickers."""
    return [(code, name) for code, name in session.execute(_countries_statement())]


@functools.cache
def _countries_statement() -> sa.Select:
    return sa.select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)


# --- one matter ---------------------------------------------------------------------------


def dossier_matter(session: so.Session, actor: Actor, matter_id: int) -> Matter:
    """The matter with its client and assignees, or 404 also when the actor may not see it.

    One query where `operations.get_matter` and the lazy loads would take three.
    """
    found = session.scalars(_matter_statement(actor), _bound(actor, {"matter_id": matter_id}))
    matter = found.unique().one_or_none()
    if matter is None:
        raise NotFound(f"no matter {matter_id}")
    return matter


@_built_once
def _matter_statement(actor: Actor) -> sa.Select:
    return (
        sa.select(Matter)
        .outerjoin(Matter.assignees)
        .where(Matter.id == sa.bindparam("matter_id"), access.matter_filter(actor, Matter.id))
        .options(so.joinedload(Matter.subject), so.contains_eager(Matter.assignees))
        .order_by(sa.func.lower(User.name), User.email)
    )


@dataclass(frozen=True)
class Linked:
    """A proceeding of another matter, as the dossier lists it."""

    id: int
    title: str
    code: str
    matter_id: int
    matter_title: str


@dataclass
class Dossier:
    #: open delay flags per proceeding id
    flags: dict[int, int]
    #: proceedings of other matters linked to this one (origin of ours, or based on ours)
    elsewhere: list[Linked]


def dossier(session: so.Session, actor: Actor, matter: Matter) -> Dossier:
    """What the dossier page shows beside the chronology (two queries)."""
    ours = {"matter_id": matter.id}
    flags = dict(session.execute(_flags_statement(), ours).all())
    linked = session.execute(_elsewhere_statement(actor), _bound(actor, ours))
    elsewhere = [Linked(*row) for row in linked]
    return Dossier(flags, elsewhere)


@functools.cache
def _flags_statement() -> sa.Select:
    return (
        sa.select(DelayFlag.proceeding_id, sa.func.count())
        .join(Proceeding, DelayFlag.proceeding_id == Proceeding.id)
        .where(Proceeding.matter_id == sa.bindparam("matter_id"), DelayFlag.resolved_at.is_(None))
        .group_by(DelayFlag.proceeding_id)
    )


@_built_once
def _elsewhere_statement(actor: Actor) -> sa.Select:
    matter_id: sa.BindParameter[int] = sa.bindparam("matter_id")
    ours = sa.select(Proceeding.id).where(Proceeding.matter_id == matter_id)
    # a union, not an OR of two IN: each half is an index lookup, an OR scans the table
    linked: sa.CompoundSelect[int | None] = sa.union(
        sa.select(Proceeding.origin_id).where(Proceeding.matter_id == matter_id),
        sa.select(Proceeding.id).where(Proceeding.origin_id.in_(ours)),
    )
    return (
        sa.select(Proceeding.id, Proceeding.title, Jurisdiction.code, Matter.id, Matter.title)
        .join(Jurisdiction, Proceeding.jurisdiction_id == Jurisdiction.id)
        .join(Matter, Proceeding.matter_id == Matter.id)
        .where(
            Proceeding.matter_id != matter_id,
            Proceeding.id.in_(linked),
            access.matter_filter(actor, Proceeding.matter_id),
        )
        .order_by(Proceeding.id)
    )


# --- one proceeding -----------------------------------------------------------------------


@dataclass
class ProceedingPage:
    proceeding: Proceeding
    #: proceedings that are appeals or stages of this one, or based on it
    children: list[Proceeding]
    #: its parent, origin and children that the actor may see, by id
    related: dict[int, Proceeding]
    flags: list[DelayFlag]
    #: rules of this jurisdiction by the event kind that triggers them
    rules: dict[str, list[DeadlineRule]]


def proceeding_page(session: so.Session, actor: Actor, proceeding: Proceeding) -> ProceedingPage:
    """A proceeding with everything its page shows, one query per kind of row."""
    session.scalars(
        sa.select(Proceeding)
        .where(Proceeding.id == proceeding.id)
        .options(
            so.joinedload(Proceeding.matter),
            so.joinedload(Proceeding.jurisdiction),
            so.joinedload(Proceeding.authority),
            so.selectinload(Proceeding.hearings)
            .selectinload(Hearing.postponements)
            .joinedload(Postponement.recorded_by),
            so.selectinload(Proceeding.events).joinedload(Event.withdrawn_by),
            so.selectinload(Proceeding.deadlines).joinedload(Deadline.rule),
        )
        .execution_options(populate_existing=True)
    ).one()
    linked = [i for i in (proceeding.parent_id, proceeding.origin_id) if i is not None]
    related = list(
        session.scalars(
            sa.select(Proceeding)
            .where(
                sa.or_(
                    Proceeding.id.in_(linked),
                    Proceeding.parent_id == proceeding.id,
                    Proceeding.origin_id == proceeding.id,
                ),
                access.matter_filter(actor, Proceeding.matter_id),
            )
            .options(so.joinedload(Proceeding.jurisdiction))
            .order_by(Proceeding.opened_on.asc().nulls_last(), Proceeding.id)
        )
    )
    children = [p for p in related if proceeding.id in (p.parent_id, p.origin_id)]
    flags = list(
        session.scalars(
            sa.select(DelayFlag)
            .where(DelayFlag.proceeding_id == proceeding.id, DelayFlag.resolved_at.is_(None))
            .order_by(
                sa.case((DelayFlag.severity == Severity.critical, 0), else_=1),
                DelayFlag.first_seen,
                DelayFlag.id,
            )
        )
    )
    rules: dict[str, list[DeadlineRule]] = defaultdict(list)
    for rule in session.scalars(
        sa.select(DeadlineRule)
        .where(DeadlineRule.jurisdiction_id == proceeding.jurisdiction_id)
        .order_by(DeadlineRule.code, DeadlineRule.valid_from)
    ):
        rules[rule.trigger_kind].append(rule)
    return ProceedingPage(proceeding, children, {p.id: p for p in related}, flags, dict(rules))


# --- pickers ------------------------------------------------------------------------------


def authority_names(session: so.Session) -> list[tuple[str, str]]:
    """(name, jurisdiction code) of every known authority, for a datalist."""
    return list(
        session.execute(
            sa.select(Authority.name, Jurisdiction.code)
            .join(Jurisdiction, Authority.jurisdiction_id == Jurisdiction.id)
            .order_by(Authority.name)
        ).all()
    )


def assignable_users(session: so.Session) -> list[User]:
    """Active users, lawyers first: who can be assigned to a matter."""
    lawyers_first = sa.case((User.role == "lawyer", 0), else_=1)
    return list(
        session.scalars(
            sa.select(User)
            .where(User.active.is_(True))
            .order_by(lawyers_first, sa.func.lower(User.name), User.email)
        )
    )


def event_kinds(session: so.Session) -> list[str]:
    """Event kinds already used or that deadline rules count from, for a datalist."""
    used = sa.select(Event.kind).distinct()
    triggers = sa.select(DeadlineRule.trigger_kind).distinct()
    return sorted(set(session.scalars(used)) | set(session.scalars(triggers)))


# --- a hearing's postponements ------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """How far a hearing has moved: the number of postponements and the total slip."""

    count: int
    #: days between the first date it was set for and the date it is set for now
    slip_days: int | None
    #: postponed with no new date
    sine_die: bool


def ledger(hearing: Hearing) -> Ledger:
    """The postponement facts of a hearing whose postponements are loaded."""
    moves = hearing.moves  # withdrawn ones left out; brought forward ones not counted
    if not moves:
        return Ledger(0, None, False)
    count = len(hearing.delays)
    if moves[-1].to_starts_at is None and hearing.status == HearingStatus.postponed:
        return Ledger(count, None, True)
    first = in_zone(moves[0].from_starts_at, hearing.timezone).date()
    return Ledger(count, (hearing.local_start.date() - first).days, False)
