"""A small dossier as the CSV files an NGO would import, and the same as one workbook."""

# ruff: noqa: E501  (rows of CSV as a spreadsheet writes them: one line each)

from __future__ import annotations

import io

import openpyxl

from tracker.imports.sheets import Upload

MATTERS = """number,title,subject,summary,assignees
2019-014,Extradition of A. Doe,Anna Doe,Requested by KZ through UA,
2020-003,Defamation suit against B. Roe,Boris Roe,,
"""

PROCEEDINGS = """matter,jurisdiction,reference,kind,title,client_role,authority,status,opened_on,closed_on,parent_reference,parent_jurisdiction,origin_reference,origin_jurisdiction
2019-014,UA,E-1/2019,extradition_request,Extradition request,requested_person,Prosecutor General,pending,2019-02,,,,170000131000099,KZ
2019-014,KZ,170000131000099,criminal_case,Criminal case,accused,,pending,2016-11,,,,,
2019-014,UA,A-7/2020,appeal,Appeal against detention,requested_person,Kyiv Court of Appeal,decided,2020-01-10,2020-03-02,E-1/2019,,,
2020-003,BE,20/123/A,civil_complaint,Defamation,respondent,Tribunal de première instance,pending,2020,,,,,
"""

EVENTS = """jurisdiction,reference,kind,occurred_on,summary,source
UA,E-1/2019,request_received,2019-02-11,Request received from KZ,https://example.org/a
UA,A-7/2020,judgment,2020-03-02,Appeal dismissed,
BE,20/123/A,filing,2020-05,Writ served,
"""

DEADLINES = """jurisdiction,reference,title,due_on,explanation,owed_by,rule,trigger_kind,trigger_on,status
UA,E-1/2019,Submit observations,2019-03-15,Court order of 1 March,,,,,done
BE,20/123/A,File the defence,2026-12-15,,,,,,
"""

HEARINGS = """jurisdiction,reference,first_starts_at,starts_at,timezone,location,title,reason,decided_on,outcome,outcome_summary
UA,E-1/2019,2024-04-15T10:00,2024-04-15T10:00,,Room 4,Extradition hearing,,,,
UA,E-1/2019,2024-04-15T10:00,2024-06-18T10:00,,,,Prosecutor absent,2024-04-15,,
UA,E-1/2019,2024-04-15T10:00,2024-09-02T11:30,,,,Interpreter missing,2024-06-18,held,Adjourned to deliberate
BE,20/123/A,2026-12-09,,,,,,,,
"""

FILES = {
    "matters.csv": MATTERS,
    "proceedings.csv": PROCEEDINGS,
    "events.csv": EVENTS,
    "deadlines.csv": DEADLINES,
    "hearings.csv": HEARINGS,
}

FILES_KINDS = tuple(name.removesuffix(".csv") for name in FILES)


def csv_uploads(files: dict[str, str] | None = None) -> list[Upload]:
    return [Upload(name, text.encode()) for name, text in (files or FILES).items()]


def workbook(files: dict[str, str] | None = None) -> bytes:
    """The same sheets in one XLSX, every cell written as text."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in (files or FILES).items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for line in text.strip().splitlines():
            sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
