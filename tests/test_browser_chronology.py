"""Exporting the chronology in Chromium: a coordinator opens the demo dossier, asks for
the Word file with names pseudonymised, and the download opens in python-docx."""

from __future__ import annotations

import docx
import pytest
import sqlalchemy as sa
from browser import log_in

from tracker.models import Matter

pytestmark = pytest.mark.browser

DOSSIER = "Bota Jardemalie"


def test_the_dossier_page_downloads_the_chronology_as_word(live_server, page, tmp_path):
    with live_server.database.sessionmaker() as session:
        matter = session.scalar(sa.select(Matter).where(Matter.title == DOSSIER))
        assert matter is not None
        matter_id, proceedings = matter.id, len(matter.proceedings)

    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/matters/{matter_id}"))
    page.get_by_text("Export chronology").click()
    page.get_by_label("Format").select_option("docx")
    page.get_by_label("Names").select_option("pseudonymised")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download chronology").click()
    found = download.value
    assert found.suggested_filename.startswith(f"chronology-matter-{matter_id}-")
    assert found.suggested_filename.endswith(".docx")
    target = tmp_path / found.suggested_filename
    found.save_as(target)

    document = docx.Document(str(target))
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "B. J."
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len([h for h in headings if h != "Sources"]) == proceedings
    assert not any("Jardemalie" in p.text for p in document.paragraphs)
