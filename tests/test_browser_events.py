"""Correcting the record in Chromium: staff move an event's date after the page has shown
the deadline it moves, and withdraw an event recorded by mistake (its deadline waived).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import NewDeadline
from tracker.matters import events
from tracker.matters.schemas import NewEvent
from tracker.models import Deadline, Event, Matter, Proceeding
from tracker.web import display

pytestmark = pytest.mark.browser

DOSSIER = "Bota Jardemalie"
SETUP = SystemActor("system:tests")
RULE = "BE-CRIM-CASSATION"  # 15 days from a judgment, one version


def _judged(server, on: dt.date) -> tuple[int, int, int, dt.date]:
    """A judgment in a pending Belgian proceeding of the demo dossier and the deadline
    counted from it: (proceeding id, event id, deadline id, due date)."""
    with server.database.unit_of_work() as session:
        deadlines.seed_rules(session, SETUP, clock.now())
        proceeding = session.scalars(
            sa.select(Proceeding)
            .join(Matter)
            .where(Matter.title == DOSSIER, Proceeding.kind == "civil_complaint")
            .order_by(Proceeding.id)
        ).first()
        assert proceeding is not None
        event = events.create_event(
            session,
            SETUP,
            clock.now(),
            proceeding,
            NewEvent.parse({"kind": "judgment", "occurred_on": on.isoformat(), "summary": "X"}),
        )
        session.flush()
        command = NewDeadline.parse({"rule": RULE, "trigger_event_id": event.id})
        deadline = deadlines.create_deadline(session, SETUP, clock.now(), proceeding, command)
        session.flush()
        return proceeding.id, event.id, deadline.id, deadline.due_on


def test_staff_move_an_events_date_after_seeing_the_deadline_it_moves(live_server, page):
    judged_on = clock.today() - dt.timedelta(days=40)
    corrected = clock.today() - dt.timedelta(days=30)
    proceeding_id, event_id, deadline_id, was = _judged(live_server, judged_on)
    with live_server.database.sessionmaker() as session:
        will_be = deadlines.compute(session, RULE, corrected)[1].due_on
    assert will_be != was

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/proceedings/{proceeding_id}"))
    page.locator(f"#event-{event_id}").get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_label("On", exact=True).fill(corrected.isoformat())
    page.get_by_role("button", name="Save").click()

    preview = page.locator("table.moves tr", has_text="Appeal in cassation")
    assert preview.count() == 1
    assert display.day(was) in preview.inner_text()
    assert display.day(will_be) in preview.inner_text()
    with live_server.database.sessionmaker() as session:  # nothing saved yet
        assert session.get(Event, event_id).occurred_on == judged_on

    page.get_by_role("button", name=re.compile("^Confirm")).click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/proceedings/{proceeding_id}#event-{event_id}")
    row = page.locator("table.deadlines tr", has_text="Appeal in cassation")
    assert display.day(will_be) in row.first.inner_text()
    with live_server.database.sessionmaker() as session:
        assert session.get(Deadline, deadline_id).due_on == will_be


def test_staff_withdraw_an_event_and_its_deadline_is_waived(live_server, page):
    proceeding_id, event_id, deadline_id, _ = _judged(
        live_server, clock.today() - dt.timedelta(days=3)
    )

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/proceedings/{proceeding_id}"))
    page.locator(f"#event-{event_id}").get_by_role("link", name=re.compile("^Withdraw")).click()
    waived = page.locator("table.moves tr", has_text="Appeal in cassation")
    assert "waived" in waived.inner_text()
    page.get_by_label("Why", exact=True).fill("Recorded in the wrong proceeding")
    page.get_by_role("button", name=re.compile("^Withdraw the event")).click()
    page.wait_for_load_state()

    withdrawn = page.locator("section.withdrawn-events")
    assert "Recorded in the wrong proceeding" in withdrawn.inner_text()
    assert withdrawn.locator("del").count() == 1
    with live_server.database.sessionmaker() as session:
        assert session.get(Deadline, deadline_id).status.value == "waived"
        assert session.get(Event, event_id).withdrawn_at is not None
