"""Alembic, called from Python: `tracker db upgrade`, the tests, the checks.

Works from any working directory and from an installed wheel: the ini file and the
migrations folder come from `tracker.core.resources`. Every function takes a URL or
an open connection (then it runs on that connection and leaves committing to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker.core import resources
from tracker.core.db import UTCDateTime, make_engine, normalize_url
from tracker.models import Base

UrlOrConnection = str | sa.Connection


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write the project's column types in migrations with plain SQLAlchemy types.

    A migration must not import the models' code, which changes after it is written.
    Enums are stored by value in VARCHAR(32) without a CHECK (see tracker.core.db), so
    a migration sees a string column and a new enum member needs no migration.
    """
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.Enum) and not obj.native_enum:
        return f"sa.String(length={obj.length})"
    return False


def context_options() -> dict[str, Any]:
    """The options every MigrationContext gets: env.py's and drift()'s alike."""
    return {
        "compare_type": True,
        "render_item": render_item,
        # Batch operations ("move and copy") are how SQLite alters a table; on
        # PostgreSQL they are plain ALTERs. Rendering them always keeps a migration
        # generated against either database runnable on both.
        "render_as_batch": True,
    }


def alembic_config(url_or_connection: UrlOrConnection) -> Config:
    """An Alembic Config for the packaged migrations, bound to a URL or a connection."""
    config = Config(str(resources.alembic_ini()))
    config.set_main_option("script_location", str(resources.migrations_dir()))
    if isinstance(url_or_connection, sa.Connection):
        config.attributes["connection"] = url_or_connection
    else:
        config.attributes["url"] = normalize_url(str(url_or_connection))
    return config


def upgrade(url: UrlOrConnection, revision: str = "head") -> None:
    """Create or migrate the database up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: UrlOrConnection, revision: str = "base") -> None:
    """Migrate the database down to `revision` (base: no tables left)."""
    command.downgrade(alembic_config(url), revision)


def heads() -> set[str]:
    """The head revisions of the migration scripts (one, unless a merge is missing)."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current(url: UrlOrConnection) -> set[str]:
    """The revisions the database is at (empty: never migrated)."""
    with _connection(url) as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def pending(url: UrlOrConnection) -> bool:
    """Whether the database is not at the head revision(s) yet."""
    return current(url) != heads()


def drift(url: UrlOrConnection) -> list[Any]:
    """The differences between the models and the database, as Alembic diffs.

    Empty when the migrations at head create exactly what the models describe.
    """
    with _connection(url) as connection:
        context = MigrationContext.configure(connection, opts=context_options())
        return compare_metadata(context, Base.metadata)


@contextmanager
def _connection(url: UrlOrConnection) -> Iterator[sa.Connection]:
    if isinstance(url, sa.Connection):
        yield url
        return
    engine = make_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
