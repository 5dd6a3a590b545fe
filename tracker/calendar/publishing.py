"""Serve a feed: find it by its token, answer 304 or its body, and log the fetch.

At most five statements, whatever the feed's size: the lookup (with the fingerprint
of the feed's scope), the hearings and the deadlines when the body must be built,
and two small writes for the fetch log. A feed whose fingerprint has not moved
answers 304 from the ETag stored on its row, in any worker, without being built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.calendar import ical, queries, timezones
from tracker.calendar.cache import bodies
from tracker.calendar.models import CalendarFeed, FeedFetch, FeedPrivacy
from tracker.core.db import table_of

#: compared against when no feed has the token, so a miss costs what a hit costs
_NO_FEED = hashlib.sha256(b"no feed has this token").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Client:
    """What the request says about itself: its validators, its agent and its address."""

    if_none_match: frozenset[str] = frozenset()
    if_modified_since: dt.datetime | None = None
    user_agent: str = ""
    address: str = ""


@dataclass(frozen=True)
class Answer:
    status: int  # 200, or 304 with no body
    body: bytes | None
    etag: str
    last_modified: dt.datetime


def serve(
    session: so.Session, now: dt.datetime, token: str, *, base_url: str, client: Client
) -> Answer | None:
    """The feed answer for a token, or None (unknown, revoked, or its owner is gone).

    Writes the fetch log in the caller's transaction; the caller commits.
    """
    digest = token_hash(token)
    row = session.connection().execute(queries.LOOKUP, {"token_hash": digest}).first()
    # Looked up by hash, then compared in constant time; a miss compares too.
    matched = hmac.compare_digest(row.token_hash if row else _NO_FEED, digest)
    if row is None or not matched or not row.active:
        return None
    key = content_key(row, now.date(), base_url)
    body, etag, changed_at = None, row.content_etag, row.content_changed_at
    if row.content_key != key or etag is None or changed_at is None:
        body, etag = _body(session, row, key, now.date(), base_url)
        changed_at = changed_at if etag == row.content_etag and changed_at else now
    if _fresh(client, etag, changed_at):
        _log(session, row.id, now, client, key, etag, changed_at)
        return Answer(304, None, etag, changed_at)
    if body is None:
        body, built = _body(session, row, key, now.date(), base_url)
        if built != etag:  # the same key gave other bytes (a new tz database): say so
            etag, changed_at = built, now
    _log(session, row.id, now, client, key, etag, changed_at)
    return Answer(200, body, etag, changed_at)


def content_key(row: sa.Row, today: dt.date, base_url: str) -> str:
    """What a body is made of; equal keys give equal bytes."""
    parts = (
        ical.FORMAT,
        timezones.database_version(),
        base_url,
        today.isoformat(),  # the window moves every day
        row.id,
        row.version,  # name, privacy, alarms, scope
        str(row.role),  # a lawyer sees only assigned matters
        row.proceedings_sum,
        row.hearings_sum,
        row.deadlines_sum,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _fresh(client: Client, etag: str, changed_at: dt.datetime) -> bool:
    """Whether the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if client.if_none_match:
        return etag in client.if_none_match or "*" in client.if_none_match
    since = client.if_modified_since
    return since is not None and changed_at.replace(microsecond=0) <= since


def _body(
    session: so.Session, row: sa.Row, key: str, today: dt.date, base_url: str
) -> tuple[bytes, str]:
    """The feed's bytes and ETag, from this process's cache or built now."""
    cached = bodies.get(key)
    if cached is not None:
        return cached
    body = build(session, row, today, base_url)
    etag = hashlib.sha256(body).hexdigest()[:32]
    bodies.put(key, body, etag)
    return body, etag


_FEEDS = table_of(CalendarFeed)
_FETCHES = table_of(FeedFetch)

#: the fetch log's two writes, built once (they run on every request), without the
#: ORM: the feed's version and updated_at stay put, it is not a change of the feed
_TOUCH = (
    sa.update(_FEEDS)
    .where(_FEEDS.c.id == sa.bindparam("feed"))
    .values(
        last_fetched_at=sa.bindparam("at"),
        content_key=sa.bindparam("key"),
        content_etag=sa.bindparam("etag"),
        content_changed_at=sa.bindparam("changed_at"),
        updated_at=_FEEDS.c.updated_at,  # (a value here, so no onupdate)
    )
)
_FETCHED = sa.insert(_FETCHES).values(
    feed_id=sa.bindparam("feed"),
    at=sa.bindparam("at"),
    user_agent=sa.bindparam("agent"),
    address=sa.bindparam("address"),
)


def _log(
    session: so.Session,
    feed_id: int,
    now: dt.datetime,
    client: Client,
    key: str,
    etag: str,
    changed_at: dt.datetime,
) -> None:
    connection = session.connection()
    values = {"feed": feed_id, "at": now, "key": key, "etag": etag, "changed_at": changed_at}
    connection.execute(_TOUCH, values)
    agent, address = client.user_agent[:300], client.address[:64]
    connection.execute(_FETCHED, {"feed": feed_id, "at": now, "agent": agent, "address": address})


# --- building -------------------------------------------------------------------------------


def build(session: so.Session, row: sa.Row, today: dt.date, base_url: str) -> bytes:
    """Read the feed's items (two statements) and write them."""
    terms = queries.bound(row.scope, row.matter_id, row.jurisdiction_id, row.owner_id, row.role)
    full = row.privacy == FeedPrivacy.full
    contexts: dict[int, ical.Proceeding] = {}
    # Core rows through the session's connection: the ORM's loading adds nothing here
    connection = session.connection()
    hearing_rows = connection.execute(queries.hearings(terms, today, full=full)).all()
    hearings = _hearings(hearing_rows, full, contexts)
    deadline_rows = connection.execute(queries.deadlines(terms, today, full=full)).all()
    deadlines = [_deadline(r, full, contexts) for r in deadline_rows]
    style = ical.Style(base_url=base_url, privacy=row.privacy, alarms=row.alarms)
    return ical.feed(ical.FeedInfo(row.id, row.name), style, hearings, deadlines)


def _context(
    proceeding_id: int, code: str, details: Sequence[Any], contexts: dict[int, ical.Proceeding]
) -> ical.Proceeding:
    """One shared context per proceeding; `details` are the full feed's context columns."""
    context = contexts.get(proceeding_id)
    if context is None:
        context = contexts[proceeding_id] = ical.Proceeding(code, *details)
    return context


def _hearings(
    rows: Iterable[sa.Row], full: bool, contexts: dict[int, ical.Proceeding]
) -> list[ical.HearingItem]:
    """One item per hearing; full feeds have a row per postponement, in order.

    Rows are unpacked by position (see `queries.hearings`) and items built with
    positional arguments: named access costs several times as much, which shows at
    thousands of rows.
    """
    items: list[ical.HearingItem] = []
    last = None
    details: Sequence[Any]  # the full feed's context columns; none in a minimal one
    for row in rows:
        id_, title, start, tz, known, place, status, outcome, sequence, changed, *rest = row
        if full:
            moved_from, moved_to, reason, proceeding_id, code, *details = rest
        else:
            (proceeding_id, code), details, moved_from = rest, (), None
        if last is None or last.id != id_:
            context = _context(proceeding_id, code, details, contexts)
            if not full:
                place, outcome = "", None
            last = ical.HearingItem(
                id_, start, tz, context, changed, title, known, place, status, outcome, sequence, []
            )
            items.append(last)
        if moved_from is not None:
            last.moves.append(ical.Move(moved_from, moved_to, reason))
    return items


def _deadline(r: sa.Row, full: bool, contexts: dict[int, ical.Proceeding]) -> ical.DeadlineItem:
    """A deadline from its row (by position, see `queries.deadlines`)."""
    id_, title, due_on, status, version, changed, owed_by, met_by, due_at, zone, *rest = r
    explanation, (proceeding_id, code, *details) = (rest[0], rest[1:]) if full else ("", rest)
    context = _context(proceeding_id, code, details, contexts)
    return ical.DeadlineItem(
        id_,
        due_on,
        context,
        changed,
        title,
        status,
        explanation,
        version,
        owed_by,
        tuple(met_by or ()),
        due_at,
        zone,
    )
