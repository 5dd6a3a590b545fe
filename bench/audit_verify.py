"""Benchmark: walking the audit log's hash chain (`tracker audit verify`) over 100,000 entries.

Runs on SQLite (a temporary file) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL
is set, on PostgreSQL in a database of its own (see `_data.postgresql_url`).

The entries are written in bulk (Core executemany, ids given), chained by this script
with the application's own `chain.digest`, and the chain's head is set as the writer
sets it. `verify` is then timed on the first 10% of the log and on all of it, each in a
child process: once plain (entries per second), once under tracemalloc (the peak of
the memory Python allocated while walking). The memory must stay flat (the same for
10,000 entries as for 100,000: rows are streamed in batches); the target is 100,000
entries in 5 s on each database.

    .venv/bin/python bench/audit_verify.py [--entries N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)
from scan import isolated

from tracker.audit import chain
from tracker.audit import operations as audit
from tracker.core.db import Database, table_of
from tracker.models import AuditEntry, AuditHead

START = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
TARGET_SECONDS = 5.0
#: entries written per statement batch
CHUNK = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    load, cores = os.getloadavg()[0], os.cpu_count()
    print(f"machine: load {load:.1f} (1 min average) on {cores} cores; timings scale with it\n")
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
        postgresql = _data.postgresql_url()
        if postgresql:
            targets.append(("PostgreSQL", postgresql))
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)\n")
        for name, url in targets:
            bench(name, url, args.entries)


def bench(name: str, url: str, total: int) -> None:
    print(f"== {name}")
    _data.fresh_schema(url)
    written, previous = 0, chain.GENESIS
    for size in (total // 10, total):
        started = time.perf_counter()
        previous = write(url, written, size, previous)
        print(f"wrote entries {written + 1:,} to {size:,} in {time.perf_counter() - started:.1f} s")
        written = size
        timed = isolated(measure, url, False)
        traced = isolated(measure, url, True)
        fast = timed["seconds"] <= TARGET_SECONDS
        verdict = "" if size < total else "ok" if fast else f"OVER {TARGET_SECONDS:.0f} s"
        assert timed["intact"], timed
        assert timed["entries"] == size, timed
        print(
            f"verify {size:>9,} entries: {timed['seconds']:6.2f} s, "
            f"{size / timed['seconds']:>8,.0f} entries/s  {verdict:<6}  "
            f"peak traced memory {traced['peak_mb']:5.1f} MB "
            f"(under tracemalloc: {traced['seconds']:.1f} s)"
        )
    print(f"--expect lookup (entry 1,000's hash; no index on hash): {lookup_ms(url):.0f} ms\n")


def write(url: str, first: int, last: int, previous: str) -> str:
    """Write entries first+1..last, chained after `previous`; move the head; its hash."""
    database = Database(url)
    rng = random.Random(first)
    try:
        with database.engine.begin() as connection:
            rows: list[dict[str, Any]] = []
            for entry_id in range(first + 1, last + 1):
                row = entry(rng, entry_id)
                row["prev_hash"] = previous
                row["hash"] = previous = chain.digest(previous, row)
                rows.append(row)
                if len(rows) == CHUNK:
                    connection.execute(table_of(AuditEntry).insert(), rows)
                    rows = []
            if rows:
                connection.execute(table_of(AuditEntry).insert(), rows)
            set_head(connection, last, previous)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE audit_entries"
                )
    finally:
        database.dispose()
    return previous


def set_head(connection: sa.Connection, entries: int, digest: str) -> None:
    head = table_of(AuditHead)
    values = {"entries": entries, "last_id": entries, "hash": digest}
    if connection.execute(head.update().where(head.c.id == 1).values(values)).rowcount == 0:
        connection.execute(head.insert().values(id=1, **values))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), "
            "(SELECT max(id) FROM audit_entries))"
        )


def entry(rng: random.Random, entry_id: int) -> dict[str, Any]:
    """One entry as the application writes them: a record created or changed, a sign-in."""
    at = START + dt.timedelta(seconds=entry_id * 37, microseconds=rng.randrange(1_000_000))
    actor = rng.randrange(1, 40)
    base = {
        "id": entry_id,
        "at": at,
        "actor_id": actor,
        "actor_label": f"lawyer{actor}@example.org",
        "matter_id": None,
        "before": None,
    }
    kind = rng.random()
    if kind < 0.3:  # a hearing postponed
        return base | {
            "action": "postpone",
            "entity": "hearings",
            "entity_id": rng.randrange(1, 500_000),
            "matter_id": rng.randrange(1, 10_000),
            "before": {"starts_at": at.isoformat(), "status": "scheduled"},
            "after": {
                "starts_at": (at + dt.timedelta(days=rng.randrange(7, 90))).isoformat(),
                "status": "postponed",
                "reason": "The court's calendar — judge on leave",
            },
        }
    if kind < 0.6:  # a record created: its whole snapshot
        return base | {
            "action": "create",
            "entity": "deadlines",
            "entity_id": rng.randrange(1, 200_000),
            "matter_id": rng.randrange(1, 10_000),
            "after": {
                "id": entry_id,
                "title": "Appeal against the extradition order",
                "due_on": (at + dt.timedelta(days=30)).date().isoformat(),
                "status": "open",
                "rule_code": "be.extradition.appeal",
                "computed": True,
                "overridden": False,
                "notes": "",
                "version": 1,
            },
        }
    if kind < 0.95:  # a sign-in
        return base | {
            "action": "sign_in",
            "entity": "users",
            "entity_id": actor,
            "after": {
                "email": base["actor_label"],
                "proof": "password+totp",
                "address": f"198.51.100.{rng.randrange(1, 255)}",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0",
            },
        }
    return base | {  # a failure for an unknown email
        "action": "sign_in_failed",
        "entity": "users",
        "entity_id": None,
        "actor_id": None,
        "actor_label": "anonymous",
        "after": {"email": "guess@example.org", "address": "203.0.113.9", "reason": "password"},
    }


def measure(url: str, traced: bool) -> dict[str, Any]:
    """Walk the chain once; how long it took, and (traced) the peak Python allocated."""
    database = Database(url)
    try:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        with database.sessionmaker() as session:
            report = audit.verify(session)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
    finally:
        database.dispose()
    return {
        "seconds": seconds,
        "intact": report.intact,
        "entries": report.entries,
        "peak_mb": peak / 2**20,
    }


def lookup_ms(url: str) -> float:
    database = Database(url)
    try:
        with database.sessionmaker() as session:
            anchor = session.scalar(sa.select(AuditEntry.hash).where(AuditEntry.id == 1000))
            started = time.perf_counter()
            found = audit.holding(session, anchor)
            elapsed = time.perf_counter() - started
    finally:
        database.dispose()
    assert found == 1000
    return elapsed * 1000


if __name__ == "__main__":
    main()
