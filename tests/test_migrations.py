"""The Alembic migrations, run from an empty database on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tracker import migrate
from tracker.core import resources
from tracker.core.db import make_engine
from tracker.models import Base

#: every table the models define; a model missing from tracker.models shows up here
TABLES = {
    "api_tokens",
    "audit_entries",
    "audit_head",
    "authorities",
    "calendar_feeds",
    "deadline_rules",
    "deadlines",
    "delay_flags",
    "events",
    "feed_fetches",
    "flag_alerts",
    "hearings",
    "judicial_vacations",
    "login_buckets",
    "jurisdictions",
    "matter_assignees",
    "matters",
    "notifications",
    "persons",
    "postponements",
    "proceedings",
    "recovery_codes",
    "second_factors",
    "site_settings",
    "user_sessions",
    "users",
}

SCRATCH_DATABASE = "tracker_migrations_test"

#: alembic.ini's file_template: 2026-11-22_0931_3f2a1c9d8e7b_initial_schema.py
FILE_NAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<time>\d{4})_(?P<rev>[0-9a-f]{12})_(?P<slug>[a-z0-9_]+)\.py$"
)


def _autocommit(url: str, sql: str) -> None:
    engine = make_engine(url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _scratch_postgresql(postgresql_url: str) -> Iterator[str]:
    """A database of its own on the test server, so the suite's one stays migrated."""
    scratch = sa.make_url(postgresql_url).set(database=SCRATCH_DATABASE)
    _autocommit(postgresql_url, f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)")
    _autocommit(postgresql_url, f"CREATE DATABASE {SCRATCH_DATABASE}")
    yield scratch.render_as_string(hide_password=False)
    _autocommit(postgresql_url, f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all (not the suite's migrated template)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = request.getfixturevalue("_scratch_postgresql")
    _autocommit(url, "DROP SCHEMA IF EXISTS public CASCADE")
    _autocommit(url, "CREATE SCHEMA public")
    return url


def table_names(url: str) -> set[str]:
    engine = make_engine(url, poolclass=sa.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_every_table(empty_db_url):
    assert table_names(empty_db_url) == set()
    assert migrate.pending(empty_db_url)

    migrate.upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == TABLES
    assert migrate.current(empty_db_url) == migrate.heads()
    assert not migrate.pending(empty_db_url)


def test_no_drift_between_models_and_migrations(empty_db_url):
    migrate.upgrade(empty_db_url)

    assert migrate.drift(empty_db_url) == []


def test_downgrade_to_base_then_upgrade_again(empty_db_url):
    migrate.upgrade(empty_db_url)

    migrate.downgrade(empty_db_url)

    assert table_names(empty_db_url) == {"alembic_version"}
    assert migrate.current(empty_db_url) == set()
    assert migrate.pending(empty_db_url)
    # drift() sees the difference: it is not empty just because it compares nothing
    assert "add_table" in {diff[0] for diff in migrate.drift(empty_db_url)}

    migrate.upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES | {"alembic_version"}
    assert migrate.drift(empty_db_url) == []


def test_constraint_names_follow_the_naming_convention(empty_db_url):
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        inspector = sa.inspect(engine)
        for table in TABLES:
            assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
            for fk in inspector.get_foreign_keys(table):
                column, referred = fk["constrained_columns"][0], fk["referred_table"]
                assert fk["name"] == f"fk_{table}_{column}_{referred}"
            for uq in inspector.get_unique_constraints(table):
                assert uq["name"] == f"uq_{table}_{'_'.join(uq['column_names'])}"
            for index in inspector.get_indexes(table):
                # PostgreSQL also lists the index behind each unique constraint
                if not index.get("duplicates_constraint"):
                    assert index["name"].startswith(f"ix_{table}_")
    finally:
        engine.dispose()


def test_upgrade_on_an_open_connection(tmp_path):
    """Given a connection, the migration runs in the caller's transaction."""
    engine = make_engine(f"sqlite:///{tmp_path / 'conn.db'}", poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
            assert not migrate.pending(connection)
        assert set(sa.inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_works_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"

    migrate.upgrade(url)

    assert not migrate.pending(url)


def test_exactly_one_head():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))

    assert len(script.get_heads()) == 1


def test_file_names_follow_the_date_template():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    files = sorted(p.name for p in (resources.migrations_dir() / "versions").glob("*.py"))

    assert revisions
    assert len(files) == len(revisions)
    for revision in revisions:
        match = FILE_NAME.match(Path(revision.path).name)
        assert match, f"{revision.path} does not follow alembic.ini's file_template"
        assert match["rev"] == revision.revision
        assert f"Create Date: {match['date']} {match['time'][:2]}:{match['time'][2:]}" in (
            Path(revision.path).read_text()
        )
