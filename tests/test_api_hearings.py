"""JSON API: hearings at local times, their postponements and their outcomes.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC (10:00 in Brussels).
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
from factories import assert_error, nothing_written, utc

NOW = "2026-11-22T09:00:00+00:00"


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "KZ", "Kazakhstan", "Asia/Almaty")
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    """A proceeding before a Belgian court (Europe/Brussels)."""
    return factories.dossier(staff)[1]


def schedule(staff, proceeding, starts_at="2026-12-01T09:00", **fields) -> dict:
    return factories.hearing(staff, proceeding["id"], starts_at, **fields)


# --- scheduling ---------------------------------------------------------------------------


def test_a_hearing_is_set_at_a_local_time_and_shown_with_its_offset(staff, proceeding, database):
    response = staff.post(
        f"/proceedings/{proceeding['id']}/hearings",
        {
            "starts_at": "2024-06-18T09:00",
            "location": "Palais de justice, salle 0.7",
            "title": "Chambre du conseil",
        },
    )

    assert response.status_code == 201
    hearing = response.get_json()
    assert hearing == {
        "id": hearing["id"],
        "proceeding_id": proceeding["id"],
        "title": "Chambre du conseil",
        "starts_at": "2024-06-18T09:00:00+02:00",
        "starts_at_utc": hearing["starts_at_utc"],
        "date": "2024-06-18",
        "timezone": "Europe/Brussels",
        "time_known": True,
        "location": "Palais de justice, salle 0.7",
        "status": "scheduled",
        "outcome": None,
        "outcome_summary": "",
        "sequence": 0,
        "postponements": [],
        "withdrawn_postponements": [],
        "version": 1,
    }
    assert utc(hearing["starts_at_utc"]) == dt.datetime(2024, 6, 18, 7, 0, tzinfo=dt.UTC)
    assert utc(hearing["starts_at_utc"]).utcoffset() == dt.timedelta(0)
    assert staff.get(f"/hearings/{hearing['id']}").get_json() == hearing
    entry = factories.audit_entries(database, "hearings")[-1]
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        "staff@example.org",
        "create",
        hearing["id"],
    )
    assert entry["matter_id"] == proceeding["matter_id"]
    assert entry["after"]["starts_at"] == "2024-06-18T07:00:00+00:00"


def test_a_winter_hearing_in_brussels_is_at_utc_plus_one(staff, proceeding):
    hearing = schedule(staff, proceeding, "2024-01-18T09:00")

    assert hearing["starts_at"] == "2024-01-18T09:00:00+01:00"
    assert utc(hearing["starts_at_utc"]) == dt.datetime(2024, 1, 18, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("local", "shown", "instant"),
    [
        ("2024-02-29T09:00", "2024-02-29T09:00:00+06:00", dt.datetime(2024, 2, 29, 3, 0)),
        ("2024-03-01T09:00", "2024-03-01T09:00:00+05:00", dt.datetime(2024, 3, 1, 4, 0)),
    ],
    ids=["before-the-change", "after-the-change"],
)
@pytest.mark.parametrize("zone_from", ["jurisdiction", "body"])
def test_almaty_moved_from_utc_plus_six_to_plus_five_on_1_march_2024(
    staff, proceeding, local, shown, instant, zone_from
):
    if zone_from == "jurisdiction":
        kazakh = factories.proceeding(staff, proceeding["matter_id"], jurisdiction="KZ")
        hearing = schedule(staff, kazakh, local)
    else:
        hearing = schedule(staff, proceeding, local, timezone="Asia/Almaty")

    assert (hearing["starts_at"], hearing["timezone"]) == (shown, "Asia/Almaty")
    assert utc(hearing["starts_at_utc"]) == instant.replace(tzinfo=dt.UTC)


def test_a_time_zone_in_the_body_overrides_the_jurisdictions(staff, proceeding):
    hearing = schedule(staff, proceeding, "2024-06-18T09:00", timezone="America/Sao_Paulo")

    assert (hearing["starts_at"], hearing["timezone"]) == (
        "2024-06-18T09:00:00-03:00",
        "America/Sao_Paulo",
    )
    assert utc(hearing["starts_at_utc"]) == dt.datetime(2024, 6, 18, 12, 0, tzinfo=dt.UTC)


def test_a_hearing_whose_time_is_unknown(staff, proceeding):
    hearing = schedule(staff, proceeding, "2026-12-03", time_known=False)

    assert (hearing["date"], hearing["time_known"]) == ("2026-12-03", False)


def test_a_local_time_the_clocks_skip_is_refused(staff, proceeding, database):
    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/hearings", {"starts_at": "2024-03-31T02:30"}
        )

    error = assert_error(response, 422, "invalid", "starts_at")
    assert "does not exist" in error["message"]


def test_a_local_time_that_occurs_twice_needs_its_offset(staff, proceeding, database):
    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/hearings", {"starts_at": "2024-10-27T02:30"}
        )

    error = assert_error(response, 422, "invalid", "starts_at")
    assert "twice" in error["message"]


@pytest.mark.parametrize(
    ("offset", "instant"),
    [("+02:00", dt.datetime(2024, 10, 27, 0, 30)), ("+01:00", dt.datetime(2024, 10, 27, 1, 30))],
    ids=["first-time-summer", "second-time-winter"],
)
def test_an_offset_picks_one_of_the_two_times(staff, proceeding, offset, instant):
    hearing = schedule(staff, proceeding, f"2024-10-27T02:30{offset}")

    assert utc(hearing["starts_at_utc"]) == instant.replace(tzinfo=dt.UTC)
    assert hearing["starts_at"] == f"2024-10-27T02:30:00{offset}"
    assert hearing["timezone"] == "Europe/Brussels"


BAD_HEARINGS = [
    ({"starts_at": "2024-10-27T02:30+03:00"}, "starts_at"),
    ({"starts_at": "2024-06-18T09:00+05:00"}, "starts_at"),
    ({"starts_at": "2023-02-30T09:00"}, "starts_at"),
    ({"starts_at": "2023-13-01T09:00"}, "starts_at"),
    ({"starts_at": "2023-13"}, "starts_at"),
    ({"starts_at": "2024-06-18T25:00"}, "starts_at"),
    ({"starts_at": "next Tuesday"}, "starts_at"),
    ({"starts_at": ""}, "starts_at"),
    ({"starts_at": None}, "starts_at"),
    ({"starts_at": 1718697600}, "starts_at"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "CEST"}, "timezone"),
    ({"timezone": "Europe/Brussels "}, "timezone"),
    ({"timezone": 2}, "timezone"),
    ({"time_known": "yes"}, "time_known"),
    ({"time_known": 1}, "time_known"),
    ({"time_known": None}, "time_known"),
    ({"location": "L" * 301}, "location"),
    ({"location": None}, "location"),
    ({"title": ""}, "title"),
    ({"title": "T" * 201}, "title"),
    ({"status": "held"}, "status"),
    ({"room": "0.7"}, "room"),
]


@pytest.mark.parametrize(
    ("change", "field"), BAD_HEARINGS, ids=[repr(c)[:45] for c, _ in BAD_HEARINGS]
)
def test_a_bad_hearing_is_refused(staff, proceeding, database, change, field):
    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/hearings",
            {"starts_at": "2026-12-01T09:00", "location": "Salle 1"} | change,
        )

    assert_error(response, 422, "invalid", field)


def test_a_hearing_needs_a_start(staff, proceeding, database):
    with nothing_written(database):
        response = staff.post(f"/proceedings/{proceeding['id']}/hearings", {"location": "x"})

    assert_error(response, 422, "invalid", "starts_at")


@pytest.mark.parametrize(
    ("starts_at", "timezone"),
    [("0001-01-01T00:00", "Asia/Tokyo"), ("9999-12-31T23:00", "America/New_York")],
    ids=["year-1", "year-9999"],
)
def test_a_time_out_of_the_range_of_instants_is_refused(
    staff, proceeding, database, starts_at, timezone
):
    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/hearings",
            {"starts_at": starts_at, "timezone": timezone},
        )

    assert_error(response, 422, "invalid", "starts_at")


def test_an_unknown_hearing_is_not_found(staff, database):
    with nothing_written(database):
        assert_error(staff.get("/hearings/4242"), 404, "not_found")
        assert_error(staff.patch("/hearings/4242", {"version": 1}), 404, "not_found")
        assert_error(staff.post("/hearings/4242/postpone", {"to": None}), 404, "not_found")
        assert_error(staff.post("/hearings/4242/outcome", {"result": "held"}), 404, "not_found")


# --- corrections (PATCH) ------------------------------------------------------------------


def test_a_corrected_location_is_a_new_calendar_sequence(staff, proceeding, database):
    hearing = schedule(staff, proceeding, location="Salle 1")

    response = staff.patch(f"/hearings/{hearing['id']}", {"version": 1, "location": "Salle 2"})

    assert response.status_code == 200
    patched = response.get_json()
    assert (patched["location"], patched["sequence"], patched["version"]) == ("Salle 2", 1, 2)
    assert patched["starts_at"] == hearing["starts_at"]
    assert staff.get(f"/hearings/{hearing['id']}").get_json() == patched
    entry = factories.audit_entries(database, "hearings")[-1]
    assert (entry["actor"], entry["action"]) == ("staff@example.org", "update")
    assert entry["before"] == {"location": "Salle 1", "sequence": 0}
    assert entry["after"] == {"location": "Salle 2", "sequence": 1}


def test_a_corrected_time_zone_keeps_the_wall_time(staff, proceeding):
    hearing = schedule(staff, proceeding, "2024-06-18T09:00")

    patched = factories.ok(
        staff.patch(f"/hearings/{hearing['id']}", {"version": 1, "timezone": "Europe/London"})
    )

    assert (patched["starts_at"], patched["timezone"]) == (
        "2024-06-18T09:00:00+01:00",
        "Europe/London",
    )
    assert utc(patched["starts_at_utc"]) == dt.datetime(2024, 6, 18, 8, 0, tzinfo=dt.UTC)


def test_a_corrected_start_is_read_in_the_hearings_zone(staff, proceeding):
    hearing = schedule(staff, proceeding, "2024-06-18T09:00", timezone="Asia/Almaty")

    patched = factories.ok(
        staff.patch(f"/hearings/{hearing['id']}", {"version": 1, "starts_at": "2024-06-18T10:30"})
    )

    assert patched["starts_at"] == "2024-06-18T10:30:00+05:00"
    assert (patched["sequence"], patched["postponements"]) == (1, [])


BAD_HEARING_PATCHES = [
    ({"location": "No version"}, 422, "invalid", "version"),
    ({"version": 2, "location": "Stale"}, 409, "stale_version", "version"),
    ({"version": 1, "starts_at": None}, 422, "invalid", "starts_at"),
    ({"version": 1, "timezone": None}, 422, "invalid", "timezone"),
    ({"version": 1, "time_known": None}, 422, "invalid", "time_known"),
    ({"version": 1, "location": None}, 422, "invalid", "location"),
    ({"version": 1, "title": None}, 422, "invalid", "title"),
    ({"version": 1, "starts_at": "2024-03-31T02:30"}, 422, "invalid", "starts_at"),
    ({"version": 1, "starts_at": "2024-10-27T02:30"}, 422, "invalid", "starts_at"),
    ({"version": 1, "starts_at": "2023-02-30T10:00"}, 422, "invalid", "starts_at"),
    ({"version": 1, "timezone": "Nowhere/Atlantis"}, 422, "invalid", "timezone"),
    ({"version": 1, "location": "Salle 9", "title": ""}, 422, "invalid", "title"),
    ({"version": 1, "status": "cancelled"}, 422, "invalid", "status"),
    ({"version": 1, "sequence": 0}, 422, "invalid", "sequence"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    BAD_HEARING_PATCHES,
    ids=[repr(b)[:50] for b, *_ in BAD_HEARING_PATCHES],
)
def test_a_bad_hearing_patch_is_refused(staff, proceeding, database, body, status, code, field):
    hearing = schedule(staff, proceeding)

    with nothing_written(database):
        response = staff.patch(f"/hearings/{hearing['id']}", body)

    assert_error(response, status, code, field)


def test_of_two_hearing_patches_from_the_same_version_the_second_is_refused(
    client, staff, proceeding, database
):
    hearing = schedule(staff, proceeding, location="Salle 1")
    colleague = factories.login(client, database, "staff")

    first = staff.patch(f"/hearings/{hearing['id']}", {"version": 1, "location": "Salle 2"})
    with nothing_written(database):
        second = colleague.patch(
            f"/hearings/{hearing['id']}", {"version": 1, "location": "Salle 3"}
        )

    assert first.status_code == 200
    assert_error(second, 409, "stale_version", "version")
    stored = staff.get(f"/hearings/{hearing['id']}").get_json()
    assert (stored["location"], stored["version"]) == ("Salle 2", 2)


# --- postponements ------------------------------------------------------------------------


def test_a_postponed_hearing_stays_one_hearing_with_a_ledger_of_moves(staff, proceeding, database):
    hearing = schedule(staff, proceeding, "2026-12-01T09:00")

    once = factories.postpone(
        staff,
        hearing["id"],
        "2027-01-12T09:00",
        reason="Interpreter absent",
        decided_on="2026-11-20",
    )
    twice = factories.postpone(staff, hearing["id"], "2027-02-02T14:00")

    assert once["id"] == twice["id"] == hearing["id"]
    assert (once["starts_at"], once["sequence"], once["status"]) == (
        "2027-01-12T09:00:00+01:00",
        1,
        "scheduled",
    )
    assert (twice["starts_at"], twice["sequence"], twice["status"]) == (
        "2027-02-02T14:00:00+01:00",
        2,
        "scheduled",
    )
    first, second = twice["postponements"]
    assert first == {
        "id": first["id"],
        "hearing_id": hearing["id"],
        "from": "2026-12-01T09:00:00+01:00",
        "from_time_known": True,
        "to": "2027-01-12T09:00:00+01:00",
        "to_time_known": True,
        "sine_die": False,
        "reason": "Interpreter absent",
        "decided_on": "2026-11-20",
        "recorded_at": NOW,
        "brought_forward": False,
        "recorded_after_the_fact": False,
        "withdrawn_at": None,
        "withdrawal_reason": None,
    }
    assert (second["from"], second["to"], second["decided_on"]) == (
        "2027-01-12T09:00:00+01:00",
        "2027-02-02T14:00:00+01:00",
        None,
    )
    assert staff.get(f"/hearings/{hearing['id']}").get_json() == twice
    counts = factories.row_counts(database)
    assert (counts["hearings"], counts["postponements"]) == (1, 2)
    entries = factories.audit_entries(database, "hearings")
    assert [e["action"] for e in entries] == ["create", "postpone", "postpone"]
    assert {e["actor"] for e in entries} == {"staff@example.org"}
    assert entries[1]["before"]["starts_at"] == "2026-12-01T08:00:00+00:00"
    assert entries[1]["after"]["starts_at"] == "2027-01-12T08:00:00+00:00"
    assert entries[1]["after"]["postponement_id"] == first["id"]
    assert entries[1]["after"]["reason"] == "Interpreter absent"


def test_postponing_sine_die_keeps_the_last_date_and_sets_the_status(staff, proceeding):
    hearing = schedule(staff, proceeding, "2026-12-01T09:00")

    postponed = factories.postpone(staff, hearing["id"], None, reason="Judge recused")

    assert (postponed["status"], postponed["sequence"]) == ("postponed", 1)
    assert postponed["starts_at"] == hearing["starts_at"]
    [ledger] = postponed["postponements"]
    assert (ledger["from"], ledger["to"], ledger["sine_die"]) == (
        "2026-12-01T09:00:00+01:00",
        None,
        True,
    )


def test_a_hearing_postponed_sine_die_gets_a_new_date(staff, proceeding):
    hearing = schedule(staff, proceeding)
    factories.postpone(staff, hearing["id"], None)

    rescheduled = factories.postpone(staff, hearing["id"], "2027-03-09T10:00")

    assert (rescheduled["status"], rescheduled["sequence"]) == ("scheduled", 2)
    assert rescheduled["starts_at"] == "2027-03-09T10:00:00+01:00"
    assert [p["sine_die"] for p in rescheduled["postponements"]] == [True, False]


def test_a_hearing_already_postponed_sine_die_cannot_be_again(staff, proceeding, database):
    hearing = schedule(staff, proceeding)
    factories.postpone(staff, hearing["id"], None)

    with nothing_written(database):
        response = staff.post(f"/hearings/{hearing['id']}/postpone", {"to": None})

    assert_error(response, 409, "conflict", "to")


@pytest.mark.parametrize(
    ("result", "status"),
    [("held", "held"), ("decided", "held"), ("adjourned", "held"), ("cancelled", "cancelled")],
)
def test_a_held_or_cancelled_hearing_cannot_be_postponed(
    staff, proceeding, database, result, status
):
    hearing = schedule(staff, proceeding, "2026-11-20T09:00")
    factories.ok(staff.post(f"/hearings/{hearing['id']}/outcome", {"result": result}))

    with nothing_written(database):
        to_a_date = staff.post(f"/hearings/{hearing['id']}/postpone", {"to": "2027-01-05T09:00"})
        sine_die = staff.post(f"/hearings/{hearing['id']}/postpone", {"to": None})

    error = assert_error(to_a_date, 409, "conflict", "status")
    assert status in error["message"]
    assert_error(sine_die, 409, "conflict", "status")


def test_a_postponement_may_carry_the_hearings_version(staff, proceeding, database):
    hearing = schedule(staff, proceeding)

    moved = factories.postpone(staff, hearing["id"], "2027-01-05T09:00", version=1)
    with nothing_written(database):
        stale = staff.post(
            f"/hearings/{hearing['id']}/postpone", {"to": "2027-01-06T09:00", "version": 1}
        )

    assert moved["version"] == 2
    assert_error(stale, 409, "stale_version", "version")


def test_a_postponement_may_say_the_new_time_is_not_known(staff, proceeding):
    hearing = schedule(staff, proceeding)

    moved = factories.postpone(staff, hearing["id"], "2027-01-05", time_known=False)

    assert (moved["date"], moved["time_known"]) == ("2027-01-05", False)


BAD_POSTPONEMENTS = [
    ({}, "to"),
    ({"to": "2026-12-01T09:00"}, "to"),  # where it already is
    ({"to": "2027-02-30T09:00"}, "to"),
    ({"to": "2027-13"}, "to"),
    ({"to": "2027-03-28T02:30"}, "to"),  # the clocks skip it in Brussels
    ({"to": "2027-10-31T02:30"}, "to"),  # it occurs twice in Brussels
    ({"to": "2027-01-05T09:00+05:00"}, "to"),
    ({"to": 20270105}, "to"),
    ({"to": "2027-01-05T09:00", "decided_on": "2026-02-30"}, "decided_on"),
    ({"to": "2027-01-05T09:00", "decided_on": "2026-13"}, "decided_on"),
    ({"to": "2027-01-05T09:00", "decided_on": 20261120}, "decided_on"),
    ({"to": "2027-01-05T09:00", "reason": "r" * 5001}, "reason"),
    ({"to": "2027-01-05T09:00", "reason": None}, "reason"),
    ({"to": "2027-01-05T09:00", "time_known": "no"}, "time_known"),
    ({"to": "2027-01-05T09:00", "timezone": "Europe/Paris"}, "timezone"),
    ({"to": "2027-01-05T09:00", "version": "1"}, "version"),
]


@pytest.mark.parametrize(
    ("body", "field"), BAD_POSTPONEMENTS, ids=[repr(b)[:50] for b, _ in BAD_POSTPONEMENTS]
)
def test_a_bad_postponement_is_refused(staff, proceeding, database, body, field):
    hearing = schedule(staff, proceeding, "2026-12-01T09:00")

    with nothing_written(database):
        response = staff.post(f"/hearings/{hearing['id']}/postpone", body)

    assert_error(response, 422, "invalid", field)


# --- outcomes -----------------------------------------------------------------------------


def test_the_outcome_of_a_past_hearing_is_recorded(staff, proceeding, database):
    hearing = schedule(staff, proceeding, "2026-11-20T09:00")

    response = staff.post(
        f"/hearings/{hearing['id']}/outcome",
        {"result": "decided", "summary": "Extradition refused", "version": 1},
    )

    assert response.status_code == 200
    decided = response.get_json()
    assert (decided["status"], decided["outcome"], decided["outcome_summary"]) == (
        "held",
        "decided",
        "Extradition refused",
    )
    assert (decided["sequence"], decided["version"]) == (1, 2)
    assert staff.get(f"/hearings/{hearing['id']}").get_json() == decided
    entry = factories.audit_entries(database, "hearings")[-1]
    assert (entry["actor"], entry["action"]) == ("staff@example.org", "outcome")
    assert entry["before"] == {
        "status": "scheduled",
        "outcome": None,
        "outcome_summary": "",
        "outcome_recorded_at": None,
        "sequence": 0,
    }
    assert entry["after"] == {
        "status": "held",
        "outcome": "decided",
        "outcome_summary": "Extradition refused",
        "outcome_recorded_at": NOW,
        "sequence": 1,
    }


def test_an_outcome_may_be_recorded_once_the_hearing_time_has_come(staff, proceeding):
    hearing = schedule(staff, proceeding, "2026-11-22T10:00")  # 09:00 UTC: now

    held = factories.ok(staff.post(f"/hearings/{hearing['id']}/outcome", {"result": "held"}))

    assert held["status"] == "held"


@pytest.mark.parametrize("result", ["held", "adjourned", "decided"])
def test_an_outcome_in_the_future_is_refused(staff, proceeding, database, result):
    hearing = schedule(staff, proceeding, "2026-11-22T10:01")  # a minute from now

    with nothing_written(database):
        response = staff.post(f"/hearings/{hearing['id']}/outcome", {"result": result})

    error = assert_error(response, 422, "invalid", "result")
    assert "not come yet" in error["message"]


def test_a_future_hearing_may_be_cancelled(staff, proceeding):
    hearing = schedule(staff, proceeding, "2027-06-01T09:00")

    cancelled = factories.ok(
        staff.post(
            f"/hearings/{hearing['id']}/outcome",
            {"result": "cancelled", "summary": "Request withdrawn"},
        )
    )

    assert (cancelled["status"], cancelled["outcome"], cancelled["sequence"]) == (
        "cancelled",
        "cancelled",
        1,
    )


def test_a_hearing_postponed_sine_die_may_be_cancelled_but_not_held(staff, proceeding, database):
    hearing = schedule(staff, proceeding, "2026-11-20T09:00")
    factories.postpone(staff, hearing["id"], None)

    with nothing_written(database):
        held = staff.post(f"/hearings/{hearing['id']}/outcome", {"result": "held"})
    cancelled = staff.post(f"/hearings/{hearing['id']}/outcome", {"result": "cancelled"})

    assert_error(held, 409, "conflict", "result")
    assert cancelled.get_json()["status"] == "cancelled"


BAD_OUTCOMES = [
    ({}, 422, "invalid", "result"),
    ({"result": "won"}, 422, "invalid", "result"),
    ({"result": "Held"}, 422, "invalid", "result"),
    ({"result": ""}, 422, "invalid", "result"),
    ({"result": None}, 422, "invalid", "result"),
    ({"result": 1}, 422, "invalid", "result"),
    ({"result": "held", "summary": None}, 422, "invalid", "summary"),
    ({"result": "held", "summary": "s" * 20_001}, 422, "invalid", "summary"),
    ({"result": "held", "status": "held"}, 422, "invalid", "status"),
    ({"result": "held", "version": 9}, 409, "stale_version", "version"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"), BAD_OUTCOMES, ids=[repr(b)[:40] for b, *_ in BAD_OUTCOMES]
)
def test_a_bad_outcome_is_refused(staff, proceeding, database, body, status, code, field):
    hearing = schedule(staff, proceeding, "2026-11-20T09:00")

    with nothing_written(database):
        response = staff.post(f"/hearings/{hearing['id']}/outcome", body)

    assert_error(response, status, code, field)
