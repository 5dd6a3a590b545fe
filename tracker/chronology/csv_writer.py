"""The chronology as CSV: one row per dated item (the one CSV writer of the tracker)."""

from __future__ import annotations

from tracker.chronology.document import Chronology
from tracker.core import spreadsheet

HEADER = ("proceeding", "country", "date", "precision", "type", "text", "source")


def write(chronology: Chronology) -> str:
    sources = {note.number: note.url or note.text for note in chronology.notes}
    rows = (
        (
            section.title,
            section.country,
            item.written,
            item.precision.value,
            item.type,
            item.text,
            sources.get(item.note) if item.note else None,
        )
        for section in chronology.sections
        for item in section.items
    )
    return spreadsheet.text(HEADER, rows)
