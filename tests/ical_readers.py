"""Two independent readers of the calendars the tracker writes (test oracles).

`icalendar` resolves a TZID by its IANA name; `vtimezones` gives the VTIMEZONE blocks
as tzinfo objects, as Thunderbird and Outlook read them. `vobject` resolves a TZID
through the VTIMEZONE in the file — but keeps the first block it ever saw for a
TZID for the life of the process, so its registry is emptied before each read.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import vobject
import vobject.icalendar


def icalendar_events(data: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs by UID."""
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def vtimezones(data: bytes) -> dict[str, dt.tzinfo]:
    """Each VTIMEZONE as a tzinfo built from the block alone, not from its TZID's name."""
    calendar = icalendar.Calendar.from_ical(data)
    return {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in calendar.timezones}


def vobject_calendar(data: bytes):
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    return vobject.readOne(data.decode())


def vobject_events(data: bytes) -> dict[str, object]:
    """The VEVENTs by UID, read by vobject (TZIDs resolved through the file's blocks)."""
    return {e.uid.value: e for e in vobject_calendar(data).vevent_list}


def mail_calendar(mail) -> icalendar.Calendar:
    """The calendar attached to an outbox row."""
    return icalendar.Calendar.from_ical(mail.ics.encode())


def mail_event(mail) -> icalendar.Event:
    """The one VEVENT attached to an outbox row."""
    [found] = mail_calendar(mail).walk("VEVENT")
    return found


def mail_sequence(mail) -> int:
    return int(mail_event(mail)["SEQUENCE"])
