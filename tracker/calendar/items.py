"""What the calendar writers read: hearings, deadlines and their proceedings as plain
records, and how to write them (`Style`).

`publishing` fills them from the database, `ical` writes calendars of them and `events`
writes each one's VEVENT; both writers import them from here, neither from the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: the privacy of a discreet mail's invitation (see `Style`); feeds never have it
DISCREET = "discreet"


@dataclass(frozen=True, slots=True)
class Proceeding:
    """A proceeding as items show it; minimal feeds fill `jurisdiction` only.

    The fields come in the order of `queries._context_columns` (`publishing` relies on it).
    """

    jurisdiction: str
    title: str = ""
    reference: str | None = None
    kind: str = ""
    authority: str | None = None
    matter: str = ""
    subject: str | None = None

    @property
    def who(self) -> str:
        return self.subject or self.matter


@dataclass(frozen=True, slots=True)
class Move:
    """One postponement: from a time to another, or sine die (`to` None)."""

    from_starts_at: dt.datetime
    to_starts_at: dt.datetime | None
    reason: str = ""


@dataclass(slots=True)
class HearingItem:
    """A hearing as the writer reads it (`publishing` fills the fields in this order)."""

    id: int
    starts_at: dt.datetime  # UTC
    timezone: str
    proceeding: Proceeding
    updated_at: dt.datetime
    title: str = "Hearing"
    time_known: bool = True
    location: str = ""
    status: str = "scheduled"
    outcome: str | None = None
    sequence: int = 0
    moves: list[Move] = field(default_factory=list)


@dataclass(slots=True)
class DeadlineItem:
    """A deadline as the writer reads it (`publishing` fills the fields in this order)."""

    id: int
    due_on: dt.date
    proceeding: Proceeding
    updated_at: dt.datetime
    title: str = "Deadline"
    status: str = "open"
    explanation: str = ""
    version: int = 1
    #: "client" (ours to meet) or "authority" (an expected decision or reply)
    owed_by: str = "client"
    #: the event kinds that meet an authority's time limit
    met_by: tuple[str, ...] = ()
    #: the instant by which to act, for a deadline at an hour (UTC); None: the whole day
    due_at: dt.datetime | None = None
    #: the zone `due_at` is written in: the rule's jurisdiction's (IANA)
    timezone: str = ""

    @property
    def expected(self) -> bool:
        """Owed by the authority: the feed shows what we wait for, not what we must do."""
        return self.owed_by == "authority"


@dataclass(frozen=True, slots=True)
class Style:
    """How items are written: privacy, reminders, and where links point.

    `privacy` is a feed's ("full" or "minimal"), or "discreet": minimal, and without
    the jurisdiction's code or the court's time zone (times in UTC), for the mail of a
    user who asked for discreet mail.
    """

    base_url: str
    privacy: str = "full"
    alarms: bool = False
    #: the right-hand side of every UID: the host people reach the tracker at
    host: str = field(init=False)
    full: bool = field(init=False)
    discreet: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", urlsplit(self.base_url).hostname or "tracker.invalid")
        object.__setattr__(self, "full", self.privacy == "full")
        object.__setattr__(self, "discreet", self.privacy == DISCREET)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    name: str
