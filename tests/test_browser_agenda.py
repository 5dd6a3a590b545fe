"""The agenda in Chromium: on screen with the site's navigation, on paper without it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing
from tracker.models import Matter, Proceeding

pytestmark = pytest.mark.browser

SETUP = SystemActor("system:tests")


def _hearing_tomorrow(server) -> None:
    """A hearing tomorrow in a proceeding of the demo dossier (the demo lawyer's)."""
    tomorrow = clock.today() + dt.timedelta(days=1)
    with server.database.unit_of_work() as session:
        proceeding = session.scalars(
            sa.select(Proceeding)
            .join(Matter)
            .where(Matter.title == "Bota Jardemalie")
            .order_by(Proceeding.id)
        ).first()
        command = NewHearing.parse(
            {"starts_at": f"{tomorrow.isoformat()}T10:00", "title": "Agenda test hearing"}
        )
        hearings.schedule_hearing(session, SETUP, clock.now(), proceeding, command)


def test_the_agenda_prints_without_the_navigation(live_server, page):
    _hearing_tomorrow(live_server)
    log_in(page, live_server, "lawyer@demo.example")

    page.goto(live_server("/"))
    page.get_by_role("link", name="Agenda of the coming week, to print").click()
    page.wait_for_load_state()

    nav = page.get_by_role("navigation", name="Main")
    entry = page.locator(".agenda .entry.hearing", has_text="Agenda test hearing")
    assert nav.is_visible()
    assert entry.is_visible()
    assert page.get_by_role("button", name="Print").is_visible()

    page.emulate_media(media="print")

    assert not page.locator("header.top").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    assert entry.is_visible()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Agenda · ")
    # compact: a normal week's few entries fit one A4 page (about 1,000 px at 96 dpi)
    assert page.evaluate("document.body.scrollHeight") < 1000
