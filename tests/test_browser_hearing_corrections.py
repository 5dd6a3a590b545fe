"""Correcting a hearing's record in Chromium: staff withdraw a postponement recorded by
mistake after the page has shown what it moves (the count, the slip and the flag follow),
and correct a hearing's place without it becoming a postponement.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.delays import rules, scan
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing, Postpone
from tracker.models import DelayFlag, Hearing, Matter, Proceeding

pytestmark = pytest.mark.browser

SETUP = SystemActor("system:tests")


def _moved_twice(server) -> tuple[int, int, int]:
    """A hearing of the demo dossier postponed twice, the second time by mistake, with its
    flags stored: (hearing id, the mistaken move's id, proceeding id)."""
    start = clock.today() + dt.timedelta(days=20)
    with server.database.unit_of_work() as session:
        proceeding = session.scalars(
            sa.select(Proceeding).join(Matter).order_by(Proceeding.id).limit(1)
        ).one()
        now = clock.now()
        hearing = hearings.schedule_hearing(
            session, SETUP, now, proceeding, NewHearing.parse({"starts_at": f"{start}T09:00"})
        )
        session.flush()
        moves = []
        for days, reason in ((40, "Interpreter absent"), (61, "Typed twice")):
            to = start + dt.timedelta(days=days)
            command = Postpone.parse({"to": f"{to}T09:00", "reason": reason})
            moves.append(hearings.postpone(session, SETUP, now, hearing, command))
        session.flush()
        scan.run(session, now, clock.today(), rules.Thresholds(), proceeding_ids={proceeding.id})
        return hearing.id, moves[1].id, proceeding.id


def _repeated(server, hearing_id: int) -> DelayFlag | None:
    with server.database.sessionmaker() as session:
        return session.scalars(
            sa.select(DelayFlag).where(
                DelayFlag.hearing_id == hearing_id,
                DelayFlag.rule == "repeated_postponement",
                DelayFlag.resolved_at.is_(None),
            )
        ).one_or_none()


def test_staff_withdraw_a_mistaken_postponement_after_seeing_what_it_moves(live_server, page):
    hearing_id, mistaken, proceeding_id = _moved_twice(live_server)
    assert _repeated(live_server, hearing_id) is not None

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/hearings/{hearing_id}"))
    assert "moved 2 times" in page.inner_text("main")
    page.locator(f"#move-{mistaken}").get_by_role("link", name="Withdraw").click()
    page.get_by_label("Why it is withdrawn").fill("Recorded twice by mistake")
    page.get_by_role("button", name="Show what this will move").click()

    assert "moved 2 times → moved 1 time" in page.locator("#effect-count").inner_text()
    assert "61 days → 40 days" in page.locator("#effect-slip").inner_text()
    with live_server.database.sessionmaker() as session:  # nothing saved yet
        assert len(session.get(Hearing, hearing_id).moves) == 2

    page.get_by_role("button", name=re.compile("^Confirm")).click()
    page.wait_for_load_state()

    assert page.url.split("#")[0].endswith(f"/hearings/{hearing_id}")
    assert "moved 1 time" in page.inner_text("main")
    row = page.locator(f"#move-{mistaken}")
    assert row.get_attribute("class") == "withdrawn"
    assert "Recorded twice by mistake" in row.inner_text()
    assert _repeated(live_server, hearing_id) is None  # the write re-scanned at once
    page.goto(live_server(f"/proceedings/{proceeding_id}"))
    slip = page.locator(f"#hearing-{hearing_id} .slip").inner_text()
    assert slip.startswith("Postponed 1 time,")


def test_staff_correct_a_hearings_place_without_postponing_it(live_server, page):
    hearing_id, _, _ = _moved_twice(live_server)
    with live_server.database.sessionmaker() as session:
        before = session.get(Hearing, hearing_id)
        starts_at, sequence = before.starts_at, before.sequence

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/hearings/{hearing_id}"))
    page.get_by_role("link", name="Correct details").first.click()
    assert "A correction is not a postponement." in page.inner_text("main")
    page.get_by_label("Location").fill("Palais de justice, salle 0.12")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_load_state()

    assert "Palais de justice, salle 0.12" in page.inner_text("main")
    assert "moved 2 times" in page.inner_text("main")
    with live_server.database.sessionmaker() as session:
        after = session.get(Hearing, hearing_id)
        assert after.location == "Palais de justice, salle 0.12"
        assert after.starts_at == starts_at
        assert len(after.moves) == 2
        assert after.sequence == sequence + 1  # calendars get the new place
