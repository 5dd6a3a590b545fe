"""The delay statistics and the chronology as the README shows them: a coordinator
opens the statistics of the demo dossier's years in Chromium, and the demo matter's
chronology is made as PDF and its first page drawn (both kept as the README's pictures)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.models import Matter

pytestmark = pytest.mark.browser

DOSSIER = "Bota Jardemalie"


def test_the_statistics_page_draws_a_chart_per_measure_and_prints(live_server, page, screenshots):
    log_in(page, live_server, "coordinator@demo.example")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_label("From").fill("2016-01-01")
    page.get_by_label("To").fill("2025-12-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()

    rows = page.locator("table.stats tbody tr")
    assert rows.count() >= 3  # the demo's countries, and all of them together
    assert "KZ" in page.locator("table.stats").inner_text()
    charts = page.locator("section.charts svg")
    assert charts.count() >= 10
    assert charts.first.bounding_box()["width"] > 100
    page.screenshot(path=screenshots / "reports.png", full_page=False)
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert page.locator("table.stats").is_visible()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_chronology_pdf_of_a_dossier_has_its_sections(live_server, page, screenshots):
    with live_server.database.sessionmaker() as session:
        matter_id = session.scalar(sa.select(Matter.id).where(Matter.title == DOSSIER))
    log_in(page, live_server, "staff@demo.example")

    answer = page.request.get(live_server(f"/matters/{matter_id}/chronology?format=pdf"))

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    pdf = screenshots / "chronology.pdf"
    pdf.write_bytes(answer.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert DOSSIER in text
    assert "Sources" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(screenshots / "chronology-pdf")],
        check=True,
    )  # fmt: skip
    pdf.unlink()
    assert (screenshots / "chronology-pdf.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
