"""One's notification settings on /account (the same command as `PATCH /api/v1/me`), and
a sign-in that leaves the account's version alone."""

from __future__ import annotations

import html
import re

import factories
import pytest
from pages import Browser, make_user, put_session, sign_in, text

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


# --- reminders and digest on /account -------------------------------------------------------

ALERTS = {
    "alerts-hearing_reminders": "y",
    "alerts-hearing_offsets": "14, 7, 2, 1",
    "alerts-deadline_reminders": "y",
    "alerts-deadline_offsets": "7, 3, 1",
    "alerts-digest": "y",
    "alerts-digest_hour": "7",
    "alerts-outcome_prompts": "y",
}


def field_errors(page: str, field_id: str) -> list[str]:
    """The error messages shown next to one field."""
    found = re.search(rf'<div class="help" id="{field_id}-help">(.*?)</div>', page, re.S)
    if found is None:
        return []
    return [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', found.group(1))]


def alerts_of(database, user_id: int) -> dict:
    with database.sessionmaker() as session:
        return session.get(User, user_id).preferences


def test_the_account_page_shows_the_settings_the_api_shows(client, database, frozen_now):
    browser = sign_in(client, database, "coordinator")
    page = text(browser.get("/account"))

    assert 'name="alerts-hearing_offsets" type="text" value="14, 7, 2, 1"' in page
    assert '<option selected value="7">07:00</option>' in page
    assert 'name="alerts-version" type="hidden" value="1"' in page


def test_reminders_and_the_digest_hour_are_saved_and_audited(client, database, frozen_now):
    browser = sign_in(client, database, "coordinator")
    browser.get("/account")

    changes = {"alerts-deadline_offsets": "10, 1", "alerts-digest_hour": "18"}
    response = browser.post("/account/alerts", ALERTS | changes | {"alerts-version": "1"})

    assert response.status_code == 302
    # only what changed is stored: the rest keeps following the defaults
    assert alerts_of(database, browser.user.id) == {"deadline_offsets": [10, 1], "digest_hour": 18}
    [entry] = [e for e in factories.audit_entries(database, "users") if e["action"] == "update"]
    assert entry["after"]["preferences"] == {"deadline_offsets": [10, 1], "digest_hour": 18}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"alerts-hearing_offsets": "14, 90"}, "alerts-hearing_offsets",
         "the days before a hearing: each must be a whole number of days from 1 to 60"),
        ({"alerts-deadline_offsets": "a week"}, "alerts-deadline_offsets",
         "write whole numbers of days, separated by commas (e.g. 7, 3, 1)"),
        ({"alerts-digest_hour": "24"}, "alerts-digest_hour",
         "the digest's hour must be an hour from 0 to 23"),
    ],
)  # fmt: skip
def test_a_wrong_reminder_setting_is_refused_in_words(
    client, database, frozen_now, changes, field, message
):
    browser = sign_in(client, database, "lawyer")
    browser.get("/account")

    with factories.nothing_written(database):
        response = browser.post("/account/alerts", ALERTS | changes | {"alerts-version": "1"})

    assert response.status_code == 422
    assert message in field_errors(text(response), field)


def test_an_unknown_zone_is_refused_in_words(client, database, frozen_now):
    browser = sign_in(client, database)
    browser.get("/account")

    with factories.nothing_written(database):
        response = browser.post(
            "/account", {"settings-name": "Ana", "settings-timezone": "Mars/Base"}
        )

    assert response.status_code == 422
    assert field_errors(text(response), "settings-timezone") == [
        "'Mars/Base' is not an IANA time zone (e.g. Europe/Brussels)"
    ]


def test_a_stale_form_is_refused_and_keeps_what_was_typed(client, database, lawyer):
    user, api = lawyer
    browser = Browser(client, user)
    put_session(client, database, user)
    browser.get("/account")  # the page shows version 1
    factories.ok(api.patch("/me", {"version": 1, "preferences": {"digest_hour": 9}}))

    with factories.nothing_written(database):
        stale = browser.post(
            "/account/alerts", ALERTS | {"alerts-hearing_offsets": "3", "alerts-version": "1"}
        )
    again = browser.post(
        "/account/alerts", ALERTS | {"alerts-hearing_offsets": "3", "alerts-version": "2"}
    )

    page = text(stale)
    assert stale.status_code == 409
    assert "Your account was changed elsewhere" in html.unescape(page)
    assert 'name="alerts-hearing_offsets" type="text" value="3"' in page  # nothing lost
    assert 'name="alerts-version" type="hidden" value="2"' in page
    assert again.status_code == 302
    assert alerts_of(database, user.id)["hearing_offsets"] == [3]
