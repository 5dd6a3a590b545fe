"""Calendar feed subscriptions; only the SHA-256 of a feed's token is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.calendar.enums import FeedPrivacy, FeedScope
from tracker.core.db import Base, Timestamped, Versioned, intpk, str200, timestamp

if TYPE_CHECKING:
    from tracker.jurisdictions.models import Jurisdiction
    from tracker.users.models import User


class CalendarFeed(Versioned, Timestamped, Base):
    __tablename__ = "calendar_feeds"

    id: so.Mapped[intpk]
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    name: so.Mapped[str200] = so.mapped_column(default="")
    scope: so.Mapped[FeedScope] = so.mapped_column(default=FeedScope.mine)
    matter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("matters.id", ondelete="CASCADE")
    )
    jurisdiction_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("jurisdictions.id"))
    privacy: so.Mapped[FeedPrivacy] = so.mapped_column(default=FeedPrivacy.full)
    alarms: so.Mapped[bool] = so.mapped_column(default=False)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    revoked_at: so.Mapped[timestamp | None]
    last_fetched_at: so.Mapped[timestamp | None]
    #: what the last body was made from (a hash of the versions of every row in the
    #: scope, the day and the format): the same key gives the same bytes
    content_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: the ETag of that body (a hash of its bytes), so a 304 needs no body at all
    content_etag: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: when the body's bytes last changed: the feed's Last-Modified
    content_changed_at: so.Mapped[timestamp | None]

    owner: so.Mapped[User] = so.relationship()
    jurisdiction: so.Mapped[Jurisdiction | None] = so.relationship()


class FeedFetch(Base):
    """One fetch of a feed: when, by what client, from where (a small log)."""

    __tablename__ = "feed_fetches"

    id: so.Mapped[intpk]
    feed_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("calendar_feeds.id", ondelete="CASCADE"), index=True
    )
    at: so.Mapped[timestamp]
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    address: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
