"""Matters, proceedings and events: what their commands take, and who may open a matter,
whoever asks (the operation decides: the API, the pages and the command line agree).

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.dates import Precision
from tracker.core.errors import Forbidden, Invalid
from tracker.matters import operations
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus
from tracker.matters.schemas import (
    EventChanges,
    MatterQuery,
    NewEvent,
    NewMatter,
    NewProceeding,
    ProceedingChanges,
    ProceedingQuery,
    TimelineOut,
)
from tracker.models import Matter, User

PROCEEDING = {
    "matter_id": 1,
    "jurisdiction": "be",
    "kind": "extradition_request",
    "title": " Extradition ",
    "client_role": "requested_person",
}


def test_a_new_proceeding_carries_real_types():
    command = NewProceeding.parse(
        PROCEEDING | {"opened_on": "2024-03", "closed_on": "2024-05-02", "reference": ""}
    )

    assert command.kind is ProceedingKind.extradition_request
    assert command.client_role is ClientRole.requested_person
    assert command.status is ProceedingStatus.pending
    assert (command.opened_on.value, command.opened_on.precision) == (
        dt.date(2024, 3, 1),
        Precision.month,
    )
    assert (command.closed_on.value, command.closed_on.precision) == (
        dt.date(2024, 5, 2),
        Precision.day,
    )
    assert (command.title, command.reference, command.parent_id) == ("Extradition", "", None)


def test_a_form_may_give_the_dates_it_parsed_already():
    command = NewEvent.parse({"kind": "Judgment", "occurred_on": dt.date(2024, 3, 5)})

    assert (command.kind, command.occurred_on.value) == ("judgment", dt.date(2024, 3, 5))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "two words"}, "kind"),
        ({"kind": "k" * 65}, "kind"),
        ({"occurred_on": "2023-02-29"}, "occurred_on"),
        ({"occurred_on": "1899-12"}, "occurred_on"),
        ({"precision": "week"}, "precision"),
        ({"source": "s" * 2001}, "source"),
    ],
)
def test_an_event_command_names_the_field_it_refuses(data, field):
    with pytest.raises(Invalid) as refused:
        NewEvent.parse({"kind": "judgment", "occurred_on": "2023-05-02"} | data)

    assert refused.value.field == field


def test_a_patch_knows_what_was_sent_and_clears_only_what_null_may_clear():
    changes = ProceedingChanges.parse({"version": 3, "authority": None, "precision": "year"})

    assert changes.changes() == {"authority": None, "precision": Precision.year}
    assert not changes.sent("opened_on")
    for field in ("title", "kind", "status", "precision", "jurisdiction"):
        with pytest.raises(Invalid, match="cannot be null") as refused:
            ProceedingChanges.parse({"version": 3, field: None})
        assert refused.value.field == field
    assert EventChanges.parse({"version": 1, "source": None}).changes() == {"source": None}


def test_the_list_filters_are_typed_and_closed():
    assert ProceedingQuery.model_validate({"matter_id": "7", "jurisdiction": "kz"}).matter_id == 7
    with pytest.raises(ValueError, match="matter_id"):
        ProceedingQuery.model_validate({"matter_id": "0"})
    with pytest.raises(ValueError, match="page"):
        MatterQuery.model_validate({"page": "2"})


def test_the_timeline_answer_is_described_by_its_model(staff):
    matter, made = factories.dossier(staff)
    factories.event(staff, made["id"], "2016-11")
    hearing = factories.hearing(staff, made["id"], "2026-12-01T09:30")
    factories.postpone(staff, hearing["id"], "2026-12-08T09:30", decided_on="2026-11-20")
    factories.deadline(staff, made["id"], "2026-12-15")

    answer = factories.ok(staff.get(f"/matters/{matter['id']}/timeline"))
    read = TimelineOut.model_validate(answer)

    assert [item.type for item in read.items] == [
        "proceeding",
        "event",
        "postponement",
        "hearing",
        "deadline",
    ]
    assert read.model_dump(mode="json", by_alias=True) == answer
    assert [list(item)[:2] for item in answer["items"]] == [["type", "date"]] * 5


# --- who may open a matter ----------------------------------------------------------------


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "staff", "staff@example.org")


def test_a_lawyer_may_not_open_a_matter_whoever_calls_the_operation(client, database):
    lawyer = factories.login(client, database, "lawyer")

    with nothing_written(database), database.sessionmaker() as session:
        actor = session.get(User, lawyer.user_id)
        with pytest.raises(Forbidden, match="may not create matters"):
            operations.create_matter(session, actor, clock.now(), NewMatter.parse({"title": "M"}))


def test_the_api_refuses_a_lawyer_a_matter_as_the_page_does(client, database):
    lawyer = factories.login(client, database, "lawyer")

    with nothing_written(database):
        response = lawyer.post("/matters", {"title": "Mine"})

    assert_error(response, 403, "forbidden")


def test_the_command_line_and_the_system_may_open_a_matter(database):
    with database.unit_of_work() as session:
        command = NewMatter.parse({"title": "Imported", "subject": " ", "assignees": []})
        made = operations.create_matter(session, SystemActor("system:tests"), clock.now(), command)
        session.flush()
        assert (made.title, made.subject) == ("Imported", None)
    with database.sessionmaker() as session:
        assert session.get(Matter, made.id) is not None
