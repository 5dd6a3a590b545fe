"""Which reminder is due now? Pure rules, tested with a frozen clock (Caseflow's habit).

A reminder is due `offset` days before its item. Only the latest one due is sent:
after an outage the tracker does not send a 14-day and a 7-day reminder two days
before a hearing, only the 2-day one. A reminder whose moment had already passed when
the item got its current date is never sent (a hearing set five days ahead gets the
2- and 1-day reminders, not the 7-day one). Whether one was sent already is the
outbox's business: each reminder has a dedup key naming the item's current date, so
a hearing that moves gets a fresh set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

HEARING_OFFSETS = (14, 7, 2, 1)
DEADLINE_OFFSETS = (7, 3, 1)


def hearing_offset_due(
    starts_at: dt.datetime, set_at: dt.datetime, now: dt.datetime, offsets: Iterable[int]
) -> int | None:
    """The offset (in days) of the hearing reminder to send now, or None."""
    if now >= starts_at:
        return None
    due = [offset for offset in offsets if set_at <= starts_at - dt.timedelta(days=offset) <= now]
    return min(due, default=None)


def deadline_offset_due(
    due_on: dt.date, set_on: dt.date, today: dt.date, offsets: Iterable[int]
) -> int | None:
    """The offset of the deadline reminder to send today (the reader's day), or None."""
    if today > due_on:
        return None
    due = [offset for offset in offsets if set_on <= due_on - dt.timedelta(days=offset) <= today]
    return min(due, default=None)


def hearing_key(hearing_id: int, starts_at: dt.datetime, offset: int, user_id: int) -> str:
    return f"{hearing_keys(hearing_id)}{starts_at:%Y%m%dT%H%MZ}:{offset}:{user_id}"


def hearing_keys(hearing_id: int) -> str:
    """What the dedup keys of every reminder of this hearing start with."""
    return f"remind:hearing:{hearing_id}:"


def deadline_key(deadline_id: int, due_on: dt.date, offset: int, user_id: int) -> str:
    return f"{deadline_keys(deadline_id)}{due_on.isoformat()}:{offset}:{user_id}"


def deadline_keys(deadline_id: int) -> str:
    """What the dedup keys of every reminder of this deadline start with."""
    return f"remind:deadline:{deadline_id}:"
