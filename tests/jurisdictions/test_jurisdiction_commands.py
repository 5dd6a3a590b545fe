"""Jurisdictions, calendars and deadline rules: what their commands take, and who may write
them, whoever calls (the operations decide: the API, the pages and the command line agree).

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.core import clock
from tracker.core.errors import Forbidden, Invalid
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import DeadlineChanges, NewRule, RuleChanges
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.schemas import NewJurisdiction, NewVacation
from tracker.models import Jurisdiction, User

RULE = {
    "code": " be-test ",
    "jurisdiction": "be",
    "title": "A test period",
    "trigger_kind": "judgment",
    "amount": 10,
    "unit": "days",
    "end_shift": "next_working_day",
    "blocking_days": "weekends_and_holidays",
    "vacation_policy": "ignore",
}
VACATION = {
    "name": "summer",
    "effect": "suspend",
    "start_month": 8,
    "start_day": 1,
    "end_month": 8,
    "end_day": 31,
}


# --- commands -----------------------------------------------------------------------------


def test_a_jurisdiction_code_is_read_once_trimmed_and_in_capitals():
    command = NewJurisdiction.parse({"code": " echr ", "name": " ECHR ", "timezone": "UTC"})

    assert (command.code, command.name, command.holiday_country) == ("ECHR", "ECHR", None)
    assert NewRule.parse(RULE).jurisdiction == "BE"


def test_a_rule_command_has_real_types():
    command = NewRule.parse(RULE | {"valid_from": "2020-01-01"})

    assert command.code == "BE-TEST"
    assert (command.unit.value, command.valid_from) == ("days", dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": 0}, "amount", "amount must be a whole number from 1 to 3650"),
        ({"amount": True}, "amount", "amount must be a whole number from 1 to 3650"),
        ({"amount": "10"}, "amount", "amount must be a whole number from 1 to 3650"),
        ({"code": "be test"}, "code", "'BE TEST' is not a rule code"),
        ({"jurisdiction": "b"}, "jurisdiction", "'B' is not a jurisdiction code"),
        (
            {"unit": "weeks"},
            "unit",
            "'weeks' is not a valid unit (days, working_days, working_hours, months)",
        ),
        ({"valid_to": "2026-02-30"}, "valid_to", None),
        ({"source": "s" * 2001}, "source", "source is longer than 2000 characters"),
    ],
)
def test_a_wrong_rule_command_names_its_field(change, field, message):
    with pytest.raises(Invalid) as refused:
        NewRule.parse(RULE | change)

    assert refused.value.field == field
    assert message is None or refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_month": 0}, "start_month", "choose a month"),
        ({"end_month": None}, "end_month", "choose a month"),
        ({"start_day": 32}, "start_day", "give a day from 1 to 31"),
        ({"extend_to_day": "15"}, "extend_to_day", "give a day from 1 to 31"),
        (
            {"effect": "postpone"},
            "effect",
            "'postpone' is not a valid effect (extend, suspend, closed)",
        ),
    ],
)
def test_a_wrong_vacation_command_names_its_field(change, field, message):
    with pytest.raises(Invalid) as refused:
        NewVacation.parse(VACATION | change)

    assert (refused.value.field, refused.value.message) == (field, message)


def test_a_patch_changes_only_what_it_sends_and_null_clears_only_what_it_may():
    assert DeadlineChanges.parse({"version": 1, "due_on": "2026-12-01"}).changes() == {
        "due_on": dt.date(2026, 12, 1)
    }
    assert RuleChanges.parse({"version": 1, "source": None}).changes() == {"source": None}
    with pytest.raises(Invalid, match="title cannot be null"):
        RuleChanges.parse({"version": 1, "title": None})


# --- who may write ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "staff", "lawyer"])
def test_only_admins_change_jurisdictions_calendars_and_rules_whoever_calls(
    database, frozen_now, role
):
    belgium = factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels", "BE")
    user_id, _email, _token = factories.make_user(database, role)
    now = clock.now()

    with nothing_written(database), database.sessionmaker() as session:
        caller = session.get(User, user_id)
        found = session.get(Jurisdiction, belgium)
        writes = [
            lambda: jurisdictions.create_jurisdiction(
                session,
                caller,
                now,
                NewJurisdiction.parse({"code": "FR", "name": "France", "timezone": "UTC"}),
            ),
            lambda: jurisdictions.add_vacation(
                session, caller, now, found, NewVacation.parse(VACATION)
            ),
            lambda: deadlines.create_rule(session, caller, now, NewRule.parse(RULE)),
        ]
        for write in writes:
            with pytest.raises(Forbidden):
                write()


def test_an_admin_and_a_system_actor_change_them(database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels", "BE")
    admin_id, _email, _token = factories.make_user(database, "admin")

    with database.unit_of_work() as session:
        admin = session.get(User, admin_id)
        made = deadlines.create_rule(session, admin, clock.now(), NewRule.parse(RULE))
        other = NewRule.parse(RULE | {"code": "BE-OTHER"})
        deadlines.create_rule(session, factories.SETUP, clock.now(), other)
        session.flush()
        assert made.code == "BE-TEST"


# --- the list's query ---------------------------------------------------------------------


def test_an_unknown_parameter_of_the_jurisdictions_list_is_refused(client, database, frozen_now):
    caller = factories.login(client, database, "staff")

    error = assert_error(caller.get("/jurisdictions?code=BE"), 422, "invalid", "code")

    assert "unknown field" in error["message"]
    assert caller.get("/jurisdictions").status_code == 200


def test_a_jurisdiction_found_by_code_is_forgotten_with_its_rolled_back_creation(
    database, frozen_now
):
    """`by_code` keeps what it found for the session: not past the savepoint that made it."""
    with database.sessionmaker() as session:
        command = NewJurisdiction.parse({"code": "XK", "name": "Kosovo", "timezone": "CET"})
        savepoint = session.begin_nested()
        made = jurisdictions.create_jurisdiction(session, factories.SETUP, clock.now(), command)
        assert jurisdictions.by_code(session, " xk ") is made
        savepoint.rollback()

        with pytest.raises(Invalid, match="no jurisdiction with code 'XK'"):
            jurisdictions.by_code(session, "XK")
