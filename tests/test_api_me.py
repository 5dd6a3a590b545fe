"""JSON API: the caller's own account and notification settings."""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.models import User
from tracker.users.enums import Role


@pytest.fixture
def lawyer(client, database, frozen_now):
    return factories.login(client, database, "lawyer", "lawyer@example.org")


def test_the_defaults_are_shown(lawyer):
    me = factories.ok(lawyer.get("/me"))

    assert (me["email"], me["role"], me["timezone"]) == ("lawyer@example.org", "lawyer", "UTC")
    assert me["preferences"] == {
        "hearing_reminders": True,
        "deadline_reminders": True,
        "digest": True,
        "digest_hour": 7,
        "outcome_prompts": True,
        "hearing_offsets": [14, 7, 2, 1],
        "deadline_offsets": [7, 3, 1],
        "discreet_mail": True,  # a lawyer's default
    }


def test_discreet_mail_is_off_by_default_for_other_roles(client, database, frozen_now):
    for role in ("coordinator", "staff", "admin"):
        me = factories.ok(factories.login(client, database, role).get("/me"))
        assert me["preferences"]["discreet_mail"] is False, role


def test_a_lawyer_whose_settings_predate_discreet_mail_has_it_on(lawyer, database):
    with database.unit_of_work() as session:  # settings stored before the key existed
        session.get(User, lawyer.user_id).preferences = {"digest_hour": 9}

    me = factories.ok(lawyer.get("/me"))

    assert me["preferences"]["digest_hour"] == 9
    assert me["preferences"]["discreet_mail"] is True


def test_discreet_mail_is_toggled_and_the_choice_outlives_a_change_of_role(lawyer, database):
    off = factories.ok(lawyer.patch("/me", {"version": 1, "preferences": {"discreet_mail": False}}))
    with database.unit_of_work() as session:
        session.get(User, lawyer.user_id).role = Role.coordinator
    still_off = factories.ok(lawyer.get("/me"))
    on = factories.ok(
        lawyer.patch(
            "/me", {"version": still_off["version"], "preferences": {"discreet_mail": True}}
        )
    )

    assert off["preferences"]["discreet_mail"] is False
    assert still_off["preferences"]["discreet_mail"] is False
    assert on["preferences"]["discreet_mail"] is True
    assert factories.ok(lawyer.get("/me"))["preferences"]["discreet_mail"] is True


def test_a_user_who_never_chose_follows_the_default_of_a_new_role(client, database, frozen_now):
    api = factories.login(client, database, "coordinator")
    before = factories.ok(api.get("/me"))["preferences"]["discreet_mail"]
    with database.unit_of_work() as session:
        session.get(User, api.user_id).role = Role.lawyer

    assert (before, factories.ok(api.get("/me"))["preferences"]["discreet_mail"]) == (False, True)


def test_settings_are_merged_and_audited(lawyer, database):
    first = factories.ok(
        lawyer.patch(
            "/me", {"version": 1, "timezone": "Europe/Brussels", "preferences": {"digest_hour": 18}}
        )
    )
    second = factories.ok(
        lawyer.patch(
            "/me", {"version": first["version"], "preferences": {"hearing_offsets": [3, 1]}}
        )
    )

    assert second["timezone"] == "Europe/Brussels"
    assert second["preferences"]["digest_hour"] == 18  # kept from the first change
    assert second["preferences"]["hearing_offsets"] == [3, 1]
    entry = factories.audit_entries(database, "users")[-1]
    assert entry["actor"] == "lawyer@example.org"
    assert "password_hash" not in entry["before"] | entry["after"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"preferences": {"digest_hour": 24}}, "preferences"),
        ({"preferences": {"digest_hour": True}}, "preferences"),
        ({"preferences": {"hearing_offsets": [0]}}, "preferences"),
        ({"preferences": {"hearing_offsets": "14,7"}}, "preferences"),
        ({"preferences": {"digest": "yes"}}, "preferences"),
        ({"preferences": {"discreet_mail": "on"}}, "preferences"),
        ({"preferences": {"discreet_mail": 0}}, "preferences"),
        ({"preferences": {"sms": True}}, "preferences"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(lawyer, database, change, field):
    with nothing_written(database):
        response = lawyer.patch("/me", {"version": 1} | change)

    assert_error(response, 422, "invalid", field)


def test_a_stale_settings_change_is_refused(lawyer, database):
    factories.ok(lawyer.patch("/me", {"version": 1, "name": "Ana"}))

    with nothing_written(database):
        response = lawyer.patch("/me", {"version": 1, "name": "Bea"})

    assert_error(response, 409, "stale_version", "version")
