"""Importing a court's invitation (.ics) in Chromium: check it, then import it, from the
proceeding's page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from browser import log_in
from test_ics_import import OUTLOOK, OUTLOOK_UID

from tracker.models import Hearing, Proceeding

pytestmark = pytest.mark.browser


def test_staff_check_then_import_an_outlook_invitation(live_server, page):
    with live_server.database.sessionmaker() as session:
        proceeding_id = session.scalars(sa.select(Proceeding.id).order_by(Proceeding.id)).first()

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/proceedings/{proceeding_id}"))
    page.get_by_role("link", name="Import invitation (.ics)").click()
    page.get_by_label("Invitation or calendar (.ics)").set_input_files(OUTLOOK)
    page.get_by_label(re.compile("^Check only")).check()
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()

    report = page.locator("#import-report")
    assert "Checked only: nothing was saved" in report.inner_text()
    assert "Zitting uitlevering" in report.inner_text()
    with live_server.database.sessionmaker() as session:
        imported = sa.select(Hearing.id).where(Hearing.source_uid == OUTLOOK_UID)
        assert session.scalars(imported).all() == []

    page.get_by_label("Invitation or calendar (.ics)").set_input_files(OUTLOOK)
    page.get_by_label(re.compile("^Check only")).uncheck()
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()

    with live_server.database.sessionmaker() as session:
        [hearing_id] = session.scalars(imported).all()
    report = page.locator("#import-report")
    assert "1 created." in report.inner_text()
    report.get_by_role("link", name=f"Hearing {hearing_id}").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/hearings/{hearing_id}")
    assert "Zitting uitlevering" in page.content()
