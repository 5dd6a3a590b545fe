"""Judicial vacations as operations: what is refused, and which deadlines a change would move."""

from __future__ import annotations

import datetime as dt

import factories
import pytest

from tracker.core import clock
from tracker.core.errors import Invalid, StaleVersion
from tracker.deadlines import operations as deadlines
from tracker.deadlines import queries as deadline_queries
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import JudicialVacation
from tracker.jurisdictions.schemas import ChangedVacation, NewVacation
from tracker.models import Jurisdiction

SUMMER = {
    "name": "summer",
    "effect": "extend",
    "start_month": 7,
    "start_day": 1,
    "end_month": 8,
    "end_day": 31,
    "extend_to_month": 9,
    "extend_to_day": 15,
}


@pytest.fixture
def belgium(database, frozen_now) -> int:
    """BE with the shipped rules, and no vacation yet."""
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, factories.SETUP, clock.now())
        found = jurisdictions.by_code(session, "BE")
        found.vacations.clear()
        return found.id


def add(database, jurisdiction_id: int, **data):
    with database.unit_of_work() as session:
        found = session.get(Jurisdiction, jurisdiction_id)
        command = NewVacation.parse(data)
        made = jurisdictions.add_vacation(session, factories.SETUP, clock.now(), found, command)
        session.flush()
        return made.id


def moved(database, jurisdiction_id: int) -> dict[int, tuple[dt.date, dt.date | None]]:
    with database.sessionmaker() as session:
        found = session.get(Jurisdiction, jurisdiction_id)
        return {
            m.deadline.id: (m.was, m.would_be)
            for m in deadline_queries.deadlines_moved(session, found)
        }


def test_a_suspension_keeps_no_day_to_extend_to(database, belgium):
    made = add(database, belgium, **SUMMER | {"effect": "suspend"})

    with database.sessionmaker() as session:
        [row] = session.get(Jurisdiction, belgium).vacations
        assert (row.id, row.effect.value, row.extend_to_month, row.extend_to_day) == (
            made,
            "suspend",
            None,
            None,
        )


@pytest.mark.parametrize(
    "period",
    [
        {"start_month": 9, "start_day": 1, "end_month": 9, "end_day": 14},  # the day after
        {"start_month": 2, "start_day": 28, "end_month": 3, "end_day": 1},  # around 29 Feb
        {"start_month": 1, "start_day": 1, "end_month": 6, "end_day": 30},  # the day before
    ],
)
def test_periods_that_touch_without_sharing_a_day_are_accepted(database, belgium, period):
    add(database, belgium, **SUMMER)

    add(database, belgium, **SUMMER | period | {"name": "other", "effect": "suspend"})


def update(database, jurisdiction_id: int, vacation_id: int, version: int, **data) -> None:
    with database.unit_of_work() as session:
        row = jurisdictions.get_vacation(
            session, session.get(Jurisdiction, jurisdiction_id), vacation_id
        )
        jurisdictions.update_vacation(
            session,
            factories.SETUP,
            clock.now(),
            row,
            ChangedVacation.parse(data | {"version": version}),
        )


def test_an_edited_vacation_keeps_its_own_days_but_cannot_take_another_s(database, belgium):
    summer = add(database, belgium, **SUMMER)
    spring = SUMMER | {"name": "spring", "start_month": 4, "end_month": 4, "end_day": 30}
    spring_id = add(database, belgium, **spring | {"extend_to_month": 5, "extend_to_day": 2})

    update(database, belgium, summer, 1, **SUMMER | {"end_day": 30})

    with pytest.raises(Invalid) as refused:
        update(database, belgium, spring_id, 1, **SUMMER | {"name": "spring"})
    assert refused.value.field == "start_month"
    with pytest.raises(StaleVersion):
        update(database, belgium, summer, 1, **SUMMER)


def test_only_open_computed_deadlines_of_the_jurisdiction_are_reviewed(client, database, belgium):
    api = factories.login(client, database, "staff")
    _matter, proceeding = factories.dossier(api)

    def computed(rule: str, day: str) -> dict:
        event = factories.event(api, proceeding["id"], day, kind="service")
        body = {"rule": rule, "trigger_event_id": event["id"]}
        return factories.created(api.post(f"/proceedings/{proceeding['id']}/deadlines", body))

    kept, done, overridden = (computed("BE-CIV-APPEAL", "2026-07-10") for _ in range(3))
    by_hand = factories.deadline(api, proceeding["id"], "2026-08-10")
    factories.ok(api.patch(f"/deadlines/{done['id']}", {"version": 1, "status": "done"}))
    factories.ok(
        api.patch(f"/deadlines/{overridden['id']}", {"version": 1, "due_on": "2026-08-20"})
    )
    assert moved(database, belgium) == {}

    add(database, belgium, **SUMMER)

    summer = (dt.date(2026, 8, 10), dt.date(2026, 9, 15))
    assert moved(database, belgium) == {kept["id"]: summer, overridden["id"]: summer}
    assert by_hand["id"] not in moved(database, belgium)
    with database.sessionmaker() as session:  # another jurisdiction's calendar moves nothing here
        italy = jurisdictions.by_code(session, "IT")
        assert deadline_queries.deadlines_moved(session, italy) == []


def test_suspensions_that_would_stop_time_for_the_whole_year_are_refused(database, belgium):
    add(
        database,
        belgium,
        **SUMMER | {"effect": "suspend", "start_month": 1, "end_month": 6, "end_day": 30},
    )
    second_half = SUMMER | {"name": "rest", "effect": "suspend", "end_month": 12}

    with pytest.raises(Invalid) as refused:
        add(database, belgium, **second_half)

    assert refused.value.field == "start_month"
    add(database, belgium, **second_half | {"end_day": 30})  # 31 December: time runs


def test_a_calendar_with_no_day_to_end_on_is_listed_without_a_date(client, database, belgium):
    api = factories.login(client, database, "staff")
    _matter, proceeding = factories.dossier(api)
    event = factories.event(api, proceeding["id"], "2026-07-10", kind="service")
    body = {"rule": "BE-CIV-APPEAL", "trigger_event_id": event["id"]}
    made = factories.created(api.post(f"/proceedings/{proceeding['id']}/deadlines", body))
    with database.unit_of_work() as session:  # stored without the operation's check
        session.add(
            JudicialVacation(
                jurisdiction_id=belgium,
                name="always",
                effect="suspend",
                start_month=1,
                start_day=1,
                end_month=12,
                end_day=31,
            )
        )

    assert moved(database, belgium) == {made["id"]: (dt.date(2026, 8, 10), None)}


def test_seeding_again_does_not_bring_back_a_shipped_vacation_an_admin_removed(
    database, frozen_now
):
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, factories.SETUP, clock.now())
    with database.unit_of_work() as session:
        belgium = jurisdictions.by_code(session, "BE")
        [shipped] = belgium.vacations
        jurisdictions.remove_vacation(
            session, factories.SETUP, clock.now(), shipped, version=shipped.version
        )

    with database.unit_of_work() as session:  # `tracker db upgrade` again
        assert deadlines.seed_rules(session, factories.SETUP, clock.now()) == 0

    with database.sessionmaker() as session:
        assert jurisdictions.by_code(session, "BE").vacations == []
        assert len(jurisdictions.by_code(session, "IT").vacations) == 1
