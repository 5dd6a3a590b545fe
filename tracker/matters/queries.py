"""What the matter and proceeding pages read: a constant number of queries per page.

Each function runs one query per kind of row, never one per row, so that a page
costs the same with one proceeding as with a hundred.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.delays.models import DelayFlag, Severity
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.models import (
    OPEN_STATUSES,
    Matter,
    Person,
    Proceeding,
    ProceedingKind,
    matter_assignees,
)
from tracker.users import access
from tracker.users.models import User

PER_PAGE = 50

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


@dataclass
class MatterRow:
    matter: Matter
    countries: list[str] = field(default_factory=list)
    open_proceedings: int = 0
    proceedings: int = 0
    next_hearing: Hearing | None = None


@dataclass
class MatterPage:
    rows: list[MatterRow]
    total: int
    page: int
    pages: int


def _proceeding_filter(search: Search) -> list[sa.ColumnElement[bool]]:
    """Conditions on one proceeding: in that country, of that kind."""
    conditions: list[sa.ColumnElement[bool]] = []
    if search.country:
        conditions.append(
            Proceeding.jurisdiction_id.in_(
                sa.select(Jurisdiction.id).where(Jurisdiction.code == search.country)
            )
        )
    if search.kind:
        conditions.append(Proceeding.kind == ProceedingKind(search.kind))
    return conditions


def _matching_matters(actor: Actor, search: Search) -> sa.Select:
    """The ids of the matters the actor may see that match the search."""
    query = (
        sa.select(Matter.id)
        .outerjoin(Person, Matter.subject_id == Person.id)
        .where(access.matter_filter(actor, Matter.id))
    )
    if search.text:
        query = query.where(
            sa.or_(
                Matter.title.icontains(search.text, autoescape=True),
                Person.name.icontains(search.text, autoescape=True),
            )
        )
    on_proceeding = _proceeding_filter(search)
    is_open = Proceeding.status.in_(OPEN_STATUSES)
    if search.status == "open":
        query = query.where(
            Matter.id.in_(sa.select(Proceeding.matter_id).where(*on_proceeding, is_open))
        )
    elif search.status == "closed":
        query = query.where(
            Matter.id.in_(sa.select(Proceeding.matter_id).where(*on_proceeding)),
            Matter.id.not_in(sa.select(Proceeding.matter_id).where(*on_proceeding, is_open)),
        )
    elif on_proceeding:
        query = query.where(Matter.id.in_(sa.select(Proceeding.matter_id).where(*on_proceeding)))
    return query


def search_matters(
    session: so.Session, actor: Actor, search: Search, now: dt.datetime
) -> MatterPage:
    """One page of the matching matters, with their countries, counts and next hearing."""
    matching = _matching_matters(actor, search).subquery()
    total = session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(search.page, 1), pages)
    matters = list(
        session.scalars(
            sa.select(Matter)
            .where(Matter.id.in_(sa.select(matching.c.id)))
            .options(so.joinedload(Matter.subject))
            .order_by(sa.func.lower(Matter.title), Matter.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    rows = {matter.id: MatterRow(matter) for matter in matters}
    if rows:
        _add_counts(session, rows)
        _add_next_hearings(session, rows, now)
    return MatterPage(list(rows.values()), total, page, pages)


def _add_counts(session: so.Session, rows: dict[int, MatterRow]) -> None:
    is_open = sa.case((Proceeding.status.in_(OPEN_STATUSES), 1), else_=0)
    counted = session.execute(
        sa.select(
            Proceeding.matter_id,
            Jurisdiction.code,
            sa.func.count(),
            sa.func.sum(is_open),
        )
        .join(Jurisdiction, Proceeding.jurisdiction_id == Jurisdiction.id)
        .where(Proceeding.matter_id.in_(rows))
        .group_by(Proceeding.matter_id, Jurisdiction.code)
        .order_by(Proceeding.matter_id, Jurisdiction.code)
    )
    for matter_id, code, count, open_count in counted:
        row = rows[matter_id]
        row.countries.append(code)
        row.proceedings += count
        row.open_proceedings += int(open_count or 0)


def _add_next_hearings(session: so.Session, rows: dict[int, MatterRow], now: dt.datetime) -> None:
    """Each matter's first scheduled hearing from now on (one query, a window function)."""
    ranked = (
        sa.select(
            Hearing.id,
            Proceeding.matter_id,
            sa.func.row_number()
            .over(partition_by=Proceeding.matter_id, order_by=(Hearing.starts_at, Hearing.id))
            .label("rank"),
        )
        .join(Proceeding, Hearing.proceeding_id == Proceeding.id)
        .where(
            Proceeding.matter_id.in_(rows),
            Hearing.status == HearingStatus.scheduled,
            Hearing.starts_at >= now,
        )
        .subquery()
    )
    found = session.execute(
        sa.select(ranked.c.matter_id, Hearing)
        .join(Hearing, Hearing.id == ranked.c.id)
        .where(ranked.c.rank == 1)
    )
    for matter_id, hearing in found:
        rows[matter_id].next_hearing = hearing


def countries(session: so.Session) -> list[tuple[str, str]]:
    """(code, name) of every jurisdiction, for the filters and pickers."""
    return [
        (code, name)
        for code, name in session.execute(
            sa.select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
        )
    ]


# --- one matter ---------------------------------------------------------------------------


@dataclass
class Dossier:
    assignees: list[User]
    #: open delay flags per proceeding id
    flags: dict[int, int]
    #: proceedings of other matters linked to this one (origin of ours, or based on ours)
    elsewhere: list[Proceeding]


def dossier(session: so.Session, actor: Actor, matter: Matter) -> Dossier:
    """What the dossier page shows beside the chronology (three queries)."""
    assignees = list(
        session.scalars(
            sa.select(User)
            .join(matter_assignees, matter_assignees.c.user_id == User.id)
            .where(matter_assignees.c.matter_id == matter.id)
            .order_by(sa.func.lower(User.name), User.email)
        )
    )
    flags = dict(
        session.execute(
            sa.select(DelayFlag.proceeding_id, sa.func.count())
            .join(Proceeding, DelayFlag.proceeding_id == Proceeding.id)
            .where(Proceeding.matter_id == matter.id, DelayFlag.resolved_at.is_(None))
            .group_by(DelayFlag.proceeding_id)
        ).all()
    )
    ours = sa.select(Proceeding.id).where(Proceeding.matter_id == matter.id)
    # a union, not an OR of two IN: each half is an index lookup, an OR scans the table
    linked = sa.union(
        sa.select(Proceeding.origin_id).where(Proceeding.matter_id == matter.id),
        sa.select(Proceeding.id).where(Proceeding.origin_id.in_(ours)),
    )
    elsewhere = list(
        session.scalars(
            sa.select(Proceeding)
            .where(
                Proceeding.matter_id != matter.id,
                Proceeding.id.in_(linked),
                access.matter_filter(actor, Proceeding.matter_id),
            )
            .options(so.joinedload(Proceeding.jurisdiction), so.joinedload(Proceeding.matter))
            .order_by(Proceeding.id)
        )
    )
    return Dossier(assignees, flags, elsewhere)


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
            so.selectinload(Proceeding.events),
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
    from tracker.matters.models import Event

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
    from tracker.core.dates import in_zone

    moves = hearing.postponements
    if not moves:
        return Ledger(0, None, False)
    if moves[-1].to_starts_at is None and hearing.status == HearingStatus.postponed:
        return Ledger(len(moves), None, True)
    first = in_zone(moves[0].from_starts_at, hearing.timezone).date()
    return Ledger(len(moves), (hearing.local_start.date() - first).days, False)
