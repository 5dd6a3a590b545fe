"""The declarative base, the column types every model shares, and the database handle.

Glossary: an *editable* row carries a `version` counter that SQLAlchemy checks on
every UPDATE (optimistic locking), so two people editing the same hearing never
silently overwrite each other; *timestamps* are UTC-aware everywhere.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import clock

UTC = dt.UTC

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """An aware datetime, stored in UTC; naive values are refused, never guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(UTC)
        # SQLite has no zone-aware type: store the UTC wall time, which sorts correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _values(members: type[enum.Enum]) -> list[str]:
    return [m.value for m in members]


def partial_index(name: str, *columns: str, where: str) -> sa.Index:
    """An index of the rows matching `where` only (PostgreSQL and SQLite both have them)."""
    return sa.Index(name, *columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


str40 = Annotated[str, 40]
str200 = Annotated[str, 200]
timestamp = Annotated[dt.datetime, "utc"]
intpk = Annotated[int, so.mapped_column(primary_key=True)]


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        # Enums are stored by value as VARCHAR without a CHECK: a new kind needs no migration.
        enum.Enum: sa.Enum(
            enum.Enum,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=_values,
            validate_strings=True,
        ),
        str40: sa.String(40),
        str200: sa.String(200),
        timestamp: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
    }

    def __repr__(self) -> str:
        ident = sa.inspect(self).identity if sa.inspect(self, raiseerr=False) else None
        return f"<{type(self).__name__} {ident[0] if ident else 'new'}>"


def table_of(model: type[Base]) -> sa.Table:
    """The table a model is mapped to, for Core statements. (`__table__` is typed as any
    FROM clause, as a model may be mapped to a join or a select: ours never are.)"""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def row_id(obj: Base) -> int:
    """The id of a flushed row (every table here has one integer primary key)."""
    identity = sa.inspect(obj).identity
    if identity is None:
        raise ValueError(f"{type(obj).__name__} has no id before it is flushed")
    return int(identity[0])


def affected(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its result is a cursor's)."""
    return cast("sa.CursorResult[Any]", result).rowcount


def now_utc() -> dt.datetime:
    return clock.now()


class Timestamped:
    """created_at / updated_at, taken from the project's clock."""

    created_at: so.Mapped[timestamp] = so.mapped_column(default=now_utc)
    updated_at: so.Mapped[timestamp] = so.mapped_column(default=now_utc, onupdate=now_utc)


class Versioned:
    """An editable row: UPDATEs check and bump `version` (optimistic locking)."""

    #: bumped by every UPDATE; a client that sends an older value gets 409
    version: so.Mapped[int] = so.mapped_column(default=1, server_default=sa.text("1"))

    @so.declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        table = cls.__table__  # type: ignore[attr-defined]  # a mixin: its class has a table
        return {"version_id_col": table.c.version}


#: `info` of a column computed from others on every flush: the audit log leaves it out
#: (it records what people changed, and the change that moved it is there)
DERIVED = {"derived": True}


def snapshot(obj: Base, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-able dict of a row's column values, for the audit log."""
    names = _audited(type(obj)) if fields is None else fields
    return {name: to_json(getattr(obj, name)) for name in names}


@functools.cache
def _audited(model: type[Base]) -> list[str]:
    """The columns of a model the audit log records (all but the derived ones)."""
    mapper = sa.inspect(model)
    return [c.key for c in mapper.column_attrs if not c.columns[0].info.get("derived")]


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):  # a time: a rule's hour (Rule 39)
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


# --- the database handle -------------------------------------------------------------


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL has."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine that never logs or raises with a statement's bound values.

    Parameters hold password hashes, token hashes and clients' names: an error
    message or a log line must not carry them (`hide_parameters`).
    """
    url = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "savepoint", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


_WROTE = "tracker.wrote"


def _forget_writes(connection: sa.Connection) -> None:
    connection.info.pop(_WROTE, None)


def _note_write(connection: sa.Connection, _cursor, statement: str, *_args) -> None:
    """Remember that this transaction ran something else than a query."""
    if not statement.lstrip("( \n").upper().startswith("SELECT"):
        connection.info[_WROTE] = True


def _note_failure(context: sa.engine.ExceptionContext) -> None:
    """A failed statement may leave the transaction aborted: that one is rolled back."""
    if context.connection is not None:
        context.connection.info[_WROTE] = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin(connection: sa.Connection, _name: str | None) -> None:
    """pysqlite opens a transaction at the first write only: a SAVEPOINT before it opens
    one of its own, which its RELEASE commits (a rollback after would keep its rows).
    BEGIN the outer transaction first."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        dbapi.execute("BEGIN")


class Database:
    """An engine and its session factory; one per app, scheduler or command."""

    def __init__(self, url: str, **engine_kwargs: Any):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessionmaker = so.sessionmaker(self.engine, expire_on_commit=False)
        sa.event.listen(self.engine, "begin", _forget_writes)
        sa.event.listen(self.engine, "before_cursor_execute", _note_write)
        sa.event.listen(self.engine, "handle_error", _note_failure)

    def close(self, session: so.Session) -> None:
        """Close a session, ending a transaction that only read with COMMIT, not ROLLBACK.

        Both leave the data as it was, but psycopg forgets its prepared statements at
        every ROLLBACK, and PostgreSQL would plan each page's queries anew every time.
        The COMMIT goes to the driver's connection: nothing pending in the session is
        flushed by it.
        """
        if session.in_transaction():
            connection = session.connection()
            dbapi = connection.connection.dbapi_connection
            if not connection.info.get(_WROTE) and dbapi is not None:
                dbapi.commit()
        session.close()

    @contextmanager
    def unit_of_work(self) -> Iterator[so.Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
