"""Make, list and revoke calendar feeds. Serving them is `publishing`.

A feed's token is 32 random bytes (URL-safe text); only its SHA-256 is stored, and
the token is returned once, to whoever made the feed. The audit log records every
feed made or revoked, never the token nor its hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.calendar.models import CalendarFeed, FeedFetch, FeedScope
from tracker.calendar.publishing import token_hash
from tracker.calendar.schemas import FeedsOf, NewFeed
from tracker.core import tokens
from tracker.core.actors import Actor
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Matter
from tracker.users import access
from tracker.users import operations as users
from tracker.users.models import User

#: how long the fetch log remembers a fetch (`prune_fetches`, for the scheduler)
FETCHES_KEPT = dt.timedelta(days=90)

#: the names a feed gets when none is given: nothing in them identifies a client
DEFAULT_NAMES = {
    FeedScope.mine: "Hearings and deadlines",
    FeedScope.matter: "Matter {matter_id}: hearings and deadlines",
    FeedScope.jurisdiction: "{jurisdiction}: hearings and deadlines",
}


def new_token() -> str:
    return tokens.new_token(32)


def urls(base_url: str, token: str) -> tuple[str, str]:
    """The feed's address, and the same as a webcal:// link (which opens the calendar app)."""
    url = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    return url, "webcal://" + url.split("://", 1)[1]


def token_from(url_or_token: str) -> str:
    """The token in a feed URL (https or webcal), or the text itself."""
    text = url_or_token.strip()
    if "://" in text:
        text = urlsplit(text).path.rsplit("/", 1)[-1]
    return text.removesuffix(".ics")


# --- making ---------------------------------------------------------------------------------


def create_feed(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    owner: User,
    command: NewFeed,
) -> tuple[CalendarFeed, str]:
    """Make a feed for `owner` (one's own; admins for anyone); returns it with its token
    (shown this once). A deactivated user gets none: it would answer 404 anyway."""
    access.require_admin_or_self(actor, owner.id, doing="make feeds for another user")
    if not owner.active:
        raise Conflict(f"{owner.email} is deactivated: reactivate them before giving them a feed")
    feed = CalendarFeed(
        owner=owner, scope=command.scope, privacy=command.privacy, alarms=command.alarms
    )
    _set_target(session, feed, owner, command.matter_id, command.jurisdiction)
    default = DEFAULT_NAMES[command.scope].format(
        matter_id=command.matter_id,
        jurisdiction=feed.jurisdiction.code if feed.jurisdiction else "",
    )
    feed.name = command.name or default
    token = new_token()
    feed.token_hash = token_hash(token)
    session.add(feed)
    audit.record(session, actor, now, "create", feed, matter_id=feed.matter_id, after=public(feed))
    return feed, token


def _set_target(
    session: so.Session,
    feed: CalendarFeed,
    owner: User,
    matter_id: int | None,
    jurisdiction: str | None,
) -> None:
    """The matter or jurisdiction of the scope; the owner must be allowed to see it."""
    if feed.scope is FeedScope.matter:
        if matter_id is None:
            raise Invalid("a feed of one matter needs the matter", field="matter_id")
        matter = session.get(Matter, matter_id)
        if matter is None or not access.may_see_matter(session, owner, matter_id):
            raise Invalid(f"no matter {matter_id}", field="matter_id")
        feed.matter_id = matter_id
    elif matter_id is not None:
        raise Invalid(
            f"a matter is chosen only for a feed of one matter, not {feed.scope}", field="matter_id"
        )
    if feed.scope is FeedScope.jurisdiction:
        code = (jurisdiction or "").upper()
        found = session.scalar(sa.select(Jurisdiction).where(Jurisdiction.code == code))
        if found is None:
            raise Invalid(f"no jurisdiction {jurisdiction!r}", field="jurisdiction")
        feed.jurisdiction = found
    elif jurisdiction is not None:
        raise Invalid(
            f"jurisdiction goes only with scope jurisdiction, not {feed.scope}",
            field="jurisdiction",
        )


def public(feed: CalendarFeed) -> dict[str, Any]:
    """What the audit log keeps of a feed: never its token hash."""
    return {
        "owner": feed.owner.email,
        "name": feed.name,
        "scope": feed.scope.value,
        "matter_id": feed.matter_id,
        "jurisdiction": feed.jurisdiction.code if feed.jurisdiction else None,
        "privacy": feed.privacy.value,
        "alarms": feed.alarms,
    }


# --- reading --------------------------------------------------------------------------------


def list_feeds(session: so.Session, owner: User) -> list[CalendarFeed]:
    """The owner's feeds, live ones first, newest first."""
    return list(
        session.scalars(
            sa.select(CalendarFeed)
            .where(CalendarFeed.owner_id == owner.id)
            .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.id.desc())
        )
    )


def get_feed(session: so.Session, actor: Actor, feed_id: int) -> CalendarFeed:
    """A feed of the actor's own (admins: anyone's); 404 otherwise."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or not access.may_manage_user(actor, feed.owner_id):
        raise NotFound(f"no feed {feed_id}")
    return feed


def recent_fetches(session: so.Session, feed: CalendarFeed, limit: int = 20) -> list[FeedFetch]:
    return list(
        session.scalars(
            sa.select(FeedFetch)
            .where(FeedFetch.feed_id == feed.id)
            .order_by(FeedFetch.at.desc(), FeedFetch.id.desc())
            .limit(limit)
        )
    )


# --- revoking -------------------------------------------------------------------------------


def revoke_feed(session: so.Session, actor: Actor, now: dt.datetime, feed: CalendarFeed) -> bool:
    """Revoke a feed at once (its URL answers 404 from now on); False if it was already."""
    if feed.revoked_at is not None:
        return False
    feed.revoked_at = now
    session.flush()
    audit.record(
        session,
        actor,
        now,
        "revoke",
        feed,
        matter_id=feed.matter_id,
        before={"revoked_at": None},
        after={"revoked_at": now.isoformat(), "owner": feed.owner.email, "name": feed.name},
    )
    return True


def revoke_token(
    session: so.Session, actor: Actor, now: dt.datetime, url_or_token: str
) -> CalendarFeed:
    """Revoke the live feed with this token or URL (the command line's way)."""
    digest = token_hash(token_from(url_or_token))
    feed = session.scalar(
        sa.select(CalendarFeed).where(
            CalendarFeed.token_hash == digest, CalendarFeed.revoked_at.is_(None)
        )
    )
    if feed is None:
        raise NotFound("no live feed has that token (revoked already, or never made)")
    revoke_feed(session, actor, now, feed)
    return feed


def revoke_all(
    session: so.Session, actor: Actor, now: dt.datetime, owner: User
) -> list[CalendarFeed]:
    """Revoke every live feed of a user (someone left, a device was lost): one's own, or
    (admins) anyone's."""
    access.require_admin_or_self(actor, owner.id, doing="revoke the feeds of another user")
    live = session.scalars(
        sa.select(CalendarFeed)
        .where(CalendarFeed.owner_id == owner.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id)
    )
    revoked = list(live)
    for feed in revoked:
        revoke_feed(session, actor, now, feed)
    return revoked


def revoke_feeds_of(
    session: so.Session, actor: Actor, now: dt.datetime, command: FeedsOf
) -> tuple[User, list[CalendarFeed]]:
    """Revoke every live feed of the user with this address; returns them and their feeds.

    Whether the actor may is decided before the user is looked up, so that the answer
    to someone who may not is the same whether the address has an account or not.
    """
    if command.email != getattr(actor, "email", None):
        access.require_role(actor, *access.ADMINS, doing="revoke the feeds of another user")
    owner = users.get_by_email(session, command.email)
    return owner, revoke_all(session, actor, now, owner)


def prune_fetches(session: so.Session, now: dt.datetime, keep: dt.timedelta = FETCHES_KEPT) -> int:
    """Forget fetches older than `keep` (the log stays small); returns how many went."""
    result = session.execute(sa.delete(FeedFetch).where(FeedFetch.at < now - keep))
    return cast("sa.CursorResult[Any]", result).rowcount


# --- the feeds page -------------------------------------------------------------------------

#: the window of the "recent fetches" count on the feeds page
RECENT = dt.timedelta(days=7)


@dataclass(frozen=True)
class FeedRow:
    """A feed as its owner's list shows it: with its matter's title and recent fetches."""

    feed: CalendarFeed
    matter_title: str | None
    recent_fetches: int


def feed_rows(session: so.Session, owner: User, now: dt.datetime) -> list[FeedRow]:
    """The owner's feeds, live ones first, in two queries whatever their number."""
    rows = session.execute(
        sa.select(CalendarFeed, Matter.title)
        .outerjoin(Matter, Matter.id == CalendarFeed.matter_id)
        .where(CalendarFeed.owner_id == owner.id)
        .options(so.joinedload(CalendarFeed.jurisdiction))
        .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.id.desc())
    ).all()
    counts = dict(
        session.execute(
            sa.select(FeedFetch.feed_id, sa.func.count())
            .join(CalendarFeed, CalendarFeed.id == FeedFetch.feed_id)
            .where(CalendarFeed.owner_id == owner.id, FeedFetch.at >= now - RECENT)
            .group_by(FeedFetch.feed_id)
        ).all()
    )
    return [FeedRow(feed, title, counts.get(feed.id, 0)) for feed, title in rows]


def matter_title(session: so.Session, actor: Actor, matter_id: int) -> str | None:
    """The title of a matter the actor may subscribe to; None if unknown or not theirs."""
    return session.scalar(
        sa.select(Matter.title).where(
            Matter.id == matter_id, access.matter_filter(actor, Matter.id)
        )
    )


def jurisdiction_choices(session: so.Session) -> list[tuple[str, str]]:
    """(code, name) of every jurisdiction, by code."""
    return list(
        session.execute(
            sa.select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
        ).all()
    )
