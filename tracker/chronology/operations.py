"""Exporting a chronology: the matter (404 if the actor may not see it), the document
built once, then written in the format asked. A read: nothing is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy.orm as so

from tracker.chronology import csv_writer, docx_writer, html_writer, markdown_writer, queries
from tracker.chronology.document import Chronology
from tracker.chronology.schemas import MEDIA, ChronologyQuery, Format
from tracker.core.actors import Actor
from tracker.matters import operations as matters

WRITERS: dict[Format, Callable[[Chronology], bytes]] = {
    Format.docx: docx_writer.write,
    Format.pdf: html_writer.pdf,
    Format.md: lambda chronology: markdown_writer.write(chronology).encode(),
    Format.csv: lambda chronology: csv_writer.write(chronology).encode(),
}


@dataclass(frozen=True)
class Export:
    body: bytes
    media_type: str
    filename: str


def export(
    session: so.Session, actor: Actor, matter_id: int, options: ChronologyQuery, today: dt.date
) -> Export:
    matter = matters.get_matter(session, actor, matter_id)
    if options.format is Format.pdf:
        html_writer.weasyprint()  # before any work: refused at once without Pango
    chronology = queries.build(session, actor, matter, options, today)
    media, extension = MEDIA[options.format]
    # the matter's number, not its title: a pseudonymised file's name names no one
    name = f"chronology-matter-{matter.id}-{today.isoformat()}.{extension}"
    return Export(WRITERS[options.format](chronology), media, name)


def pdf_available() -> bool:
    return html_writer.available()
