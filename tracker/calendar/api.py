"""JSON API: the caller's calendar feeds; revoking them, one or all."""

from __future__ import annotations

from tracker import web
from tracker.calendar import operations
from tracker.calendar.schemas import (
    FeedDetailOut,
    FeedOut,
    FeedsOf,
    FeedsQuery,
    NewFeed,
    NewFeedOut,
    RevokedOut,
    dump,
    dump_detail,
    dump_new,
    dump_revoked,
)
from tracker.core import clock
from tracker.web import api

bp = api.blueprint("feeds_api")


@bp.get("/feeds")
def list_feeds(query: FeedsQuery) -> api.Items[FeedOut]:
    """The caller's feeds (the URLs are not shown again: only their hashes are kept)."""
    return api.Items(items=[dump(f) for f in operations.list_feeds(web.session(), api.actor())])


@bp.post("/feeds")
def create_feed(body: NewFeed) -> api.Created[NewFeedOut]:
    """Make a feed for the caller; the answer holds its URL, this once."""
    session, actor = web.session(), api.actor()
    feed, token = operations.create_feed(session, actor, clock.now(), actor, body)
    api.commit()
    url, webcal = operations.urls(web.settings().base_url, token)
    return api.Created(dump_new(feed, url, webcal))


@bp.get("/feeds/<int:feed_id>")
def get_feed(feed_id: int) -> FeedDetailOut:
    """One feed with its last fetches (when, by which app, from which address)."""
    session = web.session()
    feed = operations.get_feed(session, api.actor(), feed_id)
    return dump_detail(feed, operations.recent_fetches(session, feed))


@bp.post("/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int) -> FeedOut:
    """Revoke a feed at once; revoking it again changes nothing."""
    session, actor = web.session(), api.actor()
    feed = operations.get_feed(session, actor, feed_id)
    operations.revoke_feed(session, actor, clock.now(), feed)
    api.commit()
    return dump(feed)


@bp.post("/users/<email>/feeds/revoke")
def revoke_user_feeds(email: str) -> RevokedOut:
    """Revoke every live feed of a user (admins; anyone for themselves)."""
    command = FeedsOf.parse({"email": email})
    _owner, revoked = operations.revoke_feeds_of(web.session(), api.actor(), clock.now(), command)
    api.commit()
    return dump_revoked(revoked)
