"""The agenda: a few days' hearings and deadlines, per lawyer, day by day, to print.

What a reader sees here is what the hearings and deadlines lists show them
(`hearings.lists.visible_proceedings`): a lawyer, their matters only. The rows are
grouped by the lawyers assigned to their matter: a matter with two lawyers is in both
agendas, one with none under "no lawyer assigned".

Three statements whatever the data: the time zones of the hearings near the days
(a day starts at another instant in each court's zone: `hearings.lists.on_days`), the
hearings, and the deadlines, each with its matter's lawyers joined.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.hearings import lists
from tracker.hearings.models import Hearing, HearingStatus
from tracker.matters.models import Matter, matter_assignees
from tracker.users.enums import Role
from tracker.users.models import User

#: a hearing cancelled, or postponed sine die (left at the date it no longer has), is
#: not on anyone's agenda; a held one stays on the day it was held
ON_THE_AGENDA = (HearingStatus.scheduled, HearingStatus.held)

#: the kinds of entries of a day, in the order they are listed
HEARING, OURS, AUTHORITY = "hearing", "ours", "authority"


@dataclass
class Entry:
    kind: str
    row: sa.Row


@dataclass
class Agenda:
    """One lawyer's days (`lawyer` None: the matters with no lawyer assigned)."""

    lawyer: str | None
    days: dict[dt.date, list[Entry]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(entries) for entries in self.days.values())


def lawyers(session: so.Session) -> list[sa.Row]:
    """The active lawyers, whose agendas a coordinator may pick."""
    query = sa.select(User.id, User.name, User.email).where(User.role == Role.lawyer, User.active)
    return list(session.execute(query.order_by(User.name, User.email, User.id)))


def agendas(
    session: so.Session, actor: Actor, first: dt.date, last: dt.date, lawyer: int | None
) -> list[Agenda]:
    """Every lawyer's agenda from `first` to `last` (`lawyer` None), or one lawyer's."""
    entries = [Entry(HEARING, row) for row in _hearings(session, actor, first, last, lawyer)]
    for row in _deadlines(session, actor, first, last, lawyer):
        entries.append(Entry(AUTHORITY if row.owed_by.value == "authority" else OURS, row))
    return _grouped(entries, first, last)


def _assigned(query: sa.Select, lawyer: int | None) -> sa.Select:
    """Join the matter's lawyers (each a row); one lawyer's matters when `lawyer` is given."""
    joined = matter_assignees.c.matter_id == Matter.id
    if lawyer is not None:
        query = query.join(matter_assignees, sa.and_(joined, matter_assignees.c.user_id == lawyer))
    else:
        query = query.outerjoin(matter_assignees, joined)
    return query.add_columns(
        User.id.label("lawyer_id"), User.name.label("lawyer_name"), User.email.label("lawyer_email")
    ).outerjoin(User, User.id == matter_assignees.c.user_id)


def _hearings(
    session: so.Session, actor: Actor, first: dt.date, last: dt.date, lawyer: int | None
) -> Iterable[sa.Row]:
    query = sa.select(*lists.SHOWN)
    query = _assigned(lists.with_context(query, Hearing.proceeding_id), lawyer).where(
        Hearing.status.in_(ON_THE_AGENDA),
        lists.on_days(session, first, last),
        lists.visible_proceedings(actor, Hearing.proceeding_id, None),
    )
    return session.execute(query.order_by(Hearing.starts_at, Hearing.id))


def _deadlines(
    session: so.Session, actor: Actor, first: dt.date, last: dt.date, lawyer: int | None
) -> Iterable[sa.Row]:
    query = sa.select(
        Deadline.id,
        Deadline.title,
        Deadline.due_on,
        Deadline.owed_by,
        Deadline.rule_id.is_not(None).label("computed"),
    )
    query = _assigned(lists.with_context(query, Deadline.proceeding_id), lawyer).where(
        Deadline.status == DeadlineStatus.open,
        Deadline.due_on.between(first, last),
        lists.visible_proceedings(actor, Deadline.proceeding_id, None),
    )
    return session.execute(query.order_by(Deadline.due_on, Deadline.owed_by, Deadline.id))


def _grouped(entries: list[Entry], first: dt.date, last: dt.date) -> list[Agenda]:
    """By lawyer (by name; no lawyer last), then by day: hearings, ours, the authorities'."""
    by_lawyer: dict[int | None, Agenda] = {}
    days: dict[int | None, dict[dt.date, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        row = entry.row
        if row.lawyer_id not in by_lawyer:
            by_lawyer[row.lawyer_id] = Agenda(row.lawyer_name or row.lawyer_email)
        days[row.lawyer_id][_day(entry)].append(entry)
    order = {HEARING: 0, OURS: 1, AUTHORITY: 2}
    for key, agenda in by_lawyer.items():
        agenda.days = {
            day: sorted(days[key][day], key=lambda e: order[e.kind])
            for day in sorted(days[key])
            if first <= day <= last
        }
    return sorted(by_lawyer.values(), key=lambda a: (a.lawyer is None, (a.lawyer or "").lower()))


def _day(entry: Entry) -> dt.date:
    row = entry.row
    return lists.local_day(row.starts_at, row.timezone) if entry.kind == HEARING else row.due_on
