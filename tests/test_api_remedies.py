"""The shipped remedies end to end, through the JSON API: an authority's time limit
computed from the event that starts it, late, then met by the event it waits for; and a
Rule 39 request due at an hour before a removal.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import factories
import pytest

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.deadlines import operations as deadlines


@pytest.fixture
def staff(client, database, frozen_now):
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, SystemActor("system:tests"), clock.now())
    return factories.login(client, database, "coordinator", "coordinator@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    matter = factories.matter(staff)
    # a European arrest warrant executed in Belgium: the EU's rule, a Belgian court
    return factories.proceeding(
        staff, matter["id"], jurisdiction="BE", kind="european_arrest_warrant"
    )


def computed(staff, proceeding, event, rule) -> dict:
    body = {"rule": rule, "trigger_event_id": event["id"]}
    return factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))


def overdue(staff, as_of: str) -> list[dict]:
    items = factories.ok(staff.get(f"/flags?as_of={as_of}"))["items"]
    return [item for item in items if item["rule"] == "authority_overdue"]


def test_an_eaw_decision_is_late_then_met_by_the_decision(staff, proceeding):
    arrest = factories.event(staff, proceeding["id"], "2026-08-31", kind="arrest")
    made = computed(staff, proceeding, arrest, "EU-EAW-DECISION")
    assert (made["due_on"], made["owed_by"], made["met_by"]) == (
        "2026-10-30",
        "authority",
        ["decision"],
    )
    assert overdue(staff, "2026-10-30") == []  # the last day itself is not late
    (late,) = overdue(staff, "2026-10-31")
    assert (late["deadline_id"], late["severity"]) == (made["id"], "warning")
    # twice the 60 days from the arrest: critical from 30 Dec
    assert overdue(staff, "2026-12-29")[0]["severity"] == "warning"
    assert overdue(staff, "2026-12-30")[0]["severity"] == "critical"

    decision = factories.event(staff, proceeding["id"], "2026-11-05", kind="decision")

    met = factories.ok(staff.get(f"/deadlines/{made['id']}"))
    assert (met["status"], met["met_event_id"]) == ("done", decision["id"])
    assert overdue(staff, "2026-11-05") == []
    # as of a day before the decision, the authority was late
    assert [f["deadline_id"] for f in overdue(staff, "2026-11-04")] == [made["id"]]


def test_the_eaw_extension_is_a_rule_of_its_own(staff, proceeding):
    arrest = factories.event(staff, proceeding["id"], "2026-08-31", kind="arrest")
    extended = computed(staff, proceeding, arrest, "EU-EAW-DECISION-EXTENDED")
    assert extended["due_on"] == "2026-11-29"  # 60 + 30 days, a Sunday: not rolled
    assert "does not move" in extended["explanation"]


def test_a_rule_39_request_is_due_at_an_hour(staff, proceeding):
    removal = factories.event(staff, proceeding["id"], "2026-05-15", kind="removal")
    made = computed(staff, proceeding, removal, "ECHR-RULE-39")
    # no time of removal: from the start of Fri 15 May; Thu 14 is Ascension; Wed 13 whole
    assert (made["due_on"], made["due_at"], made["owed_by"]) == (
        "2026-05-13",
        "2026-05-13T06:00:00Z",
        "client",
    )
    assert "Thu 2026-05-14: public holiday: Ascension Day, not counted." in made["explanation"]
    assert factories.ok(staff.get(f"/deadlines/{made['id']}"))["due_at"] == made["due_at"]
