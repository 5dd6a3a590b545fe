"""The VEVENT text of hearings and deadlines, written for speed.

A feed has thousands of events and must be built, cold, at 20,000 events a second,
so a `Writer` writes each event as one string, escapes a proceeding's context once
for all its items and formats each timestamp once; `lines.join` folds the long
lines of the whole calendar at the end. The rules the text follows are in `ical`.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from tracker.calendar import lines
from tracker.calendar.items import DeadlineItem, HearingItem, Proceeding, Style
from tracker.calendar.lines import text
from tracker.core import labels

#: hearings have no end time in the model: they block one hour in calendars
HEARING_LENGTH = dt.timedelta(hours=1)

#: reminders, when a feed has them: a day before a hearing; 09:00 the day before an all-day item
TIMED_ALARM = "-P1D"
ALL_DAY_ALARM = "-PT15H"

GONE = frozenset({"cancelled", "postponed"})
STATUS_NOTES = {
    "postponed": "Postponed sine die: no new date set.",
    "cancelled": "Cancelled.",
}
HELD_NOTES = {"adjourned": "Adjourned.", "decided": "Held (decided).", "held": "Held (held)."}
DEADLINE_PREFIXES = {"done": "Done: ", "waived": "Waived: "}

#: A deadline at an hour (Rule 39: a working day of the Registry before a removal) is the
#: hour that ends at it, not a point: RFC 5545 wants DTEND later than DTSTART (§3.8.2.2),
#: and clients draw a zero-length event as a hairline or not at all. DTEND is the limit.
DEADLINE_HOUR = dt.timedelta(hours=1)


@functools.lru_cache(maxsize=512)
def zone(tzid: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(tzid)


def local(instant: dt.datetime, tzid: str) -> dt.datetime:
    return instant.astimezone(zone(tzid))


def _minutes(wall: dt.datetime) -> str:
    """2026-12-01 09:00 (isoformat is C; strftime is slow)."""
    return wall.isoformat(" ", "minutes")[:16]


class Writer:
    """Writes the events of one calendar in one style, reusing what repeats."""

    def __init__(self, style: Style):
        self.style = style
        self.full = style.full
        self.host = style.host
        self._link = text(style.base_url)
        self._contexts: dict[int, tuple[str, str, str]] = {}
        self._stamps: dict[dt.datetime, str] = {}
        self._texts: dict[str, str] = {}

    # --- shared pieces ----------------------------------------------------------------------

    def stamp(self, instant: dt.datetime) -> str:
        found = self._stamps.get(instant)
        if found is None:
            found = self._stamps[instant] = lines.utc(instant)
        return found

    def text(self, value: str) -> str:
        """Escape a value that repeats (titles, places, codes) once."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = text(value)
        return found

    def context(self, proceeding: Proceeding) -> tuple[str, str, str]:
        """A proceeding's title, client and description head, escaped once for all items."""
        found = self._contexts.get(id(proceeding))
        if found is None:
            found = self._contexts[id(proceeding)] = _context(proceeding)
        return found

    def _common(self, kind: str, id_: int, sequence: int, updated: dt.datetime) -> str:
        stamp = self.stamp(updated)
        return (
            f"BEGIN:VEVENT\r\nUID:{kind}-{id_}@{self.host}\r\n"
            f"DTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\nSEQUENCE:{sequence}\r\n"
        )

    def _end(self, kind: str, id_: int, status: str, transp: str) -> str:
        url = f"URL:{self.style.base_url}/{kind}s/{id_}"
        return f"{url}\r\nSTATUS:{status}\r\nTRANSP:{transp}\r\nCLASS:PRIVATE\r\n"

    def _alarm(self, summary: str, trigger: str) -> str:
        return (
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
            f"DESCRIPTION:{summary}\r\nTRIGGER:{trigger}\r\nEND:VALARM\r\n"
        )

    # --- hearings ---------------------------------------------------------------------------

    def hearing(self, hearing: HearingItem, start: dt.datetime, *, cancelled: bool = False) -> str:
        """A hearing's VEVENT; `start` is its local start in the court's zone."""
        cancelled = cancelled or hearing.status in GONE
        code = self.text(hearing.proceeding.jurisdiction)
        if self.full:
            title, who, head = self.context(hearing.proceeding)
            summary = f"{self.text(hearing.title)} ({code}): {title} – {who}"
            description = self._hearing_story(hearing, start, head)
        else:
            summary = "Hearing" if self.style.discreet else f"Hearing ({code})"
            description = f"Details (sign-in needed): {self._link}/hearings/{hearing.id}"
        if cancelled:
            # sine die is not cancelled, but the old date is gone all the same (STATUS)
            gone = "Adjourned sine die" if hearing.status == "postponed" else "Cancelled"
            summary = f"{gone}: {summary}"
        parts = [
            self._common("hearing", hearing.id, hearing.sequence, hearing.updated_at),
            _when(hearing, start, utc=self.style.discreet),
            f"SUMMARY:{summary}\r\nDESCRIPTION:{description}\r\n",
        ]
        if self.full and hearing.location:
            parts.append(f"LOCATION:{self.text(hearing.location)}\r\n")
        status, transp = ("CANCELLED", "TRANSPARENT") if cancelled else ("CONFIRMED", "OPAQUE")
        parts.append(self._end("hearing", hearing.id, status, transp))
        if self.style.alarms and not cancelled:
            parts.append(self._alarm(summary, TIMED_ALARM if hearing.time_known else ALL_DAY_ALARM))
        parts.append("END:VEVENT")
        return "".join(parts)

    def _hearing_story(self, hearing: HearingItem, start: dt.datetime, head: str) -> str:
        story = [head]
        if hearing.time_known:
            story.append(f"Time: {_minutes(start)} ({hearing.timezone})")  # IANA: no escapes
        else:
            story.append(f"Date: {start.date().isoformat()} (the time is not known yet)")
        if hearing.location:
            story.append(f"Place: {self.text(hearing.location)}")
        if hearing.status == "held":
            story.append(HELD_NOTES.get(hearing.outcome or "", "Held."))
        elif hearing.status in STATUS_NOTES:
            story.append(STATUS_NOTES[hearing.status])
        if hearing.moves:
            story += _moves(hearing)
        story.append(f"{self._link}/hearings/{hearing.id}")
        return "\\n".join(story)

    # --- deadlines --------------------------------------------------------------------------

    def deadline(self, deadline: DeadlineItem) -> str:
        """A deadline's VEVENT: all-day, or the hour before its time; free time either way
        (TRANSP:TRANSPARENT). An authority's shows what we expect, and rings no alarm:
        nobody here has to act by then."""
        summary = DEADLINE_PREFIXES.get(deadline.status, "") + self._deadline_summary(deadline)
        link = f"{self._link}/deadlines/{deadline.id}"
        if self.full:
            _title, _who, head = self.context(deadline.proceeding)
            story = [head, *self._deadline_notes(deadline)]
            explanation = f"\\n\\n{text(deadline.explanation)}\\n" if deadline.explanation else ""
            description = "\\n".join(story) + f"{explanation}\\n{link}"
        else:
            description = f"Details (sign-in needed): {link}"
        status = "CANCELLED" if deadline.status == "waived" else "CONFIRMED"
        parts = [
            # every edit bumps the row's version: a SEQUENCE that only grows
            self._common("deadline", deadline.id, deadline.version - 1, deadline.updated_at),
            _deadline_when(deadline, utc=self.style.discreet),
            f"SUMMARY:{summary}\r\nDESCRIPTION:{description}\r\n",
            self._end("deadline", deadline.id, status, "TRANSPARENT"),
        ]
        if self.style.alarms and deadline.status == "open" and not deadline.expected:
            trigger = ALL_DAY_ALARM if deadline.due_at is None else TIMED_ALARM
            parts.append(self._alarm(summary, trigger))
        parts.append("END:VEVENT")
        return "".join(parts)

    def _deadline_summary(self, deadline: DeadlineItem) -> str:
        """ "Deadline (BE): Appeal brief – client", or for the authority's time limit
        "Expected: CCF decision on admissibility – client"; without names, "Deadline (BE)"
        and "Expected decision (INTERPOL)"; in discreet mail, without the code either."""
        code = "" if self.style.discreet else f" ({self.text(deadline.proceeding.jurisdiction)})"
        if self.full:
            who = self.context(deadline.proceeding)[1]
            if deadline.expected:
                return f"Expected: {text(deadline.title)} – {who}"
            return f"Deadline{code}: {text(deadline.title)} – {who}"
        if deadline.expected:
            return f"Expected {_awaited(deadline.met_by)}{code}"
        return f"Deadline{code}"

    def _deadline_notes(self, deadline: DeadlineItem) -> list[str]:
        """A full feed's lines on the time of day, and on who owes it and what meets it."""
        notes = []
        if deadline.due_at is not None and deadline.timezone:
            due = _minutes(local(deadline.due_at, deadline.timezone))
            notes.append(f"Due by: {due} ({deadline.timezone})")  # IANA: no escapes
        if deadline.expected:
            court = deadline.proceeding.authority
            owner = f"the authority ({court})" if court else "the authority"
            kinds = " or ".join(labels.in_sentence(kind) for kind in deadline.met_by)
            notes.append(text(f"Owed by: {owner}, not by us"))
            notes.append(text(f"Met by: {kinds or 'not recorded'} (recorded as an event)"))
        return notes


# --- pieces without state -------------------------------------------------------------------


def _context(proceeding: Proceeding) -> tuple[str, str, str]:
    """(title, client or matter, description head) of a proceeding, escaped."""
    kind = labels.in_sentence(proceeding.kind)
    reference = f", reference {proceeding.reference}" if proceeding.reference else ""
    court = proceeding.authority or "authority not recorded"
    head = [
        f"{proceeding.title} ({kind}{reference})",
        f"Before: {court} ({proceeding.jurisdiction})",
        f"Matter: {proceeding.matter}",
    ]
    if proceeding.subject:
        head.append(f"Client: {proceeding.subject}")
    return text(proceeding.title), text(proceeding.who), "\\n".join(text(line) for line in head)


def _when(hearing: HearingItem, start: dt.datetime, *, utc: bool = False) -> str:
    """DTSTART and DTEND: in the court's zone (or in UTC, which names no place), or the
    local day when the time is unknown."""
    if not hearing.time_known:
        return all_day(start.date())
    if utc:
        end = hearing.starts_at + HEARING_LENGTH
        return f"DTSTART:{lines.utc(hearing.starts_at)}\r\nDTEND:{lines.utc(end)}\r\n"
    end = local(hearing.starts_at + HEARING_LENGTH, hearing.timezone)
    tzid = f";TZID={hearing.timezone}"  # the longest IANA name keeps the line under 75
    return f"DTSTART{tzid}:{lines.local(start)}\r\nDTEND{tzid}:{lines.local(end)}\r\n"


def _awaited(met_by: tuple[str, ...]) -> str:
    """ "reply" when every kind that meets it is a reply (state_reply); else "decision"."""
    replies = met_by and all(kind.endswith("reply") for kind in met_by)
    return "reply" if replies else "decision"


def _deadline_when(deadline: DeadlineItem, *, utc: bool = False) -> str:
    """All-day, or the last hour before `due_at` (`DEADLINE_HOUR`) in the zone of the
    rule's jurisdiction (or in UTC, which names no place)."""
    if deadline.due_at is None:
        return all_day(deadline.due_on)
    start = deadline.due_at - DEADLINE_HOUR
    if utc or not deadline.timezone:
        return f"DTSTART:{lines.utc(start)}\r\nDTEND:{lines.utc(deadline.due_at)}\r\n"
    tzid = f";TZID={deadline.timezone}"
    begin, end = local(start, deadline.timezone), local(deadline.due_at, deadline.timezone)
    return f"DTSTART{tzid}:{lines.local(begin)}\r\nDTEND{tzid}:{lines.local(end)}\r\n"


def all_day(day: dt.date) -> str:
    """DTSTART and an exclusive DTEND (the next day), so clients show exactly one day."""
    after = day + dt.timedelta(days=1)
    return f"DTSTART;VALUE=DATE:{lines.date(day)}\r\nDTEND;VALUE=DATE:{lines.date(after)}\r\n"


def _moves(hearing: HearingItem) -> list[str]:
    """The standing moves; one to an earlier time is brought forward, not a postponement."""
    count = sum(
        1 for m in hearing.moves if m.to_starts_at is None or m.to_starts_at > m.from_starts_at
    )
    heading = f"Postponed {count} time{'s' if count != 1 else ''}:"
    story = [heading if count else "Brought forward (not postponed):"]
    for move in hearing.moves:
        before = _moment(move.from_starts_at, hearing)
        after = _moment(move.to_starts_at, hearing) if move.to_starts_at else "sine die"
        forward = (
            " (brought forward)"
            if move.to_starts_at and move.to_starts_at < move.from_starts_at
            else ""
        )
        reason = f" ({text(move.reason)})" if move.reason else ""
        story.append(f"- {before} → {after}{forward}{reason}")
    return story


def _moment(instant: dt.datetime, hearing: HearingItem) -> str:
    wall = local(instant, hearing.timezone)
    return _minutes(wall) if hearing.time_known else wall.date().isoformat()
