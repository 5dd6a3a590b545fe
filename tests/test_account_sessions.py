"""The ways into an account, as its owner and an admin see and end them, through HTTP on
SQLite and PostgreSQL: sessions (each browser), API tokens and calendar feeds.

Every "it stops" is checked where it matters: the browser gets the sign-in page, the
token 401, the feed's address 404.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import factories
import pytest
import sqlalchemy as sa
from factories import SETUP, nothing_written
from pages import PASSWORD, Browser, make_user, sign_in, text

from tracker.calendar import operations as feeds
from tracker.calendar.schemas import NewFeed
from tracker.core import clock
from tracker.core.errors import Conflict
from tracker.models import ApiToken, SecondFactor, User, UserSession
from tracker.users import operations as users
from tracker.users import policy, sessions
from tracker.users.enums import FactorKind, Role
from tracker.users.schemas import NewToken

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


# --- helpers ------------------------------------------------------------------------------


def browser_of(app, database, user: User, *, user_agent: str = "", address: str = "") -> Browser:
    """`user` signed in on a browser of its own (its own client, cookie and session row)."""
    client = app.test_client()
    with database.unit_of_work() as db:
        raw = sessions.start(
            db,
            db.merge(user),
            clock.now(),
            sessions.Lifetimes(),
            user_agent=user_agent,
            address=address,
        )
    with client.session_transaction() as cookie:
        cookie["_user_id"] = raw
        cookie["_fresh"] = True
    return Browser(client, user)


def signed_in(browser: Browser) -> bool:
    return browser.get("/account").status_code == 200


def session_ids(database, user: User) -> list[int]:
    with database.sessionmaker() as db:
        return list(
            db.scalars(
                sa.select(UserSession.id).where(UserSession.user_id == user.id).order_by("id")
            )
        )


def give_token(database, user: User, **command) -> tuple[int, str]:
    with database.unit_of_work() as db:
        made, secret = users.create_token(
            db, SETUP, clock.now(), db.merge(user), NewToken.parse(command)
        )
        db.flush()
        return made.id, secret


def give_feed(database, user: User) -> str:
    """A live feed of the user's matters; returns the path of its address."""
    with database.unit_of_work() as db:
        _feed, secret = feeds.create_feed(
            db, SETUP, clock.now(), db.merge(user), NewFeed.parse({"scope": "mine"})
        )
    return f"/feeds/{secret}.ics"


def api_status(client, token: str, method: str = "GET", path: str = "/api/v1/me") -> int:
    return client.open(
        path, method=method, headers={"Authorization": f"Bearer {token}"}
    ).status_code


def entries(database, action: str) -> list[dict]:
    return [e for e in factories.audit_entries(database) if e["action"] == action]


def section(page: str, heading_id: str) -> str:
    """The <section> of the page labelled by this heading."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert found, heading_id
    return found.group(0)


def rows(fragment: str) -> list[str]:
    return re.findall(r"<tr[ >].*?</tr>", fragment, re.S)[1:]  # after the header row


@pytest.fixture
def me(app, database, frozen_now):
    user = make_user(database, "lawyer")
    return browser_of(app, database, user, user_agent=FIREFOX, address="10.0.0.1")


@pytest.fixture
def admin(client, database, frozen_now):
    return sign_in(client, database, "admin")


# --- your sessions ------------------------------------------------------------------------


def test_the_account_page_lists_my_live_sessions_and_marks_this_one(app, database, me):
    browser_of(app, database, me.user, user_agent=IPHONE, address="10.0.0.2")
    with clock.frozen(clock.now() - dt.timedelta(hours=13)):  # over by now
        browser_of(app, database, me.user, user_agent="Expired/1.0", address="10.0.0.3")
    browser_of(app, database, make_user(database, "staff"), user_agent="Someone/2.0")

    card = section(text(me.get("/account")), "sessions-title")

    listed = rows(card)
    assert len(listed) == 2
    assert "Firefox 132 on Linux" in listed[0] or "Firefox 132 on Linux" in listed[1]
    mine = next(row for row in listed if "Firefox 132 on Linux" in row)
    phone = next(row for row in listed if "Safari 17 on iOS" in row)
    assert ">this browser</span>" in mine
    assert "10.0.0.1" in mine
    assert ">this browser</span>" not in phone
    assert "10.0.0.2" in phone
    assert html.escape(IPHONE) in phone  # the whole header, on hover
    assert "/end" not in mine  # this browser signs out with "Sign out"
    assert "/end" in phone
    assert "Expired/1.0" not in card
    assert "Someone/2.0" not in card
    assert "Sign out everywhere else" in card


def test_ending_one_session_signs_that_browser_out_and_is_audited(app, database, me):
    phone = browser_of(app, database, me.user, user_agent=IPHONE)
    mine, theirs = session_ids(database, me.user)
    me.get("/account")

    response = me.post(f"/account/sessions/{theirs}/end")

    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(me)
    assert session_ids(database, me.user) == [mine]
    (entry,) = entries(database, "sessions_ended")
    assert (entry["entity"], entry["entity_id"], entry["actor"]) == (
        "users",
        me.user.id,
        me.user.email,
    )
    assert entry["after"] == {"sessions": 1, "by": "self", "tokens_revoked": 0, "feeds_revoked": 0}


def test_no_one_ends_another_user_s_session(app, database, me):
    other = browser_of(app, database, make_user(database, "staff"))
    (theirs,) = session_ids(database, other.user)
    me.get("/account")

    with nothing_written(database):
        assert me.post(f"/account/sessions/{theirs}/end").status_code == 404
        assert me.post("/account/sessions/99999999/end").status_code == 404

    assert signed_in(other)


def test_sign_out_everywhere_else_ends_the_others_and_keeps_this_one(app, database, me):
    others = [browser_of(app, database, me.user, user_agent=IPHONE) for _ in range(2)]
    _id, token = give_token(database, me.user)
    feed = give_feed(database, me.user)
    me.get("/account")

    response = me.post("/account/sessions/end-others")

    assert response.status_code == 302
    assert "2 other sessions ended" in text(me.get("/account"))
    assert signed_in(me)
    assert not any(signed_in(other) for other in others)
    assert len(session_ids(database, me.user)) == 1
    (entry,) = entries(database, "sessions_ended")
    assert entry["after"] == {"sessions": 2, "by": "self", "tokens_revoked": 0, "feeds_revoked": 0}
    # tokens and feeds are other secrets: they go on until revoked
    assert api_status(me.client, token) == 200
    assert me.client.get(feed).status_code == 200


def test_ending_sessions_needs_the_form_s_csrf_token(app, database, me):
    other = browser_of(app, database, me.user)
    (_mine, theirs) = session_ids(database, me.user)
    me.get("/account")

    with nothing_written(database):
        assert me.post("/account/sessions/end-others", csrf=False).status_code == 400
        assert me.post(f"/account/sessions/{theirs}/end", csrf=False).status_code == 400

    assert signed_in(other)


# --- your API tokens ----------------------------------------------------------------------

NEW_TOKEN = {
    "token-name": "backup script",
    "token-scope": "read",
    "token-expires_on": "2026-12-31",
    "token-password": PASSWORD,
}


def shown_token(response) -> str:
    found = re.search(r'id="api-token" value="([^"]+)"', text(response))
    assert found, text(response)
    return html.unescape(found.group(1))


def test_a_token_made_on_the_account_page_is_shown_once_and_works(database, me):
    me.get("/account")

    response = me.post("/account/tokens", NEW_TOKEN)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = shown_token(response)
    assert api_status(me.client, token) == 200
    assert api_status(me.client, token, "PATCH") == 403  # a read token
    page = text(me.get("/account"))
    assert token not in page
    (row,) = rows(section(page, "tokens-title"))
    assert "backup script" in row
    assert "read only" in row
    assert "live" in row
    assert "Thu 31 Dec 2026" not in row  # expires at the end of that day: the next midnight
    assert "Fri 1 Jan 2027 00:00" in row
    (entry,) = [e for e in entries(database, "create") if e["entity"] == "api_tokens"]
    assert entry["actor"] == me.user.email
    assert entry["after"]["scope"] == "read"


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"token-expires_on": "2026-11-21"}, "the last day it works, 2026-11-21, is over already"),
        ({"token-expires_on": "someday"}, "Not a valid date value."),
        ({"token-scope": "admin"}, "Not a valid choice."),
        ({"token-name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_a_bad_token_form_is_sent_back_and_nothing_is_written(database, me, sent, message):
    me.get("/account")

    with nothing_written(database):
        response = me.post("/account/tokens", NEW_TOKEN | sent)

    assert response.status_code == 422
    assert message in html.unescape(text(response))
    assert response.headers.get("Cache-Control") != "no-store"


def test_a_token_needs_the_password_typed_again_and_guesses_of_it_are_limited(database, me):
    """A stolen session cookie must neither make a token that outlives the session nor
    guess the password at will: 5 wrong tries in 15 minutes, then even the right one
    is refused unchecked."""
    me.get("/account")
    wrong = NEW_TOKEN | {"token-password": "not the password"}

    with nothing_written(database):
        statuses = [me.post("/account/tokens", wrong).status_code for _ in range(5)]
        refused = me.post("/account/tokens", NEW_TOKEN)

    assert statuses == [422] * 5
    assert refused.status_code == 429
    assert "Try again in 15 minutes" in html.unescape(text(refused))
    with clock.frozen(clock.now() + dt.timedelta(minutes=15)):
        assert me.post("/account/tokens", NEW_TOKEN).status_code == 200


def test_the_right_password_gives_its_place_back(database, me):
    me.get("/account")
    for _ in range(8):  # more than the limit: each right answer frees its place
        assert me.post("/account/tokens", NEW_TOKEN).status_code == 200
        me.get("/account")
    wrong = NEW_TOKEN | {"token-password": "not the password"}
    assert [me.post("/account/tokens", wrong).status_code for _ in range(6)] == [422] * 5 + [429]


def test_revoking_a_token_on_the_account_page_stops_it_at_once(database, me):
    token_id, token = give_token(database, me.user, name="laptop")
    other_id, other_token = give_token(database, make_user(database, "staff"))
    me.get("/account")

    with nothing_written(database):
        assert me.post(f"/account/tokens/{other_id}/revoke").status_code == 404
    assert api_status(me.client, other_token) == 200

    assert me.post(f"/account/tokens/{token_id}/revoke").status_code == 302

    assert api_status(me.client, token) == 401
    (row,) = rows(section(text(me.get("/account")), "tokens-title"))
    assert "laptop" in row
    assert "revoked" in row
    assert "/revoke" not in row
    (entry,) = entries(database, "revoke")
    assert entry["after"] == {"user": me.user.email, "name": "laptop"}


def test_the_card_counts_my_live_feeds_and_says_two_factors_do_not_cover_them(database, me):
    give_feed(database, me.user)
    with database.unit_of_work() as db:
        feeds.revoke_all(db, SETUP, clock.now(), db.merge(me.user))
    give_feed(database, me.user)
    give_feed(database, me.user)

    card = section(text(me.get("/account")), "tokens-title")

    assert "You have 2 live calendar feeds" in card
    assert 'href="/feeds"' in card
    assert "two-factor sign-in does not cover them" in card


# --- the admin's levers -------------------------------------------------------------------


def test_an_admin_ends_every_session_token_and_feed_of_a_user_at_once(app, database, admin):
    lawyer = make_user(database, "lawyer")
    laptop = browser_of(app, database, lawyer, user_agent=FIREFOX)
    phone = browser_of(app, database, lawyer, user_agent=IPHONE)
    tokens = [give_token(database, lawyer)[1] for _ in range(2)]
    revoked_id, _ = give_token(database, lawyer)
    with database.unit_of_work() as db:
        users.revoke_token(db, SETUP, clock.now(), revoked_id)
    feed = give_feed(database, lawyer)
    bystander = browser_of(app, database, make_user(database, "staff"))
    admin.get(f"/admin/users/{lawyer.id}")

    response = admin.post(f"/admin/users/{lawyer.id}/lock-out")

    assert response.status_code == 302
    assert "2 sessions ended, 2 API tokens and 1 calendar feed revoked" in text(
        admin.get(response.headers["Location"])
    )
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert [api_status(admin.client, token) for token in tokens] == [401, 401]
    assert admin.client.get(feed).status_code == 404
    assert signed_in(bystander)
    assert signed_in(admin)
    (entry,) = entries(database, "sessions_ended")
    assert (entry["entity_id"], entry["actor"]) == (lawyer.id, admin.user.email)
    assert entry["after"] == {"sessions": 2, "by": "admin", "tokens_revoked": 2, "feeds_revoked": 1}
    revoked = [(e["entity"], e["after"]["name"]) for e in entries(database, "revoke")]
    assert sorted(entity for entity, _name in revoked) == [
        "api_tokens",
        "api_tokens",
        "calendar_feeds",
    ]
    # the account stays: the password still signs in (deactivating is the other lever)
    assert Browser(app.test_client()).log_in(lawyer.email).status_code == 302


def test_the_lock_out_is_one_transaction(app, database, admin, monkeypatch):
    lawyer = make_user(database, "lawyer")
    laptop = browser_of(app, database, lawyer)
    _id, token = give_token(database, lawyer)
    give_feed(database, lawyer)
    admin.get(f"/admin/users/{lawyer.id}")

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away while revoking the feeds")

    monkeypatch.setattr(feeds, "revoke_all", broken)  # after the sessions and tokens
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with nothing_written(database):
        assert admin.post(f"/admin/users/{lawyer.id}/lock-out").status_code == 500

    assert signed_in(laptop)
    assert api_status(admin.client, token) == 200


def test_only_admins_pull_the_levers(app, database):
    coordinator = sign_in(app.test_client(), database, "coordinator")
    lawyer = make_user(database, "lawyer")
    laptop = browser_of(app, database, lawyer)
    coordinator.get("/account")

    with nothing_written(database):
        assert coordinator.post(f"/admin/users/{lawyer.id}/lock-out").status_code == 403
        assert coordinator.post("/admin/two-factor", {"roles": ["lawyer"]}).status_code == 403

    assert signed_in(laptop)


def test_the_user_page_shows_how_the_user_gets_in(app, database, admin):
    lawyer = make_user(database, "lawyer")
    browser_of(app, database, lawyer, address="10.9.8.7")
    give_token(database, lawyer, name="cron job", scope="read")

    card = section(text(admin.get(f"/admin/users/{lawyer.id}")), "signed-in-title")

    assert "1 live session" in card
    assert "10.9.8.7" in card
    assert "cron job — read only, live" in card
    assert "End all sessions, revoke tokens and feeds" in card


def two_factor_cell(page: str, email: str) -> str:
    row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if f">{email}</a>" in r)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[4]


def test_the_users_list_shows_who_has_a_second_factor_in_one_query(app, database, admin, queries):
    def enrol(user: User) -> None:
        with database.unit_of_work() as db:
            db.add(
                SecondFactor(
                    user_id=user.id, kind=FactorKind.totp, name="phone", created_at=clock.now()
                )
            )

    enrolled, bare = make_user(database, "lawyer"), make_user(database, "staff")
    enrol(enrolled)
    queries.clear()
    page = text(admin.get("/admin"))
    few = len(queries)

    assert "yes" in two_factor_cell(page, enrolled.email)
    assert "no" in two_factor_cell(page, bare.email)
    for _ in range(6):
        enrol(make_user(database, "lawyer"))
    queries.clear()
    admin.get("/admin")
    assert len(queries) == few


def test_an_admin_chooses_the_roles_that_must_use_two_factors(database, admin):
    admin.get("/admin")

    response = admin.post("/admin/two-factor", {"roles": ["lawyer", "staff"]})

    assert response.status_code == 302
    with database.sessionmaker() as db:
        assert policy.two_factor_roles(db) == {Role.lawyer, Role.staff}
    page = text(admin.get("/admin"))
    assert "Two factors are now required of: lawyer, staff." in page
    checked = re.findall(
        r'<input checked id="roles-\d" name="roles" type="checkbox" value="(\w+)"', page
    )
    assert checked == ["staff", "lawyer"]
    (entry,) = factories.audit_entries(database, "site_settings")
    assert entry["after"] == {"two_factor_roles": ["lawyer", "staff"]}

    assert admin.post("/admin/two-factor", {}).status_code == 302  # none ticked: nobody
    with database.sessionmaker() as db:
        assert policy.two_factor_roles(db) == frozenset()


def test_an_unknown_role_is_refused_and_nothing_is_written(database, admin):
    admin.get("/admin")

    with nothing_written(database):
        response = admin.post("/admin/two-factor", {"roles": ["lawyer", "judge"]})

    assert response.status_code == 422
    assert "is not a valid choice" in html.unescape(text(response))


# --- deactivation -------------------------------------------------------------------------


def test_deactivating_a_user_stops_their_sessions_tokens_and_feeds_at_once(app, database, admin):
    lawyer = make_user(database, "lawyer")
    laptop = browser_of(app, database, lawyer)
    _id, token = give_token(database, lawyer)
    feed = give_feed(database, lawyer)
    assert signed_in(laptop)
    assert api_status(laptop.client, token) == 200
    assert laptop.client.get(feed).status_code == 200
    admin.get(f"/admin/users/{lawyer.id}")

    assert admin.post(f"/admin/users/{lawyer.id}/deactivate", {"version": 1}).status_code == 302

    for path in ("/account", "/matters", "/feeds", "/"):
        assert laptop.get(path).status_code == 302, path
        assert "/login" in laptop.get(path).headers["Location"]
    assert api_status(laptop.client, token) == 401
    assert api_status(laptop.client, token, "POST", "/api/v1/matters") == 401
    hearing_file = laptop.client.get(
        "/hearings/1.ics", headers={"Authorization": f"Bearer {token}"}
    )
    assert hearing_file.status_code == 401
    answer = laptop.client.get(feed)
    assert (answer.status_code, text(answer)) == (404, "No such calendar feed.\n")
    assert Browser(app.test_client()).log_in(lawyer.email).status_code == 401
    assert session_ids(database, lawyer) == []

    # reactivated, the tokens and feeds work again; the sessions stay ended
    assert admin.post(f"/admin/users/{lawyer.id}/reactivate", {"version": 2}).status_code == 302
    assert api_status(laptop.client, token) == 200
    assert laptop.client.get(feed).status_code == 200
    assert not signed_in(laptop)


def test_a_deactivated_user_gets_no_new_token_or_feed_from_an_admin(database):
    lawyer = make_user(database, "lawyer", active=False)

    with nothing_written(database):
        with pytest.raises(Conflict, match="is deactivated"):
            give_token(database, lawyer)
        with pytest.raises(Conflict, match="is deactivated"):
            give_feed(database, lawyer)
    with database.sessionmaker() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
