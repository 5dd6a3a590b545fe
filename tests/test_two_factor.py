"""Two-factor sign-in through HTTP: enrolling an authenticator app, the second step after
the password (its rate limit, its single-use codes, recovery codes), removing a factor,
an admin's rule that a role must use two factors, and the audit log of it all.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC; codes are computed by pyotp
at that instant, as the user's phone would.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import replace

import factories
import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pages import PASSWORD, Browser, make_user, sign_in, text

from tracker.cli import main
from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.models import AuditEntry, RecoveryCode, SecondFactor, User, UserSession
from tracker.users import factors, login, policy, sessions
from tracker.users import operations as users
from tracker.users.enums import FactorKind, Role
from tracker.users.schemas import NewToken

STEP = dt.timedelta(seconds=30)
ADMIN = SystemActor("system:tests")
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture(autouse=True)
def _frozen(frozen_now):
    return frozen_now


def code(secret: str, at: dt.datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or clock.now())


def enrol_app(browser: Browser, name: str = "Phone") -> tuple[str, list[str]]:
    """Add an authenticator app on the security page; its secret and the codes shown."""
    secret = _SECRET.search(text(browser.get("/account/security"))).group(1)
    response = browser.post("/account/security/apps", {"app-name": name, "app-code": code(secret)})
    assert response.status_code in (200, 302), text(response)
    return secret, _CODES.findall(text(response))


def with_app(client, database, role: str = "staff") -> tuple[User, str, list[str]]:
    """A user with an authenticator app (enrolled, then signed out): user, secret, codes."""
    browser = sign_in(client, database, role)
    secret, codes = enrol_app(browser)
    assert browser.post("/logout").status_code == 302
    return browser.user, secret, codes


def password_step(client, user: User) -> Browser:
    """A browser past the password, on the second step's page."""
    browser = Browser(client)
    response = browser.log_in(user.email, query_string={"next": "/account"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/verify"
    assert browser.get("/login/verify").status_code == 200
    return browser


def actions(database) -> list[tuple[str, dict | None]]:
    """The audit log's entries about accounts (users, second factors), oldest first."""
    query = (
        sa.select(AuditEntry.action, AuditEntry.after)
        .where(AuditEntry.entity.in_(["users", "second_factors"]))
        .order_by(AuditEntry.id)
    )
    with database.sessionmaker() as session:
        return [(action, after) for action, after in session.execute(query)]


def rows(database, model, **where) -> list:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(model).filter_by(**where)))


def require_two_factors(database, *roles: Role) -> None:
    with database.unit_of_work() as session:
        policy.set_two_factor_roles(session, ADMIN, clock.now(), frozenset(roles))


# --- enrolling an authenticator app ---------------------------------------------------------


def test_the_security_page_shows_the_secret_and_a_qr_code_drawn_here(client, database):
    browser = sign_in(client, database)

    response = browser.get("/account/security")

    page = text(response)
    secret = _SECRET.search(page).group(1)
    assert len(secret) == 32
    assert '<svg width="' in page
    assert 'class="qr"' in page
    assert "<img" not in page
    assert response.headers["Cache-Control"] == "no-store"
    # the secret is kept by the page until a code confirms it: nothing stored yet
    assert rows(database, SecondFactor) == []
    # the same secret until the app is added
    assert _SECRET.search(text(browser.get("/account/security"))).group(1) == secret


def test_an_app_is_added_with_a_code_it_shows_and_ten_recovery_codes_are_shown_once(
    client, database
):
    browser = sign_in(client, database)
    secret = _SECRET.search(text(browser.get("/account/security"))).group(1)

    wrong = browser.post("/account/security/apps", {"app-name": "Phone", "app-code": "000000"})
    assert wrong.status_code == 422
    assert "this code does not match" in text(wrong)
    assert rows(database, SecondFactor) == []

    added = browser.post("/account/security/apps", {"app-name": "Phone", "app-code": code(secret)})

    assert added.status_code == 200
    assert added.headers["Cache-Control"] == "no-store"
    codes = _CODES.findall(text(added))
    assert len(codes) == len(set(codes)) == factors.RECOVERY_CODES
    [factor] = rows(database, SecondFactor)
    assert (factor.kind.value, factor.name, factor.totp_secret) == ("totp", "Phone", secret)
    stored = {r.code_hash for r in rows(database, RecoveryCode)}
    assert len(stored) == 10
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)
    # shown once: the page shows a count afterwards
    later = text(browser.get("/account/security"))
    assert not _CODES.search(later)
    assert "10 of 10 recovery codes unused" in later
    assert secret not in later  # a new set-up is offered with a new secret
    assert "On: 1 authenticator app; 10 recovery codes left." in text(browser.get("/account"))
    assert [a for a, _ in actions(database)] == ["factor_enrolled", "recovery_codes_generated"]
    assert actions(database)[0][1] == {"kind": "totp", "name": "Phone", "user": browser.user.email}
    assert secret not in str(actions(database))


def test_a_second_app_makes_no_new_recovery_codes(client, database):
    browser = sign_in(client, database)
    enrol_app(browser, "Phone")

    with clock.frozen(clock.now() + STEP):
        _secret, codes = enrol_app(browser, "Tablet")

    assert codes == []
    assert [f.name for f in rows(database, SecondFactor)] == ["Phone", "Tablet"]
    assert len(rows(database, RecoveryCode)) == 10


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("", "right", "This field is required."),
        ("Phone", "12345", "type the 6 digits your app shows"),
    ],
)
def test_enrolment_refusals_are_named(client, database, name, typed, message):
    browser = sign_in(client, database)
    secret = _SECRET.search(text(browser.get("/account/security"))).group(1)

    response = browser.post(
        "/account/security/apps",
        {"app-name": name, "app-code": code(secret) if typed == "right" else typed},
    )

    assert response.status_code == 422
    assert message in text(response)
    assert rows(database, SecondFactor) == []


# --- the second step --------------------------------------------------------------------------


def test_a_user_with_an_app_signs_in_with_password_then_code(client, database):
    user, secret, _codes = with_app(client, database)
    browser = password_step(client, user)
    # the password alone opens nothing, and earns no device cookie yet
    assert browser.get("/account").status_code == 302
    assert client.get_cookie(login.DEVICE_COOKIE, path="/login") is None

    with clock.frozen(clock.now() + STEP):
        response = browser.post("/login/verify/code", {"totp-code": code(secret)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert browser.get("/account").status_code == 200
    assert client.get_cookie(login.DEVICE_COOKIE, path="/login") is not None
    [live] = rows(database, UserSession)  # the pending session ended; a new one started
    assert (live.pending_factor, live.proof) == (False, "password+totp")
    signed = [after for action, after in actions(database) if action == "sign_in"]
    assert signed[-1]["proof"] == "password+totp"
    assert signed[-1]["email"] == user.email


def test_a_pending_sign_in_opens_no_page_even_with_its_id_in_the_cookie(client, database):
    user, _secret, _codes = with_app(client, database)
    browser = password_step(client, user)
    with client.session_transaction() as cookie:
        pending = cookie["pending_sign_in"]
        cookie["_user_id"] = pending  # as if it were a session's id

    assert browser.get("/account").status_code == 302
    assert browser.get("/").status_code == 302
    [row] = rows(database, UserSession)
    assert row.pending_factor
    assert row.token_hash == sessions.digest(pending)


def test_a_wrong_code_is_refused_and_audited(client, database):
    user, _secret, _codes = with_app(client, database)
    browser = password_step(client, user)

    response = browser.post("/login/verify/code", {"totp-code": "123456"})

    assert response.status_code == 401
    assert "This code is not right" in text(response)
    assert actions(database)[-1] == (
        "second_factor_failed",
        {"email": user.email, "method": "totp", "address": "127.0.0.1"},
    )
    assert "123456" not in str(actions(database))
    assert browser.get("/account").status_code == 302


def test_a_code_works_once(client, database):
    user, secret, _codes = with_app(client, database)
    later = clock.now() + STEP
    with clock.frozen(later):
        first = password_step(client, user)
        assert first.post("/login/verify/code", {"totp-code": code(secret)}).status_code == 302
        first.get("/account")
        first.post("/logout")

        again = password_step(client, user)
        reused = again.post("/login/verify/code", {"totp-code": code(secret)})
        assert reused.status_code == 401
        # the previous step's code is within the window, but older than the one used
        older = again.post("/login/verify/code", {"totp-code": code(secret, later - STEP)})
        assert older.status_code == 401

    with clock.frozen(later + STEP):
        assert again.post("/login/verify/code", {"totp-code": code(secret)}).status_code == 302


def test_the_code_that_confirmed_the_app_does_not_sign_in(client, database):
    user, secret, _codes = with_app(client, database)  # its code at this instant is used

    response = password_step(client, user).post("/login/verify/code", {"totp-code": code(secret)})

    assert response.status_code == 401


def test_a_code_of_the_next_step_is_taken_and_one_two_steps_ahead_is_not(client, database):
    user, secret, _codes = with_app(client, database)
    browser = password_step(client, user)
    now = clock.now()

    assert (
        browser.post("/login/verify/code", {"totp-code": code(secret, now + 2 * STEP)}).status_code
        == 401
    )
    assert (
        browser.post("/login/verify/code", {"totp-code": code(secret, now + STEP)}).status_code
        == 302
    )


def test_the_sixth_wrong_code_in_fifteen_minutes_is_refused_unchecked(client, app, database):
    user, secret, _codes = with_app(client, database)
    browser = password_step(client, user)
    for _ in range(login.FACTOR_LIMIT - 1):
        assert browser.post("/login/verify/code", {"totp-code": "000000"}).status_code == 401
    # another browser with the password counts against the same account
    other = password_step(app.test_client(), user)
    assert other.post("/login/verify/code", {"totp-code": "000000"}).status_code == 401

    with clock.frozen(clock.now() + STEP):
        refused = browser.post("/login/verify/code", {"totp-code": code(secret)})

    assert refused.status_code == 429
    assert "Too many failed attempts for the second step of this account" in text(refused)
    assert "Try again in 15 minutes" in text(refused)
    failed = [a for a, _ in actions(database) if a == "second_factor_failed"]
    assert len(failed) == login.FACTOR_LIMIT
    # a pending sign-in lasts 10 minutes: after the window, the password again, then the code
    with clock.frozen(clock.now() + login.WINDOW + STEP):
        fresh = password_step(client, user)
        assert fresh.post("/login/verify/code", {"totp-code": code(secret)}).status_code == 302


def test_a_pending_sign_in_ends_after_ten_minutes(client, database):
    user, secret, _codes = with_app(client, database)
    browser = password_step(client, user)

    with clock.frozen(clock.now() + sessions.PENDING_LIFETIME + dt.timedelta(seconds=1)):
        response = browser.post("/login/verify/code", {"totp-code": code(secret)})
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        assert browser.get("/login/verify").headers["Location"] == "/login"
        assert browser.get("/account").status_code == 302


def test_cancelling_ends_the_pending_sign_in(client, database):
    user, _secret, _codes = with_app(client, database)
    browser = password_step(client, user)

    assert browser.post("/login/cancel").status_code == 302

    assert rows(database, UserSession) == []
    assert browser.get("/login/verify").headers["Location"] == "/login"


def test_users_without_a_factor_sign_in_with_the_password_alone(client, database):
    user = make_user(database)

    response = Browser(client).log_in(user.email, query_string={"next": "/account"})

    assert response.headers["Location"] == "/account"
    [row] = rows(database, UserSession)
    assert (row.pending_factor, row.proof) == (False, "password")


# --- recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, database):
    user, _secret, codes = with_app(client, database)
    browser = password_step(client, user)

    response = browser.post("/login/verify/recovery", {"recovery-code": codes[3].upper()})

    assert response.status_code == 302
    assert "You signed in with a recovery code: 9 left." in text(browser.get("/account"))
    [live] = rows(database, UserSession)
    assert live.proof == "password+recovery_code"
    assert ("recovery_code_used", {"remaining": 9}) in actions(database)
    browser.post("/logout")

    again = password_step(client, user)
    reused = again.post("/login/verify/recovery", {"recovery-code": codes[3]})
    assert reused.status_code == 401
    assert "This recovery code is not right, or was used already." in text(reused)
    assert actions(database)[-1][1]["method"] == "recovery_code"
    assert again.post("/login/verify/recovery", {"recovery-code": codes[4]}).status_code == 302


def test_a_recovery_code_sent_twice_at_the_same_instant_signs_in_once(app, client, database):
    user, _secret, codes = with_app(client, database)
    browsers = [password_step(app.test_client(), user) for _ in range(2)]
    start = threading.Barrier(len(browsers))
    answers: list[int] = []

    def send(browser: Browser) -> None:
        start.wait()
        answers.append(
            browser.post("/login/verify/recovery", {"recovery-code": codes[0]}).status_code
        )

    threads = [threading.Thread(target=send, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [302, 401]
    used = [r for r in rows(database, RecoveryCode) if r.used_at is not None]
    assert len(used) == 1
    assert [a for a, _ in actions(database)].count("recovery_code_used") == 1


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, database):
    user, _secret, old = with_app(client, database)
    browser = password_step(client, user)
    browser.post("/login/verify/recovery", {"recovery-code": old[0]})
    browser.get("/account/security")

    refused = browser.post("/account/security/recovery-codes", {"codes-password": "not it"})
    assert refused.status_code == 422
    assert "this is not your current password" in text(refused)

    made = browser.post("/account/security/recovery-codes", {"codes-password": PASSWORD})

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    new = _CODES.findall(text(made))
    assert len(new) == 10
    assert not set(new) & set(old)
    assert len(rows(database, RecoveryCode)) == 10
    browser.post("/logout")
    assert (
        password_step(client, user)
        .post("/login/verify/recovery", {"recovery-code": old[1]})
        .status_code
        == 401
    )


# --- removing a factor ------------------------------------------------------------------------


def test_removing_a_factor_needs_the_password(client, database):
    browser = sign_in(client, database)
    enrol_app(browser)
    [factor] = rows(database, SecondFactor)
    browser.get("/account/security")
    path = f"/account/security/factors/{factor.id}/remove"
    field = f"remove{factor.id}-password"

    assert browser.post(path, {}).status_code == 422
    wrong = browser.post(path, {field: "not my password"})
    assert wrong.status_code == 422
    assert "this is not your current password" in text(wrong)
    assert len(rows(database, SecondFactor)) == 1

    assert browser.post(path, {field: PASSWORD}).status_code == 302

    assert rows(database, SecondFactor) == []
    assert rows(database, RecoveryCode) == []  # they went with the last factor
    assert actions(database)[-1] == (
        "factor_removed",
        {"kind": "totp", "name": "Phone", "user": browser.user.email},
    )
    assert "Off: your password alone signs you in." in text(browser.get("/account"))


def test_one_cannot_remove_another_users_factor(client, app, database):
    owner = sign_in(app.test_client(), database)
    enrol_app(owner)
    [factor] = rows(database, SecondFactor)
    browser = sign_in(client, database)
    browser.get("/account/security")

    response = browser.post(
        f"/account/security/factors/{factor.id}/remove", {f"remove{factor.id}-password": PASSWORD}
    )

    assert response.status_code == 404
    assert len(rows(database, SecondFactor)) == 1


def test_the_last_factor_of_a_role_that_must_use_two_is_kept(client, database):
    browser = sign_in(client, database, "lawyer")
    enrol_app(browser, "Phone")
    require_two_factors(database, Role.lawyer)
    [factor] = rows(database, SecondFactor)
    browser.get("/account/security")

    response = browser.post(
        f"/account/security/factors/{factor.id}/remove", {f"remove{factor.id}-password": PASSWORD}
    )

    assert response.status_code == 422
    assert "your role (lawyer) must sign in with two factors" in text(response)
    assert len(rows(database, SecondFactor)) == 1
    with clock.frozen(clock.now() + STEP):
        enrol_app(browser, "Spare phone")
    assert (
        browser.post(
            f"/account/security/factors/{factor.id}/remove",
            {f"remove{factor.id}-password": PASSWORD},
        ).status_code
        == 302
    )
    assert [f.name for f in rows(database, SecondFactor)] == ["Spare phone"]


# --- an admin's rule: a role must use two factors ---------------------------------------------


def test_a_user_who_must_use_two_factors_is_sent_to_enrol_and_can_do_nothing_else(client, database):
    require_two_factors(database, Role.staff)
    user = make_user(database, "staff")
    with database.unit_of_work() as session:
        _made, token = users.create_token(
            session, ADMIN, clock.now(), session.get(User, user.id), NewToken()
        )
    browser = Browser(client)

    signed = browser.log_in(user.email, query_string={"next": "/matters"})

    assert signed.headers["Location"] == "/account/security"
    for path in ["/", "/matters", "/account", "/feeds", "/hearings"]:
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/security"
    page = browser.get("/account/security")
    assert page.status_code == 200
    assert "Two-factor sign-in is required for your role (staff)" in text(page)
    # the JSON API answers: a token is a bearer secret, not a sign-in
    api = factories.Api(client, token, user.email, user.id)
    assert api.get("/me").status_code == 200

    enrol_app(browser)

    assert browser.get("/matters").status_code == 200
    assert browser.post("/logout").status_code == 302


def test_other_roles_are_not_held(client, database):
    require_two_factors(database, Role.lawyer)
    browser = sign_in(client, database, "staff")

    assert browser.get("/").status_code == 200


# --- security keys: where they are offered ------------------------------------------------------


def test_keys_are_not_offered_at_an_ip_address(client, database):
    browser = sign_in(client, database)  # the tests' BASE_URL is http://127.0.0.1:5000

    page = text(browser.get("/account/security"))

    assert "Security keys need the tracker reached by a name" in page
    assert "http://localhost:5000" in page
    assert "data-webauthn" not in page
    assert 'action="/account/security/apps"' in page


@pytest.fixture
def by_name(settings, database):
    """The app reached at http://localhost:5000 (a name: keys are offered)."""
    from tracker.app import create_app

    app = create_app(replace(settings, base_url="http://localhost:5000"), database)
    app.config["TESTING"] = True
    return app


def add_key(database, user: User) -> None:
    """A security key, as if registered earlier (its id: "abc" in base64url)."""
    with database.unit_of_work() as session:
        session.add(
            SecondFactor(
                user_id=user.id,
                kind=FactorKind.webauthn,
                name="Key",
                created_at=clock.now(),
                credential_id="abc",
                public_key=b"\xa0",
                sign_count=0,
                transports=["usb"],
            )
        )


def test_keys_are_offered_at_a_name_and_a_refused_answer_is_named(by_name, database):
    browser = sign_in(by_name.test_client(), database)
    add_key(database, browser.user)

    page = text(browser.get("/account/security")).replace("&#34;", '"')

    assert 'data-webauthn="create"' in page
    assert '"rp": {"name": "Proceedings tracker", "id": "localhost"}' in page
    # the key registered already is excluded: an authenticator holding it declines
    assert (
        '"excludeCredentials": [{"id": "abc", "type": "public-key", "transports": ["usb"]}]' in page
    )
    response = browser.post(
        "/account/security/keys", {"key-name": "Blue key", "key-credential": '{"id": "x"}'}
    )
    assert response.status_code == 422
    assert "the security key&#39;s answer was refused" in text(response)
    assert len(rows(database, SecondFactor)) == 1


@pytest.mark.parametrize("answer", ["", "not json", "[]", '{"id": "abc", "rawId": "abc"}'])
def test_a_wrong_key_answer_at_sign_in_is_refused_and_audited(by_name, database, answer):
    client = by_name.test_client()
    user, _secret, _codes = with_app(client, database)
    add_key(database, user)
    browser = password_step(client, user)
    offered = text(browser.get("/login/verify")).replace("&#34;", '"')
    assert 'data-webauthn="get"' in offered
    assert (
        '"allowCredentials": [{"id": "abc", "type": "public-key", "transports": ["usb"]}]'
        in offered
    )

    response = browser.post("/login/verify/key", {"key-credential": answer})

    assert response.status_code == (422 if not answer else 401)
    if answer:
        assert actions(database)[-1][1]["method"] == "webauthn"
    assert browser.get("/account").status_code == 302


# --- the audit log of signing in and out -----------------------------------------------------


def test_sign_in_failures_and_sign_out_are_audited(client, database):
    user = make_user(database)
    browser = Browser(client)
    browser.log_in(user.email, "wrong password")
    browser.log_in("nobody@example.org", "wrong password")
    for _ in range(login.ACCOUNT_LIMIT):
        browser.log_in(user.email, "wrong password")
    browser.log_in(user.email)  # locked

    failed = [(a, after) for a, after in actions(database)]
    with database.sessionmaker() as session:
        entries = session.execute(
            sa.select(AuditEntry.entity_id, AuditEntry.actor_label, AuditEntry.after)
            .where(AuditEntry.action == "sign_in_failed")
            .order_by(AuditEntry.id)
        ).all()
    assert entries[0] == (
        user.id,
        "anonymous",
        {"email": user.email, "address": "127.0.0.1", "reason": "password"},
    )
    assert entries[1].entity_id is None
    assert entries[1].after["email"] == "nobody@example.org"
    assert [e.after["reason"] for e in entries[2:]] == ["password"] * 4 + ["locked"] * 2
    assert "wrong password" not in str(failed)

    with clock.frozen(clock.now() + login.WINDOW):
        browser.log_in(user.email)
        browser.get("/account")
        browser.post("/logout")
    assert [a for a, _ in actions(database)][-2:] == ["sign_in", "sign_out"]
    signed = actions(database)[-2][1]
    assert (signed["email"], signed["proof"], signed["address"]) == (
        user.email,
        "password",
        "127.0.0.1",
    )
    assert signed["user_agent"].startswith("Werkzeug/")


def test_an_admin_resets_the_factors_of_a_user_who_lost_them_all(
    client, app, database, db_url, tmp_path
):
    user, secret, _codes = with_app(client, database, "lawyer")
    require_two_factors(database, Role.lawyer)
    signed_in = password_step(app.test_client(), user)
    with clock.frozen(clock.now() + STEP):
        assert signed_in.post("/login/verify/code", {"totp-code": code(secret)}).status_code == 302

    result = CliRunner().invoke(
        main,
        ["user", "reset-factors", user.email],
        env={"TRACKER_INSTANCE": str(tmp_path), "DATABASE_URL": db_url, "SECRET_KEY": "test"},
    )

    assert result.exit_code == 0, result.output
    assert "Removed 1 second factor" in result.output
    assert rows(database, SecondFactor, user_id=user.id) == []
    assert rows(database, RecoveryCode, user_id=user.id) == []
    assert signed_in.get("/account").status_code == 302  # their sessions ended
    # the next sign-in is the password, then enrolment (the role must use two factors)
    browser = Browser(app.test_client())
    assert browser.log_in(user.email).status_code == 302
    assert browser.get("/matters").headers["Location"].startswith("/account/security")
    assert ("factor_removed", {"kind": "totp", "name": "Phone", "user": user.email,
                               "by": "system:cli"}) in actions(database)  # fmt: skip


def test_only_an_admin_resets_factors(client, database):
    user, _secret, _codes = with_app(client, database)
    with database.unit_of_work() as session, pytest.raises(Exception, match="may not reset"):
        factors.reset(session, session.merge(user), clock.now(), session.merge(user))
