"""The SQL behind a feed: which rows are in its scope, their fingerprint, and the items.

Every query here returns plain rows (not ORM objects): a feed of 5,000 events is
read in three statements whatever its size, and row tuples are what makes that fast.

One rule decides the scope, written once (`in_scope`) and used two ways: with the
feed's columns, correlated inside the lookup of the token (so the fingerprint costs
no extra statement), and with the feed's values bound, to read the items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.calendar.models import CalendarFeed, FeedScope
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.models import Matter, Person, Proceeding, matter_assignees
from tracker.users.models import ALL_MATTERS_ROLES, User

UTC = dt.UTC

#: how far back a feed goes; cancelled hearings stay for a shorter time after their day
PAST = dt.timedelta(days=90)
CANCELLED_KEPT = dt.timedelta(days=30)

GONE = (HearingStatus.cancelled, HearingStatus.postponed)


@dataclass(frozen=True)
class Terms:
    """The parts of the scope rule, as SQL: columns of the feed, or bound values."""

    is_mine: sa.ColumnElement[bool]
    is_matter: sa.ColumnElement[bool]
    is_jurisdiction: sa.ColumnElement[bool]
    matter_id: sa.SQLColumnExpression[int | None]
    jurisdiction_id: sa.SQLColumnExpression[int | None]
    owner_id: sa.SQLColumnExpression[int]
    sees_all: sa.ColumnElement[bool]


def correlated() -> Terms:
    """The terms read from the feed row and its owner in the enclosing query."""
    return Terms(
        is_mine=CalendarFeed.scope == FeedScope.mine,
        is_matter=CalendarFeed.scope == FeedScope.matter,
        is_jurisdiction=CalendarFeed.scope == FeedScope.jurisdiction,
        matter_id=CalendarFeed.matter_id,
        jurisdiction_id=CalendarFeed.jurisdiction_id,
        owner_id=CalendarFeed.owner_id,
        sees_all=User.role.in_(ALL_MATTERS_ROLES),
    )


def bound(scope: str, matter_id, jurisdiction_id, owner_id: int, role: str) -> Terms:
    """The terms of one known feed: constants fold away and the SQL stays simple."""

    def flag(value: bool) -> sa.ColumnElement[bool]:
        return sa.true() if value else sa.false()

    return Terms(
        is_mine=flag(scope == FeedScope.mine),
        is_matter=flag(scope == FeedScope.matter),
        is_jurisdiction=flag(scope == FeedScope.jurisdiction),
        matter_id=sa.literal(matter_id),
        jurisdiction_id=sa.literal(jurisdiction_id),
        owner_id=sa.literal(owner_id),
        sees_all=flag(role in ALL_MATTERS_ROLES),
    )


def in_scope(terms: Terms) -> sa.ColumnElement[bool]:
    """Proceedings in the feed's scope that its owner may see (a lawyer: assigned only).

    The access check is made at every fetch, not only when the feed was made: a
    lawyer taken off a matter stops seeing it in every feed at once.
    """
    # correlate_except: inside the lookup, `calendar_feeds` is the enclosing query's row
    # (two levels up), never a table of its own here
    assigned = (
        sa.select(matter_assignees.c.matter_id)
        .where(matter_assignees.c.user_id == terms.owner_id)
        .correlate_except(matter_assignees)
    )
    return sa.and_(
        sa.or_(
            terms.is_mine,
            sa.and_(terms.is_matter, Proceeding.matter_id == terms.matter_id),
            sa.and_(terms.is_jurisdiction, Proceeding.jurisdiction_id == terms.jurisdiction_id),
        ),
        sa.or_(terms.sees_all, Proceeding.matter_id.in_(assigned)),
    )


# --- the lookup, with its fingerprint -------------------------------------------------------


def _sums(id_column, *versions) -> sa.ColumnElement[str]:
    """The sums of the ids and of the versions, as one text: "Σid:Σversion" (integer sums
    are fast, and text never overflows)."""
    version = versions[0]
    for more in versions[1:]:
        version = version + more
    parts = [sa.cast(sa.func.coalesce(sa.func.sum(c), 0), sa.String) for c in (id_column, version)]
    return parts[0] + ":" + parts[1]


def fingerprint(terms: Terms) -> list[sa.ColumnElement]:
    """The sums of ids and of versions of every row a feed shows, per table.

    Every UPDATE bumps a row's version (optimistic locking), an insert adds to both
    sums and a delete or a change of scope takes from both, so any change that can
    alter the bytes changes a sum. Postponements need none: moving a hearing bumps it.
    """
    proceedings = (
        sa.select(
            _sums(
                Proceeding.id,
                Proceeding.version,
                Matter.version,
                Jurisdiction.version,
                sa.func.coalesce(Person.version, 0),
                sa.func.coalesce(Authority.version, 0),
            )
        )
        .select_from(Proceeding)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
        .outerjoin(Person, Person.id == Matter.subject_id)
        .outerjoin(Authority, Authority.id == Proceeding.authority_id)
        .where(in_scope(terms))
    )
    hearings = (
        sa.select(_sums(Hearing.id, Hearing.version))
        .join(Proceeding, Proceeding.id == Hearing.proceeding_id)
        .where(in_scope(terms))
    )
    # a timed deadline is written in its rule's jurisdiction's zone: that row counts too
    rule_zone = so.aliased(Jurisdiction)
    deadlines = (
        sa.select(_sums(Deadline.id, Deadline.version, sa.func.coalesce(rule_zone.version, 0)))
        .join(Proceeding, Proceeding.id == Deadline.proceeding_id)
        .outerjoin(DeadlineRule, DeadlineRule.id == Deadline.rule_id)
        .outerjoin(rule_zone, rule_zone.id == DeadlineRule.jurisdiction_id)
        .where(in_scope(terms))
    )
    return [
        proceedings.scalar_subquery().label("proceedings_sum"),
        hearings.scalar_subquery().label("hearings_sum"),
        deadlines.scalar_subquery().label("deadlines_sum"),
    ]


def lookup(token_hash: sa.ColumnElement[str]) -> sa.Select:
    """The live feed holding this token hash, its owner, and the fingerprint of its scope.

    A revoked feed is not found, exactly like a token that never existed.
    """
    return (
        sa.select(
            CalendarFeed.id,
            CalendarFeed.token_hash,
            CalendarFeed.name,
            CalendarFeed.scope,
            CalendarFeed.matter_id,
            CalendarFeed.jurisdiction_id,
            CalendarFeed.owner_id,
            CalendarFeed.privacy,
            CalendarFeed.alarms,
            CalendarFeed.version,
            CalendarFeed.content_key,
            CalendarFeed.content_etag,
            CalendarFeed.content_changed_at,
            User.role,
            User.active,
            *fingerprint(correlated()),
        )
        .join(User, User.id == CalendarFeed.owner_id)
        .where(CalendarFeed.token_hash == token_hash, CalendarFeed.revoked_at.is_(None))
    )


#: built once: the statement is the same for every request, only the hash differs
LOOKUP = lookup(sa.bindparam("token_hash", type_=sa.String))


# --- the items ------------------------------------------------------------------------------


def _plain(column) -> sa.ColumnElement[str]:
    """An enum column read as its stored text: no conversion per row (it is written as text)."""
    return sa.type_coerce(column, sa.String).label(column.key)


def _context_columns(full: bool) -> list[sa.SQLColumnExpression[Any]]:
    """The proceeding's context; a minimal feed reads only the jurisdiction's code.

    Always last in a row, in this order: `publishing._context` unpacks it.
    """
    columns: list[sa.SQLColumnExpression[Any]] = [
        Proceeding.id.label("proceeding_id"),
        Jurisdiction.code,
    ]
    if full:
        columns += [
            Proceeding.title.label("proceeding_title"),
            Proceeding.reference,
            _plain(Proceeding.kind),
            Authority.name.label("authority"),
            Matter.title.label("matter"),
            Person.name.label("subject"),
        ]
    return columns


def _with_context(query: sa.Select, full: bool) -> sa.Select:
    query = query.join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
    if full:
        query = (
            query.join(Matter, Matter.id == Proceeding.matter_id)
            .outerjoin(Person, Person.id == Matter.subject_id)
            .outerjoin(Authority, Authority.id == Proceeding.authority_id)
        )
    return query


def hearings(terms: Terms, today: dt.date, *, full: bool) -> sa.Select:
    """Hearings of the window, one row per postponement in full feeds (history).

    The columns come in a fixed order — the hearing's, the postponement's (full
    feeds), then the proceeding's context — which `publishing` unpacks by position.
    """
    since = dt.datetime.combine(today - PAST, dt.time(), UTC)
    cancelled_since = dt.datetime.combine(today - CANCELLED_KEPT, dt.time(), UTC)
    columns: list[sa.SQLColumnExpression[Any]] = [
        Hearing.id,
        Hearing.title,
        Hearing.starts_at,
        Hearing.timezone,
        Hearing.time_known,
        Hearing.location,
        _plain(Hearing.status),
        _plain(Hearing.outcome),
        Hearing.sequence,
        Hearing.updated_at,
    ]
    if full:
        columns += [Postponement.from_starts_at, Postponement.to_starts_at, Postponement.reason]
    columns += _context_columns(full)
    query = sa.select(*columns).join(Proceeding, Proceeding.id == Hearing.proceeding_id)
    query = _with_context(query, full)
    if full:
        # withdrawn moves are not history: a calendar never shows them
        query = query.outerjoin(
            Postponement,
            sa.and_(Postponement.hearing_id == Hearing.id, Postponement.withdrawn_at.is_(None)),
        )
    window = sa.or_(
        sa.and_(Hearing.status.not_in(GONE), Hearing.starts_at >= since),
        sa.and_(Hearing.status.in_(GONE), Hearing.starts_at >= cancelled_since),
    )
    order = [Hearing.id, Postponement.id] if full else [Hearing.id]
    return query.where(in_scope(terms), window).order_by(*order)


def deadlines(terms: Terms, today: dt.date, *, full: bool) -> sa.Select:
    """Deadlines of the window: the deadline's columns, then the context (by position).

    A timed deadline's zone is its rule's jurisdiction's (Rule 39: the Court's, in
    Strasbourg), joined here for every row at once; without a rule, the proceeding's.
    """
    rule_zone = so.aliased(Jurisdiction)
    columns: list[sa.SQLColumnExpression[Any]] = [
        Deadline.id,
        Deadline.title,
        Deadline.due_on,
        _plain(Deadline.status),
        Deadline.version,
        Deadline.updated_at,
        _plain(Deadline.owed_by),
        Deadline.met_by,
        Deadline.due_at,
        sa.func.coalesce(rule_zone.timezone, Jurisdiction.timezone).label("timezone"),
    ]
    if full:
        columns.append(Deadline.explanation)
    columns += _context_columns(full)
    query = sa.select(*columns).join(Proceeding, Proceeding.id == Deadline.proceeding_id)
    query = _with_context(query, full)
    query = query.outerjoin(DeadlineRule, DeadlineRule.id == Deadline.rule_id).outerjoin(
        rule_zone, rule_zone.id == DeadlineRule.jurisdiction_id
    )
    return query.where(in_scope(terms), Deadline.due_on >= today - PAST).order_by(Deadline.id)
