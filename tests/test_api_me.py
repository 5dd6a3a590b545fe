"""JSON API: the caller's own account and notification settings."""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written


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
    }


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
