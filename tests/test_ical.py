"""The iCalendar writer, without a database: every output is read back by two parsers.

`icalendar` and `vobject` are the oracles (neither is used to write). Instants are
checked against `zoneinfo`, including through the VTIMEZONE blocks alone (as
Thunderbird and Outlook read them), across DST days and Almaty's move from UTC+6
to UTC+5 on 1 March 2024.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zoneinfo
from types import SimpleNamespace

import icalendar
import pytest
from ical_readers import icalendar_events as events
from ical_readers import vobject_calendar, vobject_events, vtimezones

from tracker.calendar import ical, lines, timezones

UTC = dt.UTC
BASE = "https://tracker.example.org"
CREATED = dt.datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
CHANGED = dt.datetime(2026, 2, 1, 10, 30, tzinfo=UTC)

SECRET = ical.Proceeding(
    jurisdiction="BE",
    title="Extradition request; Kazakhstan",
    reference="2024/KZ/0193",
    kind="extradition_request",
    authority="Chambre des mises en accusation, Bruxelles",
    matter="Dossier Jardemalie",
    subject="Botagoz Jardemalie",
)


def local(wall: str, zone: str) -> dt.datetime:
    """The UTC instant of a wall time in a zone, by zoneinfo (the expected value)."""
    return dt.datetime.fromisoformat(wall).replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def hearing(id_: int, wall: str, zone: str = "Europe/Brussels", **fields) -> ical.HearingItem:
    values = {"proceeding": SECRET, "updated_at": CHANGED} | fields
    return ical.HearingItem(id=id_, starts_at=local(wall, zone), timezone=zone, **values)


def deadline(id_: int, due_on: str, **fields) -> ical.DeadlineItem:
    values = {"proceeding": SECRET, "updated_at": CHANGED} | fields
    return ical.DeadlineItem(id=id_, due_on=dt.date.fromisoformat(due_on), **values)


def feed(hearings=(), deadlines=(), *, privacy="full", alarms=False, name="Feed") -> bytes:
    style = ical.Style(base_url=BASE, privacy=privacy, alarms=alarms)
    return ical.feed(ical.FeedInfo(7, name), style, list(hearings), list(deadlines))


# --- content lines -------------------------------------------------------------------------


def test_text_is_escaped_as_rfc_5545_says():
    assert lines.text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert lines.text("tab\there\x00\x07\x1b") == "tab\there"


@pytest.mark.parametrize(
    "value",
    [
        "x" * 200,
        "é" * 120,  # two octets each: a fold must never split one
        "Прокуратура Республики Казахстан, " * 5,
        "a" * 74 + "€" + "b" * 80,
        "🙂" * 40,
    ],
)
def test_long_lines_fold_at_75_octets_and_unfold_to_the_same_text(value):
    folded = lines.fold(lines.text_prop("DESCRIPTION", value))
    joined = lines.join(["BEGIN:X", lines.text_prop("DESCRIPTION", value), "END:X"])

    assert joined == f"BEGIN:X\r\n{folded}\r\nEND:X\r\n".encode()

    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == f"DESCRIPTION:{lines.text(value)}"


def test_a_short_line_is_left_alone():
    assert lines.prop("UID", "hearing-1@example.org") == "UID:hearing-1@example.org"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(3600, "+0100"), (-18000, "-0500"), (19800, "+0530"), (0, "+0000"), (-3600 - 75, "-010115")],
)
def test_utc_offsets(seconds, text):
    assert lines.offset(dt.timedelta(seconds=seconds)) == text


# --- VTIMEZONE ------------------------------------------------------------------------------

ZONES = [
    ("Europe/Brussels", 2026, 2027),
    ("Europe/London", 2025, 2026),
    ("Europe/Dublin", 2025, 2026),  # tzdata: winter is the "daylight" time (negative DST)
    ("America/New_York", 2006, 2008),  # the US rule changed in 2007
    ("America/Recife", 2000, 2000),  # summer time for one week (8-15 October 2000)
    ("America/Sao_Paulo", 2018, 2020),  # DST abolished in 2019
    ("Australia/Sydney", 2025, 2026),  # southern hemisphere
    ("Asia/Almaty", 2024, 2024),  # UTC+6 to UTC+5 on 1 March 2024
    ("Asia/Almaty", 2023, 2026),
    ("Asia/Tehran", 2020, 2023),  # fixed dates, then DST abolished
    ("Africa/Casablanca", 2025, 2026),  # Ramadan: dates move every year
    ("Europe/Moscow", 2010, 2015),  # permanent summer time, then back
    ("Pacific/Apia", 2011, 2012),  # skipped 30 December 2011
    ("Asia/Kolkata", 2026, 2026),
    ("UTC", 2026, 2026),
]


def _instants(zone: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> list[dt.datetime]:
    """Noon UTC every day, and every hour of the days around each change of offset."""
    day = dt.datetime(first_year, 1, 1, 12, tzinfo=UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found, previous = [], None
    while day < end:
        found.append(day)
        offset = day.astimezone(zone).utcoffset()
        if previous is not None and offset != previous:
            found += [day - dt.timedelta(hours=h) for h in range(1, 48)]
        previous, day = offset, day + dt.timedelta(days=1)
    return found


@pytest.mark.parametrize(("tzid", "first_year", "last_year"), ZONES)
def test_the_vtimezone_alone_gives_zoneinfo_s_offsets(tzid, first_year, last_year):
    block = "\r\n".join(timezones.vtimezone(tzid, first_year, last_year))
    vtz = icalendar.Timezone.from_ical(block).to_tz(lookup_tzid=False)
    zone = zoneinfo.ZoneInfo(tzid)

    checked = 0
    for instant in _instants(zone, first_year, last_year):
        wall = instant.astimezone(zone).replace(tzinfo=None)
        offsets = {wall.replace(tzinfo=zone, fold=f).utcoffset() for f in (0, 1)}
        if len(offsets) > 1:
            continue  # an hour that happens twice: the wall time alone cannot tell
        assert wall.replace(tzinfo=vtz).utcoffset() == instant.astimezone(zone).utcoffset(), wall
        checked += 1
    assert checked > 300


@pytest.mark.parametrize(("tzid", "first_year", "last_year"), ZONES)
def test_the_vtimezone_suits_thunderbird_and_outlook(tzid, first_year, last_year):
    block = timezones.vtimezone(tzid, first_year, last_year)

    # ical.js reads only the first value of a multi-valued RDATE; Outlook ignores RDATE
    assert not [line for line in block if line.startswith("RDATE")]
    # Outlook: yearly rules with one BYDAY (e.g. -1SU) or one BYMONTHDAY
    for rule in (line for line in block if line.startswith("RRULE:")):
        assert re.fullmatch(
            r"RRULE:FREQ=YEARLY;BYMONTH=\d{1,2};(BYDAY=-?[1-4]?(MO|TU|WE|TH|FR|SA|SU)"
            r"|BYMONTHDAY=\d{1,2})(;UNTIL=\d{8}T\d{6}Z)?",
            rule,
        ), rule
    assert block[1] == f"TZID:{tzid}"


def test_europe_uses_open_ended_rules_for_the_last_sunday():
    block = timezones.vtimezone("Europe/Brussels", 2026, 2026)

    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in block
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in block
    assert "DTSTART:20250330T020000" in block  # local time before the onset (RFC 5545)
    assert "DTSTART:20251026T030000" in block


def test_almaty_s_move_to_utc_plus_5_is_an_observance_of_its_own():
    block = timezones.vtimezone("Asia/Almaty", 2024, 2024)
    text = "\n".join(block)

    assert "DTSTART:20240301T000000\nTZOFFSETFROM:+0600\nTZOFFSETTO:+0500" in text
    assert "DTSTART:20230101T000000\nTZOFFSETFROM:+0600\nTZOFFSETTO:+0600" in text
    # from 2025 on, the move itself is all that is needed
    later = "\n".join(timezones.vtimezone("Asia/Almaty", 2025, 2026))
    assert later.count("BEGIN:STANDARD") == 1
    assert "TZOFFSETTO:+0500" in later


def test_a_rule_that_stopped_ends_with_a_utc_until():
    block = timezones.vtimezone("America/New_York", 2006, 2008)

    assert "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060403T070000Z" in block
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in block


# --- hearings in a feed ---------------------------------------------------------------------

#: wall times on DST days and around Almaty's change, with the zone they are in
WALLS = [
    (1, "2026-03-29T09:00", "Europe/Brussels"),  # clocks went forward at 02:00
    (2, "2026-03-28T09:00", "Europe/Brussels"),  # the day before: still UTC+1
    (3, "2026-10-25T09:00", "Europe/Brussels"),  # clocks went back at 03:00
    (4, "2026-10-25T02:30", "Europe/London"),  # after London's change (01:00 → 02:00 once)
    (5, "2026-03-08T09:00", "America/New_York"),  # US DST day
    (6, "2026-11-01T08:00", "America/New_York"),
    (7, "2024-02-29T10:00", "Asia/Almaty"),  # UTC+6
    (8, "2024-03-01T10:00", "Asia/Almaty"),  # UTC+5 from that midnight
    (9, "2026-04-05T09:00", "Australia/Sydney"),  # end of southern DST
]


@pytest.fixture
def dst_feed() -> bytes:
    return feed([hearing(id_, wall, zone) for id_, wall, zone in WALLS])


@pytest.mark.parametrize(("id_", "wall", "zone"), WALLS)
def test_icalendar_reads_the_same_instant_by_tzid_and_by_vtimezone(dst_feed, id_, wall, zone):
    event = events(dst_feed)[f"hearing-{id_}@tracker.example.org"]
    blocks = vtimezones(dst_feed)
    start = event.DTSTART

    assert str(event["DTSTART"].params["TZID"]) == zone
    assert start.astimezone(UTC) == local(wall, zone)  # Google, Apple: the IANA name
    as_block = start.replace(tzinfo=None).replace(tzinfo=blocks[zone])
    assert as_block.astimezone(UTC) == local(wall, zone)  # Thunderbird, Outlook: the block
    assert event.DTEND - start == dt.timedelta(hours=1)


@pytest.mark.parametrize(("id_", "wall", "zone"), WALLS)
def test_vobject_reads_the_same_instant(dst_feed, id_, wall, zone):
    event = vobject_events(dst_feed)[f"hearing-{id_}@tracker.example.org"]

    assert event.dtstart.value.astimezone(UTC) == local(wall, zone)
    assert event.dtend.value.astimezone(UTC) == local(wall, zone) + dt.timedelta(hours=1)


def test_one_vtimezone_per_zone_used_and_none_for_all_day_items(dst_feed):
    calendar = icalendar.Calendar.from_ical(dst_feed)
    assert sorted(tz.tz_name for tz in calendar.timezones) == sorted({z for _i, _w, z in WALLS})
    assert calendar.get_missing_tzids() == set()

    only_dates = feed(
        [hearing(1, "2026-05-04T00:00", time_known=False)], [deadline(2, "2026-05-10")]
    )
    assert icalendar.Calendar.from_ical(only_dates).timezones == []


def test_a_hearing_whose_time_is_unknown_is_one_whole_day():
    data = feed([hearing(1, "2026-05-04T00:30", "Asia/Almaty", time_known=False)])
    event = events(data)["hearing-1@tracker.example.org"]
    v_event = vobject_events(data)["hearing-1@tracker.example.org"]

    assert b"DTSTART;VALUE=DATE:20260504\r\n" in data  # the court's day, not UTC's (3 May)
    start, end = event.DTSTART, event.DTEND
    assert (start, end) == (dt.date(2026, 5, 4), dt.date(2026, 5, 5))  # exclusive: one day
    assert v_event.dtstart.value == dt.date(2026, 5, 4)
    assert v_event.dtend.value == dt.date(2026, 5, 5)


def test_deadlines_are_all_day_and_leave_the_time_free():
    data = feed(deadlines=[deadline(3, "2026-12-31"), deadline(4, "2027-01-15", status="done")])
    first, done = events(data).values()

    start, end = first.DTSTART, first.DTEND
    assert (start, end) == (dt.date(2026, 12, 31), dt.date(2027, 1, 1))
    assert str(first["TRANSP"]) == "TRANSPARENT"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(done["SUMMARY"]).startswith("Done: Deadline (BE)")


def test_uid_sequence_and_last_modified_follow_the_row():
    later = dt.datetime(2026, 3, 1, tzinfo=UTC)
    data = feed([hearing(12, "2026-06-01T09:00", sequence=3, updated_at=later)])
    event = events(data)["hearing-12@tracker.example.org"]

    assert event["SEQUENCE"] == 3
    assert event["LAST-MODIFIED"].dt == later
    assert event["DTSTAMP"].dt == later  # not "now": the same data gives the same bytes


@pytest.mark.parametrize(
    ("status", "said"), [("cancelled", "Cancelled: "), ("postponed", "Adjourned sine die: ")]
)
def test_a_cancelled_or_sine_die_hearing_stays_as_cancelled(status, said):
    data = feed([hearing(1, "2026-06-01T09:00", status=status)], alarms=True)
    event = events(data)["hearing-1@tracker.example.org"]

    # sine die is no cancellation, but calendars must drop the old date all the same
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith(f"{said}Hearing (BE)")
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert not event.walk("VALARM")  # no reminder for what will not happen


def test_the_full_description_tells_the_story():
    moves = [
        ical.Move(local("2026-02-01T09:00", "Europe/Brussels"), None, "court strike"),
        ical.Move(
            local("2026-02-01T09:00", "Europe/Brussels"),
            local("2026-06-01T09:00", "Europe/Brussels"),
            "new date set",
        ),
    ]
    data = feed([hearing(1, "2026-06-01T09:00", location="Palais, salle 0.7", moves=moves)])
    event = events(data)["hearing-1@tracker.example.org"]
    description = str(event["DESCRIPTION"])

    assert "Extradition request; Kazakhstan (extradition request, reference 2024/KZ/0193)" in (
        description
    )
    assert "Before: Chambre des mises en accusation, Bruxelles (BE)" in description
    assert "Client: Botagoz Jardemalie" in description
    assert "Postponed 2 times:" in description
    assert "- 2026-02-01 09:00 → sine die (court strike)" in description
    assert "- 2026-02-01 09:00 → 2026-06-01 09:00 (new date set)" in description
    assert description.endswith(f"{BASE}/hearings/1")
    assert str(event["LOCATION"]) == "Palais, salle 0.7"
    assert str(event["URL"]) == f"{BASE}/hearings/1"


def test_a_minimal_feed_names_nobody():
    moves = [ical.Move(CREATED, CHANGED, "the judge of Botagoz is ill")]
    data = feed(
        [hearing(1, "2026-06-01T09:00", location="Palais de justice, Bruxelles", moves=moves)],
        [deadline(2, "2026-06-10", title="Appeal", explanation="BE-CRIM-APPEAL 2024/KZ/0193")],
        privacy="minimal",
        alarms=True,
    )
    found = events(data)
    unfolded = data.replace(b"\r\n ", b"")

    for secret in ("Botagoz", "Jardemalie", "2024/KZ/0193", "Extradition", "Kazakhstan",
                   "Chambre", "Palais", "Bruxelles", "Appeal", "ill"):  # fmt: skip
        assert secret.encode() not in unfolded, secret
    assert str(found["hearing-1@tracker.example.org"]["SUMMARY"]) == "Hearing (BE)"
    assert str(found["deadline-2@tracker.example.org"]["SUMMARY"]) == "Deadline (BE)"
    assert "LOCATION" not in found["hearing-1@tracker.example.org"]


def test_alarms_only_when_the_feed_asks_for_them():
    items = ([hearing(1, "2026-06-01T09:00")], [deadline(2, "2026-06-10")])
    silent = events(feed(*items))
    loud = events(feed(*items, alarms=True))

    assert all(not e.walk("VALARM") for e in silent.values())
    hearing_alarm = loud["hearing-1@tracker.example.org"].walk("VALARM")[0]
    deadline_alarm = loud["deadline-2@tracker.example.org"].walk("VALARM")[0]
    assert hearing_alarm["TRIGGER"].dt == -dt.timedelta(days=1)
    assert deadline_alarm["TRIGGER"].dt == -dt.timedelta(hours=15)  # 09:00 the day before
    assert str(hearing_alarm["ACTION"]) == "DISPLAY"


def test_calendar_properties_for_subscribers():
    data = feed(name="Cabinet, hearings")
    calendar = icalendar.Calendar.from_ical(data)
    names = {c.name: c.value for c in vobject_calendar(data).getChildren()}

    # TEXT, escaped (icalendar 7.3 leaves NAME and X-WR-CALNAME as they are written)
    assert b"\r\nX-WR-CALNAME:Cabinet\\, hearings\r\n" in data
    assert names["X-WR-CALNAME"] == names["NAME"] == "Cabinet, hearings"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert str(calendar["UID"]) == "feed-7@tracker.example.org"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_the_same_items_in_any_order_give_the_same_bytes():
    items = [hearing(i, f"2026-0{1 + i % 9}-1{i % 10}T09:00", zone) for i, (_, _, zone) in
             enumerate(WALLS, start=1)]  # fmt: skip
    deadlines = [deadline(i, f"2026-0{1 + i % 9}-1{i % 10}") for i in range(20, 30)]
    first = feed(items, deadlines)
    shuffled = items[:], deadlines[:]
    random.Random(5).shuffle(shuffled[0])
    random.Random(6).shuffle(shuffled[1])

    assert feed(*shuffled) == first
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))
    assert first.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in first.replace(b"\r\n", b"")


# --- single hearings (the mail attachment) --------------------------------------------------


def _row(status: str = "scheduled") -> SimpleNamespace:
    """A Hearing row, as `hearing_invite` reads it."""
    jurisdiction = SimpleNamespace(code="KZ")
    matter = SimpleNamespace(title="Dossier A", subject=SimpleNamespace(name="Mukhtar A."))
    proceeding = SimpleNamespace(
        jurisdiction=jurisdiction,
        title="Criminal case",
        reference="R-1",
        kind=SimpleNamespace(value="criminal_case"),
        authority=None,
        matter=matter,
    )
    return SimpleNamespace(
        id=44,
        proceeding=proceeding,
        starts_at=local("2024-03-01T10:00", "Asia/Almaty"),
        timezone="Asia/Almaty",
        updated_at=CHANGED,
        title="Hearing",
        time_known=True,
        location="Almaty city court",
        status=SimpleNamespace(value=status),
        outcome=None,
        sequence=2,
        postponements=[],
        moves=[],
    )


def test_an_invitation_carries_the_method_organizer_and_the_same_uid():
    data = ical.hearing_invite(
        _row(), "REQUEST", base_url=BASE, organizer="tracker@example.org", attendee="l@ex.org"
    ).encode()
    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]
    v_event = vobject_calendar(data).vevent

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "hearing-44@tracker.example.org"
    assert event["SEQUENCE"] == 2
    assert str(event["ORGANIZER"]) == "mailto:tracker@example.org"
    assert str(event["ATTENDEE"]) == "mailto:l@ex.org"
    assert str(event["SUMMARY"]) == "Hearing (KZ)"  # minimal unless asked: mailboxes leak
    assert v_event.dtstart.value.astimezone(UTC) == local("2024-03-01T10:00", "Asia/Almaty")


def test_the_attendee_is_asked_for_no_answer_and_named_safely():
    name = 'Amina K., counsel; "Brussels": bar'
    data = ical.hearing_invite(
        _row(), "REQUEST", base_url=BASE, attendee="l@ex.org", attendee_name=name
    ).encode()
    attendee = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["ATTENDEE"]
    v_attendee = vobject_calendar(data).vevent.attendee

    assert str(attendee) == "mailto:l@ex.org"
    assert attendee.params["CN"] == "Amina K., counsel; 'Brussels': bar"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("NEEDS-ACTION", "FALSE")
    assert v_attendee.params["CN"] == ["Amina K., counsel; 'Brussels': bar"]


def test_a_parameter_value_cannot_break_out_of_its_quotes():
    assert lines.param('a "b"; c') == "\"a 'b'; c\""
    assert lines.param("line\r\nbreak\x07") == '"line break"'


@pytest.mark.parametrize("method", sorted(ical.METHODS))
def test_the_method_of_an_invitation_is_read_back(method):
    assert ical.method_of(ical.hearing_invite(_row(), method, base_url=BASE)) == method
    assert ical.method_of("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n") == "PUBLISH"


@pytest.mark.parametrize(
    ("status", "method"),
    [("scheduled", "REQUEST"), ("postponed", "CANCEL"), ("cancelled", "CANCEL")],
)
def test_a_hearing_that_lost_its_date_is_cancelled_in_calendars(status, method):
    assert ical.hearing_method(_row(status=status)) == method


def test_a_discreet_invitation_names_no_jurisdiction_and_no_courts_zone():
    data = ical.hearing_invite(_row(), "REQUEST", base_url=BASE, privacy=ical.DISCREET).encode()
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    v_event = vobject_calendar(data).vevent

    assert str(event["SUMMARY"]) == "Hearing"
    assert event.decoded("DTSTART") == local("2024-03-01T10:00", "Asia/Almaty")
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)  # UTC, not Almaty's clock
    assert v_event.dtend.value == local("2024-03-01T11:00", "Asia/Almaty")
    for word in (b"KZ", b"Almaty", b"Mukhtar", b"Dossier A", b"Criminal case", b"R-1"):
        assert word not in data
    assert str(event["UID"]) == "hearing-44@tracker.example.org"  # the same event


def test_a_cancel_message_cancels():
    data = ical.hearing_invite(_row(), "CANCEL", base_url=BASE, privacy="full").encode()
    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: Hearing (KZ): Criminal case – Mukhtar A.")


def test_an_invitation_without_a_base_url_takes_the_setting(monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://tracker.example.net/")
    text = ical.hearing_invite(_row(), method="REQUEST")

    assert isinstance(text, str)  # the outbox stores it as text
    assert "\r\nUID:hearing-44@tracker.example.net\r\n" in text
    assert "\r\nURL:https://tracker.example.net/hearings/44\r\n" in text


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        ical.hearing_invite(_row(), "REPLY", base_url=BASE)
