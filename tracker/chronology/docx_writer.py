"""The chronology as a Word document, in Word's own styles (Title, Heading 1, List Bullet).

python-docx has no footnote API: sources are numbered endnotes instead, a "Sources"
section at the end, cited by superscript numbers in the text; a source that is a
link stays a link (a `w:hyperlink` to an external relationship).
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tracker.chronology.document import Chronology, Note, Section, xml_safe


class _Writer:
    """Paragraphs (`w:p` elements) in the template's styles, written as XML.

    python-docx's own calls cost seconds over thousands of lines: each paragraph added
    is placed by a walk of the whole body (to stay before its section properties),
    and each style named is looked up by a walk of every style. Here the section
    properties are set aside while the body is written, and each style's id is looked
    up once."""

    def __init__(self, document: docx.document.Document):
        self.document = document
        self.body = document.element.body
        self._ids: dict[str, str] = {}
        self._links = 0
        self._section = self.body.sectPr
        if self._section is not None:
            self.body.remove(self._section)

    def done(self) -> None:
        if self._section is not None:
            self.body.append(self._section)

    def paragraph(self, style: str | None = None, text: str = "") -> Any:
        paragraph = _child(self.body, "w:p")
        if style is not None:
            if style not in self._ids:
                self._ids[style] = self.document.styles[style].style_id
            properties = _child(paragraph, "w:pPr")
            _child(properties, "w:pStyle", val=self._ids[style])
        if text:
            run_of(paragraph, text)
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.paragraph("Title" if level == 0 else f"Heading {level}", text)

    def link(self, paragraph: Any, url: str) -> None:
        """A real hyperlink: an external relationship and a `w:hyperlink` holding its run.
        The relationship is added under an id of ours: python-docx's own search for a
        free id and for an equal link walks every relationship, each time."""
        url = xml_safe(url)
        self._links += 1
        relation = f"rIdSource{self._links}"
        self.document.part.rels.add_relationship(
            RELATIONSHIP_TYPE.HYPERLINK, url, relation, is_external=True
        )
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        run = run_of(link, url)
        properties = run.makeelement(qn("w:rPr"), {})
        run.insert(0, properties)  # a link's colour and underline, as Word draws links
        _child(properties, "w:color", val="0563C1")
        _child(properties, "w:u", val="single")
        paragraph.append(link)


def run_of(parent: Any, text: str, *, bold: bool = False, superscript: bool = False) -> Any:
    """A run of text at the end of `parent`, written as XML at once (python-docx's
    `add_run` then `.bold` searches the run's properties for their place each time)."""
    run = _child(parent, "w:r")
    if bold or superscript:
        properties = _child(run, "w:rPr")
        if bold:
            _child(properties, "w:b")
        if superscript:
            _child(properties, "w:vertAlign", val="superscript")
    written = _child(run, "w:t")
    written.text = text = xml_safe(text)
    if text != text.strip():
        written.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def write(chronology: Chronology) -> bytes:
    document = docx.Document()
    document.core_properties.title = xml_safe(chronology.title)
    out = _Writer(document)
    out.heading(chronology.title, 0)
    out.paragraph("Subtitle", chronology.subtitle)
    facts = out.paragraph()
    _labelled(facts, "Client: ", chronology.client)
    _child(_child(facts, "w:r"), "w:br")
    _labelled(facts, "Period covered: ", chronology.period)
    _child(_child(facts, "w:r"), "w:br")
    _labelled(facts, "As of: ", chronology.made_on.isoformat())
    if chronology.pseudonymised:
        out.paragraph("Quote", "Names of people are replaced by their initials.")
    for section in chronology.sections:
        _section(out, section)
    if chronology.notes:
        out.heading("Sources", 1)
        for note in chronology.notes:
            _note(out, out.paragraph(), note)
    out.done()
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


def _labelled(paragraph: Any, label: str, value: str) -> None:
    run_of(paragraph, label, bold=True)
    run_of(paragraph, value)


def _section(out: _Writer, section: Section) -> None:
    out.heading(section.heading, 1)
    facts = out.paragraph()
    _labelled(facts, "Proceeding: ", f"{section.kind}, {section.period}")
    for label, value in (
        ("Authority: ", section.authority),
        ("Reference: ", section.reference),
        ("Client's role: ", section.role),
    ):
        if value:
            _child(_child(facts, "w:r"), "w:br")
            _labelled(facts, label, value)
    for link in section.links:
        out.paragraph(None, link[:1].upper() + link[1:] + ".")
    if section.items:
        out.heading("Chronology", 2)
    for item in section.items:
        line = out.paragraph("List Bullet")
        run_of(line, f"{item.written}: ", bold=True)
        run_of(line, item.text)
        if item.note is not None:
            run_of(line, str(item.note), superscript=True)
    if section.delays:
        out.heading("Delays", 2)
        out.paragraph(None, section.delays)


def _note(out: _Writer, paragraph: Any, note: Note) -> None:
    """The number written out (the text's marks say it; a list style could renumber);
    a link's text is the link."""
    run_of(paragraph, f"{note.number}. ")
    if note.url is None:
        run_of(paragraph, note.text)
        return
    before, _, after = note.text.partition(note.url)
    if before:
        run_of(paragraph, before)
    out.link(paragraph, note.url)
    if after:
        run_of(paragraph, after)


def _child(parent: Any, tag: str, val: str | None = None) -> Any:
    child = parent.makeelement(qn(tag), {qn("w:val"): val} if val is not None else {})
    parent.append(child)
    return child
