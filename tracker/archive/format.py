"""The export document: one JSON text written so that it can be read one line at a time.

    {"format":"tracker-export","version":1,"schema":"<revision>","exported_at":"…","secrets":false,"tables":{
    "jurisdictions":[
    {"id":1,"code":"BE",…},
    {"id":2,"code":"FR",…}
    ],
    …
    "flag_alerts":[
    ]
    }}

The whole file is valid JSON (`jq` reads it), and each row is alone on its line (JSON
strings escape their line breaks), so a restore parses one row at a time however big
the file. Tables come in foreign-key order, rows in primary-key order, each row's keys
in the table's column order; values are canonical: instants in UTC to the microsecond
(`+00:00`), dates and times ISO, enums by value, JSON columns with their keys sorted,
bytes in base64. The same database therefore always gives the same bytes, on SQLite
and on PostgreSQL alike.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import json
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa

from tracker.core.db import UTCDateTime
from tracker.core.errors import Invalid
from tracker.models import Base

FORMAT = "tracker-export"
VERSION = 1

#: tables whose every row is a credential (a NOT NULL hash or secret, or a factor that is
#: nothing without its secret): left out whole unless `--with-secrets`, with the tables
#: that refer to them (a feed's fetches)
CREDENTIAL_TABLES = frozenset(
    {"user_sessions", "api_tokens", "recovery_codes", "second_factors", "calendar_feeds"}
)
#: secrets in rows that are kept: written as null unless `--with-secrets`
SECRET_COLUMNS: dict[str, frozenset[str]] = {"users": frozenset({"password_hash"})}
#: tables that the migrations fill themselves (the audit chain's head at its start): a
#: database holding only these rows is empty, and a restore replaces them
SEEDED = frozenset({"audit_head"})


class Refused(Invalid):
    """A document that cannot be restored, or a database it cannot be restored into."""

    code = "refused"


@dataclass(frozen=True)
class Header:
    format: str
    version: int
    schema: str
    exported_at: str
    secrets: bool


def tables(secrets: bool) -> list[sa.Table]:
    """The tables a document holds, in foreign-key order."""
    every = Base.metadata.sorted_tables
    if secrets:
        return every
    left_out = set(CREDENTIAL_TABLES)
    for table in every:  # sorted: a table comes after those it refers to
        if any(key.column.table.name in left_out for key in table.foreign_keys):
            left_out.add(table.name)
    return [table for table in every if table.name not in left_out]


def table_named(name: str) -> sa.Table:
    table = Base.metadata.tables.get(name)
    if table is None:
        raise Refused(f"the document holds a table this version does not know: {name!r}")
    return table


# --- values ------------------------------------------------------------------------------

Codec = Callable[[Any], Any]


def instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _from_instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def _sorted_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _same(value: Any) -> Any:
    return value


def _codecs(column: sa.Column[Any]) -> tuple[Codec, Codec]:
    """How a column's values are written to the document, and read back from it."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return instant, _from_instant
    if isinstance(kind, sa.Date):
        return dt.date.isoformat, dt.date.fromisoformat
    if isinstance(kind, sa.Time):
        return dt.time.isoformat, dt.time.fromisoformat
    if isinstance(kind, sa.LargeBinary):
        return (lambda value: base64.b64encode(value).decode("ascii")), base64.b64decode
    if isinstance(kind, sa.Enum):  # bound by value as well as by member
        return _enum_value, _same
    if isinstance(kind, sa.JSON):
        return _sorted_json, _same
    if isinstance(kind, sa.DateTime):
        raise TypeError(f"{column}: every instant is a UTCDateTime")
    return _same, _same


def encoders(table: sa.Table, secrets: bool) -> list[tuple[str, Codec | None]]:
    """Each column's name and how its value is written (None: a secret, written as null)."""
    hidden = frozenset() if secrets else SECRET_COLUMNS.get(table.name, frozenset())
    return [
        (column.name, None if column.name in hidden else _codecs(column)[0])
        for column in table.columns
    ]


def decoders(table: sa.Table) -> dict[str, Codec]:
    return {column.name: _codecs(column)[1] for column in table.columns}


#: compact JSON, non-ASCII text kept as it is (still one line: JSON escapes line breaks);
#: made once (json.dumps with options builds an encoder per call)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)


# --- lines ---------------------------------------------------------------------------------

TABLES_KEY = ',"tables":{'
END = "}}"


def header_line(header: Header) -> str:
    fields = {
        "format": header.format,
        "version": header.version,
        "schema": header.schema,
        "exported_at": header.exported_at,
        "secrets": header.secrets,
    }
    return dumps(fields)[:-1] + TABLES_KEY


class Lines:
    """A document's lines, decoded and numbered, one at a time."""

    def __init__(self, source: IO[bytes]):
        self._source = iter(source)  # a binary file splits on b"\n" only
        self.number = 0

    def next(self, expecting: str) -> str:
        try:
            raw = next(self._source)
        except StopIteration:
            raise Refused(
                f"the document ends at line {self.number} while {expecting} was expected: "
                "the file is truncated"
            ) from None
        self.number += 1
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise self.malformed("text that is not UTF-8") from None

    def rest_is_blank(self) -> bool:
        return all(not raw.strip() for raw in self._source)

    def malformed(self, what: str) -> Refused:
        return Refused(f"line {self.number} of the document is malformed: {what}")


def read_header(lines: Lines) -> Header:
    """The first line: what the document is; refuses anything but this format's."""
    line = lines.next("the header")
    fields: Any = None
    if line.endswith(TABLES_KEY):
        try:
            fields = json.loads(line[: -len(TABLES_KEY)] + "}")
        except ValueError:
            fields = None
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise Refused(f"this is not a {FORMAT} document (its first line is not the header)")
    if fields.get("version") != VERSION:
        raise Refused(
            f"the document is version {fields.get('version')!r} of the {FORMAT} format; "
            f"this tracker reads version {VERSION}"
        )
    try:
        header = Header(
            FORMAT, VERSION, str(fields["schema"]), str(fields["exported_at"]), fields["secrets"]
        )
    except KeyError as missing:
        raise lines.malformed(f"the header has no {missing}") from None
    if not isinstance(header.secrets, bool):
        raise lines.malformed('the header\'s "secrets" is not true or false')
    try:
        _from_instant(header.exported_at)
    except ValueError:
        raise lines.malformed('the header\'s "exported_at" is not an instant') from None
    return header


def read_tables(lines: Lines) -> Iterator[tuple[sa.Table, dict[str, Any] | None]]:
    """(table, None) where a table starts, then (table, row) for each of its rows."""
    seen: set[str] = set()
    while True:
        line = lines.next('a table or the end ("}}")')
        if line == END:
            if not lines.rest_is_blank():
                raise Refused(f"the document goes on after its end (line {lines.number})")
            return
        table = _table_start(lines, line, seen)
        yield table, None
        if (yield from _rows(lines, table)):
            line = lines.next('the end ("}}")')
            if line != END:
                raise lines.malformed('the last table is closed ("]") but the document is not')
            if not lines.rest_is_blank():
                raise Refused(f"the document goes on after its end (line {lines.number})")
            return


def _table_start(lines: Lines, line: str, seen: set[str]) -> sa.Table:
    if not line.endswith(":["):
        raise lines.malformed('expected a table ("name":[) or the end ("}}")')
    try:
        name = json.loads(line[:-2])
    except ValueError:
        name = None
    if not isinstance(name, str):
        raise lines.malformed("a table's name is not a JSON string")
    if name in seen:
        raise lines.malformed(f"the table {name!r} comes twice")
    seen.add(name)
    return table_named(name)


def _rows(lines: Lines, table: sa.Table) -> Generator[tuple[sa.Table, dict[str, Any]], None, bool]:
    """A table's rows up to its closing bracket; returns whether it was the last table."""
    columns = set(table.columns.keys())
    more = None  # whether the row before ended with a comma
    while True:
        line = lines.next(f"a row of {table.name} or its end")
        if line in ("]", "],"):
            if more:
                raise lines.malformed("a comma after the last row of a table")
            return line == "]"
        if more is False:
            raise lines.malformed("two rows without a comma between them")
        more = line.endswith(",")
        try:
            row = json.loads(line[:-1] if more else line)
        except ValueError:
            raise lines.malformed(f"a row of {table.name} is not JSON") from None
        if not isinstance(row, dict) or set(row) != columns:
            raise lines.malformed(f"a row of {table.name} does not have its columns")
        yield table, row
