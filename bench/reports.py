"""Benchmark: the delay statistics over 100,000 proceedings and 500,000 hearings.

The data set is `bench/scan.py`'s (`_data.generate`), on SQLite (a temporary file) and,
when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL (as `bench/scan.py`
takes it: see `_data.postgresql_url`). One stored scan runs first, so that
`authority_overdue` has flags to count. Each report is timed as `GET
/api/v1/reports/delays` computes it (without the HTTP around it), counting its
statements: the last year, the last calendar year and the whole five years, grouped
per country, per kind and per both. The target is 1 s per report on each database.

    .venv/bin/python bench/reports.py [--proceedings N] [--no-scan]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)
from scan import isolated  # the same child processes as the scan's bench

from tracker.core.actors import SystemActor
from tracker.core.db import Database
from tracker.delays import scan
from tracker.delays.rules import Thresholds
from tracker.reports import queries
from tracker.reports.schemas import DelaysQuery, GroupBy

TARGET_SECONDS = 1.0
ACTOR = SystemActor("system:bench")
PERIODS = (
    ("last 12 months", _data.AS_OF - dt.timedelta(days=364), _data.AS_OF),
    ("calendar year 2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("five years", _data.AS_OF - dt.timedelta(days=5 * 365), _data.AS_OF),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proceedings", type=int, default=100_000)
    parser.add_argument("--no-scan", action="store_true", help="no flags stored first")
    args = parser.parse_args()
    sizes = _data.Sizes(proceedings=args.proceedings)
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
        postgresql = _data.postgresql_url()
        if postgresql:
            targets.append(("PostgreSQL", postgresql))
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)\n")
        for name, url in targets:
            bench(name, url, sizes, stored_scan=not args.no_scan)


def bench(name: str, url: str, sizes: _data.Sizes, *, stored_scan: bool) -> None:
    print(f"== {name}")
    _data.fresh_schema(url)
    counts = isolated(generate, url, sizes, stored_scan)
    print("data: " + ", ".join(f"{count:,} {table}" for table, count in counts.items()))
    worst = 0.0
    for label, group_by, seconds, statements, groups in isolated(measure, url):
        worst = max(worst, seconds)
        verdict = "ok" if seconds <= TARGET_SECONDS else f"OVER {TARGET_SECONDS:.0f} s"
        print(
            f"{label:<20} {group_by:<18} {seconds:6.3f} s  {statements} statements  "
            f"{groups:3d} groups  {verdict}"
        )
    print(f"slowest report: {worst:.3f} s\n")


def generate(url: str, sizes: _data.Sizes, stored_scan: bool) -> dict[str, int]:
    database = Database(url)
    try:
        counts = _data.generate(database, sizes)
        if stored_scan:
            now = dt.datetime.combine(_data.AS_OF, dt.time(6), dt.UTC)
            with database.unit_of_work() as session:
                scan.run(session, now, _data.AS_OF, Thresholds())
            with database.sessionmaker() as session:
                counts["delay_flags"] = session.scalar(sa.text("SELECT count(*) FROM delay_flags"))
        return counts
    finally:
        database.dispose()


def measure(url: str) -> list[tuple[str, str, float, int, int]]:
    """Time each report (a warm-up first: the first statement loads the file's pages)."""
    database = Database(url)
    statements: list[Any] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    runs = []
    try:
        report(database, PERIODS[0][1], PERIODS[0][2], GroupBy.jurisdiction)
        for label, start, end in PERIODS:
            for group_by in GroupBy:
                statements.clear()
                started = time.perf_counter()
                answer = report(database, start, end, group_by)
                seconds = time.perf_counter() - started
                runs.append((label, group_by.value, seconds, len(statements), len(answer.items)))
    finally:
        database.dispose()
    return runs


def report(database: Database, start: dt.date, end: dt.date, group_by: GroupBy) -> Any:
    query = DelaysQuery.read({"from": start, "to": end, "group_by": group_by.value})
    with database.sessionmaker() as session:
        return queries.delays(session, ACTOR, query).answer


if __name__ == "__main__":
    main()
