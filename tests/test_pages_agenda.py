"""Hearings and deadlines by a range of days (`from`/`to`), and the printable agenda.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

import factories
import pytest
from pages import make_user, sign_in, text

from tracker.hearings import lists

DAYS = "from=2026-12-07&to=2026-12-13"


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "US", "United States", "America/Los_Angeles")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin):
    _matter, made = factories.dossier(admin, title="Dossier A.")
    return made


@pytest.fixture
def staff(client, database, admin):
    return sign_in(client, database, "staff")


def linked(page, what: str) -> list[int]:
    return [int(n) for n in re.findall(rf'href="/{what}/(\d+)"', text(page))]


def american(admin) -> dict:
    matter = factories.matter(admin, title="American")
    return factories.proceeding(admin, matter["id"], jurisdiction="US")


# --- the lists by days --------------------------------------------------------------------


def test_a_hearing_is_on_the_day_of_its_courts_clock(staff, admin, proceeding):
    # 23:30 in Los Angeles on the 7th is the 8th in UTC; 00:30 in Brussels on the 8th
    # is the 7th in UTC: each is listed on its court's day
    late = factories.hearing(admin, american(admin)["id"], "2026-12-07T23:30")
    early = factories.hearing(admin, proceeding["id"], "2026-12-08T00:30")

    on_7th = staff.get("/hearings?from=2026-12-07&to=2026-12-07")
    on_8th = staff.get("/hearings?from=2026-12-08&to=2026-12-08")

    assert on_7th.status_code == on_8th.status_code == 200
    assert linked(on_7th, "hearings") == [late["id"]]
    assert linked(on_8th, "hearings") == [early["id"]]
    assert "Mon 7 Dec 2026 23:30 PST" in text(on_7th)


def test_both_ends_of_the_range_are_in_it(staff, admin, proceeding):
    made = {
        when: factories.hearing(admin, proceeding["id"], when)["id"]
        for when in (
            "2026-12-06T23:59",
            "2026-12-07T00:00",
            "2026-12-13T23:59",
            "2026-12-14T00:00",
        )
    }
    due = {
        day: factories.deadline(admin, proceeding["id"], day)["id"]
        for day in ("2026-12-06", "2026-12-07", "2026-12-13", "2026-12-14")
    }

    hearings = staff.get(f"/hearings?{DAYS}")
    deadlines = staff.get(f"/deadlines?{DAYS}")

    assert linked(hearings, "hearings") == [made["2026-12-07T00:00"], made["2026-12-13T23:59"]]
    assert linked(deadlines, "deadlines") == [due["2026-12-07"], due["2026-12-13"]]
    assert "from Mon 7 Dec 2026 to Sun 13 Dec 2026" in text(hearings)


def test_the_range_combines_with_the_other_filters(staff, admin, proceeding):
    ours = factories.hearing(admin, proceeding["id"], "2026-12-08T10:00")
    factories.hearing(admin, american(admin)["id"], "2026-12-08T10:00")
    factories.deadline(admin, proceeding["id"], "2026-11-20")  # overdue, before the range
    inside = factories.deadline(admin, proceeding["id"], "2026-11-21")

    assert linked(staff.get(f"/hearings?{DAYS}&country=BE"), "hearings") == [ours["id"]]
    overdue = staff.get("/deadlines?due=overdue&from=2026-11-21")
    assert linked(overdue, "deadlines") == [inside["id"]]


def test_any_status_shows_what_became_of_past_hearings(staff, admin, proceeding):
    held = factories.hearing(admin, proceeding["id"], "2026-11-18T09:00")
    factories.ok(admin.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))
    waiting = factories.hearing(admin, proceeding["id"], "2026-11-19T09:00")
    coming = factories.hearing(admin, proceeding["id"], "2026-11-23T09:00")
    days = "from=2026-11-16&to=2026-11-29"

    every = staff.get(f"/hearings?show=all&{days}")
    still_coming = staff.get(f"/hearings?{days}")

    assert linked(every, "hearings") == [held["id"], waiting["id"], coming["id"]]
    assert '<span class="badge">held: held</span>' in text(every)
    assert linked(still_coming, "hearings") == [coming["id"]]


def test_a_page_of_a_range_keeps_the_range_in_its_links(staff, admin, proceeding, monkeypatch):
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    for day in range(7, 12):
        factories.hearing(admin, proceeding["id"], f"2026-12-{day:02d}T10:00")

    page = staff.get(f"/hearings?{DAYS}&page=2")

    assert "page 2 of 3" in text(page)
    following = re.search(r'<a href="/hearings\?([^"]*)" rel="next">', text(page)).group(1)
    assert sorted(following.split("&amp;")) == ["from=2026-12-07", "page=3", "to=2026-12-13"]


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("from=2026-02-30", "from: &#39;2026-02-30&#39; is not a date"),
        ("to=10000-01-01", "to: &#39;10000-01-01&#39; is not a date"),
        ("from=1899-12-31", "from: 1899-12-31 is outside the dates this tracker accepts"),
        ("from=2026-12-10&to=2026-12-01", "to: 2026-12-01 is before from (2026-12-10)"),
        ("format=xlsx", "format: Not a valid choice"),
    ],
)
def test_a_refused_day_is_said_by_name(staff, admin, proceeding, path, query, said):
    factories.hearing(admin, proceeding["id"], "2026-12-15T10:00")
    factories.deadline(admin, proceeding["id"], "2026-12-15")

    page = staff.get(f"{path}?{query}")

    assert page.status_code == 422
    assert "Some filters were not understood" in text(page)
    assert said in text(page)
    assert len(linked(page, path.strip("/"))) == 1  # shown without the refused filter


@pytest.mark.parametrize("role", ["staff", "lawyer"])
@pytest.mark.parametrize(
    "path", [f"/hearings?{DAYS}", f"/hearings?show=all&{DAYS}", f"/deadlines?{DAYS}"]
)
def test_a_range_runs_as_many_queries_for_many_rows_as_for_one(
    client, database, admin, queries, role, path
):
    browser = sign_in(client, database, role)

    def fill(count: int) -> None:
        for n in range(count):
            assignees = [browser.user.email] if role == "lawyer" else []
            _matter, made = factories.dossier(admin, title=f"M{n}", assignees=assignees)
            us = factories.proceeding(admin, made["matter_id"], jurisdiction="US")
            factories.hearing(admin, made["id"], "2026-12-08T10:00")
            factories.hearing(admin, us["id"], "2026-12-09T23:00")
            factories.deadline(admin, made["id"], "2026-12-10")

    fill(1)
    queries.clear()
    assert browser.get(path).status_code == 200
    few = len(queries)
    fill(6)
    queries.clear()
    assert browser.get(path).status_code == 200

    assert len(queries) == few
    assert few <= 5  # the user; the countries; the zones near the days; the count; the rows


# --- the agenda ---------------------------------------------------------------------------


@pytest.fixture
def team(client, database, admin):
    """Two lawyers with a matter each, and a matter with no lawyer, all in Belgium."""
    anna = sign_in(client, database, "lawyer", name="Anna Avocat")
    bert = sign_in(client, database, "lawyer", name="Bert Barrister")
    made = {}
    for title, who in (("Anna's", [anna]), ("Bert's", [bert]), ("Nobody's", [])):
        emails = [lawyer.user.email for lawyer in who]
        made[title] = factories.dossier(admin, title=title, assignees=emails)[1]
    return anna, bert, made


def sections(page) -> list[str]:
    return re.findall(r'<section class="agenda" aria-label="([^"]*)"', text(page))


def days_of(page, lawyer: str) -> list[str]:
    found = re.search(rf'aria-label="{re.escape(lawyer)}">(.*?)</section>', text(page), re.S)
    return re.findall(r"<h3>([^<]*)</h3>", found.group(1)) if found else []


def test_a_coordinator_sees_every_lawyer_day_by_day(client, database, admin, team):
    _anna, _bert, made = team
    factories.hearing(admin, made["Bert's"]["id"], "2026-11-24T10:00", title="Bail hearing")
    factories.deadline(admin, made["Anna's"]["id"], "2026-11-23", title="Appeal brief")
    factories.deadline(
        admin,
        made["Anna's"]["id"],
        "2026-11-25",
        title="Reply of the ministry",
        owed_by="authority",
    )
    factories.hearing(admin, made["Nobody's"]["id"], "2026-11-28T09:00")
    factories.hearing(admin, made["Anna's"]["id"], "2026-11-29T10:00")  # past the week
    coordinator = sign_in(client, database, "coordinator")

    page = coordinator.get("/agenda?lawyer=all")

    assert page.status_code == 200
    assert "Agenda · Sun 22 Nov 2026 to Sat 28 Nov 2026" in text(page)
    assert sections(page) == ["Anna Avocat", "Bert Barrister", "No lawyer assigned"]
    assert days_of(page, "Anna Avocat") == ["Mon 23 Nov 2026", "Wed 25 Nov 2026"]
    assert days_of(page, "Bert Barrister") == ["Tue 24 Nov 2026"]
    assert days_of(page, "No lawyer assigned") == ["Sat 28 Nov 2026"]
    body = text(page)
    assert re.search(
        r'class="entry ours">\s*<span class="what">Our deadline</span>\s*<a[^>]*>Appeal brief', body
    )
    assert re.search(
        r'class="entry authority">\s*<span class="what">Expected from the authority</span>'
        r"\s*<a[^>]*>Reply of the ministry",
        body,
    )
    assert "Tue 24 Nov 2026 10:00 CET" in body


def test_a_coordinator_picks_one_lawyer(client, database, admin, team):
    anna, _bert, made = team
    mine = factories.hearing(admin, made["Anna's"]["id"], "2026-11-24T10:00")
    factories.hearing(admin, made["Bert's"]["id"], "2026-11-24T11:00")
    coordinator = sign_in(client, database, "coordinator")

    page = coordinator.get(f"/agenda?lawyer={anna.user.id}")

    assert linked(page, "hearings") == [mine["id"]]
    assert f'<option selected value="{anna.user.id}">Anna Avocat</option>' in text(page)


def test_a_lawyer_sees_their_own_agenda_from_their_today(client, database, admin, team):
    _anna, _bert, made = team
    # 09:00 UTC on Sunday is still Saturday 23:00 in Honolulu
    lawyer = sign_in(client, database, "lawyer", name="Hana", timezone="Pacific/Honolulu")
    _matter, hers = factories.dossier(admin, title="Hana's", assignees=[lawyer.user.email])
    saturday = factories.deadline(admin, hers["id"], "2026-11-21")
    factories.deadline(admin, made["Anna's"]["id"], "2026-11-23")

    page = lawyer.get("/agenda")

    assert page.status_code == 200
    assert "Agenda · Sat 21 Nov 2026 to Fri 27 Nov 2026" in text(page)
    assert linked(page, "deadlines") == [saturday["id"]]
    assert sections(page) == ["Hana"]
    assert 'name="lawyer"' not in text(page)


@pytest.mark.parametrize("other", ["bert", "all"])
def test_a_lawyer_may_not_read_another_lawyers_agenda(client, database, admin, team, other):
    _anna, bert, made = team
    factories.hearing(admin, made["Bert's"]["id"], "2026-11-24T10:00", title="Bert's hearing")
    lawyer = sign_in(client, database, "lawyer")
    asked = bert.user.id if other == "bert" else "all"

    refused = lawyer.get(f"/agenda?lawyer={asked}")

    assert refused.status_code == 403
    assert "Bert&#39;s hearing" not in text(refused)


def test_an_agenda_shows_only_what_the_lists_show(client, database, admin, team):
    _anna, _bert, made = team
    lawyer = sign_in(client, database, "lawyer", name="Lone")
    factories.hearing(admin, made["Anna's"]["id"], "2026-11-24T10:00", title="Not hers")

    page = lawyer.get(f"/agenda?lawyer={lawyer.user.id}")

    assert page.status_code == 200
    assert "Not hers" not in text(page)
    assert "Nothing from Sun 22 Nov 2026 to Sat 28 Nov 2026" in text(page)


def test_a_cancelled_hearing_is_not_on_the_agenda_a_held_one_is(client, database, admin, team):
    _anna, _bert, made = team
    held = factories.hearing(admin, made["Anna's"]["id"], "2026-11-16T09:00")
    factories.ok(admin.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))
    gone = factories.hearing(admin, made["Anna's"]["id"], "2026-11-17T09:00")
    factories.ok(admin.post(f"/hearings/{gone['id']}/outcome", {"result": "cancelled"}))
    coordinator = sign_in(client, database, "coordinator")

    page = coordinator.get("/agenda?from=2026-11-16&to=2026-11-17")

    assert linked(page, "hearings") == [held["id"]]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("from=2026-02-30", "from: &#39;2026-02-30&#39; is not a date"),
        ("to=10000-01-01", "to: &#39;10000-01-01&#39; is not a date"),
        ("from=2026-12-10&to=2026-12-01", "to: 2026-12-01 is before from (2026-12-10)"),
        ("from=2026-12-01&to=2027-01-01", "to: an agenda covers at most 31 days"),
        ("lawyer=999999", "lawyer: Not a valid choice"),
    ],
)
def test_a_refused_agenda_filter_is_said(client, database, admin, query, said):
    coordinator = sign_in(client, database, "coordinator")

    page = coordinator.get(f"/agenda?{query}")

    assert page.status_code == 422
    assert said in text(page)
    assert "Agenda · " in text(page)


def test_the_agenda_is_linked_from_the_dashboard_and_the_lists(staff, admin):
    for path in ("/", "/hearings", "/deadlines"):
        assert 'href="/agenda"' in text(staff.get(path))


def test_the_agenda_prints(staff, admin):
    body = text(staff.get("/agenda"))

    assert '<button type="button" data-print>Print</button>' in body
    assert "agenda.css" in body
    css = staff.client.get("/static/agenda.css").get_data(as_text=True)
    assert "@media print" in css
    assert "header.top" in css


@pytest.mark.parametrize("role", ["coordinator", "lawyer"])
def test_an_agenda_runs_as_many_queries_for_many_rows_as_for_one(
    client, database, admin, queries, role
):
    reader = sign_in(client, database, role)

    def fill(count: int) -> None:
        for n in range(count):
            colleague = make_user(database, "lawyer", name=f"L{n}").email
            _matter, made = factories.dossier(
                admin, title=f"M{n}", assignees=[reader.user.email, colleague]
            )
            us = factories.proceeding(admin, made["matter_id"], jurisdiction="US")
            factories.hearing(admin, made["id"], "2026-11-23T10:00")
            factories.hearing(admin, us["id"], "2026-11-24T23:00")
            factories.deadline(admin, made["id"], "2026-11-25")
            factories.deadline(admin, made["id"], "2026-11-26", owed_by="authority")

    fill(1)
    path = "/agenda?lawyer=all" if role == "coordinator" else "/agenda"
    queries.clear()
    assert reader.get(path).status_code == 200
    few = len(queries)
    fill(6)
    queries.clear()
    page = reader.get(path)
    assert page.status_code == 200

    assert len(queries) == few
    assert few <= 6  # the user; the lawyers; the zones near the days; hearings; deadlines
    assert len(linked(page, "hearings")) >= 14
