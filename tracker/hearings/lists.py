"""The hearings list (/hearings): every coming hearing, or every one awaiting an outcome.

The dashboard shows the first rows of these lists; this is all of them, fifty a page.
As on the dashboard, a page's hearings are picked from `hearings` alone in the order of
`ix_hearings_scheduled_starts_at` (scheduled; starts_at, id), and only those fifty are
joined to their proceeding, matter and jurisdiction, selecting just the columns shown.
A page is two statements whatever the data: the count (which page is the last), then
the rows.

The filters base, the paging and the joins are shared with the deadlines list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Matter, Proceeding
from tracker.users import access

PER_PAGE = 50
#: how far ahead the coming hearings reach unless asked otherwise (the dashboard's 30)
DAYS = 30
MAX_DAYS = 366


# --- shared with the deadlines list -------------------------------------------------------


@dataclass
class ListPage:
    rows: list[sa.Row]
    total: int
    page: int
    pages: int


def visible_proceedings(
    actor: Actor, proceeding_id: sa.SQLColumnExpression[int], country: str | None
) -> sa.ColumnElement[bool]:
    """Rows of the proceedings the actor may see, of one country when given."""
    if not country and access.sees_all_matters(actor):
        return sa.true()
    proceedings = sa.select(Proceeding.id).where(access.matter_filter(actor, Proceeding.matter_id))
    if country:
        proceedings = proceedings.join(Jurisdiction).where(Jurisdiction.code == country)
    return proceeding_id.in_(proceedings)


def fetch_page(
    session: so.Session,
    ids: sa.Select,
    shown: sa.Select,
    row_id: sa.SQLColumnExpression[int],
    order: tuple[sa.SQLColumnExpression[Any], ...],
    page: int,
) -> ListPage:
    """Page `page` (the last one when past it) of the rows `ids` picks, in `order`.

    `ids` selects the matching rows' ids from their table alone, so that the page is
    read along the index of `order`; `shown` selects the columns of a row, and is
    joined to the page's ids only.
    """
    counted = sa.select(sa.func.count()).select_from(ids.subquery())
    total = session.scalar(counted) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    picked = ids.order_by(*order).offset((page - 1) * PER_PAGE).limit(PER_PAGE).subquery("picked")
    rows = session.execute(shown.join(picked, picked.c.id == row_id).order_by(*order)).all()
    return ListPage(list(rows), total, page, pages)


def with_context(query: sa.Select, proceeding_id: sa.SQLColumnExpression[int]) -> sa.Select:
    """Join a list's rows to their proceeding, matter and jurisdiction (the `where` macro)."""
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


# --- the hearings -------------------------------------------------------------------------


def hearings(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    show: str = "upcoming",
    days: int = DAYS,
    country: str | None = None,
    page: int = 1,
) -> ListPage:
    """One page of the hearings `actor` may see: coming within `days`, or awaiting an outcome."""
    until = now + dt.timedelta(days=days)
    wanted = awaiting(now) if show == "awaiting" else upcoming(now, until)
    ids = sa.select(Hearing.id).where(
        *wanted, visible_proceedings(actor, Hearing.proceeding_id, country)
    )
    moves = (
        sa.select(sa.func.count(Postponement.id))
        .where(Postponement.hearing_id == Hearing.id, Postponement.counted)
        .scalar_subquery()
    )
    shown = sa.select(
        Hearing.id,
        Hearing.title,
        Hearing.starts_at,
        Hearing.timezone,
        Hearing.time_known,
        Hearing.location,
        moves.label("postponements"),
    )
    shown = with_context(shown, Hearing.proceeding_id)
    return fetch_page(session, ids, shown, Hearing.id, _order(show), page)


# The rules of the two lists, which the dashboard's panels share: `now` and `until` are
# instants or bound parameters.


def upcoming(now: Any, until: Any) -> list[sa.ColumnElement[bool]]:
    """Scheduled hearings from now until `until`."""
    return [
        Hearing.status == HearingStatus.scheduled,
        Hearing.starts_at >= now,
        Hearing.starts_at < until,
    ]


def awaiting(now: Any) -> list[sa.ColumnElement[bool]]:
    """Past hearings still scheduled with no outcome."""
    return [
        Hearing.status == HearingStatus.scheduled,
        Hearing.starts_at < now,
        Hearing.outcome.is_(None),
    ]


def _order(show: str) -> tuple[sa.SQLColumnExpression[Any], ...]:
    """Soonest first; past ones latest first. Both along the partial index."""
    if show == "awaiting":
        return Hearing.starts_at.desc(), Hearing.id.desc()
    return Hearing.starts_at, Hearing.id
