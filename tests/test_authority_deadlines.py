"""An authority's time limits: met at write time by the event awaited, reopened when that
event goes; set by hand; moved by hand at the same hour; shown as the authority's.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
from factories import assert_error, audit_entries, nothing_written
from pages import sign_in, text

DECISION = "BE_TEST_DECISION"


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.authority_rule(database)
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    return factories.dossier(staff)[1]


@pytest.fixture
def request_received(staff, proceeding) -> dict:
    return factories.event(staff, proceeding["id"], "2026-09-01", kind="request_received")


def awaited(staff, proceeding, trigger) -> dict:
    """The authority's decision, due 2 months after the request (BE_TEST_DECISION)."""
    body = {"rule": DECISION, "trigger_event_id": trigger["id"]}
    return factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))


def record(staff, proceeding, on: str, kind: str = "admissibility_decision") -> dict:
    return factories.event(staff, proceeding["id"], on, kind=kind)


def reread(staff, deadline: dict) -> dict:
    return factories.ok(staff.get(f"/deadlines/{deadline['id']}"))


def test_a_computed_authority_deadline_says_who_owes_it(staff, proceeding, request_received):
    made = awaited(staff, proceeding, request_received)

    assert (made["owed_by"], made["met_by"]) == (
        "authority",
        ["admissibility_decision", "decision"],
    )
    assert (made["status"], made["met_event_id"], made["due_at"]) == ("open", None, None)


def test_recording_the_awaited_event_meets_it_and_is_audited(
    staff, proceeding, request_received, database
):
    made = awaited(staff, proceeding, request_received)

    record(staff, proceeding, "2026-10-01", kind="hearing_held")  # another kind
    record(staff, proceeding, "2026-08-20")  # before the request
    assert reread(staff, made)["status"] == "open"
    decision = record(staff, proceeding, "2026-10-20")

    met = reread(staff, made)
    assert (met["status"], met["met_event_id"]) == ("done", decision["id"])
    assert met["explanation"].endswith(
        f"Met by event {decision['id']} (admissibility decision) on 2026-10-20."
    )
    entry = audit_entries(database, "deadlines")[-1]
    assert (entry["action"], entry["entity_id"]) == ("meet", made["id"])
    assert entry["after"]["status"] == "done"
    assert entry["after"]["met_event_id"] == decision["id"]


def test_the_earliest_of_two_events_meets_it(staff, proceeding, request_received):
    record(staff, proceeding, "2026-11-10", kind="decision")
    earliest = record(staff, proceeding, "2026-10-05")

    made = awaited(staff, proceeding, request_received)  # met as soon as it is computed

    assert (made["status"], made["met_event_id"]) == ("done", earliest["id"])


def test_withdrawing_the_event_reopens_it_or_hands_it_to_the_next(
    staff, proceeding, request_received, database
):
    made = awaited(staff, proceeding, request_received)
    first = record(staff, proceeding, "2026-10-05")
    second = record(staff, proceeding, "2026-11-10", kind="decision")
    assert reread(staff, made)["met_event_id"] == first["id"]

    reason = {"version": 1, "reason": "Entered in the wrong case"}
    factories.ok(staff.post(f"/events/{first['id']}/withdraw", reason))
    assert reread(staff, made)["met_event_id"] == second["id"]
    factories.ok(staff.post(f"/events/{second['id']}/withdraw", reason))

    reopened = reread(staff, made)
    assert (reopened["status"], reopened["met_event_id"]) == ("open", None)
    assert reopened["explanation"].endswith(f"Reopened: event {second['id']} was withdrawn.")
    actions = [e["action"] for e in audit_entries(database, "deadlines")]
    assert actions == ["create", "meet", "meet", "reopen"]


def test_dating_the_event_before_the_trigger_reopens_it(staff, proceeding, request_received):
    made = awaited(staff, proceeding, request_received)
    decision = record(staff, proceeding, "2026-10-05")

    change = {"version": 1, "occurred_on": "2026-08-05"}
    factories.ok(staff.patch(f"/events/{decision['id']}", change))

    reopened = reread(staff, made)
    assert (reopened["status"], reopened["met_event_id"]) == ("open", None)
    assert reopened["explanation"].endswith(
        f"Reopened: event {decision['id']} is now dated 2026-08-05, before the trigger."
    )


def test_moving_the_trigger_after_the_event_reopens_it(staff, proceeding, request_received):
    made = awaited(staff, proceeding, request_received)
    record(staff, proceeding, "2026-10-05")

    factories.ok(
        staff.patch(
            f"/events/{request_received['id']}", {"version": 1, "occurred_on": "2026-10-10"}
        )
    )

    assert (reread(staff, made)["status"], reread(staff, made)["met_event_id"]) == ("open", None)


def test_a_deadline_marked_done_by_hand_is_left_alone(staff, proceeding, request_received):
    made = awaited(staff, proceeding, request_received)
    staff.patch(f"/deadlines/{made['id']}", {"version": made["version"], "status": "done"})
    decision = record(staff, proceeding, "2026-10-05")
    factories.ok(staff.post(f"/events/{decision['id']}/withdraw", {"version": 1, "reason": "x"}))

    kept = reread(staff, made)
    assert (kept["status"], kept["met_event_id"]) == ("done", None)


# --- set by hand --------------------------------------------------------------------------


def test_an_authority_deadline_is_set_by_hand_and_met_by_any_reply(staff, proceeding):
    body = {
        "title": "The State's observations",
        "due_on": "2026-12-15",
        "owed_by": "authority",
        "met_by": ["state_reply"],
    }
    made = factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))
    assert (made["owed_by"], made["met_by"], made["status"]) == (
        "authority",
        ["state_reply"],
        "open",
    )

    reply = record(staff, proceeding, "2026-01-05", kind="state_reply")  # no trigger: no bound

    assert reread(staff, made)["met_event_id"] == reply["id"]


def test_met_by_is_refused_on_our_own_deadline(staff, proceeding, database):
    body = {"title": "Appeal", "due_on": "2026-12-15", "met_by": ["decision"]}

    with nothing_written(database):
        refused = staff.post(f"/proceedings/{proceeding['id']}/deadlines", body)

    error = assert_error(refused, 422, "invalid", "met_by")
    assert "set owed_by to authority" in error["message"]


# --- a time of day ------------------------------------------------------------------------


@pytest.fixture
def timed(staff, database, proceeding) -> dict:
    """16:00 Paris time on the last day."""
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    factories.authority_rule(database, 2, code="FR_TEST_TIMED", due_time=dt.time(16, 0))
    trigger = factories.event(staff, proceeding["id"], "2026-09-01", kind="request_received")
    body = {"rule": "FR_TEST_TIMED", "trigger_event_id": trigger["id"]}
    return factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def test_a_timed_deadline_moved_by_hand_keeps_its_hour_in_summer_and_winter(staff, timed):
    assert timed["due_on"] == "2026-11-02"
    assert instant(timed["due_at"]) == dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)

    summer = factories.ok(
        staff.patch(f"/deadlines/{timed['id']}", {"version": 1, "due_on": "2027-04-15"})
    )
    winter = factories.ok(
        staff.patch(f"/deadlines/{timed['id']}", {"version": 2, "due_on": "2027-01-15"})
    )

    assert instant(summer["due_at"]) == dt.datetime(2027, 4, 15, 14, 0, tzinfo=dt.UTC)
    assert instant(winter["due_at"]) == dt.datetime(2027, 1, 15, 15, 0, tzinfo=dt.UTC)


def test_the_deadline_page_shows_the_authority_the_event_and_the_hour(
    client, database, staff, proceeding, timed
):
    decision = record(staff, proceeding, "2026-10-20")
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/deadlines/{timed['id']}"))
    listed = text(browser.get(f"/proceedings/{proceeding['id']}"))

    assert "Expected from the authority" in page
    assert "by 16:00 (Europe/Paris)" in page
    assert f"met by event {decision['id']}, Tue 20 Oct 2026" in page
    assert "art. 40(1)" in page
    assert 'href="https://example.org/law#art40" rel="noopener noreferrer"' in page
    assert '<span class="badge authority">Authority</span>' in listed
    assert f"met by event {decision['id']}, Tue 20 Oct 2026" in listed


def test_the_hand_form_sets_an_authority_deadline(client, database, staff, proceeding):
    browser = sign_in(client, database, "staff")
    form = {
        "hand-title": "Decision on the request",
        "hand-due_on": "2026-12-15",
        "hand-owed_by": "authority",
        "hand-met_by": "decision, admissibility_decision",
    }

    browser.get(f"/proceedings/{proceeding['id']}/deadlines/new")
    saved = browser.post(f"/proceedings/{proceeding['id']}/deadlines/new", form)
    refused = browser.post(
        f"/proceedings/{proceeding['id']}/deadlines/new", form | {"hand-owed_by": "client"}
    )

    assert saved.status_code == 302
    made = factories.ok(staff.get(saved.headers["Location"]))
    assert (made["owed_by"], made["met_by"]) == (
        "authority",
        ["decision", "admissibility_decision"],
    )
    assert refused.status_code == 422
    assert "set owed_by to authority" in text(refused)
