"""Dates known to a precision, and local wall-clock times in an IANA zone.

Pure functions: they raise ValueError with a message fit for the person who
typed the value; callers attach the field name.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import zoneinfo
from typing import TypeVar

UTC = dt.UTC

# English names whatever the process's locale (strftime's %a and %b follow it)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULL_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def written(value: dt.date) -> str:
    """Mon 23 Nov 2026 (English names from tables: no strftime, no locale)."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


#: the dates this tracker accepts, for every fact, hearing, deadline and query: a wider
#: range is a typo, and near year 1 or 9999 date arithmetic, calendars and scales overflow
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


D = TypeVar("D", bound=dt.date)


def in_range(value: D) -> D:
    """Return `value` if the tracker accepts it, or raise ValueError saying the range."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"{day.isoformat()} is outside the dates this tracker accepts "
            f"({EARLIEST.isoformat()} to {LATEST.isoformat()})"
        )
    return value


class Precision(enum.StrEnum):
    day = "day"
    month = "month"
    year = "year"


_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial(text: str, precision: Precision | str | None = None) -> tuple[dt.date, Precision]:
    """Parse "2017", "2016-11" or "2016-11-05" into (first day of the period, precision).

    An explicit `precision` must agree with the form of the text.
    """
    match = _PARTIAL.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = match.groups()
    found = Precision.day if day else Precision.month if month else Precision.year
    if precision is not None and Precision(precision) != found:
        raise ValueError(f"{text!r} has {found} precision, not {Precision(precision)}")
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    return in_range(value), found


def format_partial(value: dt.date | None, precision: Precision | str) -> str | None:
    """Write a date only as precisely as it is known."""
    if value is None:
        return None
    precision = Precision(precision)
    if precision is Precision.year:
        return f"{value.year:04d}"
    if precision is Precision.month:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def parse_date(text: str) -> dt.date:
    """Parse an exact ISO date."""
    try:
        value = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return in_range(value)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the IANA zone called `name`, or raise ValueError.

    Only names in the tz database's list: a folder (`Europe`), a path or a name too
    long for the file system would otherwise reach the file system and fail there.
    """
    if not isinstance(name, str) or name not in known_zones():
        shown = name if not isinstance(name, str) or len(name) <= 64 else f"{name[:64]}…"
        raise ValueError(f"{shown!r} is not an IANA time zone (e.g. Europe/Brussels)")
    return zoneinfo.ZoneInfo(name)


#: in the list on some systems, but a link to the machine's own zone, not a zone
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def known_zones() -> frozenset[str]:
    """Every zone of the tz database (the system's, or the `tzdata` package's)."""
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES)


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones a person may pick: Area/City names and UTC, sorted."""
    regions = (
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    )
    names = {name for name in known_zones() if name.startswith(regions)}
    return ("UTC", *sorted(names))


def local_to_utc(text: str, tz_name: str) -> dt.datetime:
    """Read a wall-clock time in `tz_name` ("2024-06-18T09:00") as a UTC instant.

    A time that the zone skips (clocks go forward) is refused. A time that occurs
    twice (clocks go back) must carry its offset ("...T02:30+02:00"); an offset
    that the zone does not have at that time is refused.
    """
    tz = zone(tz_name)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a local date and time (YYYY-MM-DDTHH:MM)") from None
    wall = parsed.replace(tzinfo=None)
    in_range(wall)
    try:
        candidates = {_utc_of(wall, tz, fold) for fold in (0, 1)}
    except OverflowError:
        raise ValueError(f"{text!r} is outside the range of dates this zone can show") from None
    exists = [c for c in candidates if c.astimezone(tz).replace(tzinfo=None) == wall]
    if not exists:
        raise ValueError(f"{wall:%Y-%m-%d %H:%M} does not exist in {tz_name} (the clocks skip it)")
    if parsed.tzinfo is not None:
        try:
            instant = parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"{text!r} is outside the range of dates") from None
        if instant not in exists:
            offset = parsed.strftime("%z")
            raise ValueError(f"{wall:%Y-%m-%d %H:%M} in {tz_name} is never at offset {offset}")
        return instant
    if len(exists) > 1:
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M} occurs twice in {tz_name} (the clocks go back); "
            "add the offset, e.g. +02:00"
        )
    return exists[0]


def _utc_of(wall: dt.datetime, tz: zoneinfo.ZoneInfo, fold: int) -> dt.datetime:
    return wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)


def in_zone(instant: dt.datetime, tz_name: str) -> dt.datetime:
    """Show a UTC instant in the zone where it happens."""
    return instant.astimezone(zoneinfo.ZoneInfo(tz_name))
