"""One's notification settings on /account (the same command as `PATCH /api/v1/me`), and
a sign-in that leaves the account's version alone."""

from __future__ import annotations

import factories
import pytest
from pages import Browser, make_user

from tracker.core import clock
from tracker.models import User
from tracker.users import operations as users
from tracker.users.schemas import NewToken


@pytest.fixture
def lawyer(client, database, frozen_now):
    """A lawyer with a password and an API token."""
    user = make_user(database, "lawyer")
    with database.unit_of_work() as session:
        _made, token = users.create_token(
            session, factories.SETUP, clock.now(), session.get(User, user.id), NewToken()
        )
    return user, factories.Api(client, token, user.email, user.id)


def test_signing_in_does_not_change_the_accounts_version(client, database, lawyer):
    user, api = lawyer
    read = factories.ok(api.get("/me"))

    signed_in = Browser(client).log_in(user.email)
    saved = api.patch("/me", {"version": read["version"], "preferences": {"digest_hour": 9}})

    assert signed_in.status_code == 302
    assert factories.ok(saved)["preferences"]["digest_hour"] == 9
    with database.sessionmaker() as session:  # the sign-in is still noted
        assert session.get(User, user.id).last_login_at == clock.now()
