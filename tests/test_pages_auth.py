"""Signing in and out, the session cookie, CSRF, the login rate limit, error pages."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
import sqlalchemy as sa
from pages import PASSWORD, Browser, make_user, put_session, sign_in, text

from tracker.core import clock
from tracker.models import AuditEntry, LoginBucket, User, UserSession
from tracker.users import login


def attempts(database) -> dict[str, int]:
    """The attempts each bucket holds (buckets given back to zero left out)."""
    with database.unit_of_work() as session:
        rows = session.execute(sa.select(LoginBucket.key, LoginBucket.attempts))
        return {key: n for key, n in rows if n}


def test_pages_need_a_login(client, database):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")


def test_login_page_has_the_form_fields(client, database):
    page = text(client.get("/login"))

    for name in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert name in page


def test_log_in_sets_a_safe_cookie_and_goes_where_asked(client, database):
    user = make_user(database, "staff")
    browser = Browser(client)
    browser.get("/login?next=/account")

    response = browser.post("/login?next=/account", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over http in the tests
    assert browser.get("/account").status_code == 200


def test_cookie_is_secure_when_served_over_https(settings, database):
    from dataclasses import replace

    from tracker.app import create_app

    app = create_app(replace(settings, base_url="https://tracker.example.org"), database)
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_log_in_never_redirects_off_site(client, database, target):
    user = make_user(database)
    browser = Browser(client)

    response = browser.log_in(user.email, query_string={"next": target})

    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_and_counted(client, database):
    user = make_user(database)

    response = Browser(client).log_in(user.email, "not the password")

    assert response.status_code == 401
    assert "Wrong email or password." in text(response)
    assert attempts(database) == {f"account:{user.email}": 1, "address:127.0.0.1": 1}


def test_missing_fields_are_named(client, database):
    browser = Browser(client)
    browser.get("/login")

    response = browser.post("/login", {"email": "", "password": ""})

    assert response.status_code == 422
    assert text(response).count("This field is required.") == 2


def test_login_without_csrf_token_is_refused(client, database):
    user = make_user(database)

    response = Browser(client).post(
        "/login", {"email": user.email, "password": PASSWORD}, csrf=False
    )

    assert response.status_code == 400
    assert "nothing was saved" in text(response)


def test_an_account_is_locked_after_five_failures(client, database, frozen_now):
    user = make_user(database)
    browser = Browser(client)
    for _ in range(login.ACCOUNT_LIMIT):
        assert browser.log_in(user.email, "wrong").status_code == 401

    locked = browser.log_in(user.email, PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed attempts for this account" in text(locked)
    assert "A browser in which you signed in before is not locked." in text(locked)
    with clock.frozen(frozen_now + login.WINDOW + dt.timedelta(seconds=1)):
        assert browser.log_in(user.email, PASSWORD).status_code == 302


def test_an_unknown_email_is_locked_the_same_way(client, database):
    browser = Browser(client)
    for _ in range(login.ACCOUNT_LIMIT):
        browser.log_in("nobody@example.org", "wrong")

    assert browser.log_in("nobody@example.org", "wrong").status_code == 429


def test_an_address_is_locked_after_twenty_failures(client, database):
    browser = Browser(client)
    for n in range(login.ADDRESS_LIMIT):
        browser.log_in(f"user{n}@example.org", "wrong")
    user = make_user(database)

    response = browser.log_in(user.email, PASSWORD)

    assert response.status_code == 429
    assert "your network address" in text(response)


def test_a_failure_deletes_the_buckets_whose_window_ran_out(client, database, frozen_now):
    browser = Browser(client)
    browser.log_in("first@example.org", "wrong")

    with clock.frozen(frozen_now + login.WINDOW):
        browser.log_in("second@example.org", "wrong")

    # the address's window started again; the first email's bucket is gone
    assert attempts(database) == {"account:second@example.org": 1, "address:127.0.0.1": 1}
    with database.unit_of_work() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginBucket)) == 2


# --- device cookies: failures from elsewhere do not lock out the owner's browser -------


def trusted(app, email: str) -> Browser:
    """A browser that signed in to the account (then signed out): it holds a device cookie."""
    browser = Browser(app.test_client())
    assert browser.log_in(email).status_code == 302
    browser.get("/account")
    assert browser.post("/logout").status_code == 302
    return browser


def lock_out(app, email: str) -> None:
    """Five wrong passwords from another browser: the account is locked for the others."""
    browser = Browser(app.test_client())
    for _ in range(login.ACCOUNT_LIMIT):
        assert browser.log_in(email, "wrong").status_code == 401
    assert browser.log_in(email).status_code == 429


def test_signing_in_gives_the_browser_a_safe_device_cookie(client, database):
    user = make_user(database)

    response = Browser(client).log_in(user.email)

    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(login.DEVICE_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/login" in cookie  # sent with sign-ins only
    assert f"Max-Age={int(login.DEVICE_AGE.total_seconds())}" in cookie
    assert "Secure" not in cookie  # served over http in the tests


def test_the_device_cookie_is_secure_when_served_over_https(settings, database):
    from dataclasses import replace

    from tracker.app import create_app

    app = create_app(replace(settings, base_url="https://tracker.example.org"), database)
    user = make_user(database)

    response = Browser(app.test_client()).log_in(user.email)

    assert "Secure" in response.headers["Set-Cookie"]
    assert any(
        c.startswith(login.DEVICE_COOKIE) and "Secure" in c
        for c in response.headers.getlist("Set-Cookie")
    )


def test_failures_from_elsewhere_do_not_lock_out_a_browser_that_signed_in_before(
    app, database, frozen_now
):
    user = make_user(database)
    mine = trusted(app, user.email)

    lock_out(app, user.email)

    assert mine.log_in(user.email).status_code == 302
    assert attempts(database) == {f"account:{user.email}": 5, "address:127.0.0.1": 5}


def test_a_trusted_browser_is_locked_after_its_own_five_failures(app, database, frozen_now):
    user = make_user(database)
    mine = trusted(app, user.email)
    for _ in range(login.DEVICE_LIMIT):
        assert mine.log_in(user.email, "wrong").status_code == 401

    locked = mine.log_in(user.email)

    assert locked.status_code == 429
    assert "Too many failed attempts for this account in this browser" in text(locked)
    # its failures were its own: other browsers are not locked by them
    assert Browser(app.test_client()).log_in(user.email).status_code == 302
    with clock.frozen(frozen_now + login.WINDOW + dt.timedelta(seconds=1)):
        assert mine.log_in(user.email).status_code == 302


def test_a_trusted_browser_is_not_held_by_the_limit_of_its_address(app, database):
    user = make_user(database)
    mine = trusted(app, user.email)
    browser = Browser(app.test_client())
    for n in range(login.ADDRESS_LIMIT):
        browser.log_in(f"user{n}@example.org", "wrong")
    assert Browser(app.test_client()).log_in(user.email).status_code == 429

    assert mine.log_in(user.email).status_code == 302


def test_a_device_cookie_trusts_its_own_account_only(app, database):
    mine, other = make_user(database), make_user(database)
    browser = trusted(app, mine.email)
    lock_out(app, other.email)

    assert browser.log_in(other.email).status_code == 429


@pytest.mark.parametrize("kind", ["garbage", "other secret", "tampered", "expired"])
def test_a_forged_or_expired_device_cookie_is_not_trusted(app, database, frozen_now, kind):
    user = make_user(database)
    browser = trusted(app, user.email)
    value = browser.client.get_cookie(login.DEVICE_COOKIE, path="/login").value
    forged = {
        "garbage": "not-a-cookie",
        "other secret": login.device_cookie("another secret", user, frozen_now),
        "tampered": value[:-2] + ("AA" if not value.endswith("AA") else "BB"),
        "expired": value,
    }[kind]
    browser.client.set_cookie(login.DEVICE_COOKIE, forged, path="/login")
    lock_out(app, user.email)

    with clock.frozen(frozen_now + (login.DEVICE_AGE if kind == "expired" else dt.timedelta())):
        if kind == "expired":  # a new window, then five failures again
            lock_out(app, user.email)
        assert browser.log_in(user.email).status_code == 429


def test_changing_the_password_ends_the_trust_of_the_other_browsers(app, database):
    user = make_user(database)
    mine, other = trusted(app, user.email), trusted(app, user.email)
    mine.log_in(user.email)
    mine.get("/account")
    changed = mine.post(
        "/account/password",
        {"password-current": PASSWORD, "password-new": "a brand new passphrase"},
    )
    assert changed.status_code == 302
    mine.get("/account")
    assert mine.post("/logout").status_code == 302

    lock_out(app, user.email)

    assert other.log_in(user.email, "a brand new passphrase").status_code == 429
    assert mine.log_in(user.email, "a brand new passphrase").status_code == 302


def test_after_sign_out_the_old_cookie_gets_the_login_page(app, client, database):
    user = make_user(database)
    browser = Browser(client)
    assert browser.log_in(user.email).status_code == 302
    stolen = client.get_cookie("tracker_session").value  # a copy taken before sign-out
    assert browser.get("/account").status_code == 200

    assert browser.post("/logout").status_code == 302

    thief = app.test_client()
    thief.set_cookie("tracker_session", stolen)
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0


def test_a_session_ends_when_idle_or_too_old(client, database, frozen_now):
    browser = sign_in(client, database)
    with clock.frozen(frozen_now + dt.timedelta(minutes=119)):
        assert browser.get("/account").status_code == 200  # seen: idle time starts again
    with clock.frozen(frozen_now + dt.timedelta(minutes=119 + 121)):
        assert browser.get("/account").status_code == 302  # idle for more than 2 hours

    browser = sign_in(client, database)
    for minutes in range(60, 12 * 60, 60):  # busy every hour...
        with clock.frozen(frozen_now + dt.timedelta(minutes=minutes)):
            assert browser.get("/account").status_code == 200
    with clock.frozen(frozen_now + dt.timedelta(hours=12)):
        assert browser.get("/account").status_code == 302  # ...but 12 hours is the most


def test_an_inactive_user_cannot_log_in_and_is_signed_out(client, database):
    browser = sign_in(client, database)
    assert browser.get("/account").status_code == 200
    with database.unit_of_work() as session:
        session.get(User, browser.user.id).active = False

    assert browser.get("/account").status_code == 302
    assert Browser(client).log_in(browser.user.email).status_code == 401


def test_log_out_needs_a_post_with_csrf(client, database):
    browser = sign_in(client, database)
    browser.get("/account")

    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/account").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert browser.get("/account").status_code == 302


def test_change_password_ends_other_sessions(client, app, database):
    browser = sign_in(client, database)
    other = Browser(app.test_client(), browser.user)  # the same user, in another browser
    put_session(other.client, database, browser.user)
    assert other.get("/account").status_code == 200
    browser.get("/account")

    response = browser.post(
        "/account/password",
        {"password-current": PASSWORD, "password-new": "a brand new passphrase"},
    )

    assert response.status_code == 302
    assert browser.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert (
        Browser(app.test_client()).log_in(browser.user.email, "a brand new passphrase").status_code
        == 302
    )
    with database.unit_of_work() as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "set_password")
        ).one()
        assert entry.actor_id == browser.user.id
        assert "a brand new passphrase" not in str(entry.after)


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("wrong", "a brand new passphrase", "this is not your current password"),
        (PASSWORD, "short", "use at least 10 characters"),
        (PASSWORD, PASSWORD, "the same as the current one"),
    ],
)
def test_change_password_refusals(client, database, current, new, message):
    browser = sign_in(client, database)
    browser.get("/account")

    response = browser.post("/account/password", {"password-current": current, "password-new": new})

    assert response.status_code == 422
    assert message in text(response)
    with database.unit_of_work() as session:
        assert session.get(User, browser.user.id).password_hash == browser.user.password_hash


def test_settings_change_the_zone_and_are_audited(client, database):
    browser = sign_in(client, database)
    browser.get("/account")

    response = browser.post(
        "/account", {"settings-name": "Ana", "settings-timezone": "Europe/Brussels"}
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        user = session.get(User, browser.user.id)
        assert (user.name, user.timezone) == ("Ana", "Europe/Brussels")
        assert session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "users")) is not None


DISCREET_BOX = re.compile(r'<input[^>]*name="settings-discreet_mail"[^>]*>')


def test_the_account_page_saves_discreet_mail(client, database):
    browser = sign_in(client, database, "lawyer")
    page = text(browser.get("/account"))
    fields = {"settings-name": "Ana", "settings-timezone": "UTC"}

    turned_off = browser.post("/account", fields)  # a box left unticked is not sent
    off_page = text(browser.get("/account"))
    turned_on = browser.post("/account", fields | {"settings-discreet_mail": "y"})

    assert "checked" in DISCREET_BOX.search(page).group(0)  # on by default for a lawyer
    assert (turned_off.status_code, turned_on.status_code) == (302, 302)
    assert "checked" not in DISCREET_BOX.search(off_page).group(0)
    with database.unit_of_work() as session:
        assert session.get(User, browser.user.id).preferences == {"discreet_mail": True}


def test_saving_the_settings_stores_no_choice_of_discreet_mail_not_made(client, database):
    browser = sign_in(client, database, "coordinator")
    page = text(browser.get("/account"))

    browser.post("/account", {"settings-name": "Ana", "settings-timezone": "UTC"})

    assert "checked" not in DISCREET_BOX.search(page).group(0)
    with database.unit_of_work() as session:
        assert session.get(User, browser.user.id).preferences == {}  # the role's default holds


def test_settings_refuse_an_unknown_zone(client, database):
    browser = sign_in(client, database)
    browser.get("/account")

    response = browser.post("/account", {"settings-name": "Ana", "settings-timezone": "Mars/Base"})

    assert response.status_code == 422
    assert "&#39;Mars/Base&#39; is not an IANA time zone" in text(response)


def test_unknown_page_is_a_friendly_404(client, database):
    sign_in(client, database)

    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "There is no page at this address." in text(response)
    assert response.mimetype == "text/html"


def test_api_is_not_asked_for_csrf(client, database):
    import factories

    api = factories.login(client, database, "admin")

    assert api.post("/matters", {"title": "No CSRF here"}).status_code == 201


def test_pages_send_security_headers(client, database):
    response = client.get("/login")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(settings, database):
    from dataclasses import replace

    from tracker.app import create_app

    app = create_app(replace(settings, proxies=1), database)
    browser = Browser(app.test_client())
    for n in range(login.ADDRESS_LIMIT):
        browser.log_in(f"user{n}@example.org", "wrong", headers={"X-Forwarded-For": "203.0.113.7"})
    user = make_user(database)

    elsewhere = browser.log_in(user.email, headers={"X-Forwarded-For": "198.51.100.2"})

    assert elsewhere.status_code == 302
    counted = {key for key in attempts(database) if key.startswith("address:")}
    assert counted == {"address:203.0.113.7"}


def test_trusted_proxies_must_be_a_number(tmp_path):
    from tracker import config

    with pytest.raises(ValueError, match="TRUSTED_PROXIES must be a whole number"):
        config.load({"TRACKER_INSTANCE": str(tmp_path), "TRUSTED_PROXIES": "yes"})


def test_an_unknown_email_costs_as_much_time_as_a_known_one(client, database):
    """Both run scrypt once: the time of a refusal does not tell whether an account exists.

    Medians of 7 wrong passwords each, for 7 known and 7 unknown emails (each tried once,
    so no limit is reached), interleaved in alternating order so that the load of a
    shared machine weighs on both alike.
    """
    known = [make_user(database).email for _ in range(7)]
    unknown = [f"nobody{n}@example.org" for n in range(7)]
    browser = Browser(client)
    browser.log_in("warm-up@example.org", "wrong")  # templates compiled, caches warm
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(7):
        pairs = [("known", known[n]), ("unknown", unknown[n])]
        for kind, email in pairs if n % 2 else reversed(pairs):
            browser.get("/login")
            started = time.perf_counter()
            assert browser.post("/login", {"email": email, "password": "wrong"}).status_code == 401
            times[kind].append(time.perf_counter() - started)

    ratio = statistics.median(times["unknown"]) / statistics.median(times["known"])

    assert 0.7 <= ratio <= 1 / 0.7, times
