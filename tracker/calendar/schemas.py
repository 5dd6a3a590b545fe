"""What a calendar feed write takes (commands) and what the API answers about feeds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic

from tracker.calendar.enums import FeedPrivacy, FeedScope
from tracker.calendar.models import CalendarFeed, FeedFetch
from tracker.core import limits
from tracker.core.commands import Allowed, Command, Id, Limit, Query
from tracker.users.schemas import Email

# --- commands -----------------------------------------------------------------------------


class NewFeed(Command):
    """Make a feed of the owner's matters, of one matter (`matter_id`) or of one
    jurisdiction (`jurisdiction`, its code); without a name it gets one that names no
    client."""

    scope: Annotated[FeedScope, Allowed()] = FeedScope.mine
    matter_id: Id | None = None
    jurisdiction: Annotated[str, Limit(limits.JURISDICTION_CODE, required=False)] | None = None
    privacy: Annotated[FeedPrivacy, Allowed()] = FeedPrivacy.full
    alarms: bool = False
    name: Annotated[str, Limit(limits.NAME, required=False)] = ""


class FeedsOf(Command):
    """Every live feed of the user with this address (someone left, a device was lost)."""

    email: Email


# --- answers ------------------------------------------------------------------------------


class FeedsQuery(Query):
    """GET /feeds takes no filter: the caller's own feeds."""


class FeedOut(pydantic.BaseModel):
    id: int
    name: str
    owner: str = pydantic.Field(description="the owner's email")
    scope: str
    matter_id: int | None
    jurisdiction: str | None
    privacy: str
    alarms: bool
    active: bool
    created_at: str | None
    revoked_at: str | None
    last_fetched_at: str | None
    version: int


class NewFeedOut(FeedOut):
    """A feed just made, with its address: shown this once (only its hash is kept)."""

    url: str
    webcal_url: str


class FetchOut(pydantic.BaseModel):
    at: str
    user_agent: str
    address: str


class FeedDetailOut(FeedOut):
    fetches: list[FetchOut]


class RevokedOut(pydantic.BaseModel):
    revoked: int
    items: list[FeedOut]


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _fields(feed: CalendarFeed) -> dict[str, object]:
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


def dump(feed: CalendarFeed) -> FeedOut:
    return FeedOut.model_validate(_fields(feed))


def dump_new(feed: CalendarFeed, url: str, webcal_url: str) -> NewFeedOut:
    return NewFeedOut.model_validate(_fields(feed) | {"url": url, "webcal_url": webcal_url})


def dump_fetch(fetch: FeedFetch) -> FetchOut:
    return FetchOut(at=fetch.at.isoformat(), user_agent=fetch.user_agent, address=fetch.address)


def dump_detail(feed: CalendarFeed, fetches: list[FeedFetch]) -> FeedDetailOut:
    return FeedDetailOut.model_validate(
        _fields(feed) | {"fetches": [dump_fetch(fetch) for fetch in fetches]}
    )


def dump_revoked(feeds: list[CalendarFeed]) -> RevokedOut:
    return RevokedOut(revoked=len(feeds), items=[dump(feed) for feed in feeds])
