"""Benchmark: `tracker import` of 10,000 rows (target: ≤ 10 s).

The rows: 500 matters, 1,500 proceedings (a third of them appeals naming their first
instance), 3,000 events, 1,000 deadlines, and 2,000 hearings over 4,000 rows (each
postponed once). Timed as CSV files and as one XLSX workbook, on SQLite (a temporary
file) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL (see
`_data.postgresql_url`): the first import (everything created), the same files again
(everything matched, nothing written) and a dry run of the first.

    .venv/bin/python bench/import.py [--matters 500]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)

from tracker.core import clock
from tracker.core.actors import CLI
from tracker.core.db import Database
from tracker.imports import operations as imports
from tracker.imports.columns import SHEETS
from tracker.imports.sheets import Upload
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.schemas import NewJurisdiction

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def rows(matters: int) -> dict[str, list[dict[str, str]]]:
    """The sheets, three proceedings, six events, two deadlines, four hearings a matter."""
    sheets: dict[str, list[dict[str, str]]] = {kind: [] for kind in SHEETS}
    for m in range(matters):
        number = f"2019-{m:05d}"
        sheets["matters"].append(
            {"number": number, "title": f"Dossier {m}", "subject": f"Client {m}"}
        )
        for p in range(3):
            reference = f"{m}/{p}"
            proceeding = {
                "matter": number, "jurisdiction": "UA", "reference": reference,
                "kind": "appeal" if p == 2 else "criminal_case", "title": f"Case {m}/{p}",
                "client_role": "accused", "opened_on": f"{2010 + p}-0{1 + m % 9}",
            }  # fmt: skip
            if p == 2:
                proceeding["parent_reference"] = f"{m}/1"
            sheets["proceedings"].append(proceeding)
            for e in range(2):
                sheets["events"].append({
                    "jurisdiction": "UA", "reference": reference, "kind": "filing",
                    "occurred_on": f"{2012 + e}-0{1 + p}-{10 + m % 18}", "summary": f"Filing {e}",
                })  # fmt: skip
        for d in range(2):
            sheets["deadlines"].append({
                "jurisdiction": "UA", "reference": f"{m}/0", "title": f"Brief {d}",
                "due_on": f"2025-0{1 + d}-{10 + m % 18}", "status": "done",
            })  # fmt: skip
        for h in range(4):
            first = f"2024-0{1 + h}-{10 + m % 18}T10:00"
            base = {"jurisdiction": "UA", "reference": f"{m}/{h % 3}", "first_starts_at": first}
            sheets["hearings"].append(base | {"starts_at": first, "location": "Room 1"})
            later = f"2024-0{5 + h}-{10 + m % 18}T11:00"
            sheets["hearings"].append(base | {"starts_at": later, "reason": "Judge ill"})
    return sheets


def as_csv(sheets: dict[str, list[dict[str, str]]]) -> list[Upload]:
    uploads = []
    for kind, table in sheets.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, [c.name for c in SHEETS[kind]])
        writer.writeheader()
        writer.writerows(table)
        uploads.append(Upload(f"{kind}.csv", out.getvalue().encode()))
    return uploads


def as_workbook(sheets: dict[str, list[dict[str, str]]]) -> list[Upload]:
    book = openpyxl.Workbook(write_only=True)
    for kind, table in sheets.items():
        sheet = book.create_sheet(kind)
        names = [c.name for c in SHEETS[kind]]
        sheet.append(names)
        for row in table:
            sheet.append([row.get(name) for name in names])
    out = io.BytesIO()
    book.save(out)
    return [Upload("dossier.xlsx", out.getvalue())]


def timed(
    url: str, uploads: list[Upload], *, dry_run: bool = False
) -> tuple[float, imports.Report]:
    database = Database(url)
    try:
        started = time.perf_counter()
        batch = imports.read(uploads)
        with clock.frozen(NOW), database.unit_of_work() as session:
            report = imports.run(session, CLI, NOW, batch, dry_run=dry_run)
        return time.perf_counter() - started, report
    finally:
        database.dispose()


def fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    _data.fresh_schema(url)
    database = Database(url)
    with clock.frozen(NOW), database.unit_of_work() as session:
        command = NewJurisdiction.parse(
            {"code": "UA", "name": "Ukraine", "timezone": "Europe/Kyiv"}
        )
        jurisdictions.create_jurisdiction(session, CLI, NOW, command)
    database.dispose()


def bench(label: str, url: str, form: str, uploads: list[Upload]) -> None:
    fresh(url)
    for step, dry_run in (("dry run", True), ("import", False), ("again", False)):
        seconds, report = timed(url, uploads, dry_run=dry_run)
        assert report.valid, report.problems[:3]
        print(
            f"{label:<10} {form:<4} {step:<8} {report.rows:>7,} rows in {seconds:5.2f} s "
            f"({report.rows / seconds:7,.0f} rows/s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--matters", type=int, default=500, help="20 rows each")
    sheets = rows(parser.parse_args().matters)
    forms = {"CSV": as_csv(sheets), "XLSX": as_workbook(sheets)}
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite", f"sqlite:///{folder}/import.db")]
        postgresql = _data.postgresql_url()
        if postgresql is not None:
            targets.append(("PostgreSQL", postgresql))
        for label, url in targets:
            for form, uploads in forms.items():
                bench(label, url, form, uploads)


if __name__ == "__main__":
    main()
