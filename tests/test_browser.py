"""The two journeys of the issue, in Debian's Chromium against the app on 127.0.0.1.

Staff: sign in, open the demo dossier, schedule a hearing, record that it was
postponed to a new date, and find the postponement in the ledger and the timeline.
Lawyer: sign in, make a calendar feed, fetch it, and read it back with icalendar.
The dashboard and the dossier timeline are saved as screenshots on the way.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.request

import icalendar
import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.delays import scan
from tracker.delays.rules import Thresholds
from tracker.delays.schemas import Acknowledge
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing, Outcome, Postpone
from tracker.models import Hearing, Matter, Postponement, Proceeding
from tracker.web import display

pytestmark = pytest.mark.browser

DOSSIER = "Bota Jardemalie"  # assigned to the demo lawyer
SETUP = SystemActor("system:tests")


def _proceeding(server, kind: str) -> tuple[int, str]:
    """A pending proceeding of the demo dossier: (id, title)."""
    with server.database.sessionmaker() as session:
        row = session.execute(
            sa.select(Proceeding.id, Proceeding.title)
            .join(Matter)
            .where(Matter.title == DOSSIER, Proceeding.kind == kind)
            .order_by(Proceeding.id)
        ).first()
    return row.id, row.title


def test_staff_record_a_postponement_and_see_it_in_the_ledger_and_timeline(
    live_server, page, screenshots
):
    proceeding_id, proceeding_title = _proceeding(live_server, "civil_complaint")
    first = clock.today() + dt.timedelta(days=10)
    moved = clock.today() + dt.timedelta(days=24)  # still on the dashboard

    log_in(page, live_server, "staff@demo.example")
    page.get_by_role("link", name="Matters", exact=True).click()
    page.get_by_role("link", name=DOSSIER).first.click()
    assert page.locator("svg.timeline-svg").count() == 1
    page.get_by_role("link", name=proceeding_title).first.click()
    assert page.url.endswith(f"/proceedings/{proceeding_id}")

    page.get_by_role("link", name="Add hearing").first.click()
    page.get_by_label("Title", exact=True).fill("Hearing on the merits")
    page.get_by_label("Date", exact=True).fill(first.isoformat())
    page.get_by_label("Time", exact=True).fill("09:30")
    page.get_by_role("button", name="Schedule").click()
    hearing_url = page.url
    assert re.search(r"/hearings/\d+$", hearing_url), hearing_url

    page.get_by_label("Postponed to a new date", exact=True).check()
    page.get_by_label("New date", exact=True).fill(moved.isoformat())
    page.get_by_label("New time", exact=True).fill("10:00")
    page.get_by_label("Reason", exact=True).fill("The interpreter did not come")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The interpreter did not come" in page.content()

    with live_server.database.sessionmaker() as session:
        hearing = session.scalars(
            sa.select(Hearing).where(Hearing.title == "Hearing on the merits")
        ).one()
        ledger = session.scalars(
            sa.select(Postponement).where(Postponement.hearing_id == hearing.id)
        ).all()
        assert [p.to_starts_at.date() for p in ledger] == [moved]  # 10:00 Brussels, same day
        assert hearing.status.value == "scheduled"
        assert hearing.sequence == 1

    page.goto(live_server(f"/proceedings/{proceeding_id}"))
    ledger_row = page.locator("tr", has_text="The interpreter did not come")
    assert ledger_row.count() >= 1
    assert display.day(moved) in ledger_row.first.inner_text()

    page.get_by_role("link", name=DOSSIER).first.click()
    marks = page.locator(f'svg.timeline-svg a[data-kind="postponement"][data-to="{moved}"]')
    assert marks.count() == 1
    assert "Hearing on the merits postponed" in marks.first.locator("title").text_content()
    page.locator("svg.timeline-svg").screenshot(path=screenshots / "timeline.png")
    page.screenshot(path=screenshots / "dossier.png")

    with live_server.database.unit_of_work() as session:  # what the scheduler does daily
        scan.run(session, clock.now(), clock.today(), Thresholds())
    page.get_by_role("link", name="Dashboard", exact=True).click()
    upcoming = page.locator("section", has_text="Hearings in the next 30 days")
    assert "Hearing on the merits" in upcoming.first.inner_text()
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    for name in ("dashboard.png", "timeline.png", "dossier.png"):
        assert (screenshots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lawyer_make_a_feed_and_fetch_it(live_server, page):
    proceeding_id, _title = _proceeding(live_server, "extradition_request")
    starts = f"{clock.today().year + 1}-02-11T14:00"
    with live_server.database.unit_of_work() as session:
        hearings.schedule_hearing(
            session,
            SETUP,
            clock.now(),
            session.get(Proceeding, proceeding_id),
            NewHearing.parse({"starts_at": starts, "title": "Extradition hearing"}),
        )

    log_in(page, live_server, "lawyer@demo.example")
    page.get_by_role("link", name="Feeds", exact=True).click()
    page.get_by_label("Name", exact=True).fill("My hearings")
    page.get_by_role("button", name="Make the feed").click()

    https = page.locator("#feed-url").input_value()
    webcal = page.locator("#feed-webcal").input_value()
    assert https.startswith(live_server.url + "/feeds/")
    assert https.endswith(".ics")
    assert webcal == "webcal://" + https.removeprefix("http://")
    page.get_by_role("button", name="Copy").first.click()  # tracker.js: no error logged

    with urllib.request.urlopen(https, timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/calendar")
        assert "Set-Cookie" not in answer.headers
        calendar = icalendar.Calendar.from_ical(answer.read())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any("Extradition hearing" in summary for summary in summaries), summaries

    page.goto(live_server("/feeds"))
    assert "My hearings" in page.locator("table").first.inner_text()
    assert "never" not in page.locator("tr", has_text="My hearings").inner_text().lower()


def test_a_lawyer_gets_the_not_found_page_for_a_matter_not_theirs(live_server, page):
    with live_server.database.sessionmaker() as session:
        other = session.scalar(sa.select(Matter.id).where(Matter.key == "paraskevich"))

    log_in(page, live_server, "lawyer@demo.example")
    answer = page.goto(live_server(f"/matters/{other}"))

    assert answer.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert page.logged_errors == [
        "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    ]
    page.logged_errors.clear()  # the one expected


# --- one long word (the issue: 10,000 characters without a space widened the dossier) ---


def _word(length: int) -> str:
    """A word of `length` characters without a space: W, the widest letter of most fonts."""
    return "W" * length


def _store_long_words(server) -> dict[str, int]:
    """A matter whose every free text is as long as its field takes, without a space."""
    from tracker.core import limits
    from tracker.deadlines import operations as deadlines
    from tracker.deadlines.schemas import NewDeadline
    from tracker.delays import operations as delays
    from tracker.jurisdictions import operations as jurisdictions
    from tracker.jurisdictions.schemas import NewJurisdiction
    from tracker.matters import events
    from tracker.matters import operations as matters
    from tracker.matters.schemas import NewEvent, NewMatter, NewProceeding
    from tracker.models import DelayFlag

    now, today = clock.now(), clock.today()
    with server.database.unit_of_work() as session:
        jurisdictions.create_jurisdiction(
            session,
            SETUP,
            now,
            NewJurisdiction.parse(
                {
                    "code": _word(limits.JURISDICTION_CODE),
                    "name": _word(limits.NAME),
                    "timezone": "Europe/Brussels",
                }
            ),
        )
        matter = matters.create_matter(
            session,
            SETUP,
            now,
            NewMatter.parse(
                {
                    "title": _word(limits.TITLE),
                    "subject": _word(limits.NAME),
                    "summary": _word(limits.SUMMARY),
                }
            ),
        )
        session.flush()
        proceeding = matters.create_proceeding(
            session,
            SETUP,
            now,
            NewProceeding.parse(
                {
                    "matter_id": matter.id,
                    "jurisdiction": _word(limits.JURISDICTION_CODE),
                    "kind": "criminal_case",
                    "title": _word(limits.TITLE),
                    "client_role": "accused",
                    "reference": _word(limits.REFERENCE),
                    "authority": _word(limits.NAME),
                    "opened_on": (today - dt.timedelta(days=400)).isoformat(),
                }
            ),
        )
        session.flush()
        events.create_event(
            session,
            SETUP,
            now,
            proceeding,
            NewEvent.parse(
                {
                    "kind": "filing",
                    "occurred_on": (today - dt.timedelta(days=300)).isoformat(),
                    "summary": _word(limits.SUMMARY),
                    "source": _word(limits.SOURCE),
                }
            ),
        )
        past = hearings.schedule_hearing(
            session,
            SETUP,
            now,
            proceeding,
            NewHearing.parse(
                {
                    "starts_at": f"{today - dt.timedelta(days=30)}T09:30",
                    "title": _word(limits.TITLE),
                }
            ),
        )
        session.flush()
        outcome = {"version": past.version, "result": "held", "summary": _word(9000)}
        hearings.record_outcome(session, SETUP, now, past, Outcome.parse(outcome))
        hearing = hearings.schedule_hearing(
            session,
            SETUP,
            now,
            proceeding,
            NewHearing.parse(
                {
                    "starts_at": f"{today + dt.timedelta(days=5)}T09:30",
                    "title": _word(limits.TITLE),
                    "location": _word(limits.LOCATION),
                }
            ),
        )
        session.flush()
        hearings.postpone(
            session,
            SETUP,
            now,
            hearing,
            Postpone.parse(
                {
                    "version": hearing.version,
                    "to": f"{today + dt.timedelta(days=12)}T09:30",
                    "reason": _word(limits.REASON),
                }
            ),
        )
        deadline = deadlines.create_deadline(
            session,
            SETUP,
            now,
            proceeding,
            NewDeadline.parse(
                {
                    "title": _word(limits.TITLE),
                    "due_on": today - dt.timedelta(days=2),
                    "explanation": _word(limits.EXPLANATION),
                }
            ),
        )
        session.flush()
        scan.run(session, now, today, Thresholds())
        flag = session.scalars(
            sa.select(DelayFlag).where(DelayFlag.deadline_id == deadline.id)
        ).first()
        delays.acknowledge(
            session,
            SETUP,
            now,
            flag,
            Acknowledge.parse({"note": _word(limits.NOTE), "version": flag.version}),
        )
        return {
            "matter": matter.id,
            "proceeding": proceeding.id,
            "hearing": hearing.id,
            "deadline": deadline.id,
            "flag": flag.id,
            "jurisdiction": proceeding.jurisdiction_id,
        }


#: what scrolls sideways on a page, and by how much (none is the answer)
WIDE = """() => {
  const root = document.documentElement;
  const out = {page: root.scrollWidth - window.innerWidth};
  for (const el of document.querySelectorAll(".table-wrap, figure, pre")) {
    const over = el.scrollWidth - el.clientWidth;
    if (over > 1) out[el.tagName.toLowerCase() + "." + el.className] = over;
  }
  return out;
}"""

#: each text of the timeline: where it starts and ends, its words, its tooltip
LABELS = """() => [...document.querySelectorAll("svg.timeline-svg text")].map(t => ({
  text: t.textContent,
  x0: t.getBBox().x,
  x1: t.getBBox().x + t.getBBox().width,
  lane: t.closest("g.lane") !== null,
  tip: (t.closest("a, g")?.querySelector("title")?.textContent) || "",
}))"""


def test_one_long_word_in_every_field_scrolls_no_page_sideways(live_server, page):
    from tracker.matters import svg

    ids = _store_long_words(live_server)
    log_in(page, live_server, "admin@demo.example")
    paths = [
        f"/matters/{ids['matter']}",
        f"/proceedings/{ids['proceeding']}",
        f"/hearings/{ids['hearing']}",
        f"/deadlines/{ids['deadline']}",
        "/",
        "/audit",
        "/flags",
        "/matters",
        "/hearings",
        "/deadlines",
        f"/flags/{ids['flag']}",
        "/admin/jurisdictions",
        f"/admin/jurisdictions/{ids['jurisdiction']}",
        "/feeds",
    ]
    wide = {}
    for path in paths:
        page.goto(live_server(path))
        found = page.evaluate(WIDE)
        if any(over > 0 for over in found.values()):
            wide[path] = found
    assert not wide, f"wider than the 1280 px window, in px: {wide}"

    page.goto(live_server(paths[0]))
    labels = page.evaluate(LABELS)
    proceeding = next(
        label for label in labels if label["text"].startswith("WWW") and not label["lane"]
    )
    assert proceeding["text"].endswith("…")
    assert _word(200) in proceeding["tip"]
    for label in labels:
        right = svg.GUTTER if label["lane"] else svg.WIDTH - svg.RIGHT
        assert label["x0"] >= 0, label
        assert label["x1"] <= right, label


@pytest.mark.parametrize("template", ["hearing_reminder", "deadline_reminder", "outcome_missing"])
def test_a_mail_with_one_long_word_in_every_value_fits_a_phone(page, template):
    from tracker.core import limits
    from tracker.notifications import messages

    long = {
        "title": _word(limits.TITLE),
        "matter": _word(limits.TITLE),
        "proceeding": _word(limits.TITLE),
        "reference": _word(limits.REFERENCE),
        "location": _word(limits.LOCATION),
        "authority": _word(limits.NAME),
        "explanation": _word(limits.EXPLANATION),
    }
    common = {"base_url": "https://tracker.example", "path": "/hearings/1", "days": 2}
    dates = {"when": "Thu 3 Dec 2026, 09:30", "when_reader": "", "due_on": "Fri 4 Dec 2026"}
    mail = messages.render(template, common | dates | long)
    page.set_viewport_size({"width": 390, "height": 800})

    page.set_content(mail.body_html)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
