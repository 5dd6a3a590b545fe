"""In Chromium: a coordinator changes the digest's hour and a reminder's days on /account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.models import User
from tracker.users import preferences

pytestmark = pytest.mark.browser


def test_a_coordinator_changes_the_digest_hour_and_the_deadline_days(live_server, page):
    log_in(page, live_server, "coordinator@demo.example")
    page.goto(live_server("/account"))

    page.get_by_label("Digest sent at").select_option("18:00")
    page.get_by_label("Days before a deadline").fill("10, 2")
    page.get_by_role("button", name="Save reminders").click()
    page.wait_for_load_state()

    assert "Your reminders and digest settings are saved." in page.content()
    assert page.get_by_label("Digest sent at").input_value() == "18"
    assert page.get_by_label("Days before a deadline").input_value() == "10, 2"
    with live_server.database.sessionmaker() as session:
        user = session.scalar(sa.select(User).where(User.email == "coordinator@demo.example"))
        saved = preferences.load(user.preferences, user.role)
    assert (saved.digest_hour, saved.deadline_offsets) == (18, (10, 2))
