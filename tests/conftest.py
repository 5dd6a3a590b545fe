"""Fixtures for the whole suite.

A test that asks for `db_url` (or for `database`, `session`, `settings`, `app`,
`client` or `runner`, which depend on it) runs twice: on SQLite and on PostgreSQL.
Both databases are migrated with Alembic, not `create_all`, so the suite tests the
migrations too.

- SQLite: migrated once per session into a template file, copied for each test.
- PostgreSQL: the database named by TEST_DATABASE_URL (.ci/run starts a server and
  sets it); its `public` schema is dropped, recreated and migrated once per session,
  and every table is emptied before each test. Without TEST_DATABASE_URL the
  PostgreSQL half is skipped, except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker import config, migrate
from tracker.core import clock
from tracker.core.db import Database, make_engine, normalize_url
from tracker.models import Base

#: fixtures of the browser tests (the app served on 127.0.0.1, Debian's Chromium)
pytest_plugins = ["browser"]

DATABASES = ["sqlite", "postgresql"]

NO_POSTGRESQL = "PostgreSQL: TEST_DATABASE_URL is not set (.ci/run sets it)"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    """The URL of the PostgreSQL test database; skips (fails under CI) without one."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        if _under_ci():
            pytest.fail(f"{NO_POSTGRESQL}; under CI nothing may be skipped", pytrace=False)
        pytest.skip(NO_POSTGRESQL)
    name = sa.make_url(normalize_url(url)).database or ""
    if "test" not in name:
        # the suite drops and recreates the schema: never point it at a real database
        pytest.fail(f"TEST_DATABASE_URL names database {name!r}: its name must contain 'test'")
    return normalize_url(url)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "tracker.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgresql_migrated(postgresql_url: str) -> str:
    engine = make_engine(postgresql_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    migrate.upgrade(postgresql_url)
    return postgresql_url


def _truncate_all(url: str) -> None:
    """Empty every table of the models (not alembic_version) and restart the ids."""
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = make_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            # A connection left open by an earlier test would block TRUNCATE for ever.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            connection.exec_driver_sql(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind (ids: sqlite, postgresql)."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_postgresql_migrated")
    _truncate_all(url)
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[so.Session]:
    with database.sessionmaker() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> config.Settings:
    return config.load(
        {
            "TRACKER_INSTANCE": str(tmp_path / "instance"),
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret",
            "MAIL_BACKEND": "file",
        }
    )


@pytest.fixture
def app(settings: config.Settings, database: Database):
    from tracker.app import create_app  # imported late: the app's modules import a lot

    app = create_app(settings, database)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def frozen_now() -> Iterator[datetime]:
    """Freeze the project's clock at Sunday 22 November 2026, 09:00 UTC."""
    with clock.frozen(datetime(2026, 11, 22, 9, 0, tzinfo=UTC)) as now:
        yield now


# --- under CI, a skipped test is a failure ---------------------------------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _under_ci() and _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _under_ci() and _skipped:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped)} test(s) skipped, which CI counts as a failure",
            red=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def _cold_feed_cache() -> Iterator[None]:
    """Feed bodies cached in the process by one test (same ids, other data) must not leak."""
    from tracker.calendar import cache

    cache.bodies.clear()
    yield
    cache.bodies.clear()


@pytest.fixture
def queries(database: Database) -> Iterator[list[str]]:
    """The SQL statements run on `database` from here on (for constant-query checks)."""
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", remember)
    yield statements
    sa.event.remove(database.engine, "before_cursor_execute", remember)
