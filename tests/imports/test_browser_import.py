"""Importing spreadsheets in Chromium: a coordinator downloads the template, checks the
files, imports them, and reads a refusal in the report."""

from __future__ import annotations

import openpyxl
import pytest
import sample_files
import sqlalchemy as sa
from browser import log_in

from tracker.models import AuditEntry, Matter

pytestmark = pytest.mark.browser


def test_a_coordinator_checks_then_imports_the_files(live_server, page, tmp_path):
    paths = []
    for name, content in sample_files.FILES.items():
        path = tmp_path / name
        path.write_text(content)
        paths.append(str(path))

    log_in(page, live_server, "coordinator@demo.example")
    page.get_by_role("link", name="Import", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert openpyxl.load_workbook(template).sheetnames[1:] == list(sample_files.FILES_KINDS)

    page.get_by_label("Files").set_input_files(paths)
    page.get_by_label("Check only").check()
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    report = page.locator(".import-report")
    assert "Checked: nothing was written" in report.inner_text()
    with live_server.database.sessionmaker() as session:
        assert session.scalar(sa.select(Matter.id).where(Matter.key == "2019-014")) is None

    page.get_by_label("Files").set_input_files(paths)
    page.get_by_label("Check only").uncheck()
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "created 2 matters, 4 proceedings" in page.locator(".import-report").inner_text()
    with live_server.database.sessionmaker() as session:
        assert session.scalar(sa.select(Matter.id).where(Matter.key == "2019-014")) is not None
        imported = sa.select(AuditEntry).where(AuditEntry.action == "import")
        assert session.scalar(imported).actor_label == "coordinator@demo.example"

    bad = tmp_path / "bad" / "events.csv"
    bad.parent.mkdir()
    bad.write_text(sample_files.EVENTS.replace("2020-05,Writ", "2020-02-30,Writ"))
    page.get_by_label("Files").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    report = page.locator(".import-report")
    assert "Nothing was imported" in report.inner_text()
    row = report.locator("tr", has_text="occurred_on")
    assert row.locator("td").all_inner_texts()[:3] == ["events.csv", "4", "occurred_on"]
    assert page.logged_errors == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
    ]
    page.logged_errors.clear()  # the refusal's 422, as expected
