"""Calendar feeds served over HTTP from a real database (SQLite and PostgreSQL).

Each feed is read back with `icalendar` and `vobject`; instants are compared with
what `zoneinfo` says. The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from contextlib import contextmanager

import factories
import icalendar
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from ical_readers import icalendar_events, vobject_events, vtimezones

from tracker.calendar import cache, operations, publishing, queries
from tracker.cli import main
from tracker.core import clock
from tracker.deadlines.enums import DeadlineStatus, OffsetUnit, Party
from tracker.models import (
    CalendarFeed,
    Deadline,
    DeadlineRule,
    FeedFetch,
    Hearing,
    Jurisdiction,
    Postponement,
)

UTC = dt.UTC
BASE = "http://127.0.0.1:5000"  # the test settings' BASE_URL (the default)
HOST = "127.0.0.1"


@pytest.fixture
def staff(client, database, frozen_now):
    for code, name, zone in [
        ("BE", "Belgium", "Europe/Brussels"),
        ("KZ", "Kazakhstan", "Asia/Almaty"),
        ("US", "United States", "America/New_York"),
        ("GB", "United Kingdom", "Europe/London"),
    ]:
        factories.jurisdiction(database, code, name, zone)
    return factories.login(client, database, "staff", "staff@example.org")


def subscribe(api, **body) -> str:
    """Make a feed as `api`'s user; returns the path of its URL."""
    made = factories.created(api.post("/feeds", body))
    assert made["url"].startswith(BASE + "/feeds/")
    return made["url"][len(BASE) :]


def fetch(client, path: str, **headers):
    return client.get(path, headers=headers)


def parsed(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar_events(response.data)


def by_vobject(response) -> dict[str, object]:
    return vobject_events(response.data)


def uid(kind: str, id_: int) -> str:
    return f"{kind}-{id_}@{HOST}"


def expected(wall: str, zone: str) -> dt.datetime:
    return dt.datetime.fromisoformat(wall).replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


@contextmanager
def counting(database):
    """Count the SQL statements sent while the block runs."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)


def later(**delta):
    return clock.frozen(clock.now() + dt.timedelta(**delta))


# --- instants in every zone -----------------------------------------------------------------

DST_DAYS = [
    ("BE", "2027-03-28T09:00", "Europe/Brussels"),  # clocks went forward that night
    ("BE", "2027-10-31T09:00", "Europe/Brussels"),  # and back
    ("US", "2027-03-14T09:00", "America/New_York"),
    ("GB", "2027-10-31T09:00", "Europe/London"),
    ("KZ", "2026-12-01T10:00", "Asia/Almaty"),
]


def test_hearings_in_several_zones_are_read_at_the_right_instant(client, staff, database):
    matter = factories.matter(staff)
    made = []
    for code, wall, zone in DST_DAYS:
        proceeding = factories.proceeding(staff, matter["id"], jurisdiction=code)
        made.append((factories.hearing(staff, proceeding["id"], wall), wall, zone))
    response = fetch(client, subscribe(staff))
    events, v_events = parsed(response), by_vobject(response)
    blocks = vtimezones(response.data)

    for hearing, wall, zone in made:
        event = events[uid("hearing", hearing["id"])]
        instant = expected(wall, zone)
        assert event.DTSTART.astimezone(UTC) == instant  # by TZID (Google, Apple)
        naive = event.DTSTART.replace(tzinfo=None)
        assert naive.replace(tzinfo=blocks[zone]).astimezone(UTC) == instant  # by VTIMEZONE
        assert v_events[uid("hearing", hearing["id"])].dtstart.value.astimezone(UTC) == instant
    assert sorted(blocks) == sorted({zone for _c, _w, zone in DST_DAYS})


def test_almaty_hearings_on_both_sides_of_its_move_to_utc_plus_5(client, database):
    with clock.frozen(dt.datetime(2024, 2, 15, 9, 0, tzinfo=UTC)):
        factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
        factories.jurisdiction(database, "KZ", "Kazakhstan", "Asia/Almaty")
        staff = factories.login(client, database, "staff")
        proceeding = factories.dossier(staff)[1]
        proceeding = factories.proceeding(staff, proceeding["matter_id"], jurisdiction="KZ")
        before = factories.hearing(staff, proceeding["id"], "2024-02-29T10:00")
        after = factories.hearing(staff, proceeding["id"], "2024-03-01T10:00")
        response = fetch(client, subscribe(staff))
    events, v_events = parsed(response), by_vobject(response)

    for hearing, wall, hours in [(before, "2024-02-29T10:00", 6), (after, "2024-03-01T10:00", 5)]:
        instant = dt.datetime.fromisoformat(wall).replace(tzinfo=UTC) - dt.timedelta(hours=hours)
        assert instant == expected(wall, "Asia/Almaty")
        key = uid("hearing", hearing["id"])
        assert v_events[key].dtstart.value.astimezone(UTC) == instant
        assert events[key].DTSTART.astimezone(UTC) == instant


# --- one UID for life, SEQUENCE on every move -----------------------------------------------


def test_a_postponed_hearing_keeps_its_uid_and_its_sequence_grows(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    path = subscribe(staff)
    key = uid("hearing", hearing["id"])
    seen = [parsed(fetch(client, path))[key]]
    with later(days=1):
        factories.postpone(staff, hearing["id"], "2027-01-12T14:00", reason="court strike")
        seen.append(parsed(fetch(client, path))[key])
    with later(days=2):
        factories.postpone(staff, hearing["id"], "2027-02-02T09:30")
        seen.append(parsed(fetch(client, path))[key])

    assert [e["SEQUENCE"] for e in seen] == [0, 1, 2]
    assert [e.DTSTART.astimezone(UTC) for e in seen] == [
        expected("2026-12-01T09:00", "Europe/Brussels"),
        expected("2027-01-12T14:00", "Europe/Brussels"),
        expected("2027-02-02T09:30", "Europe/Brussels"),
    ]
    modified = [e["LAST-MODIFIED"].dt for e in seen]
    assert modified[0] < modified[1] < modified[2]
    assert "Postponed 2 times:" in str(seen[2]["DESCRIPTION"])
    assert "(court strike)" in str(seen[2]["DESCRIPTION"])


def test_a_withdrawn_postponement_leaves_the_feed_and_the_hearing_goes_back(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    factories.postpone(staff, hearing["id"], "2027-01-12T14:00", reason="court strike")
    moved = factories.postpone(staff, hearing["id"], "2027-02-02T09:30", reason="typed twice")
    path = subscribe(staff)
    key = uid("hearing", hearing["id"])
    before = by_vobject(fetch(client, path))[key]

    with later(days=1):
        body = {"version": moved["version"], "reason": "recorded by mistake"}
        factories.ok(staff.post(f"/postponements/{moved['postponements'][1]['id']}/withdraw", body))
        after = by_vobject(fetch(client, path))[key]

    assert int(after.sequence.value) == int(before.sequence.value) + 1 == 3
    assert after.dtstart.value.astimezone(UTC) == expected("2027-01-12T14:00", "Europe/Brussels")
    assert "Postponed 2 times:" in before.description.value
    assert "Postponed 1 time:" in after.description.value
    assert "typed twice" not in after.description.value


def test_a_hearing_brought_forward_is_not_postponed_in_the_feed(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-08T09:00")
    factories.postpone(staff, hearing["id"], "2026-12-01T09:00", reason="court's request")
    path = subscribe(staff)

    event = by_vobject(fetch(client, path))[uid("hearing", hearing["id"])]

    assert "Brought forward (not postponed):" in event.description.value
    assert "2026-12-08 09:00 → 2026-12-01 09:00 (brought forward)" in event.description.value


def test_a_cancelled_hearing_stays_30_days_after_its_date(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    factories.ok(staff.post(f"/hearings/{hearing['id']}/outcome", {"result": "cancelled"}))
    path = subscribe(staff)
    key = uid("hearing", hearing["id"])

    event = parsed(fetch(client, path))[key]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: Hearing (BE)")
    assert event["SEQUENCE"] == 1
    with clock.frozen(dt.datetime(2026, 12, 30, 12, tzinfo=UTC)):
        assert key in parsed(fetch(client, path))
    with clock.frozen(dt.datetime(2027, 1, 2, 12, tzinfo=UTC)):
        assert key not in parsed(fetch(client, path))


def test_a_hearing_postponed_sine_die_leaves_with_a_cancellation(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    path = subscribe(staff)
    key = uid("hearing", hearing["id"])
    assert str(parsed(fetch(client, path))[key]["STATUS"]) == "CONFIRMED"

    factories.postpone(staff, hearing["id"], None, reason="awaiting the Supreme Court")
    event = by_vobject(fetch(client, path))[key]

    assert event.status.value == "CANCELLED"
    assert event.summary.value.startswith("Adjourned sine die: ")
    assert event.sequence.value == "1"
    assert "Postponed sine die" in event.description.value


def test_the_window_is_90_days_back_and_all_the_future(client, staff):
    proceeding = factories.dossier(staff)[1]
    old = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    far = factories.hearing(staff, proceeding["id"], "2031-06-02T09:00")
    path = subscribe(staff)

    with clock.frozen(dt.datetime(2027, 2, 27, 12, tzinfo=UTC)):  # 88 days after
        assert {uid("hearing", old["id"]), uid("hearing", far["id"])} <= set(
            parsed(fetch(client, path))
        )
    with clock.frozen(dt.datetime(2027, 3, 3, 12, tzinfo=UTC)):  # 92 days after
        assert set(parsed(fetch(client, path))) == {uid("hearing", far["id"])}


# --- all-day items --------------------------------------------------------------------------


def test_a_hearing_without_a_known_time_and_a_deadline_are_whole_days(client, staff):
    proceeding = factories.dossier(staff)[1]
    day_only = factories.hearing(staff, proceeding["id"], "2026-12-03T00:00", time_known=False)
    deadline = factories.deadline(staff, proceeding["id"], "2026-12-31")
    response = fetch(client, subscribe(staff))
    events, v_events = parsed(response), by_vobject(response)

    hearing_event = events[uid("hearing", day_only["id"])]
    start, end = hearing_event.DTSTART, hearing_event.DTEND
    assert (start, end) == (dt.date(2026, 12, 3), dt.date(2026, 12, 4))  # DTEND exclusive
    deadline_event = events[uid("deadline", deadline["id"])]
    start, end = deadline_event.DTSTART, deadline_event.DTEND
    assert (start, end) == (dt.date(2026, 12, 31), dt.date(2027, 1, 1))
    assert str(deadline_event["TRANSP"]) == "TRANSPARENT"
    assert v_events[uid("deadline", deadline["id"])].dtend.value == dt.date(2027, 1, 1)
    assert b"DTSTART;VALUE=DATE:20261203" in response.data
    assert icalendar.Calendar.from_ical(response.data).timezones == []


# --- privacy --------------------------------------------------------------------------------

SECRETS = [
    "Botagoz Jardemalie",
    "Dossier Jardemalie",
    "Extradition request from Kazakhstan",
    "KZ-0193/2024",
    "Chambre des mises en accusation",
    "Palais de justice",
    "judge taken ill",
    "Appeal brief",
]


@pytest.fixture
def sensitive(staff) -> dict:
    matter = factories.matter(staff, "Dossier Jardemalie", subject="Botagoz Jardemalie")
    proceeding = factories.proceeding(
        staff,
        matter["id"],
        title="Extradition request from Kazakhstan",
        reference="KZ-0193/2024",
        authority="Chambre des mises en accusation",
    )
    hearing = factories.hearing(
        staff, proceeding["id"], "2026-12-01T09:00", location="Palais de justice, Bruxelles"
    )
    factories.postpone(staff, hearing["id"], "2027-01-10T09:00", reason="judge taken ill")
    factories.deadline(staff, proceeding["id"], "2026-12-20", title="Appeal brief")
    return hearing


def _unfolded(response) -> str:
    return response.data.replace(b"\r\n ", b"").decode()


def test_a_minimal_feed_shows_no_name_reference_place_or_note(client, staff, sensitive):
    full = _unfolded(fetch(client, subscribe(staff, privacy="full")))
    minimal_response = fetch(client, subscribe(staff, privacy="minimal"))
    minimal = _unfolded(minimal_response)

    for secret in SECRETS:
        assert secret in full.replace("\\,", ","), secret  # the full feed has them all
        assert secret not in minimal, secret
    summaries = sorted(str(e["SUMMARY"]) for e in parsed(minimal_response).values())
    assert summaries == ["Deadline (BE)", "Hearing (BE)"]
    assert "LOCATION" not in minimal


# --- the authority's time limits and deadlines at an hour ------------------------------------

PARIS = "Europe/Paris"


def _rule(database, jurisdiction_id: int, code: str, **fields) -> int:
    """A rule the test owns (the shipped codes are not a given), straight into the table."""
    values = {
        "title": code,
        "trigger_kind": "request_received",
        "amount": 1,
        "unit": OffsetUnit.months,
    } | fields
    with database.unit_of_work() as session:
        rule = DeadlineRule(code=code, jurisdiction_id=jurisdiction_id, **values)
        session.add(rule)
        session.flush()
        return rule.id


def _deadline(database, proceeding_id: int, due_on: str, **fields) -> int:
    """A deadline with what the API does not set (owed_by, met_by, due_at), by the ORM."""
    with database.unit_of_work() as session:
        deadline = Deadline(
            proceeding_id=proceeding_id,
            due_on=dt.date.fromisoformat(due_on),
            **{"title": "Deadline"} | fields,
        )
        session.add(deadline)
        session.flush()
        return deadline.id


def _jurisdiction_id(database, code: str) -> int:
    with database.sessionmaker() as session:
        return session.scalars(sa.select(Jurisdiction.id).where(Jurisdiction.code == code)).one()


@pytest.fixture
def bodies(staff, database) -> dict[str, int]:
    """INTERPOL, UN and ECHR (Strasbourg) as jurisdictions, by code."""
    return {
        code: factories.jurisdiction(database, code, code, zone)
        for code, zone in (("INTERPOL", PARIS), ("UN", "Europe/Zurich"), ("ECHR", PARIS))
    }


@pytest.fixture
def expected_items(staff, database, bodies) -> dict[str, int]:
    """A CCF request (a decision expected, one met), a UN communication (a reply expected)."""
    matter = factories.matter(staff, "Dossier Jardemalie", subject="Botagoz Jardemalie")
    ccf = factories.proceeding(
        staff,
        matter["id"],
        jurisdiction="INTERPOL",
        title="Request to delete the Red Notice",
        reference="CCF/2026/0412",
        authority="Commission for the Control of INTERPOL's Files",
    )
    un = factories.proceeding(staff, matter["id"], jurisdiction="UN", title="Communication")
    rule = _rule(database, bodies["INTERPOL"], "TEST-CCF", owed_by=Party.authority)
    authority = {"owed_by": Party.authority, "rule_id": rule}
    return {
        "ccf": _deadline(
            database,
            ccf["id"],
            "2026-12-20",
            title="CCF decision on admissibility",
            met_by=["admissibility_decision"],
            **authority,
        ),
        "met": _deadline(
            database,
            ccf["id"],
            "2026-12-01",
            title="CCF decision on access",
            met_by=["decision"],
            status=DeadlineStatus.done,
            completed_at=clock.now(),
            **authority,
        ),
        "un": _deadline(
            database,
            un["id"],
            "2027-05-20",
            title="State reply to the Committee",
            owed_by=Party.authority,
            met_by=["state_reply"],
        ),
        "ours": _deadline(database, ccf["id"], "2026-12-10", title="Reply to the observations"),
    }


def test_an_authority_s_time_limit_reads_expected_with_its_title(client, staff, expected_items):
    response = fetch(client, subscribe(staff, alarms=True))
    events, v_events = parsed(response), by_vobject(response)
    ccf = events[uid("deadline", expected_items["ccf"])]

    assert str(ccf["SUMMARY"]) == "Expected: CCF decision on admissibility – Botagoz Jardemalie"
    assert str(v_events[uid("deadline", expected_items["ccf"])].summary.value) == str(
        ccf["SUMMARY"]
    )
    start, end = ccf.DTSTART, ccf.DTEND
    assert (start, end) == (dt.date(2026, 12, 20), dt.date(2026, 12, 21))
    description = str(ccf["DESCRIPTION"])
    assert "Owed by: the authority (Commission for the Control of INTERPOL's Files)" in description
    assert "Met by: admissibility decision (recorded as an event)" in description
    assert not ccf.walk("VALARM")  # nobody here has to act by then
    met = events[uid("deadline", expected_items["met"])]
    assert str(met["SUMMARY"]).startswith("Done: Expected: CCF decision on access")
    assert str(met["STATUS"]) == "CONFIRMED"  # as any done deadline
    ours = events[uid("deadline", expected_items["ours"])]
    assert (
        str(ours["SUMMARY"])
        == "Deadline (INTERPOL): Reply to the observations – Botagoz Jardemalie"
    )
    assert ours.walk("VALARM")


def test_a_minimal_feed_says_decision_or_reply_and_the_code(client, staff, expected_items):
    response = fetch(client, subscribe(staff, privacy="minimal"))
    events = parsed(response)
    summaries = {
        name: str(events[uid("deadline", id_)]["SUMMARY"]) for name, id_ in expected_items.items()
    }

    assert summaries == {
        "ccf": "Expected decision (INTERPOL)",
        "met": "Done: Expected decision (INTERPOL)",
        "un": "Expected reply (UN)",
        "ours": "Deadline (INTERPOL)",
    }
    text = _unfolded(response)
    for secret in ("Jardemalie", "Red Notice", "CCF/2026/0412", "Commission", "admissibility"):
        assert secret not in text, secret


@pytest.fixture
def rule_39(staff, database, bodies) -> dict[str, int]:
    """Rule 39 requests in a Belgian proceeding, due at 16:00 in Strasbourg (the ECHR's rule),
    in winter (UTC+1) and in summer (UTC+2); and one without an hour."""
    proceeding = factories.dossier(staff)[1]
    rule = _rule(database, bodies["ECHR"], "TEST-RULE-39", due_time=dt.time(16))
    at = {"rule_id": rule, "title": "Rule 39 request"}
    return {
        "winter": _deadline(
            database,
            proceeding["id"],
            "2027-01-15",
            due_at=expected("2027-01-15T16:00", PARIS),
            **at,
        ),
        "summer": _deadline(
            database,
            proceeding["id"],
            "2027-07-15",
            due_at=expected("2027-07-15T16:00", PARIS),
            **at,
        ),
        "day": _deadline(database, proceeding["id"], "2027-07-16", rule_id=rule),
    }


@pytest.mark.parametrize(
    ("name", "instant"),
    [
        ("winter", dt.datetime(2027, 1, 15, 15, 0, tzinfo=UTC)),
        ("summer", dt.datetime(2027, 7, 15, 14, 0, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("privacy", ["full", "minimal"])
def test_a_deadline_at_an_hour_is_timed_in_the_rule_s_zone(
    client, staff, rule_39, name, instant, privacy
):
    response = fetch(client, subscribe(staff, privacy=privacy))
    event = parsed(response)[uid("deadline", rule_39[name])]
    v_event = by_vobject(response)[uid("deadline", rule_39[name])]
    blocks = vtimezones(response.data)

    # the hour that ends at the limit, on Strasbourg's clock (not Brussels', the proceeding's)
    assert str(event["DTEND"].params["TZID"]) == PARIS
    assert str(event["DTSTART"].params["TZID"]) == PARIS
    assert event.DTEND.replace(tzinfo=None).time() == dt.time(16)
    assert event.DTEND.astimezone(UTC) == instant
    assert event.DTEND.replace(tzinfo=blocks[PARIS]).astimezone(UTC) == instant
    assert event.DTSTART.astimezone(UTC) == instant - dt.timedelta(hours=1)
    assert v_event.dtend.value.astimezone(UTC) == instant
    assert list(blocks) == [PARIS]
    day = parsed(response)[uid("deadline", rule_39["day"])]
    start, end = day.DTSTART, day.DTEND
    assert (start, end) == (dt.date(2027, 7, 16), dt.date(2027, 7, 17))


def test_a_new_zone_for_the_rule_s_jurisdiction_changes_the_feed(client, staff, database, rule_39):
    path = subscribe(staff)
    first = fetch(client, path)

    with later(minutes=1):
        with database.unit_of_work() as session:
            echr = session.get(Jurisdiction, _jurisdiction_id(database, "ECHR"))
            assert echr is not None
            echr.timezone = "Europe/Berlin"  # (an UPDATE: its version moves)
        changed = fetch(client, path, **{"If-None-Match": first.headers["ETag"]})

    assert changed.status_code == 200
    event = parsed(changed)[uid("deadline", rule_39["winter"])]
    assert str(event["DTEND"].params["TZID"]) == "Europe/Berlin"
    assert event.DTEND.astimezone(UTC) == dt.datetime(2027, 1, 15, 15, 0, tzinfo=UTC)


# --- scope ----------------------------------------------------------------------------------


@pytest.fixture
def two_matters(client, database, staff):
    """A lawyer assigned to matter A only; both matters have a hearing in Belgium."""
    lawyer = factories.login(client, database, "lawyer", "lawyer@example.org")
    coordinator = factories.login(client, database, "coordinator", "coordinator@example.org")
    a = factories.matter(coordinator, "Matter A", assignees=[lawyer.email])
    b = factories.matter(coordinator, "Matter B")
    hearings = {}
    for name, matter in (("a", a), ("b", b)):
        proceeding = factories.proceeding(coordinator, matter["id"])
        hearings[name] = factories.hearing(coordinator, proceeding["id"])["id"]
    kz = factories.proceeding(coordinator, a["id"], jurisdiction="KZ")
    hearings["a_kz"] = factories.hearing(coordinator, kz["id"])["id"]
    return lawyer, coordinator, a, b, hearings


def test_a_lawyer_s_feeds_show_only_assigned_matters(client, two_matters):
    lawyer, coordinator, _a, b, hearings = two_matters
    mine = parsed(fetch(client, subscribe(lawyer)))
    belgium = parsed(fetch(client, subscribe(lawyer, scope="jurisdiction", jurisdiction="BE")))
    everything = parsed(fetch(client, subscribe(coordinator)))
    only_b = parsed(fetch(client, subscribe(coordinator, scope="matter", matter_id=b["id"])))

    assert set(mine) == {uid("hearing", hearings["a"]), uid("hearing", hearings["a_kz"])}
    assert set(belgium) == {uid("hearing", hearings["a"])}
    assert set(everything) == {uid("hearing", h) for h in hearings.values()}
    assert set(only_b) == {uid("hearing", hearings["b"])}
    refused = lawyer.post("/feeds", {"scope": "matter", "matter_id": b["id"]})
    factories.assert_error(refused, 422, "invalid", "matter_id")


def test_a_lawyer_taken_off_a_matter_stops_seeing_it_in_every_feed(client, two_matters):
    lawyer, coordinator, a, _b, hearings = two_matters
    mine = subscribe(lawyer)
    just_a = subscribe(lawyer, scope="matter", matter_id=a["id"])
    assert uid("hearing", hearings["a"]) in parsed(fetch(client, just_a))

    factories.ok(
        coordinator.patch(f"/matters/{a['id']}", {"version": a["version"], "assignees": []})
    )

    assert parsed(fetch(client, mine)) == {}
    assert parsed(fetch(client, just_a)) == {}


def test_the_fingerprint_sums_exactly_the_rows_a_feed_shows(client, database, two_matters):
    """The lookup's correlated scope and the items' bound scope are the same rule."""
    lawyer, coordinator, a, b, _hearings = two_matters
    other = factories.login(client, database, "lawyer", "other@example.org")
    body = {"version": b["version"], "assignees": [other.email]}
    factories.ok(coordinator.patch(f"/matters/{b['id']}", body))
    feeds = [
        subscribe(lawyer),
        subscribe(other),
        subscribe(coordinator),
        subscribe(lawyer, scope="jurisdiction", jurisdiction="KZ"),
        subscribe(other, scope="matter", matter_id=b["id"]),
        subscribe(coordinator, scope="matter", matter_id=a["id"]),
    ]
    with database.sessionmaker() as session:
        versions = dict(session.execute(sa.select(Hearing.id, Hearing.version)).all())

    for path in feeds:
        shown = [
            int(key.split("@")[0].removeprefix("hearing-")) for key in parsed(fetch(client, path))
        ]
        digest = publishing.token_hash(path.removeprefix("/feeds/").removesuffix(".ics"))
        with database.engine.connect() as connection:
            row = connection.execute(queries.LOOKUP, {"token_hash": digest}).one()
        assert shown
        assert row.hearings_sum == f"{sum(shown)}:{sum(versions[i] for i in shown)}", path


# --- HTTP: ETag, 304, Last-Modified, 404, no cookie -----------------------------------------


def test_etag_and_if_none_match_give_304_until_something_changes(client, staff):
    proceeding = factories.dossier(staff)[1]
    hearing = factories.hearing(staff, proceeding["id"])
    path = subscribe(staff)
    first = fetch(client, path)
    etag = first.headers["ETag"]

    again = fetch(client, path, **{"If-None-Match": etag})
    weak = fetch(client, path, **{"If-None-Match": f'"other", W/{etag}'})
    since = fetch(client, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag)
    assert weak.status_code == 304
    assert since.status_code == 304
    assert fetch(client, path).data == first.data  # same data, same bytes

    with later(hours=1):
        factories.postpone(staff, hearing["id"], "2027-01-05T09:00")
        changed = fetch(client, path, **{"If-None-Match": etag})
        stale_since = fetch(client, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert stale_since.status_code == 200
    assert changed.last_modified > first.last_modified


def test_a_renamed_proceeding_or_matter_shows_at_the_next_fetch(client, staff):
    matter, proceeding = factories.dossier(staff, subject="A. Client")
    factories.hearing(staff, proceeding["id"])
    path = subscribe(staff)
    first = fetch(client, path)
    etag = first.headers["ETag"]

    with later(minutes=1):
        patch = {"version": proceeding["version"], "title": "Appeal on the seized files"}
        factories.ok(staff.patch(f"/proceedings/{proceeding['id']}", patch))
        renamed = fetch(client, path, **{"If-None-Match": etag})
        patch = {"version": matter["version"], "title": "Dossier renamed"}
        factories.ok(staff.patch(f"/matters/{matter['id']}", patch))
        retitled = fetch(client, path, **{"If-None-Match": renamed.headers["ETag"]})

    assert renamed.status_code == 200
    assert "Appeal on the seized files" in _unfolded(renamed)
    assert retitled.status_code == 200
    assert "Matter: Dossier renamed" in _unfolded(retitled)


def test_another_worker_answers_304_without_building_the_feed(client, staff, database):
    proceeding = factories.dossier(staff)[1]
    factories.hearing(staff, proceeding["id"])
    path = subscribe(staff)
    etag = fetch(client, path).headers["ETag"]
    cache.bodies.clear()  # a fresh process: nothing cached but what the row says

    with counting(database) as sent:
        response = fetch(client, path, **{"If-None-Match": etag})

    assert response.status_code == 304
    assert len(sent) == 3  # the lookup, and the two writes of the fetch log
    assert not [s for s in sent if "FROM hearings" in s and "sum(" not in s]


def test_the_same_data_gives_the_same_bytes_after_a_restart(client, staff, database):
    proceeding = factories.dossier(staff, subject="A. Client")[1]
    for wall in ("2026-12-01T09:00", "2027-03-28T09:00", "2026-12-24T00:00"):
        factories.hearing(staff, proceeding["id"], wall)
    factories.deadline(staff, proceeding["id"], "2027-01-04")
    path = subscribe(staff, alarms=True)
    first = fetch(client, path)
    cache.bodies.clear()
    with database.unit_of_work() as session:  # forget what the row remembers too
        session.execute(sa.update(CalendarFeed).values(content_key=None, content_etag=None))

    second = fetch(client, path)

    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]


def test_revoked_and_unknown_tokens_get_the_same_404_after_the_same_work(client, staff, database):
    factories.dossier(staff)
    path = subscribe(staff)
    feed_id = staff.get("/feeds").get_json()["items"][0]["id"]
    assert fetch(client, path).status_code == 200
    factories.ok(staff.post(f"/feeds/{feed_id}/revoke"))

    with counting(database) as revoked_sent:
        revoked = fetch(client, path)
    with counting(database) as unknown_sent:
        unknown = fetch(client, "/feeds/" + "A" * 43 + ".ics")

    assert revoked.status_code == unknown.status_code == 404
    assert revoked.data == unknown.data
    assert dict(revoked.headers) == dict(unknown.headers)
    assert len(revoked_sent) == len(unknown_sent) == 1  # one lookup, nothing written


def test_no_cookie_is_ever_set_on_a_feed(client, staff):
    factories.dossier(staff)
    path = subscribe(staff)
    ok = fetch(client, path)
    not_modified = fetch(client, path, **{"If-None-Match": ok.headers["ETag"]})
    missing = fetch(client, "/feeds/nothing.ics")

    for response in (ok, not_modified, missing):
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_feed_of_a_deactivated_user_is_gone(client, staff, database):
    factories.dossier(staff)
    path = subscribe(staff)
    factories.deactivate(database, staff.email)

    assert fetch(client, path).status_code == 404


# --- cost: statements per request -----------------------------------------------------------


def _many(
    database, proceeding_id: int, hearings: int, deadlines: int, rules: tuple[int, ...] = ()
) -> None:
    """Rows straight into the tables (the API would take minutes for thousands); with
    `rules`, every other deadline follows one, at an hour, and every third is owed by
    the authority."""
    now = clock.now()
    with database.unit_of_work() as session:
        for i in range(hearings):
            start = now + dt.timedelta(days=i % 400, hours=i % 9)
            hearing = Hearing(
                proceeding_id=proceeding_id, starts_at=start, timezone="Europe/Brussels"
            )
            if i % 3 == 0:
                hearing.postponements.append(
                    Postponement(
                        from_starts_at=start - dt.timedelta(days=30),
                        to_starts_at=start,
                        recorded_at=now,
                    )
                )
            session.add(hearing)
        for i in range(deadlines):
            deadline = Deadline(
                proceeding_id=proceeding_id,
                title=f"D{i}",
                due_on=now.date() + dt.timedelta(days=i),
            )
            if rules and i % 2 == 0:
                deadline.rule_id = rules[i // 2 % len(rules)]
                deadline.due_at = dt.datetime.combine(deadline.due_on, dt.time(15), UTC)
            if rules and i % 3 == 0:
                deadline.owed_by, deadline.met_by = Party.authority, ["state_reply"]
            session.add(deadline)


@pytest.mark.parametrize("privacy", ["full", "minimal"])
def test_a_feed_costs_the_same_statements_small_or_large(client, staff, database, privacy):
    proceeding = factories.dossier(staff)[1]
    # deadlines at an hour read their zone from their rule's jurisdiction: in the same query
    rules = (
        _rule(database, factories.jurisdiction(database, "ECHR", "ECHR", PARIS), "TEST-39"),
        _rule(database, _jurisdiction_id(database, "US"), "TEST-US"),  # New York
    )
    path = subscribe(staff, privacy=privacy)
    counts = []
    for hearings, deadlines in ((1, 1), (600, 200)):
        _many(database, proceeding["id"], hearings, deadlines, rules)
        cache.bodies.clear()
        with counting(database) as sent:
            response = fetch(client, path)
        counts.append(len(sent))
        assert response.status_code == 200
    assert len(parsed(response)) == 1 + 600 + 1 + 200
    zones = {tz.tz_name for tz in icalendar.Calendar.from_ical(response.data).timezones}
    assert zones == {"Europe/Brussels", PARIS, "America/New_York"}

    assert counts[0] == counts[1] <= 5


# --- the fetch log --------------------------------------------------------------------------


def test_each_fetch_is_logged_without_touching_the_feed_s_version(client, staff, database):
    factories.dossier(staff)
    path = subscribe(staff)
    with database.sessionmaker() as session:
        before = session.scalars(sa.select(CalendarFeed)).one()

    with later(minutes=5):
        client.get(
            path,
            headers={"User-Agent": "Thunderbird/128.0"},
            environ_overrides={"REMOTE_ADDR": "203.0.113.9"},
        )
        now = clock.now()

    with database.sessionmaker() as session:
        feed = session.scalars(sa.select(CalendarFeed)).one()
        fetches = session.scalars(sa.select(FeedFetch)).all()
    assert feed.last_fetched_at == now
    assert (feed.version, feed.updated_at) == (before.version, before.updated_at)
    assert [(f.at, f.user_agent, f.address) for f in fetches] == [
        (now, "Thunderbird/128.0", "203.0.113.9")
    ]


# --- single hearings ------------------------------------------------------------------------


def test_one_hearing_as_a_file_for_those_who_may_see_it(client, two_matters):
    lawyer, coordinator, _a, _b, hearings = two_matters

    mine = client.get(f"/hearings/{hearings['a']}.ics", headers=lawyer.headers)
    theirs = client.get(f"/hearings/{hearings['b']}.ics", headers=lawyer.headers)
    anonymous = client.get(f"/hearings/{hearings['a']}.ics")
    wrong = client.get(f"/hearings/{hearings['a']}.ics", headers={"Authorization": "Bearer x"})
    huge = client.get(f"/hearings/{2**40}.ics", headers=coordinator.headers)

    events = parsed(mine)
    assert list(events) == [uid("hearing", hearings["a"])]
    assert "Matter A" in str(events[uid("hearing", hearings["a"])]["DESCRIPTION"])
    assert (
        mine.headers["Content-Disposition"] == f'attachment; filename="hearing-{hearings["a"]}.ics"'
    )
    factories.assert_error(theirs, 404, "not_found")
    assert anonymous.status_code == 302  # a browser without a session signs in first
    assert anonymous.headers["Location"] == f"/login?next=/hearings/{hearings['a']}.ics"
    factories.assert_error(wrong, 401, "unauthorized")
    factories.assert_error(huge, 404, "not_found")


# --- the command line -----------------------------------------------------------------------


def test_feed_create_and_revoke_on_the_command_line(client, staff, database, db_url, tmp_path):
    factories.dossier(staff)
    runner = CliRunner()
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "cli-instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": BASE,
    }
    made = runner.invoke(main, ["feed", "create", staff.email, "--privacy", "minimal"], env=env)
    assert made.exit_code == 0, made.output
    *_, webcal, url = made.stdout.rstrip("\n").splitlines()
    assert url.startswith(BASE + "/feeds/")
    assert url.endswith(".ics")
    assert webcal == "webcal://" + url.split("://", 1)[1]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    with database.sessionmaker() as session:
        feed = session.scalars(sa.select(CalendarFeed)).one()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert fetch(client, url[len(BASE) :]).status_code == 200

    revoked = runner.invoke(main, ["feed", "revoke", webcal], env=env)
    again = runner.invoke(main, ["feed", "revoke", token], env=env)

    assert revoked.exit_code == 0, revoked.output
    assert fetch(client, url[len(BASE) :]).status_code == 404
    assert again.exit_code == 1
    assert "no live feed has that token" in again.stderr


def test_a_lawyer_s_feed_of_an_unassigned_matter_is_refused_on_the_command_line(
    client, database, db_url, tmp_path, two_matters
):
    lawyer, _coordinator, _a, b, _hearings = two_matters
    env = {"TRACKER_INSTANCE": str(tmp_path / "i"), "DATABASE_URL": db_url, "SECRET_KEY": "x"}

    with factories.nothing_written(database):
        result = CliRunner().invoke(
            main, ["feed", "create", lawyer.email, "--matter", str(b["id"])], env=env
        )

    assert result.exit_code == 2  # bad input (a failure would be 1)
    assert f"no matter {b['id']}" in result.stderr


def test_old_fetches_are_pruned(client, staff, database):
    factories.dossier(staff)
    path = subscribe(staff)
    fetch(client, path)
    with later(days=100):
        fetch(client, path)
        with database.unit_of_work() as session:
            assert operations.prune_fetches(session, clock.now()) == 1
    with database.sessionmaker() as session:
        assert [f.at for f in session.scalars(sa.select(FeedFetch))] == [
            clock.now() + dt.timedelta(days=100)
        ]


def test_feed_revoke_all_on_the_command_line(client, staff, database, db_url, tmp_path):
    factories.dossier(staff)
    paths = [subscribe(staff), subscribe(staff, privacy="minimal")]
    env = {"TRACKER_INSTANCE": str(tmp_path / "i"), "DATABASE_URL": db_url, "SECRET_KEY": "x"}

    result = CliRunner().invoke(main, ["feed", "revoke-all", staff.email], env=env)

    assert result.exit_code == 0, result.output
    assert "Revoked 2 feeds of staff@example.org." in result.stdout
    assert [fetch(client, p).status_code for p in paths] == [404, 404]
