"""The chronology's files, read back: the DOCX with python-docx (Word styles, headings in
order, the sources with their link), the PDF's text with pdftotext, Markdown and CSV;
pseudonymised, no paragraph, cell or line names anyone. Through the API.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess

import docx
import factories
import sqlalchemy as sa
from conftest import LINK

from tracker.users.models import User

NAMES = re.compile(r"mukhtar|ablyazov|gulnara|bazhkenova", re.IGNORECASE)
HEADINGS = [
    "Kazakhstan: Criminal case",
    "Ukraine: Extradition request from Kazakhstan",
    "France: Asylum of Ablyazov in France",
    "Kazakhstan: Appeal",
]


def fetch(dossier, **query):
    response = dossier.api.get(f"/matters/{dossier.matter['id']}/chronology", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def paragraphs(document: docx.document.Document) -> list[str]:
    """Every paragraph's text, those of table cells too."""
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        found += [cell.text for row in table.rows for cell in row.cells]
    return found


def test_the_docx_uses_word_styles_in_the_order_of_opening(dossier):
    response = fetch(dossier, format="docx")
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="chronology-matter-{dossier.matter["id"]}-2026-11-22.docx"'
    )
    document = docx.Document(io.BytesIO(response.data))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0] == ("Title", "Dossier of Mukhtar Ablyazov")
    assert [text for style, text in styled if style == "Heading 1"] == [*HEADINGS, "Sources"]
    bullets = [text for style, text in styled if style == "List Bullet"]
    assert "November 2016: Request received: Request naming Mukhtar Ablyazov received by the " \
        "prosecutor1" in bullets  # fmt: skip
    marks = [
        run.text
        for p in document.paragraphs
        if p.style.name == "List Bullet"
        for run in p.runs
        if run.font.superscript
    ]
    assert marks == ["1", "2"]
    texts = "\n".join(paragraphs(document))
    assert "Requested by Kazakhstan in connection with case no. 170000131000012." in texts
    assert "Hearings were postponed 2 times (1 hearing), 148 days lost to postponements." in texts


def test_the_docx_sources_keep_the_link_as_a_link(dossier):
    document = docx.Document(io.BytesIO(fetch(dossier, format="docx").data))
    sources = [p for p in document.paragraphs if p.text.startswith(("1. ", "2. "))]
    assert [p.text for p in sources] == [f"1. {LINK}", "2. Almaty City Court, decision no. 5"]
    (link,) = sources[0].hyperlinks
    assert link.address == LINK
    assert link.text == LINK


def _name_the_coordinator(database, dossier):
    with database.unit_of_work() as session:
        me = session.scalar(sa.select(User).where(User.email == dossier.api.email))
        me.name = "Gulnara Bazhkenova"
    factories.event(
        dossier.api, dossier.asylum["id"], "2020-02-02", kind="filing",
        summary="Gulnara Bazhkenova filed the appeal for ABLYAZOV, Mukhtar",
        source="https://example.org/news/mukhtar-ablyazov-asylum",
    )  # fmt: skip


def test_a_pseudonymised_docx_names_no_one(database, dossier):
    _name_the_coordinator(database, dossier)
    document = docx.Document(
        io.BytesIO(fetch(dossier, format="docx", privacy="pseudonymised").data)
    )
    texts = paragraphs(document)
    assert [t for t in texts if NAMES.search(t)] == []
    assert all(
        not NAMES.search(link.address or "") for p in document.paragraphs for link in p.hyperlinks
    )
    joined = "\n".join(texts)
    assert "Dossier of M. A." in joined
    assert "G. B. filed the appeal for A., M." in joined
    assert "case no. 170000131000012" in joined  # references are kept
    assert "France: Asylum of A. in France" in joined
    assert "Names of people are replaced by their initials." in joined


def test_the_pdf_text_reads_as_the_chronology(dossier, tmp_path):
    response = fetch(dossier, format="pdf")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    path = tmp_path / "chronology.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    positions = [flat.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "opened November 2016 – pending" in flat
    assert "Requested by Kazakhstan in connection with case no. 170000131000012." in flat
    assert "148 days lost to postponements" in flat
    assert f"Sources 1. {LINK}" in flat
    assert "WITHDRAWN" not in flat


def test_a_pseudonymised_pdf_names_no_one(database, dossier, tmp_path):
    _name_the_coordinator(database, dossier)
    path = tmp_path / "chronology.pdf"
    path.write_bytes(fetch(dossier, format="pdf", privacy="pseudonymised").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "M. A." in text
    assert not NAMES.search(text)


def test_markdown(dossier):
    response = fetch(dossier, format="md")
    assert response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert text.startswith("# Dossier of Mukhtar Ablyazov\n")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [*HEADINGS, "Sources"]
    assert "- **November 2016**: Request received: Request naming Mukhtar Ablyazov received " \
        "by the prosecutor[^1]" in text  # fmt: skip
    assert f"[^1]: <{LINK}>" in text
    assert "[^2]: Almaty City Court, decision no. 5" in text
    assert "**Delays.** Hearings were postponed 2 times" in text


def test_csv_has_one_row_per_dated_item(dossier):
    response = fetch(dossier, format="csv", proceedings=str(dossier.request["id"]))
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["proceeding", "country", "date", "precision", "type", "text", "source"]
    assert [row[:5] for row in rows[1:]] == [
        ["Extradition request from Kazakhstan", "Ukraine", "November 2016", "month", "event"],
        ["Extradition request from Kazakhstan", "Ukraine", "15 April 2024", "day", "postponement"],
        ["Extradition request from Kazakhstan", "Ukraine", "18 June 2024", "day", "postponement"],
        ["Extradition request from Kazakhstan", "Ukraine", "10 September 2024", "day", "hearing"],
    ]
    assert rows[1][6] == LINK
    assert rows[2][6] == ""


def test_a_pseudonymised_markdown_and_csv_name_no_one(database, dossier):
    _name_the_coordinator(database, dossier)
    for format in ("md", "csv"):
        text = fetch(dossier, format=format, privacy="pseudonymised").get_data(as_text=True)
        assert not NAMES.search(text), format
    # the link that names the client is cited without its address
    text = fetch(dossier, format="md", privacy="pseudonymised").get_data(as_text=True)
    assert "(address withheld)" in text


def test_control_characters_in_the_records_leave_every_file_whole(dossier, tmp_path):
    # the records refuse only NUL; XML (DOCX) cannot carry the others at all
    factories.event(
        dossier.api, dossier.request["id"], "2018-03-01", kind="note",
        summary="Bell\x07 vertical\x0btab\x1f and a form\x0cfeed", source="Court \x01 file",
    )  # fmt: skip
    for format in ("docx", "pdf", "md", "csv"):
        assert fetch(dossier, format=format).data, format
    document = docx.Document(io.BytesIO(fetch(dossier, format="docx").data))
    assert "1 March 2018: Note: Bell verticaltab and a formfeed2" in paragraphs(document)
    path = tmp_path / "chronology.pdf"
    path.write_bytes(fetch(dossier, format="pdf").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Bell verticaltab and a formfeed" in text
