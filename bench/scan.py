"""Benchmark: the delay scan over 100,000 proceedings, 500,000 hearings, 200,000 deadlines.

Runs on SQLite (a temporary file) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL
is set, on PostgreSQL in a database of its own: BENCH_DATABASE_URL as given (its
name must contain "bench": its schema is dropped and rebuilt), else a database named
after the test database with "_bench" appended, created on the same server.

Data are generated and scans measured in separate child processes, so that the peak
memory reported (getrusage's maxrss) is the scan's process alone. Three stored scans
are timed: the first (every flag new), the same day again (nothing changes), and the
next day (what a day changes: deadlines come near or pass, flags escalate); then the
computation alone, as `GET /api/v1/flags` does it. The target is 10 s per scan on
each database.

    .venv/bin/python bench/scan.py [--proceedings N] [--mean-duration-years 2.5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)

from tracker.core.db import Database
from tracker.delays import scan
from tracker.delays.rules import Thresholds

NOW = dt.datetime.combine(_data.AS_OF, dt.time(6), dt.UTC)
TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proceedings", type=int, default=100_000)
    parser.add_argument(
        "--mean-duration-years",
        type=float,
        default=_data.MEAN_DURATION_DAYS / 365,
        help="how long proceedings last on average: longer, more are open and flagged",
    )
    args = parser.parse_args()
    sizes = _data.Sizes(
        proceedings=args.proceedings, mean_duration_days=args.mean_duration_years * 365
    )
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
        postgresql = _data.postgresql_url()
        if postgresql:
            targets.append(("PostgreSQL", postgresql))
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)\n")
        for name, url in targets:
            bench(name, url, sizes)


def bench(name: str, url: str, sizes: _data.Sizes) -> None:
    print(f"== {name}")
    _data.fresh_schema(url)
    started = time.perf_counter()
    counts = isolated(generate, url, sizes)
    generated = time.perf_counter() - started
    rows = ", ".join(f"{count:,} {table}" for table, count in counts.items())
    print(f"data: {rows}")
    print(f"generated in {generated:.1f} s")
    report = isolated(measure, url)
    for label, seconds, queries, summary in report["runs"]:
        verdict = "ok" if seconds <= TARGET_SECONDS else f"OVER {TARGET_SECONDS:.0f} s"
        changes = ", ".join(f"{count:,} {kind}" for kind, count in summary.items())
        print(f"{label:<28} {seconds:6.2f} s  {queries:2d} queries  {verdict:<6} {changes}")
    by_rule = ", ".join(f"{count:,} {rule}" for rule, count in sorted(report["rules"].items()))
    print(f"flags: {by_rule}")
    print(
        f"peak memory of the scanning process: {report['peak_mb']:.0f} MB "
        f"(of which {report['baseline_mb']:.0f} MB before the first scan)\n"
    )


def generate(url: str, sizes: _data.Sizes) -> dict[str, int]:
    database = Database(url)
    try:
        return _data.generate(database, sizes)
    finally:
        database.dispose()


def measure(url: str) -> dict[str, Any]:
    """Time three stored scans and one computation, counting the statements of each."""
    database = Database(url)
    statements: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    baseline = _peak_mb()
    runs = []
    thresholds = Thresholds()
    days = (
        ("first scan (every flag new)", _data.AS_OF),
        ("same day again", _data.AS_OF),
        ("next day", _data.AS_OF + dt.timedelta(days=1)),
    )
    for label, day in days:
        statements.clear()
        started = time.perf_counter()
        with database.unit_of_work() as session:
            result = scan.run(session, NOW, day, thresholds)
        runs.append((label, time.perf_counter() - started, len(statements), result.summary()))
    statements.clear()
    started = time.perf_counter()
    with database.sessionmaker() as session:
        flags = scan.compute(session, _data.AS_OF, thresholds)
    runs.append(("computed only (API)", time.perf_counter() - started, len(statements), {}))
    database.dispose()
    return {
        "runs": runs,
        "rules": Counter(flag.rule for flag in flags),
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def isolated(function, *args):
    """Run `function(*args)` in a forked child process and return its result."""
    context = multiprocessing.get_context("fork")
    queue = context.SimpleQueue()
    child = context.Process(target=_child, args=(queue, function, args))
    child.start()
    ok, value = queue.get()
    child.join()
    if not ok:
        raise SystemExit(f"{function.__name__} failed in the child process:\n{value}")
    return value


def _child(queue, function, args) -> None:
    import traceback

    try:
        queue.put((True, function(*args)))
    except BaseException:
        queue.put((False, traceback.format_exc()))


if __name__ == "__main__":
    main()
