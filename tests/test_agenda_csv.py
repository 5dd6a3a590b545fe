"""The hearings and deadlines lists as CSV: every row the list shows with its filters,
all pages, streamed from one statement.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import csv
import html
import io
import re

import factories
import pytest
from pages import sign_in, text

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


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(text(response))))


def titles_on_page(page, what: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(rf'href="/{what}/\d+">([^<]*)</a>', text(page))]


def test_the_hearings_csv_is_the_lists_rows_on_every_page(staff, admin, proceeding, monkeypatch):
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    matter = factories.matter(admin, title="American")
    us = factories.proceeding(admin, matter["id"], jurisdiction="US", reference="CR-7")
    late = factories.hearing(admin, us["id"], "2026-12-07T23:30", title="Arraignment")
    factories.postpone(admin, late["id"], "2026-12-08T23:30", reason="no interpreter")
    factories.hearing(
        admin, proceeding["id"], "2026-12-08", title="Day only", location="Room 3", time_known=False
    )
    for day in (9, 10, 11):
        factories.hearing(
            admin, proceeding["id"], f"2026-12-{day:02d}T10:00", title=f"On the {day}th"
        )
    factories.hearing(admin, proceeding["id"], "2026-12-14T10:00", title="After")

    response = staff.get(f"/hearings?{DAYS}&format=csv")
    rows = rows_of(response)

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="hearings-2026-12-07-to-2026-12-13.csv"'
    )
    shown = []
    for page in (1, 2, 3):
        shown += titles_on_page(staff.get(f"/hearings?{DAYS}&page={page}"), "hearings")
    assert [row["hearing"] for row in rows] == shown
    assert len(rows) == 5
    assert rows[0] == {
        "date": "2026-12-08",
        "local time": "",
        "time zone": "Europe/Brussels",
        "time known": "no",
        "hearing": "Day only",
        "matter": "Dossier A.",
        "proceeding": proceeding["title"],
        "country": "BE",
        "authority": "",
        "reference": proceeding["reference"] or "",
        "location": "Room 3",
        "status": "scheduled",
        "outcome": "",
        "times postponed": "0",
    }
    moved = next(row for row in rows if row["hearing"] == "Arraignment")
    assert (moved["date"], moved["local time"], moved["time zone"]) == (
        "2026-12-08",
        "23:30",
        "America/Los_Angeles",
    )
    assert (moved["country"], moved["reference"], moved["times postponed"]) == ("US", "CR-7", "1")


def test_a_held_hearing_says_its_outcome(staff, admin, proceeding):
    held = factories.hearing(admin, proceeding["id"], "2026-11-18T09:00")
    factories.ok(admin.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))

    rows = rows_of(staff.get("/hearings?show=all&from=2026-11-16&to=2026-11-20&format=csv"))

    assert [(row["status"], row["outcome"]) for row in rows] == [("held", "held")]


def test_a_title_that_looks_like_a_formula_is_written_as_text(staff, admin, proceeding):
    formula = '=HYPERLINK("http://evil.example","click")'
    factories.hearing(admin, proceeding["id"], "2026-12-08T10:00", title=formula)
    factories.deadline(admin, proceeding["id"], "2026-12-08", title="+1+cmd|' /C calc'!A0")

    hearing = rows_of(staff.get(f"/hearings?{DAYS}&format=csv"))[0]
    deadline = rows_of(staff.get(f"/deadlines?{DAYS}&format=csv"))[0]

    assert hearing["hearing"] == "'" + formula
    assert deadline["deadline"] == "'+1+cmd|' /C calc'!A0"


def test_the_deadlines_csv_says_who_owes_each(staff, admin, proceeding):
    factories.deadline(admin, proceeding["id"], "2026-12-07", title="Appeal brief")
    factories.deadline(
        admin, proceeding["id"], "2026-12-13", title="Ministry's answer", owed_by="authority"
    )
    factories.deadline(admin, proceeding["id"], "2026-12-14", title="Later")

    response = staff.get(f"/deadlines?{DAYS}&format=csv")
    rows = rows_of(response)

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="deadlines-2026-12-07-to-2026-12-13.csv"'
    )
    assert [row["deadline"] for row in rows] == titles_on_page(
        staff.get(f"/deadlines?{DAYS}"), "deadlines"
    )
    assert [(r["due date"], r["owed by"], r["status"]) for r in rows] == [
        ("2026-12-07", "us (the client)", "open"),
        ("2026-12-13", "the authority", "open"),
    ]
    assert rows[0]["matter"] == "Dossier A."
    assert rows[0]["country"] == "BE"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/hearings?format=csv", "hearings-upcoming-2026-11-22.csv"),
        ("/hearings?show=awaiting&format=csv", "hearings-awaiting-2026-11-22.csv"),
        ("/deadlines?due=overdue&format=csv", "deadlines-overdue-2026-11-22.csv"),
        ("/deadlines?from=2026-12-01&format=csv", "deadlines-from-2026-12-01.csv"),
        ("/hearings?from=2026-12-01&days=3&format=csv", "hearings-2026-12-01-to-2026-12-03.csv"),
    ],
)
def test_the_file_is_named_after_the_list(staff, admin, path, name):
    response = staff.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
def test_a_lawyers_csv_has_only_their_matters(client, database, admin, path):
    lawyer = sign_in(client, database, "lawyer")
    _mine, mine = factories.dossier(admin, title="Mine", assignees=[lawyer.user.email])
    _other, other = factories.dossier(admin, title="Other")
    for made in (mine, other):
        factories.hearing(admin, made["id"], "2026-12-08T10:00")
        factories.deadline(admin, made["id"], "2026-12-08")

    rows = rows_of(lawyer.get(f"{path}?{DAYS}&format=csv"))

    assert [row["matter"] for row in rows] == ["Mine"]


@pytest.mark.parametrize("path", ["/hearings", "/deadlines"])
def test_a_refused_filter_gives_the_page_not_a_file(staff, admin, path):
    response = staff.get(f"{path}?from=2026-02-30&format=csv")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "from: &#39;2026-02-30&#39; is not a date" in text(response)


def test_the_lists_link_their_csv_with_their_filters(staff, admin):
    body = text(staff.get(f"/hearings?{DAYS}&country=BE"))

    link = re.search(r'<a href="/hearings\?([^"]*)" download>Download as CSV</a>', body)
    assert sorted(link.group(1).split("&amp;")) == [
        "country=BE",
        "format=csv",
        "from=2026-12-07",
        "to=2026-12-13",
    ]


@pytest.mark.parametrize("role", ["staff", "lawyer"])
@pytest.mark.parametrize("path", [f"/hearings?show=all&{DAYS}", f"/deadlines?{DAYS}"])
def test_a_csv_runs_as_many_queries_for_many_rows_as_for_one(
    client, database, admin, queries, monkeypatch, role, path
):
    monkeypatch.setattr(lists, "STREAM_BATCH", 2)  # several batches: still one statement
    reader = sign_in(client, database, role)

    def fill(count: int) -> None:
        for n in range(count):
            _matter, made = factories.dossier(admin, title=f"M{n}", assignees=[reader.user.email])
            us = factories.proceeding(admin, made["matter_id"], jurisdiction="US")
            moved = factories.hearing(admin, made["id"], "2026-12-08T10:00")
            factories.postpone(admin, moved["id"], "2026-12-09T10:00")
            factories.hearing(admin, us["id"], "2026-12-09T23:00")
            factories.deadline(admin, made["id"], "2026-12-10")

    fill(1)
    queries.clear()
    few_rows = rows_of(reader.get(f"{path}&format=csv"))
    few = len(queries)
    fill(6)
    queries.clear()
    many_rows = rows_of(reader.get(f"{path}&format=csv"))

    assert len(many_rows) == 7 * len(few_rows)
    assert len(queries) == few
    assert few <= 4  # the user; the countries; the zones near the days; the rows
