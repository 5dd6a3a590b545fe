"""Load an export document into an empty database, streamed, in one transaction.

The document is read one line at a time and inserted in batches (executemany), so a
restore holds one batch in memory. Everything happens in one transaction: a refusal
found on the last line (a truncated file) leaves the database as it was. Rows keep
their ids; on PostgreSQL every id sequence then moves past them, so the next matter or
audit entry gets a higher id, as it would have in the database exported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa

from tracker import migrate
from tracker.archive import format
from tracker.archive.format import Refused
from tracker.core.db import make_engine
from tracker.core.errors import Conflict
from tracker.core.limits import RESTORE_BATCH
from tracker.models import Base

#: what the migrations write themselves, which a restore replaces: the audit chain's
#: head at its start (no entries yet)
AS_MIGRATED: dict[str, Callable[[sa.Table], sa.ColumnElement[bool]]] = {
    "audit_head": lambda table: table.c.entries == 0,
}


@dataclass(frozen=True)
class Restored:
    header: format.Header
    #: rows inserted per table
    counts: dict[str, int]


def restore(url: str, source: IO[bytes]) -> Restored:
    """Load the document in `source` into the (empty) database at `url`."""
    lines = format.Lines(source)
    header = format.read_header(lines)
    _check_schema(header)
    _migrate(url)
    engine = make_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            _require_empty(connection)
            counts = _load(connection, lines)
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection)
    finally:
        engine.dispose()
    return Restored(header, counts)


def _check_schema(header: format.Header) -> None:
    head = ",".join(sorted(migrate.heads()))
    if header.schema != head:
        raise Refused(
            f"the document was exported from a database at revision {header.schema}, and "
            f"this version of the tracker is at revision {head}: restore it with the version "
            "that wrote it, then run `tracker db upgrade` (and export again if need be)"
        )


def _migrate(url: str) -> None:
    """Create the schema in a database that has none; refuse one left at an older one."""
    current = migrate.current(url)
    if not current:
        migrate.upgrade(url)
    elif current != migrate.heads():
        raise Conflict(
            f"the database is at revision {', '.join(sorted(current))}, not the latest: "
            "run `tracker db upgrade` first"
        )


def _require_empty(connection: sa.Connection) -> None:
    holding = [table.name for table in Base.metadata.sorted_tables if _has_rows(connection, table)]
    if holding:
        raise Refused(
            f"the database is not empty (rows in {', '.join(holding)}): restore into a new "
            "database, which `tracker restore` migrates itself; not one made by `tracker db "
            "upgrade`, which stores the shipped deadline rules (the document has its own)"
        )


def _has_rows(connection: sa.Connection, table: sa.Table) -> bool:
    query = sa.select(sa.literal(1)).select_from(table).limit(1)
    if table.name in AS_MIGRATED:
        query = query.where(sa.not_(AS_MIGRATED[table.name](table)))
    return connection.scalar(query) is not None


def _load(connection: sa.Connection, lines: format.Lines) -> dict[str, int]:
    counts: dict[str, int] = {}
    loader: _Loader | None = None
    for table, row in format.read_tables(lines):
        if row is not None and loader is not None:
            loader.add(row, lines.number)
            continue
        if loader is not None:
            counts[loader.table.name] = loader.finish()
        loader = _Loader(connection, table)
    if loader is not None:
        counts[loader.table.name] = loader.finish()
    return counts


class _Loader:
    """Inserts one table's rows in batches, checking that they come in key order.

    A row may name a later row of its own table (a proceeding based on one recorded
    after it): that reference is inserted empty and set once the table is in, as
    foreign keys are checked at each statement.
    """

    def __init__(self, connection: sa.Connection, table: sa.Table):
        self.connection, self.table = connection, table
        if table.name in AS_MIGRATED:
            connection.execute(table.delete())
        self.decoders = format.decoders(table)
        self.key = [column.name for column in table.primary_key.columns]
        self.own_references = [
            key.parent.name for key in table.foreign_keys if key.column.table is table
        ]
        self.batch: list[dict[str, Any]] = []
        self.later: list[tuple[Any, str, Any]] = []  # (row id, column, the id it names)
        self.last: tuple[Any, ...] | None = None
        self.count = 0

    def add(self, row: dict[str, Any], line: int) -> None:
        values = self._decoded(row, line)
        key = tuple(values[name] for name in self.key)
        if self.last is not None and key <= self.last:
            raise Refused(f"line {line}: the rows of {self.table.name} are not in key order")
        self.last = key
        for name in self.own_references:
            if values[name] is not None and (values[name],) >= key:
                self.later.append((key[0], name, values[name]))
                values[name] = None
        self.batch.append(values)
        if len(self.batch) >= RESTORE_BATCH:
            self._flush()

    def _decoded(self, row: dict[str, Any], line: int) -> dict[str, Any]:
        try:
            return {
                name: None if value is None else self.decoders[name](value)
                for name, value in row.items()
            }
        except (TypeError, ValueError) as error:
            raise Refused(f"line {line}: a value of {self.table.name} is wrong: {error}") from None

    def _flush(self) -> None:
        if self.batch:
            self.connection.execute(self.table.insert(), self.batch)
            self.count += len(self.batch)
            self.batch = []

    def finish(self) -> int:
        self._flush()
        for row_id, name, target in self.later:
            (key,) = self.table.primary_key.columns
            self.connection.execute(self.table.update().where(key == row_id).values({name: target}))
        return self.count


def _reset_sequences(connection: sa.Connection) -> None:
    """Move each id sequence past the ids restored (to 1 for an empty table)."""
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
        highest = sa.func.max(column)
        connection.execute(
            sa.select(
                sa.func.setval(sequence, sa.func.coalesce(highest, 1), highest.is_not(None))
            ).select_from(table)
        )
