"""How far a hearing moved: the one computation of its slip, for pages, API and flags.

A slip is counted in the court's days: from the local day the hearing was first set
for to the local day it is set for now (negative when it was brought forward).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.core.dates import in_zone

if TYPE_CHECKING:
    from tracker.hearings.models import Hearing


def slip_days(first: dt.datetime, current: dt.datetime, zone: str) -> int:
    """Days from the court-local day of `first` to that of `current` (UTC instants)."""
    return (in_zone(current, zone).date() - in_zone(first, zone).date()).days


@dataclass(frozen=True)
class Ledger:
    """A hearing's moves: how many, where it was first set, and how far it slipped."""

    count: int
    #: the first date it was set for (UTC), and whether its time was known then (None: a
    #: move recorded before moves kept that flag)
    first: dt.datetime
    first_time_known: bool | None
    #: days it slipped from the first date; None when it has no date (sine die)
    slip_days: int | None
    #: postponed with no new date
    sine_die: bool


@dataclass(frozen=True)
class Tally:
    """What a correction moves: the postponements counted, the slip and the date."""

    count: int
    slip_days: int | None
    starts_at: dt.datetime
    sine_die: bool


def tally(
    moves: list[tuple[dt.datetime, dt.datetime | None]],
    starts_at: dt.datetime,
    sine_die: bool,
    zone: str,
) -> Tally:
    """The tally of standing moves (from, to) of a hearing now at `starts_at`."""
    count = sum(1 for start, end in moves if end is None or end > start)
    first = moves[0][0] if moves else starts_at
    slip = None if sine_die else slip_days(first, starts_at, zone)
    return Tally(count, slip, starts_at, sine_die)


def ledger(hearing: Hearing) -> Ledger:
    """The ledger of a hearing whose postponements are loaded: withdrawn moves are left
    out, and a move brought forward is not counted as a postponement."""
    moves = hearing.moves
    first = moves[0].from_starts_at if moves else hearing.starts_at
    first_known = moves[0].from_time_known if moves else hearing.time_known
    sine_die = hearing.status.value == "postponed"
    slip = None if sine_die else slip_days(first, hearing.starts_at, hearing.timezone)
    return Ledger(len(hearing.delays), first, first_known, slip, sine_die)
