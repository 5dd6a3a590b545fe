"""Synthetic dossiers for the benchmarks: many proceedings, hearings, deadlines, events.

Imported by the benchmarks (`make bench` runs every bench/*.py: this module has no
`__main__` and does nothing when run). Rows are written in bulk: COPY on PostgreSQL,
Core `insert()` executemany on SQLite; never ORM objects one by one. Ids are given
explicitly, so children are written without asking for their parents' ids.

The shape, relative to `AS_OF`: proceedings opened over the last five years (1% open
only after AS_OF; some known to the month or year), each lasting 2.5 years on average
(exponentially), so that about 45% are still open; five hearings each, most held when
past, one in eight moved one to four times (a few sine die); two events and two
deadlines each, most past deadlines done.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker import migrate
from tracker.core.db import Database, make_engine, normalize_url
from tracker.models import Deadline, Event, Hearing, Jurisdiction, Matter, Postponement, Proceeding

UTC = dt.UTC
AS_OF = dt.date(2026, 11, 22)
STAMP = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
COMMON = {"version": 1, "created_at": STAMP, "updated_at": STAMP}
JURISDICTIONS = (
    ("BE", "Belgium", "Europe/Brussels"),
    ("FR", "France", "Europe/Paris"),
    ("KZ", "Kazakhstan", "Asia/Almaty"),
    ("US", "United States", "America/New_York"),
)
KINDS = (
    ("criminal_case", 20),
    ("trial", 15),
    ("appeal", 10),
    ("extradition_request", 12),
    ("mla_request", 8),
    ("civil_complaint", 10),
    ("asylum", 8),
    ("complaint", 7),
    ("administrative", 5),
    ("interpol_notice", 3),
    ("echr_application", 2),
)
EVENT_KINDS = ("filing", "search", "hearing_note", "decision", "service", "arrest")
#: proceedings last 2.5 years on average (exponentially): the old ones still open are few
MEAN_DURATION_DAYS = 2.5 * 365
#: the proceeding's columns its hearings and their moves carry copies of
COPIED = ("jurisdiction_id", "proceeding_kind", "matter_id")
#: rows kept in memory before they are written
CHUNK = 5_000


@dataclass
class Sizes:
    proceedings: int = 100_000
    hearings_each: int = 5
    events_each: int = 2
    deadlines_each: int = 2
    per_matter: int = 5
    #: the longer, the more proceedings are still open (and flagged) on AS_OF
    mean_duration_days: float = MEAN_DURATION_DAYS


@dataclass
class Batch:
    """Rows of each table, as tuples in the order of `COLUMNS`."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in COLUMNS})

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def __len__(self) -> int:
        return len(self.rows["proceedings"])


COLUMNS: dict[str, tuple[str, ...]] = {
    "proceedings": (
        "id", "matter_id", "jurisdiction_id", "kind", "title", "client_role", "status",
        "opened_on", "opened_precision", "closed_on", *COMMON,
    ),
    "hearings": (
        "id", "proceeding_id", "title", "starts_at", "timezone", "time_known", "location",
        "status", "outcome", "outcome_summary", "outcome_recorded_at", "sequence",
        "court_day", "dates_set", "first_set_on", "slip_days", *COPIED, *COMMON,
    ),
    "postponements": (
        "id", "hearing_id", "from_starts_at", "to_starts_at", "reason", "decided_on",
        "recorded_at", "counted_on", *COPIED,
    ),
    "events": (
        "id", "proceeding_id", "kind", "occurred_on", "precision", "summary", *COMMON,
    ),
    "deadlines": (
        "id", "proceeding_id", "title", "due_on", "explanation", "status", "completed_at",
        *COMMON,
    ),
}  # fmt: skip
TABLES = {
    "proceedings": Proceeding.__table__,
    "hearings": Hearing.__table__,
    "postponements": Postponement.__table__,
    "events": Event.__table__,
    "deadlines": Deadline.__table__,
}


def generate(database: Database, sizes: Sizes, seed: int = 20261122) -> dict[str, int]:
    """Fill an empty, migrated database; returns the number of rows per table."""
    counts = dict.fromkeys(["matters", "jurisdictions", *COLUMNS], 0)
    with database.engine.begin() as connection:
        counts["jurisdictions"] = _jurisdictions(connection)
        counts["matters"] = _matters(connection, -(-sizes.proceedings // sizes.per_matter))
        for batch in Dossiers(sizes, random.Random(seed)).batches():
            for table, rows in batch.rows.items():
                _write(connection, table, rows)
                counts[table] += len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    if database.engine.dialect.name == "postgresql":  # as autovacuum leaves a live database:
        with database.engine.connect() as connection:  # statistics, and the visibility map
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE)"  # that lets an index answer alone (index-only scans)
            )
    return counts


def _jurisdictions(connection: sa.Connection) -> int:
    rows = [
        {"id": n, "code": code, "name": name, "timezone": tz, **COMMON}
        for n, (code, name, tz) in enumerate(JURISDICTIONS, 1)
    ]
    connection.execute(Jurisdiction.__table__.insert(), rows)
    return len(rows)


def _matters(connection: sa.Connection, count: int) -> int:
    rows = [{"id": n, "title": f"Client {n}", "summary": "", **COMMON} for n in range(1, count + 1)]
    connection.execute(Matter.__table__.insert(), rows)
    return count


def _write(connection: sa.Connection, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    columns = COLUMNS[table]
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.execute(
        TABLES[table].insert(), [dict(zip(columns, row, strict=True)) for row in rows]
    )


def _reset_sequences(connection: sa.Connection) -> None:
    """Ids were given explicitly: move each sequence past them."""
    for table in ("jurisdictions", "matters", *COLUMNS):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


# --- databases ---------------------------------------------------------------------


def postgresql_url() -> str | None:
    explicit = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if explicit:
        url = sa.make_url(normalize_url(explicit))
        if "bench" not in (url.database or ""):
            sys.exit(f"BENCH_DATABASE_URL names {url.database!r}: its name must contain 'bench'")
        return url.render_as_string(hide_password=False)
    test = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not test:
        return None
    url = sa.make_url(normalize_url(test))
    url = url.set(database=f"{url.database}_bench")
    _create_database(url)
    return url.render_as_string(hide_password=False)


def _create_database(url: sa.URL) -> None:
    engine = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        poolclass=sa.NullPool,
        isolation_level="AUTOCOMMIT",
    )
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        engine.dispose()


def fresh_schema(url: str) -> None:
    """An empty database at the latest revision."""
    if url.startswith("postgresql"):
        engine = make_engine(url, poolclass=sa.NullPool)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        finally:
            engine.dispose()
    migrate.upgrade(url)


class Dossiers:
    """Makes the rows, one proceeding at a time, in batches of CHUNK proceedings."""

    def __init__(self, sizes: Sizes, rng: random.Random):
        self.sizes, self.rng = sizes, rng
        self.next_id = dict.fromkeys(COLUMNS, 1)
        kinds, weights = zip(*KINDS, strict=True)
        self.kinds = rng.choices(kinds, weights, k=sizes.proceedings)

    def take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def batches(self) -> Iterator[Batch]:
        batch = Batch()
        for n in range(self.sizes.proceedings):
            self.proceeding(batch, n)
            if len(batch) >= CHUNK:
                yield batch
                batch = Batch()
        if len(batch):
            yield batch

    def proceeding(self, batch: Batch, n: int) -> None:
        rng = self.rng
        pid = self.take("proceedings")
        jurisdiction = rng.randrange(len(JURISDICTIONS))
        matter, kind = n // self.sizes.per_matter + 1, self.kinds[n]
        opened, precision = self.opened_on()
        status, closed_on, ends = self.status(opened)
        batch.add(
            "proceedings",
            (
                pid, matter, jurisdiction + 1, kind,
                f"Proceeding {pid}", "accused", status, opened, precision, closed_on,
                *COMMON.values(),
            ),
        )  # fmt: skip
        tz = JURISDICTIONS[jurisdiction][2]
        for _ in range(self.sizes.hearings_each):
            self.hearing(batch, (pid, jurisdiction + 1, kind, matter), opened, ends, tz)
        for _ in range(self.sizes.events_each):
            self.event(batch, pid, opened, min(ends, AS_OF))
        for _ in range(self.sizes.deadlines_each):
            self.deadline(batch, pid)

    def opened_on(self) -> tuple[dt.date, str]:
        rng = self.rng
        if rng.random() < 0.01:
            return AS_OF + dt.timedelta(days=rng.randint(1, 60)), "day"
        day = AS_OF - dt.timedelta(days=rng.randint(0, 5 * 365))
        roll = rng.random()
        if roll < 0.03:
            return day.replace(month=1, day=1), "year"
        if roll < 0.10:
            return day.replace(day=1), "month"
        return day, "day"

    def status(self, opened: dt.date) -> tuple[str, dt.date | None, dt.date]:
        """Status, closed_on, and the last day anything happens in the proceeding."""
        rng = self.rng
        ends = opened + dt.timedelta(days=int(rng.expovariate(1 / self.sizes.mean_duration_days)))
        if ends > AS_OF:
            status = "suspended" if rng.random() < 0.06 else "pending"
            return status, None, AS_OF + dt.timedelta(days=400)
        # every proceeding no longer open says when it ended (a CHECK constraint)
        return rng.choice(("decided", "closed", "withdrawn")), ends, ends

    def hearing(
        self, batch: Batch, of: tuple[int, int, str, int], opened: dt.date, ends: dt.date, tz: str
    ) -> None:
        """A hearing of the proceeding `of` (its id, then the columns in `COPIED`)."""
        rng = self.rng
        pid, copies = of[0], of[1:]
        hid = self.take("hearings")
        span = max(1, (ends - opened).days)
        first = _at(opened + dt.timedelta(days=rng.randrange(span)))
        when, sine_die, moves = first, False, 0
        if rng.random() < 0.125:
            moves = rng.randint(1, 4)
            for move in range(moves):
                sine_die = move == moves - 1 and rng.random() < 0.05
                target = None if sine_die else when + dt.timedelta(days=rng.randint(14, 200))
                # decided on the day it was set for, or already (a date still to come)
                decided = min(when.date(), AS_OF - dt.timedelta(days=1))
                batch.add(
                    "postponements",
                    (
                        self.take("postponements"),
                        hid,
                        when,
                        target,
                        "",
                        decided,
                        _at(decided),
                        decided,
                        *copies,
                    ),
                )
                when = target or when
        status, outcome, recorded = "scheduled", None, None
        if sine_die:
            status = "postponed"
        elif when.date() < AS_OF:
            roll = rng.random()
            if roll < 0.95:
                status, outcome, recorded = "held", "held", when + dt.timedelta(days=1)
            elif roll < 0.97:
                status, outcome, recorded = "cancelled", "cancelled", when - dt.timedelta(days=3)
        batch.add(
            "hearings",
            (
                hid, pid, "Hearing", when, tz, True, "", status, outcome, "", recorded,
                moves + (status != "scheduled"), _day(when, tz), moves + 1, _day(first, tz),
                (_day(when, tz) - _day(first, tz)).days if moves else None, *copies,
                *COMMON.values(),
            ),
        )  # fmt: skip

    def event(self, batch: Batch, pid: int, opened: dt.date, ends: dt.date) -> None:
        rng = self.rng
        span = max(1, (ends - opened).days + 1)
        occurred = opened + dt.timedelta(days=rng.randrange(span))
        batch.add(
            "events",
            (
                self.take("events"), pid, rng.choice(EVENT_KINDS), occurred, "day", "",
                *COMMON.values(),
            ),
        )  # fmt: skip

    def deadline(self, batch: Batch, pid: int) -> None:
        rng = self.rng
        due = AS_OF + dt.timedelta(days=rng.randint(-365, 365))
        status, completed = "open", None
        roll = rng.random()
        if (due < AS_OF and roll < 0.94) or (due >= AS_OF and roll < 0.10):
            status = "waived" if roll < 0.02 else "done"
            completed = _at(min(due, AS_OF - dt.timedelta(days=1)))
        batch.add(
            "deadlines",
            (
                self.take("deadlines"), pid, "Deadline", due, "", status, completed,
                *COMMON.values(),
            ),
        )  # fmt: skip


def _day(instant: dt.datetime, zone: str) -> dt.date:
    """The court's day of an instant (what `Hearing.court_day` stores)."""
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _at(day: dt.date) -> dt.datetime:
    """09:00 UTC on that day (a morning session in Europe)."""
    return dt.datetime.combine(day, dt.time(9), UTC)
