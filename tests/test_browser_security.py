"""Two-factor sign-in in Debian's Chromium, as a person does it.

An authenticator app: set up from the security page (the code computed by pyotp, as the
phone would), then asked after the password; the old session cookie, replayed after
signing out, gets the login page; a recovery code signs in once. A security key:
added and used through Chromium's virtual authenticator (the DevTools WebAuthn domain),
on the app reached as http://localhost:<port>, since WebAuthn takes no IP address as a
site's id; a key whose counter goes backwards (a clone) is refused.
"""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.core import clock
from tracker.models import SecondFactor

pytestmark = pytest.mark.browser

STAFF = "staff@demo.example"
STEP = dt.timedelta(seconds=30)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def recovery_codes(page) -> list[str]:
    return page.locator("ol.codes code").all_inner_texts()


def test_sign_in_with_an_app_replay_a_cookie_and_use_a_recovery_code_once(
    live_server, page, screenshots
):
    log_in(page, live_server, STAFF)
    page.goto(live_server("/account/security"))
    secret = page.locator("#totp-secret").inner_text()
    assert page.locator(".qr-box svg").count() == 1
    page.screenshot(path=screenshots / "security.png", full_page=True)
    page.get_by_label("Code the app shows").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Add app").click()
    codes = recovery_codes(page)
    assert len(codes) == 10
    sign_out(page)

    # the password, then the code of the next time step (the enrolment used this one)
    log_in(page, live_server, STAFF)
    assert page.get_by_role("heading", name="Second step").is_visible()
    page.screenshot(path=screenshots / "second-step.png")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(clock.now() + STEP))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible()

    # the session cookie, kept and replayed after signing out, opens nothing
    cookies = page.context.cookies()
    sign_out(page)
    page.context.add_cookies(cookies)
    page.goto(live_server("/account"))
    assert page.get_by_role("heading", name="Sign in").is_visible()

    # a recovery code signs in once
    for attempt in range(2):
        log_in(page, live_server, STAFF)
        page.get_by_text("Lost your phone or key? Use a recovery code").click()
        page.get_by_label("Recovery code").fill(codes[0])
        page.get_by_role("button", name="Use recovery code").click()
        page.wait_for_load_state()
        if attempt == 0:
            assert "You signed in with a recovery code: 9 left." in page.content()
            sign_out(page)
    assert "This recovery code is not right, or was used already." in page.content()
    page.logged_errors.clear()  # the refusal's 401


def test_add_a_security_key_and_sign_in_with_it(named_server, page, screenshots):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    log_in(page, named_server, STAFF)
    page.goto(named_server("/account/security"))
    page.get_by_label("Name", exact=True).last.fill("Blue key")
    page.get_by_role("button", name="Add security key").click()
    page.wait_for_url(named_server("/account/security/keys"))
    assert "“Blue key” is added" in page.content()
    assert len(recovery_codes(page)) == 10
    page.screenshot(path=screenshots / "security-key-added.png", full_page=True)
    sign_out(page)

    log_in(page, named_server, STAFF)
    page.get_by_role("button", name="Use your security key").click()
    page.wait_for_url(named_server("/"))
    assert page.get_by_role("button", name="Sign out").is_visible()
    with named_server.database.sessionmaker() as session:
        key = session.scalars(sa.select(SecondFactor)).one()
        assert (key.name, key.sign_count > 0, key.last_used_at is not None) == (
            "Blue key",
            True,
            True,
        )
    sign_out(page)

    # a clone of the key answers with a counter behind the one last seen: refused
    with named_server.database.unit_of_work() as session:
        session.execute(sa.update(SecondFactor).values(sign_count=1_000_000))
    log_in(page, named_server, STAFF)
    page.get_by_role("button", name="Use your security key").click()
    page.wait_for_url(named_server("/login/verify/key"))
    assert "The security key&#39;s answer was refused" in page.content() or (
        "The security key's answer was refused" in page.content()
    )
    page.logged_errors.clear()  # the refusal's 401
