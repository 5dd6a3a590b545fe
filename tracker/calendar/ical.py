"""iCalendar for hearings and deadlines: subscription feeds and single-event invitations.

The only module that knows the iCalendar format (README, "Architecture" and "Calendar feeds").
It writes the text itself (`events`, `lines`, `timezones`) rather than through the
`icalendar` object model: a 5,000-event feed must be built in a fraction of a
second, and the bytes must be the same for the same data (the ETag depends on it).
The tests parse every output back with `icalendar` and with `vobject`.

Rules kept here, each for a bug that subscribers of other products report:
- one UID per hearing for life; SEQUENCE and LAST-MODIFIED move on every change;
  DTSTAMP is the row's last change (not "now"), so unchanged data gives equal bytes;
- timed hearings carry the court's TZID and its VTIMEZONE; a hearing whose time is
  not known, and every deadline but one at an hour, is all-day with an exclusive
  DTEND (the next day); a deadline at an hour (Rule 39) is the hour that ends at it,
  in its rule's jurisdiction's zone, with that zone's VTIMEZONE;
- a time limit owed by the authority reads "Expected: <title>" ("Expected decision
  (INTERPOL)" without names) and rings no alarm;
- a cancelled hearing stays with STATUS:CANCELLED and a "Cancelled: " summary,
  since Outlook shows the status of a subscribed event as if it were normal;
- `minimal` privacy writes no names, references, notes or places: a feed URL can
  leak, and our users' clients are targets of state surveillance; `discreet` (the
  invitation in discreet mail) writes neither the jurisdiction nor the court's zone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tracker.calendar import events, lines, timezones
from tracker.calendar.items import (
    DISCREET,
    DeadlineItem,
    FeedInfo,
    HearingItem,
    Move,
    Proceeding,
    Style,
)
from tracker.calendar.lines import prop, text_prop

if TYPE_CHECKING:
    from tracker.deadlines.models import Deadline
    from tracker.hearings.models import Hearing

PRODID = "-//Proceedings tracker//Calendar feeds 1//EN"

#: bumped whenever the bytes written for the same data change (part of the ETag key)
FORMAT = "2"  # 2: authority deadlines ("Expected: ...") and deadlines at an hour

METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})

#: config.Settings' default, for invitations built without settings at hand
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


# What the builders read lives in `items` (the writers of `events` read it too); the names
# stay readable here, where the tests and `publishing` look for them.
__all__ = [
    "DISCREET",
    "DeadlineItem",
    "FeedInfo",
    "HearingItem",
    "Move",
    "Proceeding",
    "Style",
    "deadline_invite",
    "deadline_item",
    "feed",
    "hearing_invite",
    "hearing_item",
    "hearing_method",
    "method_of",
]


# --- feeds ----------------------------------------------------------------------------------


def feed(
    info: FeedInfo,
    style: Style,
    hearings: Iterable[HearingItem],
    deadlines: Iterable[DeadlineItem],
) -> bytes:
    """A whole subscription feed (METHOD:PUBLISH), in a stable order."""
    writer = events.Writer(style)
    written: list[tuple[tuple, str]] = []
    zones: dict[str, list[int]] = {}
    for hearing in hearings:
        start = events.local(hearing.starts_at, hearing.timezone)
        written.append(((start.date(), 0, hearing.id), writer.hearing(hearing, start)))
        if hearing.time_known:
            zones.setdefault(hearing.timezone, []).append(start.year)
    for deadline in deadlines:
        written.append(((deadline.due_on, 1, deadline.id), writer.deadline(deadline)))
        if deadline.due_at is not None and deadline.timezone:
            due = events.local(deadline.due_at, deadline.timezone)
            zones.setdefault(deadline.timezone, []).append(due.year)
    written.sort(key=lambda pair: pair[0])  # by local day, hearings first, then by id
    return lines.join(
        [
            *_header(info, style),
            *_vtimezones(zones),
            *(event for _key, event in written),
            "END:VCALENDAR",
        ]
    )


def _header(info: FeedInfo, style: Style) -> list[str]:
    return [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        prop("UID", f"feed-{info.id}@{style.host}"),
        text_prop("NAME", info.name),
        text_prop("X-WR-CALNAME", info.name),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]


def _vtimezones(zones: dict[str, list[int]]) -> list[str]:
    return [
        line
        for tzid in sorted(zones)
        for line in timezones.vtimezone(tzid, min(zones[tzid]), max(zones[tzid]))
    ]


# --- single hearings ------------------------------------------------------------------------


def hearing_item(hearing: Hearing) -> HearingItem:
    """The builder's view of a Hearing row (with its proceeding, matter and moves)."""
    proceeding = hearing.proceeding
    matter = proceeding.matter
    return HearingItem(
        id=hearing.id,
        starts_at=hearing.starts_at,
        timezone=hearing.timezone,
        proceeding=Proceeding(
            jurisdiction=proceeding.jurisdiction.code,
            title=proceeding.title,
            reference=proceeding.reference,
            kind=_value(proceeding.kind),
            authority=proceeding.authority.name if proceeding.authority else None,
            matter=matter.title,
            subject=matter.subject.name if matter.subject else None,
        ),
        updated_at=hearing.updated_at,
        title=hearing.title,
        time_known=hearing.time_known,
        location=hearing.location,
        status=_value(hearing.status),
        outcome=_value(hearing.outcome) if hearing.outcome else None,
        sequence=hearing.sequence,
        moves=[Move(p.from_starts_at, p.to_starts_at, p.reason) for p in hearing.moves],
    )


def hearing_invite(
    hearing: Hearing,
    method: str = "REQUEST",
    *,
    base_url: str | None = None,
    privacy: str = "minimal",
    organizer: str | None = None,
    attendee: str | None = None,
    attendee_name: str = "",
    alarms: bool = False,
) -> str:
    """One hearing as the text of a calendar object, to attach to mail (or to download).

    `method`: REQUEST (add or update: same UID, higher SEQUENCE), CANCEL (remove it),
    or PUBLISH (a plain download). `base_url` (pass `settings.base_url`; by default
    the `BASE_URL` setting) makes the UID the feeds use and the link. `privacy` is
    minimal by default, since mailboxes get hacked too; `organizer` and `attendee` are
    email addresses (iTIP wants both for REQUEST and CANCEL), `attendee_name` the
    attendee's CN. `privacy="discreet"` (discreet mail) also leaves out the
    jurisdiction and the court's zone.
    """
    style = _invite_style(method, base_url, privacy, alarms)
    item = hearing_item(hearing)
    start = events.local(item.starts_at, item.timezone)
    event = events.Writer(style).hearing(item, start, cancelled=method == "CANCEL")
    zones = {item.timezone: [start.year]} if item.time_known and not style.discreet else {}
    return _invite(method, zones, event, organizer, attendee, attendee_name)


def hearing_method(hearing: Hearing) -> str:
    """The iTIP method that tells an invited calendar where the hearing stands: REQUEST
    while it has a date to keep, CANCEL once it is cancelled or adjourned sine die (the
    feeds mark both STATUS:CANCELLED: a date the court vacated must not be kept)."""
    return "CANCEL" if _value(hearing.status) in events.GONE else "REQUEST"


def method_of(invitation: str) -> str:
    """The METHOD of a calendar object written here (the mail part's `method=` must be
    the same); PUBLISH when it has none, as RFC 5546 reads a calendar without one."""
    for line in invitation.split("\r\n", 20):
        if line.startswith("METHOD:"):
            return line.removeprefix("METHOD:")
        if line.startswith("BEGIN:V") and line != "BEGIN:VCALENDAR":
            break
    return "PUBLISH"


def _invite_style(method: str, base_url: str | None, privacy: str, alarms: bool) -> Style:
    """How one mailed item is written; an unknown method is a programming error."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(sorted(METHODS))}, not {method!r}")
    base_url = (base_url or os.environ.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    return Style(base_url=base_url, privacy=privacy, alarms=alarms)


# --- single deadlines -----------------------------------------------------------------------


def deadline_item(deadline: Deadline, *, full: bool = False) -> DeadlineItem:
    """The builder's view of a Deadline row; the names of its proceeding only when `full`
    (a mail's invitation is never full: its rows are not even read then)."""
    proceeding = deadline.proceeding
    jurisdiction = proceeding.jurisdiction
    context = Proceeding(jurisdiction=jurisdiction.code)
    if full:
        matter = proceeding.matter
        context = Proceeding(
            jurisdiction=jurisdiction.code,
            title=proceeding.title,
            reference=proceeding.reference,
            kind=_value(proceeding.kind),
            authority=proceeding.authority.name if proceeding.authority else None,
            matter=matter.title,
            subject=matter.subject.name if matter.subject else None,
        )
    # the zone of an hour is the rule's jurisdiction's, as in the feeds (`queries.deadlines`)
    zone = deadline.rule.jurisdiction.timezone if deadline.rule else jurisdiction.timezone
    return DeadlineItem(
        id=deadline.id,
        due_on=deadline.due_on,
        proceeding=context,
        updated_at=deadline.updated_at,
        title=deadline.title,
        status=_value(deadline.status),
        explanation=deadline.explanation if full else "",
        version=deadline.version,
        owed_by=_value(deadline.owed_by),
        met_by=tuple(deadline.met_by or ()),
        due_at=deadline.due_at,
        timezone=zone,
    )


def deadline_invite(
    deadline: Deadline,
    method: str = "REQUEST",
    *,
    base_url: str | None = None,
    privacy: str = "minimal",
    organizer: str | None = None,
    attendee: str | None = None,
    attendee_name: str = "",
    alarms: bool = False,
) -> str:
    """One deadline as the text of a calendar object, to attach to a reminder.

    The same UID, times and titles as in the feeds; the arguments are `hearing_invite`'s.
    A deadline at an hour carries its zone's VTIMEZONE, except in discreet mail (UTC).
    """
    style = _invite_style(method, base_url, privacy, alarms)
    item = deadline_item(deadline, full=privacy == "full")
    if method == "CANCEL":
        item.status = "waived"  # written as STATUS:CANCELLED
    event = events.Writer(style).deadline(item)
    zones: dict[str, list[int]] = {}
    if item.due_at is not None and item.timezone and not style.discreet:
        zones[item.timezone] = [events.local(item.due_at, item.timezone).year]
    return _invite(method, zones, event, organizer, attendee, attendee_name)


def _invite(
    method: str,
    zones: dict[str, list[int]],
    event: str,
    organizer: str | None,
    attendee: str | None,
    attendee_name: str = "",
) -> str:
    """A calendar of one event, with its organizer and attendee (iTIP wants both).

    The attendee is told that no answer is expected (RSVP=FALSE): nobody declines a
    court, and the organizer's address (MAIL_FROM) reads no replies.
    """
    people = []
    if organizer:
        people.append(prop("ORGANIZER", f"mailto:{organizer}"))
    if attendee:
        name = f";CN={lines.param(attendee_name)}" if attendee_name else ""
        params = f"{name};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE"
        people.append(prop("ATTENDEE", f"mailto:{attendee}", params))
    event = event.removesuffix("END:VEVENT") + "".join(f"{line}\r\n" for line in people)
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *_vtimezones(zones),
        event + "END:VEVENT",
        "END:VCALENDAR",
    ]
    return lines.join(body).decode()


def _value(member: Any) -> str:
    return getattr(member, "value", member)
