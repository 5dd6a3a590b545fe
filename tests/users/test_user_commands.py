"""Users, feeds, flags and the outbox: what their commands take, and who may do what,
whoever asks (the operation decides: the API, the pages and the command line agree).

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import factories
import pytest

from tracker.calendar import operations as feeds
from tracker.calendar.schemas import FeedsOf, NewFeed
from tracker.core import clock
from tracker.core.actors import CLI
from tracker.core.errors import Forbidden, Invalid
from tracker.delays.schemas import Acknowledge
from tracker.notifications import outbox
from tracker.users import operations as users
from tracker.users.enums import Role
from tracker.users.models import User
from tracker.users.schemas import ActiveChange, NewUser, RoleChange, SettingsChanges


def test_a_new_user_carries_real_types():
    command = NewUser.parse({"email": " Ana@Example.ORG ", "role": "staff", "name": " Ana "})

    assert (command.email, command.role, command.name) == ("ana@example.org", Role.staff, "Ana")
    assert (command.timezone, command.password) == ("UTC", None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "ana", "role": "staff"}, "email", "'ana' is not an email address"),
        ({"email": "a@b.org", "role": "boss"}, "role", "'boss' is not a valid role"),
        ({"email": "a@b.org", "role": "staff", "timezone": "Mars/Base"}, "timezone", "Mars"),
        ({"email": "a@b.org", "role": "staff", "name": "x" * 201}, "name", "longer than 200"),
    ],
)
def test_a_new_user_is_refused_naming_the_field(data, field, message):
    with pytest.raises(Invalid) as refused:
        NewUser.parse(data)

    assert refused.value.field == field
    assert message in refused.value.message


def test_settings_refuse_a_bad_preference_naming_the_preferences():
    with pytest.raises(Invalid) as refused:
        SettingsChanges.parse({"version": 1, "preferences": {"digest_hour": 24}})

    assert refused.value.field == "preferences"
    assert SettingsChanges.parse({"version": 1, "name": None}).changes() == {"name": None}


def test_an_acknowledgement_needs_a_note():
    with pytest.raises(Invalid) as refused:
        Acknowledge.parse({"note": "   "})

    assert (refused.value.field, refused.value.message) == ("note", "note must not be empty")


@pytest.fixture
def people(database, frozen_now) -> dict[str, int]:
    return {
        role: factories.make_user(database, role, f"{role}@example.org")[0]
        for role in ("admin", "coordinator", "staff", "lawyer")
    }


def test_only_admins_administer_users_whoever_asks(database, people):
    with database.unit_of_work() as session:
        staff = session.get(User, people["staff"])
        lawyer = session.get(User, people["lawyer"])
        now = clock.now()
        with pytest.raises(Forbidden):
            users.create_user(
                session, staff, now, NewUser.parse({"email": "x@y.org", "role": "admin"})
            )
        with pytest.raises(Forbidden):
            users.set_role(session, staff, now, staff, RoleChange.parse({"role": "admin"}))
        with pytest.raises(Forbidden):
            users.set_active(session, staff, now, lawyer, ActiveChange.parse({"active": False}))
        with pytest.raises(Forbidden):
            users.set_password(session, staff, now, lawyer)
        with pytest.raises(Forbidden):
            users.update_settings(
                session, staff, now, lawyer, SettingsChanges.parse({"version": 1})
            )
        # the command line has no role: it may
        users.set_role(session, CLI, now, lawyer, RoleChange.parse({"role": "staff"}))
        assert lawyer.role is Role.staff


def test_only_admins_make_or_revoke_the_feeds_of_another_user(database, people):
    with database.unit_of_work() as session:
        coordinator = session.get(User, people["coordinator"])
        lawyer = session.get(User, people["lawyer"])
        admin = session.get(User, people["admin"])
        now = clock.now()
        with pytest.raises(Forbidden):
            feeds.create_feed(session, coordinator, now, lawyer, NewFeed.parse({}))
        # refused before the lookup: the same answer whether the address has an account
        for email in ("lawyer@example.org", "nobody@example.org"):
            with pytest.raises(Forbidden):
                feeds.revoke_feeds_of(session, coordinator, now, FeedsOf.parse({"email": email}))
        feeds.create_feed(session, admin, now, lawyer, NewFeed.parse({"name": "For Ana"}))
        owner, revoked = feeds.revoke_feeds_of(
            session, lawyer, now, FeedsOf.parse({"email": "LAWYER@example.org"})
        )
        assert (owner.id, [feed.name for feed in revoked]) == (lawyer.id, ["For Ana"])


def test_only_outbox_readers_resend_mail(database, people):
    with database.unit_of_work() as session:
        staff = session.get(User, people["staff"])
        with pytest.raises(Forbidden):
            outbox.resend(session, 1, clock.now(), actor=staff)
