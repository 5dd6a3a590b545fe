"""The import page: coordinators and admins upload files and read the report; the
template downloads and imports back; the command line does the same with a progress bar."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import factories
import openpyxl
import pytest
import sample_files
import sqlalchemy as sa
from click.testing import CliRunner
from factories import nothing_written, row_counts
from pages import sign_in, text

from tracker.cli import main
from tracker.core import clock, limits
from tracker.imports.columns import SHEETS
from tracker.models import AuditEntry, Matter

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def countries(database):
    for code, zone in (("UA", "Europe/Kyiv"), ("KZ", "Asia/Almaty"), ("BE", "Europe/Brussels")):
        factories.jurisdiction(database, code, timezone=zone)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(NOW):
        yield


def files(mapping=None) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(t.encode()), n) for n, t in (mapping or sample_files.FILES).items()]


def test_a_coordinator_imports_the_files_and_reads_the_report(client, database):
    browser = sign_in(client, database, "coordinator")
    page = browser.get("/import")
    assert page.status_code == 200
    assert 'href="/import"' in text(page)  # in the navigation
    response = browser.post("/import", {"files": files()}, content_type="multipart/form-data")
    assert response.status_code == 200, text(response)
    body = text(response)
    assert "Imported" in body
    assert "created 2 matters, 4 proceedings" in body
    assert row_counts(database)["proceedings"] == 4
    with database.sessionmaker() as session:
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import"))
        assert entry.actor_id == browser.user.id
        assert [f["name"] for f in entry.after["files"]] == list(sample_files.FILES)


def test_a_refused_row_is_shown_with_its_file_line_and_column(client, database):
    browser = sign_in(client, database, "admin")
    bad = dict(sample_files.FILES)
    bad["events.csv"] = bad["events.csv"].replace("2020-05,Writ", "2020-02-30,Writ")
    browser.get("/import")
    with nothing_written(database):
        response = browser.post(
            "/import", {"files": files(bad)}, content_type="multipart/form-data"
        )
    assert response.status_code == 422
    body = text(response)
    assert "Nothing was imported" in body
    assert '<td>events.csv</td><td class="num">4</td><td>occurred_on</td>' in body


def test_check_only_writes_nothing(client, database):
    browser = sign_in(client, database, "coordinator")
    browser.get("/import")
    with nothing_written(database):
        response = browser.post(
            "/import", {"files": files(), "dry_run": "y"}, content_type="multipart/form-data"
        )
    assert response.status_code == 200
    assert "Checked: nothing was written" in text(response)
    assert "would create 2 matters" in text(response)


def test_a_file_that_is_no_spreadsheet_is_refused_beside_the_field(client, database):
    browser = sign_in(client, database, "coordinator")
    browser.get("/import")
    with nothing_written(database):
        response = browser.post(
            "/import",
            {"files": [(io.BytesIO(b"hello"), "notes.txt")]},
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert "not a spreadsheet" in text(response)


def test_no_file_is_refused(client, database):
    browser = sign_in(client, database, "coordinator")
    browser.get("/import")
    response = browser.post("/import", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "choose the files to import" in text(response)


def test_a_body_larger_than_an_import_is_refused_before_it_is_read(client, database):
    browser = sign_in(client, database, "coordinator")
    browser.get("/import")
    huge = io.BytesIO(b"x" * (limits.IMPORT_BYTES + 128 * 1024))
    with nothing_written(database):
        response = browser.post(
            "/import", {"files": [(huge, "events.csv")]}, content_type="multipart/form-data"
        )
    assert response.status_code == 413


def test_a_file_larger_than_the_app_wide_limit_is_taken_here(client, database):
    """The app refuses bodies over 1 MB; the import page takes up to its own limit."""
    rows = "".join(
        f"BE,20/123/A,filing,2020-05-{1 + n % 28:02d},Filing {n:06d} {'x' * 40}\n"
        for n in range(20_000)
    )
    big = dict(
        sample_files.FILES,
        **{"events.csv": "jurisdiction,reference,kind,occurred_on,summary\n" + rows},
    )
    assert len(big["events.csv"]) > 1024 * 1024
    browser = sign_in(client, database, "coordinator")
    browser.get("/import")
    response = browser.post(
        "/import", {"files": files(big), "dry_run": "y"}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, text(response)[:500]


@pytest.mark.parametrize("role", ["lawyer", "staff"])
def test_only_coordinators_and_admins_import(client, database, role):
    browser = sign_in(client, database, role)
    assert browser.get("/import").status_code == 403
    assert browser.get("/import/template.xlsx").status_code == 403
    assert 'href="/import"' not in text(browser.get("/"))


def test_the_template_names_every_column_and_imports_back_when_filled(client, database):
    browser = sign_in(client, database, "coordinator")
    response = browser.get("/import/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="tracker-import.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Read me", *SHEETS]
    for kind, columns in SHEETS.items():
        header = [cell.value for cell in book[kind][1]]
        assert header == [column.name for column in columns]
    # an empty template is refused whole; filled, it imports
    empty = io.BytesIO(response.data)
    browser.get("/import")
    refused = browser.post(
        "/import", {"files": [(empty, "t.xlsx")]}, content_type="multipart/form-data"
    )
    assert "no rows to import" in text(refused)
    sheet = book["matters"]
    sheet.append(["2024-001", "A dossier from the template"])
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    done = browser.post(
        "/import", {"files": [(filled, "t.xlsx")]}, content_type="multipart/form-data"
    )
    assert done.status_code == 200, text(done)
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(Matter.title).where(Matter.key == "2024-001")) == (
            "A dossier from the template"
        )


# --- the command line ----------------------------------------------------------------------


def cli(tmp_path, db_url, *args):
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }
    return CliRunner().invoke(main, list(args), env=env)


def write(tmp_path, mapping=None) -> list[str]:
    paths = []
    for name, content in (mapping or sample_files.FILES).items():
        path = tmp_path / name
        path.write_text(content)
        paths.append(str(path))
    return paths


def test_tracker_import_writes_the_files_and_says_what_it_did(tmp_path, db_url, database):
    result = cli(tmp_path, db_url, "import", *write(tmp_path))
    assert result.exit_code == 0, result.output
    assert "created 2 matters, 4 proceedings, 3 events, 2 deadlines, 2 hearings" in result.output
    again = cli(tmp_path, db_url, "import", *write(tmp_path))
    assert again.exit_code == 0
    assert "created nothing" in again.output
    assert row_counts(database)["matters"] == 2


def test_tracker_import_dry_run_and_a_refused_row(tmp_path, db_url, database):
    with nothing_written(database):
        checked = cli(tmp_path, db_url, "import", "--dry-run", *write(tmp_path))
    assert checked.exit_code == 0
    assert "would create" in checked.output
    bad = dict(sample_files.FILES)
    bad["proceedings.csv"] = bad["proceedings.csv"].replace("2016-11", "2016-13")
    with nothing_written(database):
        refused = cli(tmp_path, db_url, "import", *write(tmp_path, bad))
    assert refused.exit_code == 1
    assert "proceedings.csv line 3, column opened_on: " in refused.output
    assert "nothing was written" in refused.output


def test_tracker_import_of_an_unreadable_file_exits_2(tmp_path, db_url, database):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = cli(tmp_path, db_url, "import", str(path))
    assert result.exit_code == 2
    assert "not a spreadsheet" in result.output
    missing = cli(tmp_path, db_url, "import", str(tmp_path / "nowhere.csv"))
    assert missing.exit_code == 2
    assert "nowhere.csv" in missing.output
