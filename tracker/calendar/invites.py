"""Read a court's invitation, or a calendar from another system (.ics), into plain events.

The one module of the app that imports `icalendar` (the feeds are written by hand,
`ical.py`). Pure: bytes in, dataclasses out, no database; a file it cannot read
faithfully is refused with `Invalid` naming what is wrong, before anything is written.

What a start becomes:
- a TZID that is an IANA zone, a Windows zone name (Outlook, Exchange: "W. Europe
  Standard Time", through CLDR's table that icalendar ships) or a "globally unique"
  /vendor/Area/City name: the instant in that zone, and the zone;
- any other TZID: the instant by the file's own VTIMEZONE (Outlook's "(UTC+01:00)
  Amsterdam, Berlin…"), without a zone; no VTIMEZONE for it is a refusal;
- a UTC time (`Z`): the instant, without a zone; a floating time (no zone): the wall
  time alone, read later on the court's clock; `VALUE=DATE`: the day alone.

icalendar keeps the zones a file defines in a process-wide cache, keyed by TZID: the
next file naming the same TZID would get the first file's offsets. So the zone of a
start is worked out here from the TZID and this file's VTIMEZONE, never from the tzinfo
icalendar attached.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from tracker.core import limits
from tracker.core.dates import known_zones, zone
from tracker.core.errors import Invalid

#: the form field (and the command-line argument) every refusal names
FIELD = "file"

#: properties that make an event repeat, or an exception to a repeating one
RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")

#: the methods that schedule or cancel (none: a calendar exported from an application);
#: REPLY, COUNTER and REFRESH are an attendee's answers, ADD extends a repeating event
SCHEDULING = frozenset({"", "PUBLISH", "REQUEST", "CANCEL"})

#: names of UTC that are not the tz database's: Outlook on the web writes the first
UTC_NAMES = frozenset({"tzone://microsoft/utc", "utc", "gmt", "z"})


@dataclass(frozen=True)
class InvitedEvent:
    """One VEVENT as the tracker reads it."""

    uid: str
    sequence: int
    #: METHOD:CANCEL, or STATUS:CANCELLED
    cancelled: bool
    #: an aware UTC instant; a naive wall time (floating: on the court's clock); a day
    #: (all-day: the time is not known); None only for a cancellation without DTSTART
    start: dt.datetime | dt.date | None
    #: the IANA zone the file names for `start`; None for UTC, floating, all-day and
    #: zones the file defines itself
    zone: str | None
    summary: str
    location: str
    description: str

    @property
    def label(self) -> str:
        """How a message names the event: its summary, else its UID."""
        return f"“{self.summary}”" if self.summary else f"UID {self.uid}"


@dataclass(frozen=True)
class Invitation:
    """A calendar read: its METHOD (REQUEST, PUBLISH, CANCEL…; "" when absent) and events."""

    method: str
    events: tuple[InvitedEvent, ...]


def read(data: bytes) -> Invitation:
    """Read an .ics file; `Invalid` (field `file`) for anything it cannot read faithfully."""
    calendar = _parse(_text(data))
    method = _plain(calendar.get("METHOD")).upper()
    if method not in SCHEDULING:
        raise Invalid(
            f"the file's METHOD is {method}: only invitations (REQUEST, PUBLISH) and "
            "cancellations (CANCEL) are imported",
            field=FIELD,
        )
    zones = {_plain(vtz.get("TZID")): vtz for vtz in _children(calendar, "VTIMEZONE")}
    components = _children(calendar, "VEVENT")
    if not components:
        raise Invalid("the calendar holds no event (VEVENT): nothing to import", field=FIELD)
    if len(components) > limits.INVITE_EVENTS:
        raise Invalid(
            f"the calendar holds {len(components)} events; at most "
            f"{limits.INVITE_EVENTS} are imported at once",
            field=FIELD,
        )
    events = tuple(_event(component, method, zones) for component in components)
    _check_unique(events)
    return Invitation(method=method, events=events)


# --- the file ---------------------------------------------------------------------------


def _text(data: bytes) -> str:
    if len(data) > limits.INVITE_BYTES:
        raise Invalid(
            f"the file is larger than {limits.INVITE_BYTES // 1024} KB: an invitation is a few KB",
            field=FIELD,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"the file is not UTF-8 text (byte {exc.start} is not): "
            "iCalendar files are UTF-8 (RFC 5545)",
            field=FIELD,
        ) from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise Invalid(
            "the file is not an iCalendar file: it does not begin with BEGIN:VCALENDAR",
            field=FIELD,
        )
    return text


def _parse(text: str) -> Any:
    try:
        return icalendar.Calendar.from_ical(text)
    except Exception as exc:  # the parser raises what it meets: ValueError, KeyError…
        raise Invalid(f"the file is not valid iCalendar: {_short(exc)}", field=FIELD) from None


def _children(component: Any, name: str) -> list[Any]:
    """The direct subcomponents called `name` (a VTODO or VJOURNAL is left aside)."""
    return [child for child in component.subcomponents if child.name == name]


def _check_unique(events: tuple[InvitedEvent, ...]) -> None:
    seen: set[str] = set()
    for event in events:
        if event.uid in seen:
            raise Invalid(
                f"two events share the UID {event.uid}: each hearing has its own",
                field=FIELD,
            )
        seen.add(event.uid)


# --- one event --------------------------------------------------------------------------


def _event(component: Any, method: str, zones: dict[str, Any]) -> InvitedEvent:
    summary = _line(component.get("SUMMARY"))
    uid = _plain(component.get("UID")).strip()
    named = f"“{summary}”" if summary else "an event"
    if not uid:
        raise Invalid(f"{named} has no UID: it could not be matched later", field=FIELD)
    if len(uid) > limits.INVITE_UID:
        raise Invalid(f"{named} has a UID longer than {limits.INVITE_UID} characters", field=FIELD)
    repeating = [name for name in RECURRING if name in component]
    if repeating:
        raise Invalid(
            f"{named} repeats ({repeating[0]}): a hearing is one sitting; "
            "ask the court for an invitation per date",
            field=FIELD,
        )
    cancelled = method == "CANCEL" or _plain(component.get("STATUS")).upper() == "CANCELLED"
    start, zone = _start(component, zones, named, required=not cancelled)
    return InvitedEvent(
        uid=uid,
        sequence=_sequence(component, named),
        cancelled=cancelled,
        start=start,
        zone=zone,
        summary=summary,
        location=_line(component.get("LOCATION")),
        description=_plain(component.get("DESCRIPTION")).strip(),
    )


def _sequence(component: Any, named: str) -> int:
    value = component.get("SEQUENCE", 0)
    try:
        sequence = int(value)
    except (TypeError, ValueError):
        sequence = -1
    if not 0 <= sequence <= limits.MAX_ID:
        raise Invalid(f"{named} has a SEQUENCE that is not a whole number", field=FIELD)
    return sequence


def _start(
    component: Any, zones: dict[str, Any], named: str, *, required: bool
) -> tuple[dt.datetime | dt.date | None, str | None]:
    prop = component.get("DTSTART")
    if prop is None:
        if required:
            raise Invalid(f"{named} has no start (DTSTART)", field=FIELD)
        return None, None
    try:
        value = prop.dt
    except Exception as exc:  # icalendar's BrokenCalendarProperty: a value it could not read
        raise Invalid(f"{named} has a start it cannot read: {_short(exc)}", field=FIELD) from None
    if isinstance(value, dt.datetime):
        return _timed(value.replace(second=0, microsecond=0), prop, zones, named)
    if isinstance(value, dt.date):
        return value, None
    raise Invalid(f"{named} starts at a time without a day", field=FIELD)


def _timed(
    value: dt.datetime, prop: Any, zones: dict[str, Any], named: str
) -> tuple[dt.datetime, str | None]:
    tzid = prop.params.get("TZID")
    if tzid is None and value.tzinfo is None:
        return value, None  # floating: the court's clock, read by the caller
    if tzid is None:
        return value.astimezone(dt.UTC), None  # written in UTC (`Z`)
    wall = value.replace(tzinfo=None)  # icalendar's tzinfo may be another file's (above)
    named_zone = iana_zone(str(tzid))
    if named_zone is not None:
        # fold 0: RFC 5545 reads a time shown twice as the first, one skipped by the
        # offset before the change
        instant = wall.replace(tzinfo=zone(named_zone)).astimezone(dt.UTC)
        # UTC names no place: a system's clock, not the court's (as `Z`)
        return instant, None if named_zone in ("UTC", "Etc/UTC") else named_zone
    definition = zones.get(str(tzid))
    if definition is None:
        raise Invalid(
            f"{named} names the time zone {str(tzid)!r}, which is neither an IANA nor a "
            "Windows zone, and the file does not define it (VTIMEZONE)",
            field=FIELD,
        )
    return wall.replace(tzinfo=_defined(definition, named)).astimezone(dt.UTC), None


def iana_zone(tzid: str) -> str | None:
    """The IANA zone a TZID names: itself, a Windows name's, or a /vendor/Area/City's."""
    zones = known_zones()
    name = tzid.strip()
    if name in zones:
        return name
    if name.lower() in UTC_NAMES:
        return "UTC"
    if name in WINDOWS_TO_OLSON and WINDOWS_TO_OLSON[name] in zones:
        return WINDOWS_TO_OLSON[name]
    if name.startswith("/"):
        parts = name.strip("/").split("/")
        for first in range(len(parts)):
            if "/".join(parts[first:]) in zones:
                return "/".join(parts[first:])
    return None


def _defined(definition: Any, named: str) -> dt.tzinfo:
    """The zone a VTIMEZONE defines, made afresh (never icalendar's cached one)."""
    location = _plain(definition.get("X-LIC-LOCATION")).strip()
    if location in known_zones():
        return zone(location)
    try:
        return definition.to_tz(lookup_tzid=False)
    except Exception as exc:  # an incomplete VTIMEZONE: no STANDARD, no offsets…
        raise Invalid(
            f"{named}: the file's time zone {_plain(definition.get('TZID'))!r} "
            f"cannot be read: {_short(exc)}",
            field=FIELD,
        ) from None


# --- text -------------------------------------------------------------------------------


def _plain(value: Any) -> str:
    """A property's text ("" when absent); a property given twice counts by its first."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _plain(value[0]) if value else ""
    return str(value)


def _line(value: Any) -> str:
    """One line: runs of blanks and line breaks become one space."""
    return re.sub(r"\s+", " ", _plain(value)).strip()


def _short(exc: Exception) -> str:
    """An error of the parser in one short line."""
    text = re.sub(r"\s+", " ", str(exc)).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
