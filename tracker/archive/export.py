"""Write every table of the installation to an export document, streamed.

Rows come from a server-side cursor (`yield_per`) and go to the file as they come: an
export holds one batch of rows in memory whatever the size of the database. Every table
is read in one transaction that sees one snapshot, so a document written while people
work is still consistent (a hearing never without its proceeding, the chain whole).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import sqlalchemy as sa

from tracker import migrate
from tracker.archive import format
from tracker.core.errors import Invalid
from tracker.core.limits import EXPORT_BATCH


@contextmanager
def private_file(path: str) -> Iterator[IO[bytes]]:
    """A new file readable by its owner only (it holds every dossier), under a temporary
    name until it is complete: a failed export leaves no half-written file behind."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tracker-export-")
    except OSError as error:
        raise Invalid(f"cannot write a file in {folder}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@contextmanager
def snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only connection whose queries all see the database as it was at the first."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
            return
        # pysqlite opens no transaction for a SELECT: each would see the latest commit.
        # An explicit BEGIN holds one read snapshot (WAL) until the rollback at the end.
        with connection.begin():
            connection.exec_driver_sql("BEGIN")
            yield connection


def export(
    connection: sa.Connection, out: IO[bytes], *, secrets: bool, now: dt.datetime
) -> dict[str, int]:
    """Write the document to `out`; returns the rows written per table."""
    revision = ",".join(sorted(migrate.current(connection)))
    header = format.Header(format.FORMAT, format.VERSION, revision, format.instant(now), secrets)
    out.write(format.header_line(header).encode() + b"\n")
    counts: dict[str, int] = {}
    tables = format.tables(secrets)
    for position, table in enumerate(tables, 1):
        out.write(format.dumps(table.name).encode() + b":[\n")
        counts[table.name] = _write_rows(connection, table, out, secrets)
        out.write(b"]\n" if position == len(tables) else b"],\n")
    out.write(format.END.encode() + b"\n")
    return counts


def _write_rows(connection: sa.Connection, table: sa.Table, out: IO[bytes], secrets: bool) -> int:
    """One row per line, a comma ending each but the last."""
    encoders = format.encoders(table, secrets)
    count = 0
    for row in _stream(connection, table):
        if count:
            out.write(b",\n")
        out.write(format.dumps(_encoded(row, encoders)).encode())
        count += 1
    if count:
        out.write(b"\n")
    return count


def _encoded(row: sa.Row[Any], encoders: list[tuple[str, format.Codec | None]]) -> dict[str, Any]:
    return {
        name: None if value is None or encode is None else encode(value)
        for (name, encode), value in zip(encoders, row, strict=True)
    }


def _stream(connection: sa.Connection, table: sa.Table) -> Iterator[sa.Row[Any]]:
    statement = sa.select(table).order_by(*_key_order(connection, table))
    yield from connection.execute(statement.execution_options(yield_per=EXPORT_BATCH))


def _key_order(connection: sa.Connection, table: sa.Table) -> list[Any]:
    """The primary key, text compared by code point on both databases: PostgreSQL's
    default collation orders words as a language does, SQLite by bytes, and the two
    documents must be the same."""
    postgresql = connection.dialect.name == "postgresql"
    return [
        column.collate("C") if postgresql and isinstance(column.type, sa.String) else column
        for column in table.primary_key.columns
    ]
