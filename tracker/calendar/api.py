"""JSON API: the caller's calendar feeds; revoking them, one or all."""

from __future__ import annotations

from flask import jsonify

from tracker import web
from tracker.calendar import operations
from tracker.calendar.models import CalendarFeed, FeedFetch
from tracker.core import clock
from tracker.users import access
from tracker.users import operations as users
from tracker.users.models import Role
from tracker.web import api

bp = api.blueprint("feeds_api")


class FeedIn(api.Body):
    scope: str = "mine"
    matter_id: api.Id | None = None
    jurisdiction: str | None = None
    privacy: str = "full"
    alarms: bool = False
    name: str = ""


def _time(value) -> str | None:
    return value.isoformat() if value else None


def dump(feed: CalendarFeed) -> dict:
    return {
        "id": feed.id,
        "name": feed.name,
        "owner": feed.owner.email,
        "scope": feed.scope.value,
        "matter_id": feed.matter_id,
        "jurisdiction": feed.jurisdiction.code if feed.jurisdiction else None,
        "privacy": feed.privacy.value,
        "alarms": feed.alarms,
        "active": feed.revoked_at is None,
        "created_at": _time(feed.created_at),
        "revoked_at": _time(feed.revoked_at),
        "last_fetched_at": _time(feed.last_fetched_at),
        "version": feed.version,
    }


def dump_fetch(fetch: FeedFetch) -> dict:
    return {"at": fetch.at.isoformat(), "user_agent": fetch.user_agent, "address": fetch.address}


@bp.get("/feeds")
def list_feeds():
    """The caller's feeds (the URLs are not shown again: only their hashes are kept)."""
    return api.items([dump(f) for f in operations.list_feeds(web.session(), api.actor())])


@bp.post("/feeds")
def create_feed():
    """Make a feed for the caller; the answer holds its URL, this once."""
    session, actor = web.session(), api.actor()
    data = api.body(FeedIn)
    feed, token = operations.create_feed(session, actor, clock.now(), actor, **data.model_dump())
    api.commit()
    url, webcal = operations.urls(web.settings().base_url, token)
    return api.created(dump(feed) | {"url": url, "webcal_url": webcal})


@bp.get("/feeds/<int:feed_id>")
def get_feed(feed_id: int):
    """One feed with its last fetches (when, by which app, from which address)."""
    session = web.session()
    feed = operations.get_feed(session, api.actor(), feed_id)
    fetches = operations.recent_fetches(session, feed)
    return jsonify(dump(feed) | {"fetches": [dump_fetch(f) for f in fetches]})


@bp.post("/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int):
    """Revoke a feed at once; revoking it again changes nothing."""
    session, actor = web.session(), api.actor()
    feed = operations.get_feed(session, actor, feed_id)
    operations.revoke_feed(session, actor, clock.now(), feed)
    api.commit()
    return jsonify(dump(feed))


@bp.post("/users/<email>/feeds/revoke")
def revoke_user_feeds(email: str):
    """Revoke every live feed of a user (admins; anyone for themselves)."""
    session, actor = web.session(), api.actor()
    if users.normalize_email(email) != actor.email:  # before the lookup: no probing for users
        access.require_role(actor, Role.admin, doing="revoke the feeds of another user")
    owner = users.get_by_email(session, email)
    revoked = operations.revoke_all(session, actor, clock.now(), owner)
    api.commit()
    return jsonify({"revoked": len(revoked), "items": [dump(f) for f in revoked]})
