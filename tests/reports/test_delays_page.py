"""The statistics page (/reports/delays), its CSV, and `tracker report delays`."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import data
import pytest
from click.testing import CliRunner
from pages import sign_in

from tracker.cli import main
from tracker.core.clock import frozen
from tracker.reports import queries

URL = "/reports/delays"
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def ids(database) -> dict[str, int]:
    with database.unit_of_work() as session:
        return data.build(session)


def svgs(html: str) -> list[ET.Element]:
    """Every <svg> of the page, parsed (each must be well-formed XML)."""
    found, start = [], html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))
        start = html.find("<svg", end)
    return found


def test_the_page_shows_the_table_and_one_chart_per_measure(client, database, ids):
    sign_in(client, database, "coordinator")
    response = client.get(URL, query_string=YEAR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Delay statistics" in html
    assert 'href="/reports/delays"' in html  # the "Reports" entry of the navigation
    assert "366 days" in html
    assert "732.0" in html  # BE's disposition time in the table
    charts = svgs(html)
    assert len(charts) == 13  # twelve measures and the postponements per year
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.find(f"{SVG}title").text  # a title and a description in words
        assert chart.find(f"{SVG}desc").text
    disposition = next(c for c in charts if c.get("id") == "chart-disposition-time-days")
    assert disposition.find(f"{SVG}desc").text == "BE: 732; US: n/a"
    per_year = next(c for c in charts if c.get("id") == "chart-postponements-per-year")
    assert per_year.find(f"{SVG}desc").text == "BE (2024: 5); US (2024: 1)"
    assert "format=csv" in html  # the download link


def test_the_page_without_a_period_shows_this_year_so_far(client, database, ids):
    sign_in(client, database, "lawyer")
    with frozen(data.at("2024-07-01T12:00", "UTC")):
        html = client.get(URL).get_data(as_text=True)
    assert 'value="2024-01-01"' in html
    assert 'value="2024-07-01"' in html
    assert "No proceeding was pending" in html  # a lawyer with no matter sees nothing


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2024-05-01", "to": "2024-04-01"}, "to: 2024-04-01 is before from"),
        (YEAR | {"group_by": "court"}, "group_by:"),
        (YEAR | {"format": "pdf"}, "format: &#39;pdf&#39; is not one of html, csv"),
        ({"from": "soon", "to": "2024-04-01"}, "from: &#39;soon&#39; is not a date"),
    ],
)
def test_a_bad_filter_is_said_on_the_page(client, database, query, message):
    sign_in(client, database, "coordinator")
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_csv_downloads_and_reads_back(client, database, ids):
    sign_in(client, database, "coordinator")
    response = client.get(URL, query_string=YEAR | {"group_by": "kind", "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "delays-2024-01-01-2024-12-31.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(queries.COLUMNS)
    assert [row["kind"] for row in rows] == [
        "criminal_case",
        "extradition_request",
        "mla_request",
        "trial",
        "",
    ]
    criminal, total = rows[0], rows[-1]
    assert total["jurisdiction"] == "total"
    assert (criminal["incoming"], criminal["disposition_time_days"]) == ("3", "1464.0")
    assert criminal["hearings_held_4_or_more_dates"] == "1"
    assert total["clearance_rate"] == "0.5"
    assert total["hearing_dates_mean"] == "2.14"
    assert rows[3]["clearance_rate"] == ""  # trial: nothing came in (null)


def test_the_command_line_prints_the_table_or_the_csv(tmp_path, db_url, ids):
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }
    runner = CliRunner()
    args = ["report", "delays", "--from", "2024-01-01", "--to", "2024-12-31"]
    shown = runner.invoke(main, args, env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "Delay statistics, 2024-01-01 to 2024-12-31 (366 days)"
    assert lines[2].split() == ["BE", "3", "2", "4", "0.6667", "732.0", "60.0", "5", "2.4"]
    assert lines[3].split() == ["US", "1", "0", "2", "0.0", "n/a", "547.5", "1", "1.5"]
    assert lines[4].split()[0] == "total"
    as_csv = runner.invoke(main, [*args, "--group-by", "jurisdiction,kind", "--csv"], env=env)
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(row["jurisdiction"], row["kind"]) for row in rows][:2] == [
        ("BE", "criminal_case"),
        ("BE", "extradition_request"),
    ]
    wrong = runner.invoke(
        main, ["report", "delays", "--from", "2024-05-01", "--to", "2024-01-01"], env=env
    )
    assert wrong.exit_code == 2
    assert "to: 2024-01-01 is before from (2024-05-01)" in wrong.output
    year = runner.invoke(main, ["report", "delays", "--to", "2024-12-31"], env=env)
    assert year.output.splitlines()[0] == "Delay statistics, 2024-01-01 to 2024-12-31 (366 days)"
