"""Read the files of an import (CSV or XLSX) into rows of text, named by file and line.

A CSV file holds one kind of record, named by the file ("proceedings.csv"); a workbook
holds one kind per sheet, named by the sheet (or, with a single sheet, by the file).
Every cell becomes text as the command line or a form would send it: a date cell is
"2024-04-15", a date and time "2024-04-15T10:00", a whole number "2016". Nothing here
knows the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from tracker.core import limits
from tracker.core.errors import Invalid
from tracker.imports.columns import SHEETS, kind_named


@dataclass(frozen=True)
class Upload:
    """A file as given: its name (which says its kind) and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Row:
    where: str  # "proceedings.csv" or "dossier.xlsx, sheet proceedings"
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Table:
    kind: str
    where: str
    rows: list[Row] = field(default_factory=list)


def read(uploads: Iterable[Upload]) -> list[Table]:
    """Every table of the files, checked for shape (kinds, headers, size); `Invalid` names
    the file and what is wrong with it."""
    tables: list[Table] = []
    for upload in uploads:
        if len(upload.data) > limits.IMPORT_BYTES:
            raise Invalid(f"{upload.name}: larger than {limits.IMPORT_BYTES // 2**20} MB")
        suffix = PurePath(upload.name).suffix.casefold()
        if suffix == ".csv":
            tables.append(_csv(upload))
        elif suffix == ".xlsx":
            tables.extend(_workbook(upload))
        else:
            raise Invalid(f"{upload.name}: not a spreadsheet (.csv or .xlsx)")
    if sum(len(table.rows) for table in tables) > limits.IMPORT_ROWS:
        raise Invalid(f"more than {limits.IMPORT_ROWS:,} rows: split the import")
    return tables


# --- CSV ---------------------------------------------------------------------------------


def _csv(upload: Upload) -> Table:
    kind = _kind(upload.name, upload.name)
    try:
        text = upload.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{upload.name}: not UTF-8 text (byte {exc.start + 1}); save it as "
            "\u201cCSV UTF-8\u201d"
        ) from None
    if "\x00" in text:
        raise Invalid(f"{upload.name}: holds NUL characters, so it is not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    return _table(kind, upload.name, _numbered(reader))


def _dialect(text: str) -> type[csv.Dialect]:
    """Excel writes `;` where the decimal mark is a comma: take what the header uses."""
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may hold line breaks)."""
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise Invalid(f"line {line}: {exc}") from None


# --- XLSX --------------------------------------------------------------------------------


def _workbook(upload: Upload) -> list[Table]:
    _check_unpacked(upload)
    try:
        book = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Invalid(f"{upload.name}: not a readable XLSX workbook") from None
    try:
        named = [(sheet, kind_named(sheet.title)) for sheet in book.worksheets]
        if len(named) == 1 and named[0][1] is None:
            named = [(named[0][0], _kind(upload.name, upload.name))]
        if not any(kind for _sheet, kind in named):
            raise Invalid(f"{upload.name}: no sheet is named for a kind ({_kinds()})")
        return [
            _table(kind, f"{upload.name}, sheet {sheet.title}", _cells(sheet))
            for sheet, kind in named
            if kind is not None
        ]
    finally:
        book.close()


def _check_unpacked(upload: Upload) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Invalid(f"{upload.name}: not a readable XLSX workbook") from None
    if unpacked > limits.IMPORT_UNPACKED_BYTES:
        raise Invalid(
            f"{upload.name}: unpacks to more than {limits.IMPORT_UNPACKED_BYTES // 2**20} MB"
        )


def _cells(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_text(value) for value in values]


def _text(value: Any) -> str:
    """A cell as the text a form would send."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- both --------------------------------------------------------------------------------


def _kind(name: str, where: str) -> str:
    kind = kind_named(PurePath(name).stem)
    if kind is None:
        raise Invalid(f"{where}: its name does not say what it holds ({_kinds()})")
    return kind


def _kinds() -> str:
    return ", ".join(SHEETS)


def _table(kind: str, where: str, records: Iterator[tuple[int, list[str]]]) -> Table:
    """The rows under the header, as {column: text}; blank rows are skipped."""
    table = Table(kind, where)
    header: list[str] | None = None
    for line, record in records:
        if header is None:
            header = _header(kind, where, record)
            continue
        cells = {name: value.strip() for name, value in zip(header, record, strict=False) if name}
        if len(record) > len(header) and any(value.strip() for value in record[len(header) :]):
            raise Invalid(f"{where} line {line}: more cells than the header has columns")
        if any(cells.values()):
            table.rows.append(Row(where, line, cells))
        if len(table.rows) > limits.IMPORT_ROWS:
            raise Invalid(f"{where}: more than {limits.IMPORT_ROWS:,} rows: split the import")
    if header is None:
        raise Invalid(f"{where}: empty (the first line names the columns)")
    return table


def _header(kind: str, where: str, record: list[str]) -> list[str]:
    names = [value.strip().casefold().replace(" ", "_") for value in record]
    known = [column.name for column in SHEETS[kind]]
    unknown = [name for name in names if name and name not in known]
    if unknown:
        raise Invalid(
            f"{where}: unknown column {unknown[0]!r} for {kind} (columns: {', '.join(known)})"
        )
    seen = [name for name in names if name]
    twice = next((name for name in seen if seen.count(name) > 1), None)
    if twice:
        raise Invalid(f"{where}: column {twice!r} appears twice")
    missing = [c.name for c in SHEETS[kind] if c.required and c.name not in names]
    if missing:
        raise Invalid(f"{where}: required column {missing[0]!r} is missing")
    return names
