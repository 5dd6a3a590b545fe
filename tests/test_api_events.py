"""JSON API and operations: correcting and withdrawing events, the deadlines they move or
waive, events in the future refused, and a possible duplicate client named.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa
from factories import assert_error, nothing_written

from tracker.core import clock
from tracker.matters import events
from tracker.matters.schemas import EventChanges
from tracker.models import Event


@pytest.fixture
def staff(client, database, frozen_now):
    """A staff member, with Belgium and New Zealand (a day ahead of UTC in the evening)."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "NZ", "New Zealand", "Pacific/Auckland")
    factories.appeal_rule(database)
    return factories.login(client, database, "staff", "staff@example.org")


def judged(staff, on: str = "2026-11-02") -> tuple[dict, dict, dict]:
    """A proceeding with a judgment and the appeal deadline counted from it."""
    _, made = factories.dossier(staff)
    event = factories.event(staff, made["id"], on, kind="judgment", summary="Convicted")
    deadline = factories.created(
        staff.post(
            f"/proceedings/{made['id']}/deadlines",
            {"rule": "BE_TEST_APPEAL", "trigger_event_id": event["id"]},
        )
    )
    return made, event, deadline


# --- events are facts that happened -------------------------------------------------------


@pytest.mark.parametrize("occurred_on", ["2026-11-23", "2031-01-01", "2026-12", "2027"])
def test_an_event_in_the_future_is_refused(staff, database, occurred_on):
    _, made = factories.dossier(staff)

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{made['id']}/events", {"kind": "judgment", "occurred_on": occurred_on}
        )

    error = assert_error(response, 422, "invalid", "occurred_on")
    assert f"{occurred_on} is in the future — an event is something that happened" in str(error)


@pytest.mark.parametrize("occurred_on", ["2026-11-22", "2026-11", "2026"])
def test_an_event_of_today_or_of_this_month_or_year_is_taken(staff, occurred_on):
    _, made = factories.dossier(staff)

    event = factories.event(staff, made["id"], occurred_on)

    assert event["occurred_on"] == occurred_on


def test_today_is_the_day_in_the_proceedings_country(staff):
    _, here = factories.dossier(staff)
    there = factories.proceeding(staff, here["matter_id"], jurisdiction="NZ")

    with clock.frozen(dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)):  # 09:00 on the 23rd
        in_belgium = staff.post(
            f"/proceedings/{here['id']}/events", {"kind": "arrest", "occurred_on": "2026-11-23"}
        )
        in_new_zealand = staff.post(
            f"/proceedings/{there['id']}/events", {"kind": "arrest", "occurred_on": "2026-11-23"}
        )

    assert_error(in_belgium, 422, "invalid", "occurred_on")
    assert in_new_zealand.status_code == 201


def test_an_event_corrected_to_a_future_date_is_refused(staff, database):
    _made, event, _deadline = judged(staff)

    with nothing_written(database):
        moved = staff.patch(f"/events/{event['id']}", {"version": 1, "occurred_on": "2031-01-01"})
        month = staff.patch(f"/events/{event['id']}", {"version": 1, "occurred_on": "2026-12"})

    error = assert_error(moved, 422, "invalid", "occurred_on")
    assert "2031-01-01 is in the future" in str(error)
    assert "a future date is a hearing or a deadline" in str(error)
    assert_error(month, 422, "invalid", "occurred_on")


# --- correcting an event: the preview and the move -----------------------------------------


def test_the_preview_lists_the_deadlines_a_new_date_moves_and_writes_nothing(staff, database):
    _made, event, deadline = judged(staff)

    with nothing_written(database), database.unit_of_work() as session:
        row = session.get(Event, event["id"])
        change = EventChanges.parse({"version": 1, "occurred_on": "2026-11-04"})
        moves = events.preview_update(session, clock.now(), row, change)
        found = [(m.deadline.id, m.before, m.after) for m in moves]
        same = events.preview_update(
            session, clock.now(), row, EventChanges.parse({"version": 1, "summary": "Other"})
        )

    assert found == [(deadline["id"], dt.date(2026, 11, 17), dt.date(2026, 11, 19))]
    assert same == []


def test_the_preview_is_refused_as_the_correction_would_be(staff, database):
    _made, event, _deadline = judged(staff)

    with database.unit_of_work() as session:
        row = session.get(Event, event["id"])
        future = EventChanges.parse({"version": 1, "occurred_on": "2031-01-01"})
        stale = EventChanges.parse({"version": 7, "occurred_on": "2026-11-04"})
        with pytest.raises(Exception, match="in the future"):
            events.preview_update(session, clock.now(), row, future)
        with pytest.raises(Exception, match="version 1, not 7"):
            events.preview_update(session, clock.now(), row, stale)


def test_a_corrected_date_moves_the_deadline_as_previewed(staff):
    _made, event, deadline = judged(staff)

    factories.ok(staff.patch(f"/events/{event['id']}", {"version": 1, "occurred_on": "2026-11-04"}))

    moved = factories.ok(staff.get(f"/deadlines/{deadline['id']}"))
    assert (deadline["due_on"], moved["due_on"]) == ("2026-11-17", "2026-11-19")


# --- withdrawing an event -----------------------------------------------------------------


def test_an_event_is_withdrawn_its_open_deadlines_waived_and_all_audited(staff, database):
    made, event, deadline = judged(staff)
    done = factories.created(
        staff.post(
            f"/proceedings/{made['id']}/deadlines",
            {"rule": "BE_TEST_APPEAL", "trigger_event_id": event["id"], "title": "Filed already"},
        )
    )
    factories.ok(staff.patch(f"/deadlines/{done['id']}", {"version": 1, "status": "done"}))

    response = staff.post(
        f"/events/{event['id']}/withdraw", {"version": 1, "reason": "Entered in the wrong case"}
    )

    withdrawn = factories.ok(response)
    assert withdrawn["withdrawn_at"] == "2026-11-22T09:00:00+00:00"
    assert withdrawn["withdrawal_reason"] == "Entered in the wrong case"
    assert withdrawn["version"] == 2
    assert staff.get(f"/events/{event['id']}").get_json() == withdrawn
    waived = factories.ok(staff.get(f"/deadlines/{deadline['id']}"))
    assert waived["status"] == "waived"
    assert "was withdrawn — Entered in the wrong case" in waived["explanation"]
    assert factories.ok(staff.get(f"/deadlines/{done['id']}"))["status"] == "done"
    entries = factories.audit_entries(database)
    [withdrawal] = [e for e in entries if e["action"] == "withdraw"]
    assert (withdrawal["actor"], withdrawal["entity"], withdrawal["entity_id"]) == (
        "staff@example.org",
        "events",
        event["id"],
    )
    assert withdrawal["before"]["withdrawn_at"] is None
    assert withdrawal["after"]["withdrawal_reason"] == "Entered in the wrong case"
    [waiver] = [e for e in entries if e["action"] == "waive"]
    assert (waiver["entity"], waiver["entity_id"]) == ("deadlines", deadline["id"])
    assert (waiver["before"]["status"], waiver["after"]["status"]) == ("open", "waived")


def test_a_withdrawn_event_is_left_out_of_the_lists_and_the_timeline(staff):
    made, event, _ = judged(staff)
    kept = factories.event(staff, made["id"], "2026-10-01", kind="arrest")

    factories.ok(staff.post(f"/events/{event['id']}/withdraw", {"version": 1, "reason": "Typo"}))

    contents = factories.ok(staff.get(f"/proceedings/{made['id']}"))
    assert [e["id"] for e in contents["events"]] == [kept["id"]]
    timeline = factories.ok(staff.get(f"/matters/{made['matter_id']}/timeline"))
    assert [i["id"] for i in timeline["items"] if i["type"] == "event"] == [kept["id"]]


def test_a_withdrawn_event_offers_no_rule(staff, database):
    made, event, _ = judged(staff)
    factories.ok(staff.post(f"/events/{event['id']}/withdraw", {"version": 1, "reason": "Typo"}))

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{made['id']}/deadlines",
            {"rule": "BE_TEST_APPEAL", "trigger_event_id": event["id"]},
        )

    error = assert_error(response, 422, "invalid", "trigger_event_id")
    assert "was withdrawn" in str(error)


def test_a_withdrawn_event_cannot_be_changed_or_withdrawn_again(staff, database):
    _made, event, _ = judged(staff)
    factories.ok(staff.post(f"/events/{event['id']}/withdraw", {"version": 1, "reason": "Typo"}))

    with nothing_written(database):
        edited = staff.patch(f"/events/{event['id']}", {"version": 2, "summary": "Back"})
        again = staff.post(f"/events/{event['id']}/withdraw", {"version": 2, "reason": "Again"})

    error = assert_error(edited, 409, "conflict")
    assert "was withdrawn" in str(error)
    assert_error(again, 409, "conflict")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"version": 1}, 422, "invalid", "reason"),
        ({"version": 1, "reason": "  "}, 422, "invalid", "reason"),
        ({"reason": "Typo"}, 422, "invalid", "version"),
        ({"version": 4, "reason": "Typo"}, 409, "stale_version", "version"),
        ({"version": 1, "reason": "Typo", "at": "x"}, 422, "invalid", "at"),
    ],
)
def test_a_bad_withdrawal_is_refused(staff, database, body, status, code, field):
    _made, event, _ = judged(staff)

    with nothing_written(database):
        response = staff.post(f"/events/{event['id']}/withdraw", body)

    assert_error(response, status, code, field)


def test_an_unknown_event_is_not_withdrawn(staff, database):
    with nothing_written(database):
        response = staff.post("/events/4242/withdraw", {"version": 1, "reason": "Typo"})

    assert_error(response, 404, "not_found")


def test_a_withdrawn_decision_does_not_count_in_the_scan(staff, database):
    from tracker.delays import scan

    made, event, _ = judged(staff)
    factories.ok(staff.post(f"/events/{event['id']}/withdraw", {"version": 1, "reason": "Typo"}))

    with database.unit_of_work() as session:
        row = session.execute(
            sa.select(scan._event_dates(dt.date(2026, 11, 22))).where(
                sa.literal_column("proceeding_id") == made["id"]
            )
        ).one_or_none()

    assert row is None


# --- a possible duplicate client ----------------------------------------------------------


def test_a_matter_for_a_client_of_the_same_name_is_created_with_a_warning(staff, database):
    first = factories.matter(staff, "Extradition of José García", subject="José García")

    response = staff.post("/matters", {"title": "Asylum", "subject": "  jose   GARCIA "})

    made = factories.created(response)
    assert made["warnings"] == [
        f"A matter for José García already exists: /matters/{first['id']} "
        "(Extradition of José García)"
    ]
    with database.unit_of_work() as session:
        assert session.scalar(sa.text("select count(*) from matters")) == 2


def test_a_matter_for_another_client_has_no_warning(staff):
    factories.matter(staff, "Extradition of José García", subject="José García")

    made = factories.created(staff.post("/matters", {"title": "Other", "subject": "José Garcías"}))
    unnamed = factories.created(staff.post("/matters", {"title": "No client"}))

    assert made["warnings"] == unnamed["warnings"] == []


def test_a_lawyer_cannot_withdraw_an_event_of_a_matter_not_theirs(client, database, staff):
    _, event, _ = judged(staff)
    lawyer = factories.login(client, database, "lawyer", "lawyer@example.org")

    with nothing_written(database):
        response = lawyer.post(f"/events/{event['id']}/withdraw", {"version": 1, "reason": "x"})

    assert_error(response, 404, "not_found")


def test_the_api_document_describes_the_warnings_and_the_withdrawal(client):
    from tracker.web import openapi

    document = client.get(openapi.PATH).get_json()

    created = document["paths"]["/api/v1/matters"]["post"]["responses"]["201"]
    ref = created["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "warnings" in document["components"]["schemas"][ref]["properties"]
    withdraw = document["paths"]["/api/v1/events/{event_id}/withdraw"]["post"]
    body = withdraw["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = document["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]
    assert set(fields) == {"version", "reason"}
