"""The full lists behind the dashboard's panels: /hearings and /deadlines.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

import factories
import pytest
from pages import sign_in, text

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.deadlines import operations
from tracker.hearings import lists


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin):
    _matter, made = factories.dossier(admin, title="Dossier A.")
    return made


@pytest.fixture
def staff(client, database, admin):
    return sign_in(client, database, "staff")


def linked(page, what: str) -> list[int]:
    """The ids of the `what` (hearings, deadlines) the page links to, in order."""
    return [int(n) for n in re.findall(rf'href="/{what}/(\d+)"', text(page))]


def hearings_at(admin, proceeding_id: int, *starts: str) -> dict[str, int]:
    return {when: factories.hearing(admin, proceeding_id, when)["id"] for when in starts}


def deadlines_on(admin, proceeding_id: int, *days: str) -> dict[str, int]:
    return {day: factories.deadline(admin, proceeding_id, day)["id"] for day in days}


# --- hearings -----------------------------------------------------------------------------


def test_coming_hearings_soonest_first_within_30_days(staff, admin, proceeding):
    made = hearings_at(
        admin,
        proceeding["id"],
        "2026-12-02T09:00",
        "2026-11-28T09:00",
        "2026-11-20T09:00",  # past
        "2026-12-23T10:00",  # past the 30 days
    )

    page = staff.get("/hearings")

    assert page.status_code == 200
    assert linked(page, "hearings") == [made["2026-11-28T09:00"], made["2026-12-02T09:00"]]
    body = text(page)
    assert "2 hearings" in body
    assert f'href="/matters/{proceeding["matter_id"]}"' in body
    assert f'href="/proceedings/{proceeding["id"]}"' in body
    assert "Sat 28 Nov 2026 09:00 CET" in body


def test_days_widens_the_window(staff, admin, proceeding):
    made = hearings_at(admin, proceeding["id"], "2026-11-23T10:00", "2027-01-20T10:00")

    assert linked(staff.get("/hearings?days=1"), "hearings") == []
    assert linked(staff.get("/hearings?days=2"), "hearings") == [made["2026-11-23T10:00"]]
    assert linked(staff.get("/hearings?days=366"), "hearings") == list(made.values())


def test_the_readers_time_is_shown_when_it_differs(client, database, admin, proceeding):
    factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    in_new_york = sign_in(client, database, "staff", timezone="America/New_York")

    body = text(in_new_york.get("/hearings"))

    assert "Tue 1 Dec 2026 10:00 CET" in body
    assert "Tue 1 Dec 2026 04:00 EST for you" in body


def test_postponements_are_counted(staff, admin, proceeding):
    made = factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    factories.postpone(admin, made["id"], "2026-12-03T10:00", reason="judge ill")
    factories.postpone(admin, made["id"], "2026-12-05T10:00", reason="strike")

    assert '<span class="badge postponed">2×</span>' in text(staff.get("/hearings"))


def test_awaiting_is_the_dashboards_rule_latest_first(staff, admin, proceeding):
    made = hearings_at(admin, proceeding["id"], "2026-11-18T09:00", "2026-11-20T09:00")
    held = factories.hearing(admin, proceeding["id"], "2026-11-19T09:00")
    factories.ok(admin.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))
    factories.hearing(admin, proceeding["id"], "2026-11-30T09:00")  # to come

    page = staff.get("/hearings?show=awaiting")

    expected = [made["2026-11-20T09:00"], made["2026-11-18T09:00"]]
    assert linked(page, "hearings") == expected
    dashboard = re.search(r"Hearings awaiting an outcome.*?</section>", text(staff.get("/")), re.S)
    assert sorted(int(n) for n in re.findall(r'/hearings/(\d+)"', dashboard.group(0))) == sorted(
        expected
    )


def test_empty_hearing_lists_say_so(staff, admin):
    assert "No hearings in the next 30 days." in text(staff.get("/hearings"))
    assert "Every past hearing has its outcome." in text(staff.get("/hearings?show=awaiting"))


# --- deadlines ----------------------------------------------------------------------------


def test_open_deadlines_earliest_first_with_the_overdue_marked(staff, admin, proceeding):
    made = deadlines_on(admin, proceeding["id"], "2026-12-15", "2026-11-20", "2026-12-01")
    done = factories.deadline(admin, proceeding["id"], "2026-11-25")
    factories.ok(
        admin.patch(f"/deadlines/{done['id']}", {"status": "done", "version": done["version"]})
    )

    page = staff.get("/deadlines")

    assert linked(page, "deadlines") == [
        made[d] for d in ("2026-11-20", "2026-12-01", "2026-12-15")
    ]
    body = text(page)
    assert "3 open deadlines" in body
    late = re.search(
        rf'<tr class="overdue">.*?/deadlines/{made["2026-11-20"]}".*?</tr>', body, re.S
    )
    assert late is not None
    assert '<span class="badge overdue">overdue</span>' in late.group(0)
    assert body.count('<tr class="overdue">') == 1


def test_a_computed_deadline_says_so(staff, database, admin, proceeding):
    with database.unit_of_work() as session:
        operations.seed_rules(session, SystemActor("system:tests"), clock.now())
    judgment = factories.event(admin, proceeding["id"], "2026-11-10", kind="judgment")
    body = {"rule": "BE-CRIM-APPEAL", "trigger_event_id": judgment["id"]}
    computed = factories.created(admin.post(f"/proceedings/{proceeding['id']}/deadlines", body))
    by_hand = factories.deadline(admin, proceeding["id"], "2026-12-15")

    body = text(staff.get("/deadlines"))

    assert re.search(
        rf'/deadlines/{computed["id"]}">[^<]*</a> <span class="muted">\(computed\)', body
    )
    assert not re.search(rf'/deadlines/{by_hand["id"]}">[^<]*</a> <span', body)


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        ("overdue", ["2026-11-20"]),
        ("week", ["2026-11-20", "2026-11-22", "2026-11-29"]),
        ("all", ["2026-11-20", "2026-11-22", "2026-11-29", "2026-11-30"]),
    ],
)
def test_the_due_filter(staff, admin, proceeding, due, shown):
    made = deadlines_on(
        admin, proceeding["id"], "2026-11-20", "2026-11-22", "2026-11-29", "2026-11-30"
    )

    page = staff.get(f"/deadlines?due={due}")

    assert page.status_code == 200
    assert linked(page, "deadlines") == [made[day] for day in shown]


def test_an_empty_deadline_list_says_so(staff, admin):
    assert "No open deadlines." in text(staff.get("/deadlines"))
    assert "No overdue deadlines." in text(staff.get("/deadlines?due=overdue"))


# --- both ---------------------------------------------------------------------------------


def _in_two_countries(admin) -> tuple[dict, dict]:
    _one, belgian = factories.dossier(admin, title="Belgian")
    matter = factories.matter(admin, title="French")
    french = factories.proceeding(admin, matter["id"], jurisdiction="FR")
    for made in (belgian, french):
        factories.hearing(admin, made["id"], "2026-12-01T10:00")
        factories.deadline(admin, made["id"], "2026-12-15")
    return belgian, french


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
def test_the_country_filter(staff, admin, path):
    belgian, french = _in_two_countries(admin)

    body = text(staff.get(f"{path}?country=FR"))

    assert f'href="/proceedings/{french["id"]}"' in body
    assert f'href="/proceedings/{belgian["id"]}"' not in body


@pytest.mark.parametrize("path", ["/hearings", "/hearings?show=awaiting", "/deadlines"])
def test_a_lawyer_sees_only_the_rows_of_their_matters(client, database, admin, path):
    lawyer = sign_in(client, database, "lawyer")
    _mine, mine = factories.dossier(admin, title="Mine", assignees=[lawyer.user.email])
    _other, other = factories.dossier(admin, title="Other")
    for made in (mine, other):
        factories.hearing(admin, made["id"], "2026-12-01T10:00")
        factories.hearing(admin, made["id"], "2026-11-20T10:00")
        factories.deadline(admin, made["id"], "2026-12-15")

    body = text(lawyer.get(path))

    assert f'href="/matters/{mine["matter_id"]}"' in body
    assert f'href="/matters/{other["matter_id"]}"' not in body
    assert "Other" not in body


@pytest.mark.parametrize(("path", "what"), [("/hearings", "hearings"), ("/deadlines", "deadlines")])
def test_pages_of_fifty_and_past_the_last_page_the_last(
    staff, admin, proceeding, monkeypatch, path, what
):
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    for day in range(1, 6):
        factories.hearing(admin, proceeding["id"], f"2026-12-0{day}T10:00")
        factories.deadline(admin, proceeding["id"], f"2026-12-0{day}")
    everything = linked(staff.get(f"{path}?page=1"), what) + linked(
        staff.get(f"{path}?page=2"), what
    )

    last = staff.get(f"{path}?page=3&country=BE")
    past = staff.get(f"{path}?page=99&country=BE")

    assert len(set(everything)) == 4
    assert linked(last, what) == linked(past, what)
    assert len(linked(past, what)) == 1
    assert "page 3 of 3" in text(past)
    assert f'href="{path}?page=2&amp;country=BE" rel="prev"' in text(past)
    assert re.search(rf"5 (open )?{what}", text(past))


@pytest.mark.parametrize(
    "path",
    [
        "/hearings?days=0",
        "/hearings?days=367",
        "/hearings?days=abc",
        "/hearings?show=later",
        "/hearings?country=XX",
        "/deadlines?due=soon",
        "/deadlines?country=XX",
    ],
)
def test_a_refused_filter_is_said_and_the_list_shown_without_it(staff, admin, proceeding, path):
    made = factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    deadline = factories.deadline(admin, proceeding["id"], "2026-12-15")

    page = staff.get(path)

    assert page.status_code == 422
    assert "Some filters were not understood" in text(page)
    assert f"/hearings/{made['id']}" in text(page) or f"/deadlines/{deadline['id']}" in text(page)


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999999999999999999"])
def test_a_page_number_out_of_range_is_corrected(staff, admin, proceeding, path, page):
    factories.hearing(admin, proceeding["id"], "2026-12-01T10:00")
    factories.deadline(admin, proceeding["id"], "2026-12-15")

    response = staff.get(f"{path}?page={page}")

    assert response.status_code == 200
    assert len(linked(response, path.strip("/"))) == 1


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
def test_the_lists_need_a_login(client, database, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_navigation_has_both_lists_after_matters(staff, admin):
    body = text(staff.get("/deadlines"))

    nav = re.findall(r'<a href="(/[^"]*)"[^>]*>(Matters|Hearings|Deadlines|Flags)</a>', body)
    assert [label for _href, label in nav] == ["Matters", "Hearings", "Deadlines", "Flags"]
    assert ("/hearings", "Hearings") in nav
    assert ("/deadlines", "Deadlines") in nav


# --- speed --------------------------------------------------------------------------------


def _fill(admin, count: int) -> None:
    for n in range(count):
        _matter, made = factories.dossier(admin, title=f"Matter {n}")
        hearing = factories.hearing(admin, made["id"], "2026-12-01T10:00")
        factories.postpone(admin, hearing["id"], "2026-12-02T10:00")
        factories.hearing(admin, made["id"], "2026-11-20T10:00")
        factories.deadline(admin, made["id"], "2026-11-15")


@pytest.mark.parametrize("role", ["staff", "lawyer"])
@pytest.mark.parametrize(
    "path", ["/hearings", "/hearings?show=awaiting&country=BE", "/deadlines?due=week"]
)
def test_a_list_runs_as_many_queries_for_many_rows_as_for_one(
    client, database, admin, queries, role, path
):
    browser = sign_in(client, database, role)
    _fill(admin, 1)
    queries.clear()
    assert browser.get(path).status_code == 200
    few = len(queries)

    _fill(admin, 6)
    queries.clear()
    assert browser.get(path).status_code == 200

    assert len(queries) == few
    assert few <= 4  # the signed-in user; the countries; the count; the page's rows
