"""A hearing's time as mail writes it: on the court's clock, or on the reader's."""

from __future__ import annotations

import datetime as dt

from tracker.core.dates import in_zone, written
from tracker.hearings.models import Hearing
from tracker.users.models import User


def when(instant: dt.datetime, zone: str, time_known: bool = True) -> str:
    """'Tue 15 Dec 2026, 09:00 (Europe/Brussels)': the reader sees the court's clock."""
    local = in_zone(instant, zone)
    if not time_known:
        return f"{written(local)} (time not known)"
    return f"{written(local)}, {local.hour:02}:{local.minute:02} ({zone})"


def readers_time(hearing: Hearing, user: User) -> str:
    """The hearing's time on the reader's clock, for discreet mail: the court's zone
    would tell where it sits. A day without a time stays the court's day, unzoned."""
    zone = user.timezone if hearing.time_known else hearing.timezone
    return when(hearing.starts_at, zone, hearing.time_known)
