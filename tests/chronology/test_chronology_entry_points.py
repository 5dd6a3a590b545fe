"""The chronology's entry points: the API's refusals (each naming its parameter), who may
export (a lawyer only their matters: 404 otherwise), the OpenAPI entry, the dossier
page's form and download, the command line, and a server without Pango (PDF refused
with what to install; every other format works). Exporting is a read: nothing written.
"""

from __future__ import annotations

import builtins
import io

import docx
import factories
import pytest
from click.testing import CliRunner
from factories import assert_error
from pages import sign_in, text

from tracker.chronology.html_writer import PANGO
from tracker.cli import main
from tracker.web import openapi


def url(dossier) -> str:
    return f"/matters/{dossier.matter['id']}/chronology"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"format": "odt"}, "format"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "1899-12-31"}, "from"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "to"),
        ({"privacy": "anonymous"}, "privacy"),
        ({"proceedings": "1,x"}, "proceedings.1"),
        ({"proceedings": "999999"}, "proceedings"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_refused_naming_them(dossier, query, field):
    error = assert_error(dossier.api.get(url(dossier), query_string=query), 422, "invalid", field)
    assert error["message"]


def test_a_proceeding_of_another_matter_is_refused(dossier):
    other = factories.matter(dossier.api, "Other")
    foreign = factories.proceeding(dossier.api, other["id"], jurisdiction="FR")
    query = {"proceedings": f"{dossier.request['id']},{foreign['id']}"}
    error = assert_error(
        dossier.api.get(url(dossier), query_string=query), 422, "invalid", "proceedings"
    )
    assert error["message"] == f"no proceeding {foreign['id']} in this matter"


def test_a_lawyer_exports_their_matters_only(app, database, dossier):
    lawyer = factories.login(app.test_client(), database, "lawyer", "lawyer@example.org")
    assert_error(lawyer.get(url(dossier)), 404, "not_found")
    assert_error(lawyer.get("/matters/999999/chronology"), 404, "not_found")
    mine = factories.matter(dossier.api, "Mine", assignees=["lawyer@example.org"])
    response = lawyer.get(f"/matters/{mine['id']}/chronology", query_string={"format": "md"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("# Mine\n")


def test_exporting_writes_nothing(database, dossier):
    with factories.nothing_written(database):
        for format in ("docx", "md", "csv"):
            assert dossier.api.get(url(dossier), query_string={"format": format}).status_code == 200


def test_the_openapi_document_describes_the_files(client):
    document = client.get(openapi.PATH).get_json()
    operation = document["paths"]["/api/v1/matters/{matter_id}/chronology"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
        "text/markdown",
        "text/csv",
    }
    assert "503" in operation["responses"]
    assert {p["name"] for p in operation["parameters"]} == {
        "matter_id", "format", "proceedings", "from", "to", "privacy",
    }  # fmt: skip


# --- without Pango ---------------------------------------------------------------------


@pytest.fixture
def no_pango(monkeypatch):
    """Importing WeasyPrint fails as it does when Pango is missing."""
    real = builtins.__import__

    def importing(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)


def test_without_pango_a_pdf_is_refused_saying_what_to_install(app, database, dossier, no_pango):
    error = assert_error(
        dossier.api.get(url(dossier), query_string={"format": "pdf"}), 503, "pdf_unavailable"
    )
    assert error["message"] == PANGO
    assert dossier.api.get(url(dossier), query_string={"format": "docx"}).status_code == 200
    browser = sign_in(app.test_client(), database, "coordinator")
    page = text(browser.get(f"/matters/{dossier.matter['id']}"))
    assert '<option value="pdf" disabled>PDF (unavailable)</option>' in page
    assert PANGO in page
    refused = browser.get(url(dossier), query_string={"format": "pdf"})
    assert refused.status_code == 503
    assert PANGO in text(refused)


# --- the dossier page -------------------------------------------------------------------


def test_the_dossier_page_offers_the_export_and_downloads_it(app, database, dossier):
    browser = sign_in(app.test_client(), database, "coordinator")
    page = text(browser.get(f"/matters/{dossier.matter['id']}"))
    assert "Export chronology" in page
    assert f'action="/matters/{dossier.matter["id"]}/chronology"' in page
    assert '<option value="pdf">PDF</option>' in page
    # the form as a browser sends it: every box ticked, dates left empty
    ticked = [
        ("proceedings", str(dossier.request["id"])),
        ("proceedings", str(dossier.appeal["id"])),
    ]
    query = [("format", "docx"), *ticked, ("from", ""), ("to", ""), ("privacy", "pseudonymised")]
    response = browser.get(url(dossier), query_string=query)
    assert response.status_code == 200, text(response)
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Ukraine: Extradition request from Kazakhstan",
        "Kazakhstan: Appeal",
        "Sources",
    ]
    assert document.paragraphs[0].text == "Dossier of M. A."


def test_the_page_refuses_a_bad_range_with_a_page(app, database, dossier):
    browser = sign_in(app.test_client(), database, "coordinator")
    refused = browser.get(url(dossier), query_string={"from": "2024-05-02", "to": "2024-05-01"})
    assert refused.status_code == 422
    assert "to (2024-05-01) is before from (2024-05-02)" in text(refused)


def test_a_lawyer_gets_no_page_of_a_matter_not_theirs(app, database, dossier):
    browser = sign_in(app.test_client(), database, "lawyer")
    assert browser.get(url(dossier)).status_code == 404


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def tracker(tmp_path, db_url):
    """Run `tracker ARGS...` in-process against the test database."""
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }
    return lambda *args: CliRunner().invoke(main, [str(arg) for arg in args], env=env)


def test_the_command_writes_the_file(tracker, dossier, tmp_path):
    target = tmp_path / "chronology.docx"
    result = tracker(
        "chronology", dossier.matter["id"], "--format", "docx", "-o", target,
        "--proceeding", dossier.request["id"], "--privacy", "pseudonymised",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote the chronology" in result.output
    document = docx.Document(str(target))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Ukraine: Extradition request from Kazakhstan", "Sources"]
    markdown = tmp_path / "chronology.md"
    result = tracker(
        "chronology", dossier.matter["id"], "--format", "md", "-o", markdown,
        "--from", "2024-05-01", "--to", "2024-12-31",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "**Period covered:** 1 May 2024 – 31 December 2024" in markdown.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "2024-01-01", "--from", "2024-02-01"], "--to"),
        (["--from", "2024-02-30"], "--from"),
        (["--proceeding", "999999"], "--proceeding"),
    ],
)
def test_the_command_refuses_bad_options(tracker, dossier, tmp_path, args, message):
    target = tmp_path / "out.md"
    result = tracker("chronology", dossier.matter["id"], "-o", target, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not target.exists()


def test_the_command_names_a_missing_matter(tracker, dossier, tmp_path):
    result = tracker("chronology", "999999", "-o", tmp_path / "x.docx")
    assert result.exit_code == 1
    assert "no matter 999999" in result.output
