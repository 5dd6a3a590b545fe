"""Alembic's entry point: where the database is and what the models say it should be.

The URL, first found wins:
1. `config.attributes["connection"]`: an open connection (tracker.migrate, tests);
2. `config.attributes["url"]`: a URL given by tracker.migrate;
3. `alembic -x url=...`;
4. the `DATABASE_URL` environment variable;
5. the tracker's settings (SQLite in the instance folder).
"""

from __future__ import annotations

import logging.config
import os

import sqlalchemy as sa
from alembic import context

import tracker.models
from tracker.core.db import make_engine, normalize_url
from tracker.migrate import context_options

config = context.config
target_metadata = tracker.models.Base.metadata

# Configure logging from alembic.ini only for the `alembic` command itself: called
# from Python (tests, `tracker db upgrade`), the caller's logging is left alone.
if config.config_file_name and config.cmd_opts is not None:
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        from tracker import config as settings

        url = settings.load().database_url
    return normalize_url(url)


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **context_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(database_url(), poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # A batch migration copies a table and drops the old one; with foreign
                # keys enforced, that drop would fail or cascade. (A no-op inside a
                # transaction, so it comes first.)
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                # End the transaction SQLAlchemy began, or Alembic would leave it to us.
                connection.commit()
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
