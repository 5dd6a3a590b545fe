"""The import template: a workbook with a sheet per kind of record, its header row
ready, each column explained in a note on its header and on a "Read me" sheet."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font

from tracker.imports.columns import SHEETS

README = (
    "Fill in the sheets you need and leave the others empty; keep the header rows. "
    "Rows are matched on their key (a matter's number, a proceeding's jurisdiction and "
    "reference, a hearing's proceeding and first date), so the same file can be imported "
    "again: what the tracker holds already is left as it is. Nothing is written unless "
    "every row is valid."
)


def workbook() -> bytes:
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Read me"
    readme.append([README])
    readme.append([])
    readme.append(["sheet", "column", "required", "meaning", "example"])
    for kind, columns in SHEETS.items():
        sheet = book.create_sheet(kind)
        sheet.append([column.name for column in columns])
        for cell, column in zip(sheet[1], columns, strict=True):
            cell.font = Font(bold=column.required)
            cell.comment = Comment(column.meaning, "tracker")
            sheet.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
            # text cells: a reference such as 0012 or a date typed keeps what was typed
            sheet.column_dimensions[cell.column_letter].number_format = "@"
        for column in columns:
            readme.append(
                [
                    kind,
                    column.name,
                    "yes" if column.required else "",
                    column.meaning,
                    column.example,
                ]
            )
    for cell in readme[3]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
