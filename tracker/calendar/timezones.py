"""VTIMEZONE blocks computed from the IANA database (zoneinfo), readable by every client.

Why not icalendar's `Timezone.from_tzid`: it writes every later onset of an
observance as one multi-valued RDATE, and Thunderbird (ical.js) reads only the first
value of such a line, while Outlook ignores RDATE altogether (it reads only DTSTART,
RRULE and the offsets, [MS-STANOICAL] 2.2.47). So this module writes:

- a yearly run of onsets that follows one rule ("last Sunday of March, 02:00") as
  one observance with an RRULE (open-ended when the run lasts to the end of the
  range, with a UTC UNTIL when it stopped);
- any other onset (Almaty's move from UTC+6 to UTC+5 on 1 March 2024) as an
  observance of its own, with its DTSTART only — no RDATE at all;
- when no onset comes before the first item, the state at the start of the range.

Google and Apple read the TZID (an IANA name) and use their own database; the
block above makes Thunderbird and Outlook read the same instants.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from tracker.calendar import lines

UTC = dt.UTC
_STEP = 2 * 86_400
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Onset:
    """One change of a zone's offset, dst flag or abbreviation."""

    at: dt.datetime  # UTC instant
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    dst: bool

    @property
    def wall(self) -> dt.datetime:
        """The local time of the onset, in the offset before it (RFC 5545 §3.6.5)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def key(self) -> tuple:
        return (self.dst, self.offset_from, self.offset_to, self.name)


def _state(instant: float, zone: zoneinfo.ZoneInfo) -> tuple[dt.timedelta, dt.timedelta, str]:
    local = dt.datetime.fromtimestamp(instant, zone)
    # an instant read in a ZoneInfo zone: it always has an offset, a dst and a name
    state = local.utcoffset(), local.dst(), local.tzname()
    return cast("tuple[dt.timedelta, dt.timedelta, str]", state)


def onsets(zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Onset]:
    """Every change between two UTC instants: sampled every two days, found to the second.

    Two days, because no zone has kept an offset for less (checked against every zone
    from 1970 to 2040; Recife's summer time of October 2000 lasted a week). After a
    change the search goes on from that second, so two changes in one step are found.
    """
    found: list[Onset] = []
    t, stop = int(start.timestamp()), int(end.timestamp())
    before = _state(t, zone)
    while t < stop:
        if _state(t + _STEP, zone) == before:
            t += _STEP
            continue
        low, high = t, t + _STEP  # `before` at low, something else at high
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if _state(middle, zone) == before else (low, middle)
        after = _state(high, zone)
        at = dt.datetime.fromtimestamp(high, UTC)
        found.append(Onset(at, before[0], after[0], after[2], after[1] != dt.timedelta(0)))
        before, t = after, high
    return found


# --- yearly rules -------------------------------------------------------------------------


def _rules(wall: dt.datetime) -> set[tuple]:
    """The yearly rules an onset fits: last/nth weekday of its month, or its day."""
    day, weekday = wall.day, _WEEKDAYS[wall.weekday()]
    found: set[tuple[str, int, str | int, dt.time]] = {
        ("nth", wall.month, f"{(day - 1) // 7 + 1}{weekday}", wall.time())
    }
    if (wall + dt.timedelta(days=7)).month != wall.month:
        found.add(("last", wall.month, f"-1{weekday}", wall.time()))
    found.add(("day", wall.month, day, wall.time()))
    return found


def _runs(items: list[Onset]) -> list[tuple[list[Onset], str | None]]:
    """Split one observance's onsets into runs of consecutive years sharing a rule."""
    runs: list[tuple[list[Onset], set[tuple]]] = []
    for onset in items:
        if runs:
            members, rules = runs[-1]
            shared = rules & _rules(onset.wall)
            if _by(shared) and onset.wall.year == members[-1].wall.year + 1:
                runs[-1] = ([*members, onset], shared)
                continue
        runs.append(([onset], _rules(onset.wall)))
    return [(members, _by(rules) if len(members) > 1 else None) for members, rules in runs]


def _by(rules: set[tuple]) -> str | None:
    """The RRULE parts of the best shared rule: last weekday, nth weekday, day of month."""
    kinds = {rule[0]: rule for rule in rules}
    if "last" in kinds:
        return f"BYMONTH={kinds['last'][1]};BYDAY={kinds['last'][2]}"
    if "nth" in kinds and not kinds["nth"][2].startswith("5"):  # a 5th weekday is not yearly
        return f"BYMONTH={kinds['nth'][1]};BYDAY={kinds['nth'][2]}"
    if "day" in kinds:
        return f"BYMONTH={kinds['day'][1]};BYMONTHDAY={kinds['day'][2]}"
    return None


# --- the block ----------------------------------------------------------------------------


def _observance(first: Onset, rrule: str | None) -> list[str]:
    kind = "DAYLIGHT" if first.dst else "STANDARD"
    block = [
        f"BEGIN:{kind}",
        f"DTSTART:{lines.local(first.wall)}",
        f"TZOFFSETFROM:{lines.offset(first.offset_from)}",
        f"TZOFFSETTO:{lines.offset(first.offset_to)}",
        lines.text_prop("TZNAME", first.name),
    ]
    if rrule:
        block.append(f"RRULE:{rrule}")
    return [*block, f"END:{kind}"]


def _initial(zone: zoneinfo.ZoneInfo, start: dt.datetime) -> Onset:
    """The state at the start of the range, as an onset that changes nothing."""
    offset, dst, name = _state(start.timestamp(), zone)
    # local midnight of the range's first day, whatever its offset
    at = start - offset
    return Onset(at, offset, offset, name, dst != dt.timedelta(0))


@functools.lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """The VTIMEZONE lines for items from `first_year` to `last_year` (local years).

    The range runs from 1 January of the year before the first (so the onset in
    force on the first item is in it) to the end of two years after the last (so a
    rule that is still in force shows as open-ended).
    """
    zone = zoneinfo.ZoneInfo(tzid)
    start = dt.datetime(first_year - 1, 1, 1, tzinfo=UTC)
    end = dt.datetime(last_year + 3, 1, 1, tzinfo=UTC)
    found = onsets(zone, start, end)
    observances: list[tuple[dt.datetime, list[str]]] = []
    # The first item is at local midnight of 1 January at the earliest: a day before that
    # in UTC is before it in every zone.
    if not found or found[0].at > dt.datetime(first_year, 1, 1, tzinfo=UTC) - dt.timedelta(1):
        initial = _initial(zone, start)
        observances.append((initial.at, _observance(initial, None)))
    by_key: dict[tuple, list[Onset]] = {}
    for onset in found:
        by_key.setdefault(onset.key, []).append(onset)
    for items in by_key.values():
        for members, by in _runs(items):
            rrule = None
            if by:
                rrule = f"FREQ=YEARLY;{by}"
                if members[-1].wall.year < end.year - 1:  # the rule stopped inside the range
                    # A day after the last onset: the same onsets, and a client that compares
                    # UNTIL with local times (dateutil does) still counts the last one.
                    rrule += f";UNTIL={lines.utc(members[-1].at + dt.timedelta(days=1))}"
            observances.append((members[0].at, _observance(members[0], rrule)))
    observances.sort(key=lambda pair: pair[0])
    body = [line for _at, block in observances for line in block]
    return ("BEGIN:VTIMEZONE", f"TZID:{tzid}", *body, "END:VTIMEZONE")


@functools.cache
def database_version() -> str:
    """The IANA database in use (zoneinfo reads the system's first, then `tzdata`)."""
    for folder in zoneinfo.TZPATH:
        try:
            first = (Path(folder) / "tzdata.zi").read_text().split("\n", 1)[0]
        except OSError:
            continue
        return first.removeprefix("# version ").strip()
    try:
        return importlib.metadata.version("tzdata")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
