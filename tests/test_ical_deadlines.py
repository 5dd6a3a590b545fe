"""The iCalendar writer for the authority's time limits and for deadlines at an hour,
without a database: every output is read back by `icalendar` and `vobject`.

An authority's time limit ("Expected: ...") is what we wait for, not what we must do;
a deadline at an hour (Rule 39: 16:00 in Strasbourg) is the hour that ends at it, in
the zone of its rule's jurisdiction. Instants are checked against `zoneinfo`, in winter
and in summer, by the TZID and through the VTIMEZONE block alone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import icalendar
import pytest
from ical_readers import icalendar_events as events
from ical_readers import vobject_calendar, vobject_events, vtimezones

from tracker.calendar import ical

UTC = dt.UTC
BASE = "https://tracker.example.org"
CHANGED = dt.datetime(2026, 2, 1, 10, 30, tzinfo=UTC)
PARIS = "Europe/Paris"

CCF = ical.Proceeding(
    jurisdiction="INTERPOL",
    title="Request to delete the Red Notice",
    reference="CCF/2026/0412",
    kind="interpol_notice",
    authority="Commission for the Control of INTERPOL's Files",
    matter="Dossier Jardemalie",
    subject="Botagoz Jardemalie",
)
SECRETS = ("Red Notice", "CCF/2026/0412", "Commission", "Jardemalie", "admissibility")


def local(wall: str, zone: str) -> dt.datetime:
    """The UTC instant of a wall time in a zone, by zoneinfo (the expected value)."""
    return dt.datetime.fromisoformat(wall).replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def expected(id_: int = 1, met_by=("admissibility_decision",), **fields) -> ical.DeadlineItem:
    """An authority's time limit, due on 15 January 2027."""
    values = {
        "proceeding": CCF,
        "updated_at": CHANGED,
        "title": "CCF decision on admissibility",
        "owed_by": "authority",
        "met_by": tuple(met_by),
    } | fields
    return ical.DeadlineItem(id=id_, due_on=dt.date(2027, 1, 15), **values)


def timed(id_: int, wall: str, zone: str = PARIS, **fields) -> ical.DeadlineItem:
    """A deadline at an hour: `wall` in `zone`, the rule's jurisdiction's."""
    values = {
        "proceeding": CCF,
        "updated_at": CHANGED,
        "title": "Rule 39 request",
        "due_at": local(wall, zone),
        "timezone": zone,
    } | fields
    return ical.DeadlineItem(id=id_, due_on=dt.date.fromisoformat(wall[:10]), **values)


def feed(deadlines=(), *, privacy="full", alarms=False) -> bytes:
    style = ical.Style(base_url=BASE, privacy=privacy, alarms=alarms)
    return ical.feed(ical.FeedInfo(7, "Feed"), style, [], list(deadlines))


def uid(id_: int) -> str:
    return f"deadline-{id_}@tracker.example.org"


# --- the authority's time limits ------------------------------------------------------------


def test_an_authority_s_time_limit_reads_expected_with_its_title():
    data = feed([expected()])
    event = events(data)[uid(1)]

    assert str(event["SUMMARY"]) == "Expected: CCF decision on admissibility – Botagoz Jardemalie"
    start, end = event.DTSTART, event.DTEND
    assert (start, end) == (dt.date(2027, 1, 15), dt.date(2027, 1, 16))
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(vobject_events(data)[uid(1)].summary.value).startswith("Expected: CCF decision")


def test_its_description_says_who_owes_it_and_what_meets_it():
    data = feed([expected(met_by=("admissibility_decision", "decision"))])
    description = str(events(data)[uid(1)]["DESCRIPTION"])

    assert "Owed by: the authority (Commission for the Control of INTERPOL's Files)" in description
    assert "Met by: admissibility decision or decision (recorded as an event)" in description
    assert description.endswith(f"{BASE}/deadlines/1")


def test_a_client_deadline_keeps_its_title_and_says_nothing_of_an_owner():
    data = feed([expected(owed_by="client", met_by=(), title="Appeal brief")])
    event = events(data)[uid(1)]

    assert str(event["SUMMARY"]) == "Deadline (INTERPOL): Appeal brief – Botagoz Jardemalie"
    assert "Owed by" not in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    ("met_by", "said"),
    [
        (("admissibility_decision",), "Expected decision (INTERPOL)"),
        (("decision",), "Expected decision (INTERPOL)"),
        (("state_reply",), "Expected reply (INTERPOL)"),
        (("state_reply", "government_reply"), "Expected reply (INTERPOL)"),
        (("state_reply", "decision"), "Expected decision (INTERPOL)"),  # not every one a reply
        ((), "Expected decision (INTERPOL)"),
    ],
)
def test_a_minimal_feed_says_decision_or_reply_and_the_code_only(met_by, said):
    data = feed([expected(met_by=met_by)], privacy="minimal")
    event = events(data)[uid(1)]

    assert str(event["SUMMARY"]) == said
    assert str(event["DESCRIPTION"]) == f"Details (sign-in needed): {BASE}/deadlines/1"
    for secret in SECRETS:
        assert secret.encode() not in data, secret


def test_a_met_time_limit_stays_as_done_and_a_waived_one_is_cancelled():
    data = feed([expected(1, status="done"), expected(2, status="waived")], privacy="minimal")
    done, waived = events(data)[uid(1)], events(data)[uid(2)]

    assert str(done["SUMMARY"]) == "Done: Expected decision (INTERPOL)"
    assert str(done["STATUS"]) == "CONFIRMED"
    assert str(waived["SUMMARY"]) == "Waived: Expected decision (INTERPOL)"
    assert str(waived["STATUS"]) == "CANCELLED"


def test_an_authority_s_time_limit_rings_no_alarm():
    data = feed([expected(1), expected(2, owed_by="client")], alarms=True)

    assert not events(data)[uid(1)].walk("VALARM")  # nobody here has to act by then
    assert events(data)[uid(2)].walk("VALARM")


# --- deadlines at an hour -------------------------------------------------------------------

#: 16:00 in Strasbourg: UTC+1 in winter, UTC+2 in summer, and on both DST days of 2027
HOURS = [
    (1, "2027-01-15T16:00", "2027-01-15T15:00:00+00:00"),
    (2, "2027-07-15T16:00", "2027-07-15T14:00:00+00:00"),
    (3, "2027-03-28T16:00", "2027-03-28T14:00:00+00:00"),  # clocks went forward that night
    (4, "2027-10-31T16:00", "2027-10-31T15:00:00+00:00"),  # and back
]


@pytest.fixture
def hours_feed() -> bytes:
    return feed([timed(id_, wall) for id_, wall, _utc in HOURS])


@pytest.mark.parametrize(("id_", "wall", "instant"), HOURS)
def test_a_deadline_at_an_hour_is_the_hour_before_it_in_the_rule_s_zone(
    hours_feed, id_, wall, instant
):
    event = events(hours_feed)[uid(id_)]
    blocks = vtimezones(hours_feed)
    due = dt.datetime.fromisoformat(instant)

    assert str(event["DTSTART"].params["TZID"]) == PARIS
    assert str(event["DTEND"].params["TZID"]) == PARIS
    assert event.DTEND.astimezone(UTC) == due  # Google, Apple: the IANA name
    assert event.DTEND.replace(tzinfo=None) == dt.datetime.fromisoformat(wall)
    as_block = event.DTEND.replace(tzinfo=None).replace(tzinfo=blocks[PARIS])
    assert as_block.astimezone(UTC) == due  # Thunderbird, Outlook: the block
    start, end = event.DTSTART, event.DTEND
    assert end - start == dt.timedelta(hours=1)
    assert str(event["TRANSP"]) == "TRANSPARENT"


@pytest.mark.parametrize(("id_", "_wall", "instant"), HOURS)
def test_vobject_reads_the_same_hour(hours_feed, id_, _wall, instant):
    event = vobject_events(hours_feed)[uid(id_)]
    due = dt.datetime.fromisoformat(instant)

    assert event.dtend.value.astimezone(UTC) == due
    assert event.dtstart.value.astimezone(UTC) == due - dt.timedelta(hours=1)


def test_one_vtimezone_for_the_zone_of_the_hours_and_none_for_whole_days(hours_feed):
    calendar = icalendar.Calendar.from_ical(hours_feed)

    assert [tz.tz_name for tz in calendar.timezones] == [PARIS]
    assert calendar.get_missing_tzids() == set()
    whole_days = feed([expected(1), timed(2, "2027-01-15T16:00", due_at=None)])
    assert icalendar.Calendar.from_ical(whole_days).timezones == []


def test_the_full_description_says_the_hour_and_its_zone():
    event = events(feed([timed(1, "2027-07-15T16:00")]))[uid(1)]

    assert "Due by: 2027-07-15 16:00 (Europe/Paris)" in str(event["DESCRIPTION"])


def test_a_minimal_feed_keeps_the_same_hour():
    data = feed([timed(1, "2027-07-15T16:00")], privacy="minimal")
    event = events(data)[uid(1)]

    assert str(event["SUMMARY"]) == "Deadline (INTERPOL)"
    assert event.DTEND.astimezone(UTC) == local("2027-07-15T16:00", PARIS)
    assert str(event["DTEND"].params["TZID"]) == PARIS
    assert [tz.tz_name for tz in icalendar.Calendar.from_ical(data).timezones] == [PARIS]


def test_an_alarm_a_day_before_the_hour():
    event = events(feed([timed(1, "2027-07-15T16:00")], alarms=True))[uid(1)]

    assert event.walk("VALARM")[0]["TRIGGER"].dt == -dt.timedelta(days=1)


# --- single deadlines (the reminder's attachment) -------------------------------------------


def _row(owed_by: str = "client", met_by=(), hour: str | None = "2027-07-15T16:00"):
    """A Deadline row, as `deadline_invite` reads it: a Belgian proceeding whose rule is the
    ECHR's (so the zone is Strasbourg's, not Brussels')."""
    jurisdiction = SimpleNamespace(code="BE", timezone="Europe/Brussels")
    matter = SimpleNamespace(title="Dossier A", subject=SimpleNamespace(name="Mukhtar A."))
    proceeding = SimpleNamespace(
        jurisdiction=jurisdiction,
        title="Removal to Kazakhstan",
        reference="R-1",
        kind=SimpleNamespace(value="criminal_case"),
        authority=None,
        matter=matter,
    )
    rule = SimpleNamespace(jurisdiction=SimpleNamespace(code="ECHR", timezone=PARIS))
    return SimpleNamespace(
        id=45,
        proceeding=proceeding,
        rule=rule,
        due_on=dt.date(2027, 7, 15),
        due_at=local(hour, PARIS) if hour else None,
        updated_at=CHANGED,
        title="Rule 39 request",
        status=SimpleNamespace(value="open"),
        explanation="Steps",
        version=3,
        owed_by=SimpleNamespace(value=owed_by),
        met_by=list(met_by),
    )


def test_a_deadline_invitation_has_the_feed_s_uid_and_the_rule_s_zone():
    data = ical.deadline_invite(
        _row(), "REQUEST", base_url=BASE, organizer="tracker@example.org", attendee="l@ex.org"
    ).encode()
    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]
    v_event = vobject_calendar(data).vevent

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid(45)
    assert event["SEQUENCE"] == 2
    assert str(event["ATTENDEE"]) == "mailto:l@ex.org"
    assert str(event["SUMMARY"]) == "Deadline (BE)"  # minimal unless asked: mailboxes leak
    assert str(event["DTEND"].params["TZID"]) == PARIS
    assert [tz.tz_name for tz in calendar.timezones] == [PARIS]
    assert v_event.dtend.value.astimezone(UTC) == local("2027-07-15T16:00", PARIS)
    for word in (b"Mukhtar", b"Dossier A", b"Removal", b"R-1", b"Steps"):
        assert word not in data


def test_a_discreet_deadline_invitation_is_in_utc_and_names_no_jurisdiction():
    data = ical.deadline_invite(_row(), base_url=BASE, privacy=ical.DISCREET).encode()
    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]

    assert str(event["SUMMARY"]) == "Deadline"
    assert event.decoded("DTEND") == local("2027-07-15T16:00", PARIS)
    assert event.decoded("DTEND").utcoffset() == dt.timedelta(0)  # UTC, not Strasbourg's
    assert calendar.timezones == []
    for word in (b"(BE)", b"ECHR", b"Paris", b"Brussels", b"Mukhtar", b"Removal"):
        assert word not in data


def test_an_authority_s_time_limit_as_a_discreet_invitation():
    row = _row("authority", ("state_reply",), hour=None)
    minimal = ical.deadline_invite(row, base_url=BASE).encode()
    discreet = ical.deadline_invite(row, base_url=BASE, privacy=ical.DISCREET).encode()
    full = ical.deadline_invite(row, base_url=BASE, privacy="full").encode()

    assert str(events(minimal)[uid(45)]["SUMMARY"]) == "Expected reply (BE)"
    assert str(events(discreet)[uid(45)]["SUMMARY"]) == "Expected reply"
    assert str(events(full)[uid(45)]["SUMMARY"]) == "Expected: Rule 39 request – Mukhtar A."
    start = events(discreet)[uid(45)].DTSTART
    assert start == dt.date(2027, 7, 15)


def test_a_deadline_cancel_message_cancels():
    data = ical.deadline_invite(_row(), "CANCEL", base_url=BASE).encode()
    calendar = icalendar.Calendar.from_ical(data)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_an_unknown_method_is_refused_for_a_deadline_too():
    with pytest.raises(ValueError, match="method must be one of"):
        ical.deadline_invite(_row(), "REPLY", base_url=BASE)
