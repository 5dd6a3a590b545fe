"""The dashboard: coming hearings, open deadlines, open flags, hearings awaiting an outcome.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

import factories
import pytest
from pages import sign_in, text

from tracker.core import clock
from tracker.dashboard import queries
from tracker.delays.models import DelayFlag, Severity


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin):
    _matter, made = factories.dossier(admin, title="Dossier A.")
    return made


PANELS = (
    "Hearings in the next 30 days",
    "Open deadlines",
    "Open delay flags",
    "Hearings awaiting an outcome",
)


def panel(page, title: str) -> str:
    """The HTML of the dashboard panel whose heading starts with `title`."""
    found = re.search(rf"<h2[^>]*>{re.escape(title)}.*?</section>", text(page), re.S)
    assert found, f"no panel {title!r}"
    return found.group(0)


def flag(database, proceeding_id: int, **fields) -> int:
    """Store a delay flag as a scan would."""
    values = {
        "key": f"test:{proceeding_id}:{fields.get('rule', 'long_pending')}:{len(fields)}",
        "rule": "long_pending",
        "severity": Severity.warning,
        "proceeding_id": proceeding_id,
        "message": "Pending more than 730 days",
        "first_seen": clock.today(),
        "last_seen": clock.today(),
    } | fields
    with database.unit_of_work() as session:
        row = DelayFlag(**values)
        session.add(row)
        session.flush()
        return row.id


# --- hearings -----------------------------------------------------------------------------


def test_hearings_of_the_next_30_days_are_shown_and_later_ones_not(
    client, database, admin, proceeding
):
    soon = factories.hearing(admin, proceeding["id"], "2026-12-21T10:00", title="Soon hearing")
    later = factories.hearing(admin, proceeding["id"], "2026-12-23T10:00", title="Later hearing")
    browser = sign_in(client, database, "staff")

    hearings = panel(browser.get("/"), "Hearings in the next 30 days")

    assert f'href="/hearings/{soon["id"]}"' in hearings
    assert f'href="/hearings/{later["id"]}"' not in hearings
    assert f'href="/matters/{proceeding["matter_id"]}"' in hearings
    assert f'href="/proceedings/{proceeding["id"]}"' in hearings
    assert "Mon 21 Dec 2026 10:00 CET" in hearings


def test_a_hearing_shows_the_courts_time_and_the_readers_when_they_differ(
    client, database, admin, proceeding
):
    factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    in_new_york = sign_in(client, database, "staff", timezone="America/New_York")

    hearings = panel(in_new_york.get("/"), "Hearings in the next 30 days")

    assert "Tue 1 Dec 2026 10:00 CET" in hearings
    assert "Tue 1 Dec 2026 04:00 EST for you" in hearings


def test_a_reader_in_the_courts_zone_sees_one_time(client, database, admin, proceeding):
    factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    in_brussels = sign_in(client, database, "staff", timezone="Europe/Brussels")

    hearings = panel(in_brussels.get("/"), "Hearings in the next 30 days")

    assert "Tue 1 Dec 2026 10:00 CET" in hearings
    assert "for you" not in hearings


def test_postponements_are_counted(client, database, admin, proceeding):
    made = factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    factories.postpone(admin, made["id"], "2026-12-03T10:00", reason="judge ill")
    factories.postpone(admin, made["id"], "2026-12-05T10:00", reason="strike")
    browser = sign_in(client, database, "staff")

    hearings = panel(browser.get("/"), "Hearings in the next 30 days")

    assert '<span class="badge postponed">2×</span>' in hearings


def test_a_panel_is_capped_and_says_how_many_more(client, database, admin, proceeding, monkeypatch):
    for day in range(1, 5):
        factories.hearing(admin, proceeding["id"], f"2026-12-0{day}T10:00")
    monkeypatch.setattr(queries, "LIMIT", 3)
    browser = sign_in(client, database, "staff")

    hearings = panel(browser.get("/"), "Hearings in the next 30 days")

    assert hearings.count('href="/hearings/') == 3
    assert '<a href="/hearings">1 more hearings</a>' in hearings
    assert '<span class="count">4</span>' in hearings


def test_each_panels_more_links_to_its_whole_list(client, database, admin, proceeding, monkeypatch):
    for day in (1, 2):
        factories.hearing(admin, proceeding["id"], f"2026-12-0{day}T10:00")
        # past and awaiting an outcome: each write stores its outcome_missing flag
        factories.hearing(admin, proceeding["id"], f"2026-11-1{day}T10:00")
        factories.deadline(admin, proceeding["id"], f"2026-12-1{day}")
    monkeypatch.setattr(queries, "LIMIT", 1)
    page = sign_in(client, database, "staff").get("/")

    assert '<a href="/hearings">1 more hearings</a>' in panel(page, "Hearings in the next")
    assert '<a href="/deadlines">1 more open deadlines</a>' in panel(page, "Open deadlines")
    assert '<a href="/hearings?show=awaiting">1 more hearings awaiting an outcome</a>' in panel(
        page, "Hearings awaiting"
    )
    assert '<a href="/flags">1 more open flags</a>' in panel(page, "Open delay flags")


# --- deadlines ----------------------------------------------------------------------------


def test_open_deadlines_by_due_date_with_the_overdue_marked(client, database, admin, proceeding):
    late = factories.deadline(admin, proceeding["id"], "2026-11-20", title="Late filing")
    next_ = factories.deadline(admin, proceeding["id"], "2026-12-15", title="Next filing")
    done = factories.deadline(admin, proceeding["id"], "2026-12-01", title="Done filing")
    factories.ok(
        admin.patch(f"/deadlines/{done['id']}", {"status": "done", "version": done["version"]})
    )
    browser = sign_in(client, database, "staff")

    deadlines = panel(browser.get("/"), "Open deadlines")

    assert deadlines.index(f"/deadlines/{late['id']}") < deadlines.index(
        f"/deadlines/{next_['id']}"
    )
    assert f"/deadlines/{done['id']}" not in deadlines
    late_row = re.search(
        rf'<tr class="overdue">.*?/deadlines/{late["id"]}".*?</tr>', deadlines, re.S
    )
    assert late_row is not None
    assert '<span class="badge overdue">overdue</span>' in late_row.group(0)
    assert deadlines.count('class="overdue"') == 1


# --- flags --------------------------------------------------------------------------------


def test_open_flags_critical_first_each_linking_to_its_subject(client, database, admin, proceeding):
    made = factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    flag(database, proceeding["id"], message="Warning flag")
    flag(
        database,
        proceeding["id"],
        rule="repeated_postponement",
        severity=Severity.critical,
        hearing_id=made["id"],
        message="Critical flag",
    )
    flag(
        database, proceeding["id"], rule="stale_proceeding", message="Gone", resolved_at=clock.now()
    )
    browser = sign_in(client, database, "staff")

    flags = panel(browser.get("/"), "Open delay flags")

    assert flags.index("Critical flag") < flags.index("Warning flag")
    assert f'<a href="/hearings/{made["id"]}">Critical flag</a>' in flags
    assert f'<a href="/proceedings/{proceeding["id"]}">Warning flag</a>' in flags
    assert "Gone" not in flags


# --- awaiting an outcome ------------------------------------------------------------------


def test_past_hearings_without_an_outcome_await_one(client, database, admin, proceeding):
    waiting = factories.hearing(admin, proceeding["id"], "2026-11-20T09:00")
    held = factories.hearing(admin, proceeding["id"], "2026-11-19T09:00")
    factories.ok(admin.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))
    coming = factories.hearing(admin, proceeding["id"], "2026-11-30T09:00")
    browser = sign_in(client, database, "staff")

    awaiting = panel(browser.get("/"), "Hearings awaiting an outcome")

    assert f'href="/hearings/{waiting["id"]}"' in awaiting
    assert f'href="/hearings/{held["id"]}"' not in awaiting
    assert f'href="/hearings/{coming["id"]}"' not in awaiting


def test_coming_hearings_run_soonest_first_and_past_ones_latest_first(
    client, database, admin, proceeding
):
    made = {
        when: factories.hearing(admin, proceeding["id"], when)["id"]
        for when in ("2026-11-18T09:00", "2026-11-20T09:00", "2026-12-02T09:00", "2026-11-28T09:00")
    }
    browser = sign_in(client, database, "staff")
    page = browser.get("/")

    def order(title: str) -> list[int]:
        return [int(n) for n in re.findall(r'href="/hearings/(\d+)"', panel(page, title))]

    assert order("Hearings in the next 30 days") == [
        made["2026-11-28T09:00"],
        made["2026-12-02T09:00"],
    ]
    assert order("Hearings awaiting an outcome") == [
        made["2026-11-20T09:00"],
        made["2026-11-18T09:00"],
    ]


def test_each_hearing_panel_counts_its_own_rows(client, database, admin, proceeding):
    for day in (16, 18, 20):
        factories.hearing(admin, proceeding["id"], f"2026-11-{day}T09:00")
    browser = sign_in(client, database, "staff")
    page = browser.get("/")

    coming = panel(page, "Hearings in the next 30 days")
    awaiting = panel(page, "Hearings awaiting an outcome")

    assert '<span class="count">0</span>' in coming
    assert "No hearings in the next 30 days." in coming
    assert '<span class="count">3</span>' in awaiting


# --- who sees what ------------------------------------------------------------------------


def test_a_lawyer_sees_only_the_rows_of_their_matters(client, database, admin):
    lawyer = sign_in(client, database, "lawyer")
    _mine, mine = factories.dossier(admin, title="Mine", assignees=[lawyer.user.email])
    _other, other = factories.dossier(admin, title="Other")
    for made in (mine, other):
        factories.hearing(admin, made["id"], "2026-12-01T10:00")
        factories.hearing(admin, made["id"], "2026-11-20T10:00")
        factories.deadline(admin, made["id"], "2026-12-15")
        flag(database, made["id"])

    page = lawyer.get("/")

    for title in PANELS:
        shown = panel(page, title)
        assert f'href="/matters/{mine["matter_id"]}"' in shown, title
        assert f'href="/matters/{other["matter_id"]}"' not in shown, title
    assert "Other" not in text(page)


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff"])
def test_other_roles_see_every_matter(client, database, admin, role):
    _one, one = factories.dossier(admin, title="One")
    _two, two = factories.dossier(admin, title="Two")
    for made in (one, two):
        factories.deadline(admin, made["id"], "2026-12-15")

    deadlines = panel(sign_in(client, database, role).get("/"), "Open deadlines")

    assert f'href="/proceedings/{one["id"]}"' in deadlines
    assert f'href="/proceedings/{two["id"]}"' in deadlines


def test_the_dashboard_needs_a_login(client, database):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_empty_dashboard_says_so(client, database, frozen_now):
    page = text(sign_in(client, database, "coordinator").get("/"))

    assert "No hearings in the next 30 days." in page
    assert "No open deadlines." in page
    assert "No open delay flags." in page


# --- speed --------------------------------------------------------------------------------


def _fill(admin, database, count: int) -> None:
    for n in range(count):
        _matter, made = factories.dossier(admin, title=f"Matter {n}")
        hearing = factories.hearing(admin, made["id"], "2026-12-01T10:00")
        factories.postpone(admin, hearing["id"], "2026-12-02T10:00")
        factories.hearing(admin, made["id"], "2026-11-20T10:00")
        factories.deadline(admin, made["id"], "2026-12-15")
        flag(database, made["id"], hearing_id=hearing["id"])


@pytest.mark.parametrize("role", ["staff", "lawyer"])
def test_the_dashboard_runs_as_many_queries_for_many_rows_as_for_one(
    client, app, database, admin, queries, role
):
    browser = sign_in(client, database, role)
    if role == "lawyer":
        factories.ok(admin.get("/matters"))  # nothing assigned yet: the same query shapes
    _fill(admin, database, 1)
    queries.clear()
    assert browser.get("/").status_code == 200
    few = len(queries)

    _fill(admin, database, 5)
    queries.clear()
    assert browser.get("/").status_code == 200

    assert len(queries) == few
    assert few <= 4  # the signed-in user; both hearing panels; deadlines; flags


def test_counting_stops_past_the_cap(client, database, admin, proceeding, monkeypatch):
    for day in range(1, 5):
        factories.hearing(admin, proceeding["id"], f"2026-12-0{day}T10:00")
    monkeypatch.setattr(queries, "LIMIT", 1)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    browser = sign_in(client, database, "staff")

    hearings = panel(browser.get("/"), "Hearings in the next 30 days")

    assert '<span class="count">2+</span>' in hearings
    assert '<a href="/hearings">over 1 more hearings</a>' in hearings
