"""JSON API: deadlines computed by a rule from a trigger event, and moved with it.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.deadlines import operations as deadlines


@pytest.fixture
def staff(client, database, frozen_now):
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, SystemActor("system:tests"), clock.now())
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def proceeding(staff) -> dict:
    matter = factories.matter(staff)
    return factories.proceeding(staff, matter["id"], jurisdiction="BE", kind="trial")


@pytest.fixture
def judgment(staff, proceeding) -> dict:
    return factories.event(staff, proceeding["id"], "2023-06-22", kind="judgment")


def computed(staff, proceeding, event, rule="BE-CRIM-APPEAL", **extra) -> dict:
    body = {"rule": rule, "trigger_event_id": event["id"]} | extra
    return factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))


def test_a_rule_computes_and_explains_the_deadline(staff, proceeding, judgment):
    made = computed(staff, proceeding, judgment)

    assert made["due_on"] == "2023-07-24"  # 30 days → Sat 22 July; Sun 23 → Mon 24
    assert made["computed_due_on"] == "2023-07-24"
    assert (made["rule"], made["trigger_event_id"], made["overridden"]) == (
        "BE-CRIM-APPEAL",
        judgment["id"],
        False,
    )
    assert made["title"] == "Appeal against a criminal judgment"
    assert (
        "Sat 2023-07-22 (weekend) → Sun 2023-07-23 (weekend) → Mon 2023-07-24"
        in (made["explanation"])
    )
    assert f"event {judgment['id']}: judgment" in made["explanation"]


def test_the_version_of_the_rule_in_force_on_the_trigger_day_applies(staff, proceeding):
    before = factories.event(staff, proceeding["id"], "2016-02-28", kind="judgment")
    after = factories.event(staff, proceeding["id"], "2016-02-29", kind="judgment")

    assert computed(staff, proceeding, before)["due_on"] == "2016-03-14"  # 15 days
    assert computed(staff, proceeding, after)["due_on"] == "2016-03-30"  # 30 days


def test_an_event_of_another_kind_is_noted_in_the_explanation(staff, proceeding):
    decision = factories.event(staff, proceeding["id"], "2023-06-22", kind="decision")

    made = computed(staff, proceeding, decision)

    assert "counts from a judgment; the event is a decision" in made["explanation"]


def test_moving_the_trigger_moves_its_deadlines_with_an_audit_entry(
    staff, proceeding, judgment, database
):
    made = computed(staff, proceeding, judgment)

    moved = staff.patch(
        f"/events/{judgment['id']}", {"version": judgment["version"], "occurred_on": "2023-07-03"}
    )

    assert moved.status_code == 200
    now = factories.ok(staff.get(f"/deadlines/{made['id']}"))
    assert now["due_on"] == "2023-08-02"  # 30 days from 3 July; no vacation in criminal matters
    assert now["computed_due_on"] == "2023-08-02"
    assert now["version"] == made["version"] + 1
    assert "Trigger: Mon 2023-07-03" in now["explanation"]
    entry = factories.audit_entries(database, "deadlines")[-1]
    assert entry["action"] == "recompute"
    assert entry["actor"] == "staff@example.org"
    assert entry["before"]["due_on"] == "2023-07-24"
    assert entry["after"]["due_on"] == "2023-08-02"


def test_a_date_overridden_by_hand_is_kept_when_the_trigger_moves(staff, proceeding, judgment):
    made = computed(staff, proceeding, judgment)
    staff.patch(f"/deadlines/{made['id']}", {"version": made["version"], "due_on": "2023-07-20"})

    staff.patch(f"/events/{judgment['id']}", {"version": 1, "occurred_on": "2023-07-03"})

    now = factories.ok(staff.get(f"/deadlines/{made['id']}"))
    assert (now["due_on"], now["computed_due_on"], now["overridden"]) == (
        "2023-07-20",
        "2023-08-02",
        True,
    )


def test_moving_the_trigger_across_a_rule_change_picks_the_other_version(
    staff, proceeding, database
):
    event = factories.event(staff, proceeding["id"], "2016-03-01", kind="judgment")
    made = computed(staff, proceeding, event)
    assert made["due_on"] == "2016-03-31"

    staff.patch(f"/events/{event['id']}", {"version": 1, "occurred_on": "2016-02-26"})

    now = factories.ok(staff.get(f"/deadlines/{made['id']}"))
    assert now["due_on"] == "2016-03-14"  # 15 days → Sat 12 March → Mon 14 March
    assert "15 days" in now["explanation"]


def test_a_trigger_that_loses_its_day_is_refused_and_nothing_moves(
    staff, proceeding, judgment, database
):
    computed(staff, proceeding, judgment)

    with nothing_written(database):
        response = staff.patch(f"/events/{judgment['id']}", {"version": 1, "precision": "month"})

    assert_error(response, 422, "invalid", "occurred_on")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "NO-SUCH-RULE"}, "rule"),
        ({"rule": 12}, "rule"),
        ({"rule": "BE-CRIM-APPEAL", "trigger_event_id": None}, "trigger_event_id"),
        ({"rule": "BE-CRIM-APPEAL", "trigger_event_id": 4242}, "trigger_event_id"),
        ({"rule": "BE-CRIM-APPEAL", "due_on": "2023-07-01"}, "due_on"),
        ({"trigger_event_id": "EVENT"}, "trigger_event_id"),
    ],
)
def test_a_bad_computed_deadline_is_refused(staff, proceeding, judgment, database, body, field):
    body = {"trigger_event_id": judgment["id"]} | body

    with nothing_written(database):
        response = staff.post(f"/proceedings/{proceeding['id']}/deadlines", body)

    assert_error(response, 422, "invalid", field)


def test_a_trigger_known_only_to_the_month_is_refused(staff, proceeding, database):
    vague = factories.event(staff, proceeding["id"], "2023-06", kind="judgment")

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/deadlines",
            {"rule": "BE-CRIM-APPEAL", "trigger_event_id": vague["id"]},
        )

    body = assert_error(response, 422, "invalid", "trigger_event_id")
    assert "only to the month" in body["message"]


def test_a_trigger_in_another_matter_is_refused(staff, proceeding, database):
    elsewhere = factories.dossier(staff)[1]
    foreign = factories.event(staff, elsewhere["id"], "2023-06-22", kind="judgment")

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/deadlines",
            {"rule": "BE-CRIM-APPEAL", "trigger_event_id": foreign["id"]},
        )

    assert_error(response, 422, "invalid", "trigger_event_id")


def test_a_rule_with_no_version_in_force_is_refused(staff, proceeding, database):
    # Every shipped rule has a version for every date: move one out of reach.
    from tracker.deadlines.models import DeadlineRule

    with database.unit_of_work() as session:
        for row in session.query(DeadlineRule).filter_by(code="UA-CRIM-APPEAL"):
            row.valid_from = factories.dt.date(2030, 1, 1)
    event = factories.event(staff, proceeding["id"], "2023-06-22", kind="judgment")

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{proceeding['id']}/deadlines",
            {"rule": "UA-CRIM-APPEAL", "trigger_event_id": event["id"]},
        )

    body = assert_error(response, 422, "invalid", "rule")
    assert "no version in force on 2023-06-22" in body["message"]


def test_seeding_the_rules_twice_adds_nothing(database, frozen_now):
    actor = SystemActor("system:tests")
    with database.unit_of_work() as session:
        first = deadlines.seed_rules(session, actor, frozen_now)
    with database.unit_of_work() as session:
        second = deadlines.seed_rules(session, actor, frozen_now)
        codes = sorted({r.code for r in deadlines.list_rules(session)})

    assert first > 10
    assert second == 0
    assert codes == [
        "BE-CIV-APPEAL",
        "BE-CRIM-APPEAL",
        "BE-CRIM-CASSATION",
        "BE-CRIM-OPPOSITION",
        "ECHR-APPLICATION",
        "ECHR-RULE-39",
        "EU-EAW-DECISION",
        "EU-EAW-DECISION-CONSENT",
        "EU-EAW-DECISION-CONSENT-EXTENDED",
        "EU-EAW-DECISION-EXTENDED",
        "FR-CE-EXTRADITION",
        "FR-CPP-696-15",
        "IT-CRIM-APPEAL-15",
        "UA-CRIM-APPEAL",
        "UN-HRC-STATE-REPLY",
    ]
