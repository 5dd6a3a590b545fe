"""JSON API: a postponement recorded by mistake is corrected or withdrawn (kept, marked),
a move to an earlier time is "brought forward", and a decision day to come is refused.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC (10:00 in Brussels).
"""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    return factories.dossier(staff)[1]


def moved_twice(staff, proceeding) -> dict:
    """A hearing first set for 1 Dec 2026, moved to 12 Jan, then to 2 Feb 2027."""
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    factories.postpone(staff, hearing["id"], "2027-01-12T09:00", reason="Interpreter absent")
    return factories.postpone(staff, hearing["id"], "2027-02-02T14:00", reason="Typo")


def withdraw(staff, postponement_id: int, version: int, reason: str = "Recorded by mistake"):
    return staff.post(
        f"/postponements/{postponement_id}/withdraw", {"version": version, "reason": reason}
    )


def hearing_flags(staff, hearing_id: int) -> set[str]:
    items = factories.ok(staff.get("/flags"))["items"]
    return {item["rule"] for item in items if item["hearing_id"] == hearing_id}


# --- withdrawing --------------------------------------------------------------------------


def test_withdrawing_the_latest_move_puts_the_hearing_back_and_keeps_the_record(
    staff, proceeding, database
):
    hearing = moved_twice(staff, proceeding)
    first, second = hearing["postponements"]
    assert "repeated_postponement" in hearing_flags(staff, hearing["id"])

    back = factories.ok(withdraw(staff, second["id"], hearing["version"]))

    assert back["starts_at"] == "2027-01-12T09:00:00+01:00"
    assert (back["status"], back["sequence"]) == ("scheduled", hearing["sequence"] + 1)
    assert back["version"] == hearing["version"] + 1
    assert [p["id"] for p in back["postponements"]] == [first["id"]]
    [withdrawn] = back["withdrawn_postponements"]
    assert (withdrawn["id"], withdrawn["withdrawal_reason"]) == (
        second["id"],
        "Recorded by mistake",
    )
    assert withdrawn["withdrawn_at"] == "2026-11-22T09:00:00+00:00"
    assert factories.row_counts(database)["postponements"] == 2  # kept, not erased
    assert "repeated_postponement" not in hearing_flags(staff, hearing["id"])
    entry = factories.audit_entries(database, "hearings")[-1]
    assert (entry["action"], entry["actor"]) == ("withdraw_postponement", "staff@example.org")
    assert entry["before"]["starts_at"] == "2027-02-02T13:00:00+00:00"
    assert entry["after"]["starts_at"] == "2027-01-12T08:00:00+00:00"
    assert entry["after"]["postponement"]["withdrawal_reason"] == "Recorded by mistake"
    assert entry["before"]["postponement"]["withdrawn_at"] is None


def test_withdrawing_a_move_sine_die_gives_the_hearing_its_date_back(staff, proceeding):
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
    postponed = factories.postpone(staff, hearing["id"], None)

    back = factories.ok(withdraw(staff, postponed["postponements"][0]["id"], postponed["version"]))

    assert (back["status"], back["starts_at"]) == ("scheduled", "2026-12-01T09:00:00+01:00")
    assert back["postponements"] == []


def test_withdrawing_a_middle_move_makes_the_next_start_where_it_started(
    staff, proceeding, database
):
    hearing = moved_twice(staff, proceeding)
    first, second = hearing["postponements"]

    after = factories.ok(withdraw(staff, first["id"], hearing["version"]))

    assert after["starts_at"] == hearing["starts_at"]  # the latest move still stands
    [standing] = after["postponements"]
    assert (standing["id"], standing["from"]) == (second["id"], "2026-12-01T09:00:00+01:00")
    entry = factories.audit_entries(database, "hearings")[-1]
    assert entry["before"]["next_postponement"]["from_starts_at"] == "2027-01-12T08:00:00+00:00"
    assert entry["after"]["next_postponement"] == {
        "id": second["id"],
        "from_starts_at": "2026-12-01T08:00:00+00:00",
    }


def test_a_stale_or_repeated_withdrawal_is_refused(staff, proceeding, database):
    hearing = moved_twice(staff, proceeding)
    second = hearing["postponements"][1]["id"]

    with nothing_written(database):
        stale = withdraw(staff, second, hearing["version"] - 1)
        no_reason = withdraw(staff, second, hearing["version"], reason=" ")
    factories.ok(withdraw(staff, second, hearing["version"]))
    with nothing_written(database):
        again = withdraw(staff, second, hearing["version"] + 1)
        unknown = withdraw(staff, 4242, hearing["version"] + 1)

    assert_error(stale, 409, "stale_version", "version")
    assert_error(no_reason, 422, "invalid", "reason")
    assert_error(again, 409, "conflict")
    assert_error(unknown, 404, "not_found")


def test_the_move_that_set_a_held_hearings_date_stays(staff, proceeding, database):
    hearing = factories.hearing(staff, proceeding["id"], "2026-11-02T09:00")
    moved = factories.postpone(staff, hearing["id"], "2026-11-16T09:00")
    held = factories.ok(staff.post(f"/hearings/{hearing['id']}/outcome", {"result": "held"}))

    with nothing_written(database):
        refused = withdraw(staff, moved["postponements"][0]["id"], held["version"])

    assert_error(refused, 409, "conflict", "status")


# --- correcting ---------------------------------------------------------------------------


def test_correcting_the_latest_moves_date_moves_the_hearing(staff, proceeding, database):
    hearing = moved_twice(staff, proceeding)
    second = hearing["postponements"][1]

    response = staff.patch(
        f"/postponements/{second['id']}",
        {"version": hearing["version"], "to": "2027-02-03T10:00", "reason": "Mistyped day"},
    )

    fixed = factories.ok(response)
    assert fixed["starts_at"] == "2027-02-03T10:00:00+01:00"
    assert fixed["sequence"] == hearing["sequence"] + 1
    corrected = fixed["postponements"][1]
    assert (corrected["to"], corrected["reason"]) == ("2027-02-03T10:00:00+01:00", "Mistyped day")
    entry = factories.audit_entries(database, "hearings")[-1]
    assert entry["action"] == "correct_postponement"
    assert entry["before"]["postponement"] == {
        "to_starts_at": "2027-02-02T13:00:00+00:00",
        "reason": "Typo",
    }
    assert entry["after"]["postponement"]["to_starts_at"] == "2027-02-03T09:00:00+00:00"


def test_correcting_a_middle_moves_date_moves_the_next_ones_start(staff, proceeding):
    hearing = moved_twice(staff, proceeding)
    first = hearing["postponements"][0]

    fixed = factories.ok(
        staff.patch(
            f"/postponements/{first['id']}", {"version": hearing["version"], "to": "2027-01-13"}
        )
    )

    assert fixed["starts_at"] == hearing["starts_at"]
    one, two = fixed["postponements"]
    assert (one["to"], one["to_time_known"]) == ("2027-01-13T00:00:00+01:00", True)
    assert two["from"] == "2027-01-13T00:00:00+01:00"


BAD_CORRECTIONS = [
    ({"to": "2027-01-12T09:00"}, 422, "to"),  # the date it moved from
    ({"decided_on": "2027-06-01"}, 422, "decided_on"),
    ({"reason": "r" * 5001}, 422, "reason"),
    ({"colour": "red"}, 422, "colour"),
    ({"version": 1}, 409, "version"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_CORRECTIONS)
def test_a_bad_correction_is_refused(staff, proceeding, database, body, status, field):
    hearing = moved_twice(staff, proceeding)
    second = hearing["postponements"][1]["id"]

    with nothing_written(database):
        response = staff.patch(f"/postponements/{second}", {"version": hearing["version"]} | body)

    assert_error(response, status, "invalid" if status == 422 else "stale_version", field)


def test_only_the_latest_move_may_leave_the_hearing_without_a_date(staff, proceeding, database):
    hearing = moved_twice(staff, proceeding)
    first, second = hearing["postponements"]

    with nothing_written(database):
        middle = staff.patch(f"/postponements/{first['id']}", {"version": 3, "to": None})
    latest = factories.ok(staff.patch(f"/postponements/{second['id']}", {"version": 3, "to": None}))

    assert_error(middle, 422, "invalid", "to")
    assert (latest["status"], latest["starts_at"]) == ("postponed", "2027-01-12T09:00:00+01:00")


# --- decided_on, brought forward, after the fact -----------------------------------------


def test_a_postponement_decided_in_the_future_is_refused_in_words(staff, proceeding, database):
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")

    with nothing_written(database):
        response = staff.post(
            f"/hearings/{hearing['id']}/postpone",
            {"to": "2027-01-05T09:00", "decided_on": "2027-06-01"},
        )
    today = factories.postpone(staff, hearing["id"], "2027-01-05T09:00", decided_on="2026-11-22")

    error = assert_error(response, 422, "invalid", "decided_on")
    assert error["message"] == (
        "decided_on: 2027-06-01 is in the future; a postponement is recorded once decided"
    )
    assert today["postponements"][0]["decided_on"] == "2026-11-22"


def test_a_hearing_brought_forward_is_no_postponement(staff, proceeding):
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-08T09:00")
    factories.postpone(staff, hearing["id"], "2026-12-01T09:00")
    factories.postpone(staff, hearing["id"], "2026-11-26T09:00")
    later = factories.postpone(staff, hearing["id"], "2026-12-15T09:00")

    assert [p["brought_forward"] for p in later["postponements"]] == [True, True, False]
    # three moves, one of them a postponement: no "postponed repeatedly" flag
    assert hearing_flags(staff, hearing["id"]) == set()


def test_a_move_recorded_after_the_fact_is_accepted_and_says_so(staff, proceeding):
    hearing = factories.hearing(staff, proceeding["id"], "2026-11-10T09:00")

    moved = factories.postpone(staff, hearing["id"], "2026-11-17T09:00", decided_on="2026-11-10")
    again = factories.postpone(staff, hearing["id"], "2026-12-17T09:00")

    assert [p["recorded_after_the_fact"] for p in again["postponements"]] == [True, True]
    assert moved["postponements"][0]["brought_forward"] is False
    hearing = factories.hearing(staff, proceeding["id"], "2026-12-10T09:00")
    ahead = factories.postpone(staff, hearing["id"], "2026-12-17T09:00")
    assert ahead["postponements"][0]["recorded_after_the_fact"] is False


def test_a_withdrawn_move_leaves_the_matters_timeline(staff, proceeding):
    hearing = moved_twice(staff, proceeding)
    second = hearing["postponements"][1]["id"]
    factories.ok(withdraw(staff, second, hearing["version"]))

    items = factories.ok(staff.get(f"/matters/{proceeding['matter_id']}/timeline"))["items"]

    assert [i["id"] for i in items if i["type"] == "postponement"] == [
        hearing["postponements"][0]["id"]
    ]
