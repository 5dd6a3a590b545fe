"""JSON API: deadlines set by hand, marked done or waived, and overridden.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written

NOW = "2026-11-22T09:00:00+00:00"


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    return factories.dossier(staff)[1]


@pytest.fixture
def deadline(staff, proceeding) -> dict:
    return factories.deadline(staff, proceeding["id"], "2026-12-15", title="File the appeal")


def test_a_deadline_is_set_by_hand(staff, proceeding, database):
    response = staff.post(
        f"/proceedings/{proceeding['id']}/deadlines",
        {"title": "  File the appeal ", "due_on": "2026-12-15"},
    )

    assert response.status_code == 201
    made = response.get_json()
    assert made == {
        "id": made["id"],
        "proceeding_id": proceeding["id"],
        "title": "File the appeal",
        "due_on": "2026-12-15",
        "status": "open",
        "rule": None,
        "trigger_event_id": None,
        "computed_due_on": None,
        "overridden": False,
        "explanation": "Set by hand.",
        "owed_by": "client",
        "met_by": [],
        "met_event_id": None,
        "due_at": None,
        "version": 1,
        "warnings": [],
    }
    assert staff.get(f"/deadlines/{made['id']}").get_json() == made
    [entry] = factories.audit_entries(database, "deadlines")
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        "staff@example.org",
        "create",
        made["id"],
    )
    assert entry["matter_id"] == proceeding["matter_id"]
    assert entry["after"]["due_on"] == "2026-12-15"


def test_a_deadline_keeps_its_explanation(staff, proceeding):
    made = factories.deadline(
        staff, proceeding["id"], explanation="Art. 203 CIC: 15 days from the judgment."
    )

    assert made["explanation"] == "Art. 203 CIC: 15 days from the judgment."


BAD_DEADLINES = [
    ({"due_on": "2023-02-30"}, "due_on"),
    ({"due_on": "2023-13"}, "due_on"),
    ({"due_on": "2023-13-01"}, "due_on"),
    ({"due_on": "15/12/2026"}, "due_on"),
    ({"due_on": ""}, "due_on"),
    ({"due_on": None}, "due_on"),
    ({"due_on": 20261215}, "due_on"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": None}, "title"),
    ({"title": "T" * 201}, "title"),
    ({"title": ["File"]}, "title"),
    ({"explanation": "e" * 5001}, "explanation"),
    ({"status": "done"}, "status"),
    ({"priority": "high"}, "priority"),
    ({"rule": "BE_CRIMINAL_APPEAL"}, "rule"),
    ({"trigger_event_id": 1}, "rule"),
    ({"trigger_event_id": 2**31}, "trigger_event_id"),
]


@pytest.mark.parametrize(
    ("change", "field"), BAD_DEADLINES, ids=[repr(c)[:40] for c, _ in BAD_DEADLINES]
)
def test_a_bad_deadline_is_refused(staff, proceeding, database, change, field):
    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/deadlines",
            {"title": "File the appeal", "due_on": "2026-12-15"} | change,
        )

    assert_error(response, 422, "invalid", field)


@pytest.mark.parametrize("missing", ["title", "due_on"])
def test_a_deadline_missing_a_field_is_refused(staff, proceeding, database, missing):
    body = {"title": "File the appeal", "due_on": "2026-12-15"}
    del body[missing]

    with nothing_written(database):
        response = staff.post(f"/proceedings/{proceeding['id']}/deadlines", body)

    assert_error(response, 422, "invalid", missing)


def test_an_unknown_deadline_is_not_found(staff, database):
    with nothing_written(database):
        assert_error(staff.get("/deadlines/4242"), 404, "not_found")
        assert_error(staff.patch("/deadlines/4242", {"version": 1}), 404, "not_found")


def test_a_deadline_marked_done_is_audited(staff, deadline, database):
    response = staff.patch(f"/deadlines/{deadline['id']}", {"version": 1, "status": "done"})

    assert response.status_code == 200
    done = response.get_json()
    assert (done["status"], done["version"]) == ("done", 2)
    assert staff.get(f"/deadlines/{deadline['id']}").get_json() == done
    entry = factories.audit_entries(database, "deadlines")[-1]
    assert (entry["actor"], entry["action"]) == ("staff@example.org", "update")
    assert entry["before"] == {"status": "open", "completed_at": None}
    assert entry["after"] == {"status": "done", "completed_at": NOW}


def test_a_done_deadline_may_be_reopened(staff, deadline, database):
    factories.ok(staff.patch(f"/deadlines/{deadline['id']}", {"version": 1, "status": "done"}))

    reopened = factories.ok(
        staff.patch(f"/deadlines/{deadline['id']}", {"version": 2, "status": "open"})
    )

    assert (reopened["status"], reopened["version"]) == ("open", 3)
    entry = factories.audit_entries(database, "deadlines")[-1]
    assert entry["after"] == {"status": "open", "completed_at": None}


def test_a_deadline_may_be_waived_retitled_and_moved(staff, deadline, database):
    patched = factories.ok(
        staff.patch(
            f"/deadlines/{deadline['id']}",
            {"version": 1, "status": "waived", "title": "Appeal (waived)", "due_on": "2026-12-22"},
        )
    )

    assert (patched["status"], patched["title"], patched["due_on"]) == (
        "waived",
        "Appeal (waived)",
        "2026-12-22",
    )
    entry = factories.audit_entries(database, "deadlines")[-1]
    assert entry["before"] == {
        "title": "File the appeal",
        "due_on": "2026-12-15",
        "status": "open",
        "completed_at": None,
    }
    assert entry["after"]["due_on"] == "2026-12-22"


BAD_DEADLINE_PATCHES = [
    ({"status": "done"}, 422, "invalid", "version"),
    ({"version": None, "status": "done"}, 422, "invalid", "version"),
    ({"version": 5, "status": "done"}, 409, "stale_version", "version"),
    ({"version": 1, "status": "late"}, 422, "invalid", "status"),
    ({"version": 1, "status": "Done"}, 422, "invalid", "status"),
    ({"version": 1, "status": None}, 422, "invalid", "status"),
    ({"version": 1, "due_on": None}, 422, "invalid", "due_on"),
    ({"version": 1, "due_on": "2026-02-30"}, 422, "invalid", "due_on"),
    ({"version": 1, "due_on": "2026-13"}, 422, "invalid", "due_on"),
    ({"version": 1, "title": None}, 422, "invalid", "title"),
    ({"version": 1, "title": ""}, 422, "invalid", "title"),
    ({"version": 1, "status": "done", "title": ""}, 422, "invalid", "title"),
    ({"version": 1, "explanation": "Changed"}, 422, "invalid", "explanation"),
    ({"version": 1, "proceeding_id": 2}, 422, "invalid", "proceeding_id"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    BAD_DEADLINE_PATCHES,
    ids=[repr(b)[:45] for b, *_ in BAD_DEADLINE_PATCHES],
)
def test_a_bad_deadline_patch_is_refused(staff, deadline, database, body, status, code, field):
    with nothing_written(database):
        response = staff.patch(f"/deadlines/{deadline['id']}", body)

    assert_error(response, status, code, field)


def test_of_two_deadline_patches_from_the_same_version_the_second_is_refused(
    client, staff, deadline, database
):
    colleague = factories.login(client, database, "coordinator")

    first = staff.patch(f"/deadlines/{deadline['id']}", {"version": 1, "status": "done"})
    with nothing_written(database):
        second = colleague.patch(f"/deadlines/{deadline['id']}", {"version": 1, "status": "waived"})

    assert first.status_code == 200
    assert_error(second, 409, "stale_version", "version")
    stored = staff.get(f"/deadlines/{deadline['id']}").get_json()
    assert (stored["status"], stored["version"]) == ("done", 2)
