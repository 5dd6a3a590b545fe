"""Benchmark: a 5,000-event calendar feed, cold and unchanged, through the whole app.

    .venv/bin/python bench/feeds.py                  # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://…/tracker_bench .venv/bin/python bench/feeds.py

Targets (issue 5): cold (nothing cached) ≥ 20,000 events/s from the database to the
bytes; unchanged ≤ 5 ms median; at most 5 SQL statements per request, whatever the
size. Each request goes through Flask (routing, the view, the unit of work, the
fetch log), as a calendar app's poll would. A PostgreSQL database named here is
emptied first (its name must contain "bench" or "test").
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import config, migrate
from tracker.app import create_app
from tracker.calendar import cache, operations, timezones
from tracker.calendar.schemas import NewFeed
from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.db import Database, make_engine, normalize_url
from tracker.models import (
    CalendarFeed,
    Deadline,
    Hearing,
    Jurisdiction,
    Matter,
    Person,
    Postponement,
    Proceeding,
    User,
)
from tracker.users.models import Role

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
HEARINGS, DEADLINES = 4_000, 1_000
ZONES = [
    ("BE", "Europe/Brussels"),
    ("KZ", "Asia/Almaty"),
    ("US", "America/New_York"),
    ("GB", "Europe/London"),
]
BENCH = SystemActor("system:bench")


def database_url(folder: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{folder / 'bench.db'}"
    name = sa.make_url(normalize_url(url)).database or ""
    if "bench" not in name and "test" not in name:
        sys.exit(f"BENCH_DATABASE_URL names {name!r}: it is emptied, so its name must say bench")
    engine = make_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def populate(database: Database) -> dict[str, str]:
    """A coordinator, 20 proceedings in 4 zones, 4,000 hearings and 1,000 deadlines."""
    with database.unit_of_work() as session:
        owner = User(email="coordinator@bench.example", role=Role.coordinator)
        jurisdictions = [Jurisdiction(code=c, name=c, timezone=z) for c, z in ZONES]
        matter = Matter(title="Dossier Bench", subject=Person(name="A. Client"))
        proceedings = [
            Proceeding(
                matter=matter,
                jurisdiction=jurisdictions[i % 4],
                kind="extradition_request",
                title=f"Proceeding {i}",
                reference=f"REF-{i}/2026",
                client_role="accused",
            )
            for i in range(20)
        ]
        session.add_all([owner, *proceedings])
        for i in range(HEARINGS):
            proceeding = proceedings[i % 20]
            start = NOW + dt.timedelta(days=1 + i % 700, hours=i % 8)
            hearing = Hearing(
                proceeding=proceeding,
                starts_at=start,
                timezone=proceeding.jurisdiction.timezone,
                location=f"Court room {i % 12}",
                time_known=i % 10 != 0,
                status="cancelled" if i % 50 == 0 else "scheduled",
                sequence=i % 3,
            )
            if i % 3 == 0:
                hearing.postponements.append(
                    Postponement(
                        from_starts_at=start - dt.timedelta(days=40),
                        to_starts_at=start,
                        reason="the court's calendar",
                        recorded_at=NOW,
                    )
                )
            session.add(hearing)
        for i in range(DEADLINES):
            session.add(
                Deadline(
                    proceeding=proceedings[i % 20],
                    title=f"Deadline {i}",
                    due_on=NOW.date() + dt.timedelta(days=i % 500),
                    explanation="30 days from service; rolled to Monday.",
                )
            )
        session.flush()
        return {
            privacy: operations.create_feed(
                session, BENCH, NOW, owner, NewFeed.parse({"privacy": privacy, "alarms": True})
            )[1]
            for privacy in ("full", "minimal")
        }


def counted(database: Database):
    sent: list[int] = []
    sa.event.listen(database.engine, "before_cursor_execute", lambda *_a: sent.append(1))
    return sent


def forget(database: Database) -> None:
    """Cold: no body in this process, no VTIMEZONE, nothing remembered on the feed row."""
    cache.bodies.clear()
    timezones.vtimezone.cache_clear()
    with database.unit_of_work() as session:
        session.execute(sa.update(CalendarFeed).values(content_key=None, content_etag=None))


def timed(call, runs: int) -> list[float]:
    """Seconds per call."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def cold(client, database: Database, path: str, sent: list[int], label: str) -> str:
    """Median of 7 cold requests (each after `forget`); returns the feed's ETag."""
    forget(database)
    client.get(path)  # warm the interpreter's imports, not the caches: forget() again
    runs = []
    for _ in range(7):
        forget(database)  # outside the timing: a cold start has nothing to forget
        sent.clear()
        start = time.perf_counter()
        response = client.get(path)
        runs.append(time.perf_counter() - start)
    events, size, median = (
        response.data.count(b"BEGIN:VEVENT"),
        len(response.data),
        statistics.median(runs),
    )
    print(
        f"cold, {label:<8} {median * 1000:7.1f} ms median of 7 → {events / median:8,.0f} events/s "
        f"({events:,} events, {size / 1e6:.1f} MB, {len(sent)} SQL statements)"
    )
    return response.headers["ETag"]


def unchanged(client, path: str, sent: list[int], etag: str) -> None:
    for label, headers in [
        ("unchanged, 304 (If-None-Match)", {"If-None-Match": etag}),
        ("unchanged, 200 (cached body)", {}),
    ]:
        client.get(path, headers=headers)
        sent.clear()
        runs = timed(lambda h=headers: client.get(path, headers=h), 200)
        print(
            f"{label:<31} {statistics.median(runs) * 1000:6.2f} ms median of 200, "
            f"p95 {sorted(runs)[189] * 1000:.2f} ms, {len(sent) // 200} SQL statements"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, clock.frozen(NOW):
        url = database_url(Path(folder))
        migrate.upgrade(url)
        database = Database(url)
        settings = config.load({"TRACKER_INSTANCE": folder, "DATABASE_URL": url, "SECRET_KEY": "b"})
        client = create_app(settings, database).test_client()
        tokens = populate(database)
        sent = counted(database)
        print(
            f"database: {database.engine.dialect.name}; feed: {HEARINGS:,} hearings "
            f"(in {len(ZONES)} zones), {DEADLINES:,} deadlines, with alarms"
        )
        etag = cold(client, database, f"/feeds/{tokens['full']}.ics", sent, "full")
        cold(client, database, f"/feeds/{tokens['minimal']}.ics", sent, "minimal")
        unchanged(client, f"/feeds/{tokens['full']}.ics", sent, etag)
        database.dispose()


if __name__ == "__main__":
    main()
