"""The chronology as a Word document, in Word's own styles (Title, Heading 1, List Bullet).

python-docx has no footnote API: sources are numbered endnotes instead, a "Sources"
section at the end, cited by superscript numbers in the text; a source that is a
link stays a link (a `w:hyperlink` to an external relationship).
"""

from __future__ import annotations

import io

import docx
from docx.enum.dml import MSO_THEME_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from tracker.chronology.document import Chronology, Note, Section


def write(chronology: Chronology) -> bytes:
    document = docx.Document()
    document.core_properties.title = chronology.title
    document.add_heading(chronology.title, level=0)
    document.add_paragraph(chronology.subtitle, style="Subtitle")
    facts = document.add_paragraph()
    _labelled(facts, "Client: ", chronology.client)
    facts.add_run().add_break()
    _labelled(facts, "Period covered: ", chronology.period)
    facts.add_run().add_break()
    _labelled(facts, "As of: ", chronology.made_on.isoformat())
    if chronology.pseudonymised:
        document.add_paragraph("Names of people are replaced by their initials.", style="Quote")
    for section in chronology.sections:
        _section(document, section)
    if chronology.notes:
        document.add_heading("Sources", level=1)
        for note in chronology.notes:
            _note(document.add_paragraph(), note)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _labelled(paragraph: Paragraph, label: str, value: str) -> None:
    paragraph.add_run(label).bold = True
    paragraph.add_run(value)


def _section(document: docx.document.Document, section: Section) -> None:
    document.add_heading(section.heading, level=1)
    facts = document.add_paragraph()
    _labelled(facts, "Proceeding: ", f"{section.kind}, {section.period}")
    for label, value in (
        ("Authority: ", section.authority),
        ("Reference: ", section.reference),
        ("Client's role: ", section.role),
    ):
        if value:
            facts.add_run().add_break()
            _labelled(facts, label, value)
    for link in section.links:
        document.add_paragraph(link[:1].upper() + link[1:] + ".")
    if section.items:
        document.add_heading("Chronology", level=2)
    for item in section.items:
        line = document.add_paragraph(style="List Bullet")
        line.add_run(f"{item.written}: ").bold = True
        line.add_run(item.text)
        if item.note is not None:
            line.add_run(str(item.note)).font.superscript = True
    if section.delays:
        document.add_heading("Delays", level=2)
        document.add_paragraph(section.delays)


def _note(paragraph: Paragraph, note: Note) -> None:
    """The number written out (the text's marks say it; a list style could renumber);
    a link's text is the link."""
    paragraph.add_run(f"{note.number}. ")
    if note.url is None:
        paragraph.add_run(note.text)
        return
    before, _, after = note.text.partition(note.url)
    if before:
        paragraph.add_run(before)
    _hyperlink(paragraph, note.url, note.url)
    if after:
        paragraph.add_run(after)


def _hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    """A real hyperlink: an external relationship and a `w:hyperlink` holding its run."""
    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = paragraph.add_run(text)
    run.font.underline = True
    run.font.color.theme_color = MSO_THEME_COLOR_INDEX.HYPERLINK
    link.append(run._r)  # moved from the paragraph into the link
    paragraph._p.append(link)
