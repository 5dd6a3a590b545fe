"""The hearings list (/hearings): every coming hearing, or every one awaiting an outcome.

The dashboard shows the first rows of these lists; this is all of them, fifty a page.
As on the dashboard, a page's hearings are picked from `hearings` alone in the order of
`ix_hearings_scheduled_starts_at` (scheduled; starts_at, id), and only those fifty are
joined to their proceeding, matter and jurisdiction, selecting just the columns shown.
A page is two statements whatever the data: the count (which page is the last), then
the rows; three with a range of days (`from`/`to`), whose bounds depend on the zones of
the hearings around it (one more statement, below). The CSV export reads every
matching row in one statement, streamed.

The filters base, the paging and the joins are shared with the deadlines list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import spreadsheet
from tracker.core.actors import Actor
from tracker.core.dates import UTC, zone
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.models import Matter, Proceeding
from tracker.users import access

PER_PAGE = 50
#: how far ahead the coming hearings reach unless asked otherwise (the dashboard's 30)
DAYS = 30
MAX_DAYS = 366


# --- shared with the deadlines list -------------------------------------------------------


@dataclass
class Listing:
    """What a list selects, before paging: its rows' ids, their columns, their order."""

    ids: sa.Select
    shown: sa.Select
    row_id: sa.SQLColumnExpression[int]
    order: tuple[sa.SQLColumnExpression[Any], ...]


@dataclass
class ListPage:
    rows: list[sa.Row]
    total: int
    page: int
    pages: int


#: what a list, its CSV and the agenda show of a hearing
SHOWN = (
    Hearing.id,
    Hearing.title,
    Hearing.starts_at,
    Hearing.timezone,
    Hearing.time_known,
    Hearing.location,
    Hearing.status,
    Hearing.outcome,
)


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


def page_of(session: so.Session, listing: Listing, page: int) -> ListPage:
    return fetch_page(session, listing.ids, listing.shown, listing.row_id, listing.order, page)


#: rows read from the database at a time while a CSV is streamed
STREAM_BATCH = 500


def every_row(session: so.Session, listing: Listing) -> Iterator[sa.Row]:
    """Every row of the list, in its order, in one statement read a batch at a time."""
    query = listing.shown.where(listing.row_id.in_(listing.ids)).order_by(*listing.order)
    yield from session.execute(query.execution_options(yield_per=STREAM_BATCH))


def with_authority(query: sa.Select) -> sa.Select:
    """Add the proceeding's authority (a court, a ministry; may be none) to `with_context`."""
    return query.add_columns(Authority.name.label("authority_name")).outerjoin(
        Authority, Authority.id == Proceeding.authority_id
    )


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


def window(
    show: str, days: int, first: dt.date | None, last: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The days a list covers: those asked (`from` alone: for `days` days; `to` alone:
    from today, or from `to` when it is past), every status's days from today otherwise;
    None when the list is not by days (coming within `days` of now, or awaiting)."""
    if first is None and last is None:
        return (today, today + dt.timedelta(days=days - 1)) if show == "all" else None
    if first is None:
        first = min(today, last) if last is not None else today
    if last is None:
        last = first + dt.timedelta(days=days - 1)
    return first, last


def hearings(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    show: str = "upcoming",
    days: int = DAYS,
    country: str | None = None,
    span: tuple[dt.date, dt.date] | None = None,
    page: int = 1,
) -> ListPage:
    """One page of the hearings `actor` may see: coming within `days` (or on the days of
    `span`), awaiting an outcome, or of any status on the days of `span`."""
    found = listing(session, actor, now, show=show, days=days, country=country, span=span)
    return page_of(session, found, page)


def listing(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    show: str = "upcoming",
    days: int = DAYS,
    country: str | None = None,
    span: tuple[dt.date, dt.date] | None = None,
) -> Listing:
    """The hearings list before paging (see `hearings`)."""
    if show == "awaiting":
        wanted = awaiting(now)
    elif show == "all":
        wanted = []
    elif span is None:
        wanted = upcoming(now, now + dt.timedelta(days=days))
    else:
        wanted = [Hearing.status == HearingStatus.scheduled, Hearing.starts_at >= now]
    if span is not None:
        wanted.append(on_days(session, *span))
    ids = sa.select(Hearing.id).where(
        *wanted, visible_proceedings(actor, Hearing.proceeding_id, country)
    )
    return Listing(ids, _shown(), Hearing.id, _order(show))


def _shown() -> sa.Select:
    moves = (
        sa.select(sa.func.count(Postponement.id))
        .where(Postponement.hearing_id == Hearing.id, Postponement.counted)
        .scalar_subquery()
    )
    shown = sa.select(*SHOWN, moves.label("postponements"))
    return with_authority(with_context(shown, Hearing.proceeding_id))


#: no zone's clock is further than this from UTC (Kiribati is 14 hours ahead; some old
#: local mean times reached 15 hours and a half)
FURTHEST_OFFSET = dt.timedelta(hours=16)


def on_days(session: so.Session, first: dt.date, last: dt.date) -> sa.ColumnElement[bool]:
    """Hearings whose day on their court's clock is from `first` to `last`, inclusive.

    A day starts at another instant in each zone: the zones of the hearings near the
    range are read first (one statement, along the index on `starts_at`), then each
    zone's hearings are kept between its own two midnights.
    """
    near = sa.and_(
        Hearing.starts_at >= _midnight(first, UTC) - FURTHEST_OFFSET,
        Hearing.starts_at < _midnight(last + dt.timedelta(days=1), UTC) + FURTHEST_OFFSET,
    )
    zones = session.scalars(sa.select(Hearing.timezone).where(near).distinct()).all()
    if not zones:
        return sa.false()
    return sa.and_(
        near,
        sa.or_(
            *(
                sa.and_(
                    Hearing.timezone == name,
                    Hearing.starts_at >= _midnight(first, zone(name)),
                    Hearing.starts_at < _midnight(last + dt.timedelta(days=1), zone(name)),
                )
                for name in sorted(zones)
            )
        ),
    )


def _midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The first instant of `day` in `tz`, in UTC (where the clocks skip midnight, the
    earlier offset puts it at the instant they jump: still the day's first)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)


def local_day(starts_at: dt.datetime, timezone: str) -> dt.date:
    """A hearing's day on its court's clock."""
    return starts_at.astimezone(zone(timezone)).date()


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


# --- as CSV -------------------------------------------------------------------------------

CSV_HEADER = (
    "date",
    "local time",
    "time zone",
    "time known",
    "hearing",
    "matter",
    "proceeding",
    "country",
    "authority",
    "reference",
    "location",
    "status",
    "outcome",
    "times postponed",
)


def csv_lines(rows: Iterable[sa.Row]) -> Iterator[str]:
    """The CSV of the list's rows: the day and time on the court's clock, and its zone."""
    return spreadsheet.lines(CSV_HEADER, (_csv_row(row) for row in rows))


def _csv_row(row: sa.Row) -> tuple[Any, ...]:
    local = row.starts_at.astimezone(zone(row.timezone))
    return (
        local.date(),
        f"{local:%H:%M}" if row.time_known else None,
        row.timezone,
        row.time_known,
        row.title,
        row.matter_title,
        row.proceeding_title,
        row.jurisdiction_code,
        row.authority_name,
        row.reference,
        row.location,
        row.status.value,
        row.outcome.value if row.outcome else None,
        row.postponements,
    )
