"""Benchmark: the chronology of a 300-proceeding, 3,000-event dossier as DOCX and PDF.

    .venv/bin/python bench/chronology.py               # SQLite in a temporary folder
    .venv/bin/python bench/chronology.py --formats docx,md,csv

Target (issue 16): each of DOCX and PDF in ≤ 3 s, from the database to the bytes (the
builder's queries, then the writer), with a constant number of queries. One matter
holds every proceeding of `_data`'s generator (five hearings each, one in eight moved
one to four times; ten events each, every other one citing a source, most of them
links); the client is a named person, and a pseudonymised run is timed too. Each
export is run three times; the best time is reported. Without Pango, PDF is skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _data  # beside this file (bench/ is not a package)

from tracker.chronology import operations
from tracker.chronology.html_writer import PdfUnavailable
from tracker.chronology.schemas import ChronologyQuery
from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.db import Database
from tracker.models import Event, Matter, Person

TARGET_SECONDS = 3.0
RUNS = 3
BENCH = SystemActor("system:bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proceedings", type=int, default=300)
    parser.add_argument("--events-each", type=int, default=10)
    parser.add_argument("--formats", default="docx,pdf,md,csv")
    args = parser.parse_args()
    sizes = _data.Sizes(
        proceedings=args.proceedings,
        per_matter=args.proceedings,  # one dossier holds them all
        events_each=args.events_each,
    )
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        _data.fresh_schema(url)
        database = Database(url)
        counts = _data.generate(database, sizes)
        _dress(database)
        print("data: " + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
        for privacy in ("full", "pseudonymised"):
            for format in args.formats.split(","):
                measure(database, format, privacy)
        database.dispose()


def _dress(database: Database) -> None:
    """The client named, and sources on every other event (links, mostly)."""
    with database.unit_of_work() as session:
        client = Person(name="Mukhtar Ablyazov")
        session.add(client)
        session.flush()
        session.execute(sa.update(Matter).where(Matter.id == 1).values(subject_id=client.id))
        session.execute(
            sa.update(Event)
            .where(Event.id % 2 == 0)
            .values(
                source="https://example.org/decisions/" + sa.cast(Event.id, sa.String),
                summary="Decision served on Mukhtar Ablyazov's lawyer",
            )
        )
        session.execute(
            sa.update(Event)
            .where(Event.id % 10 == 0)
            .values(source="Court registry, letter no. " + sa.cast(Event.id % 40, sa.String))
        )


def measure(database: Database, format: str, privacy: str) -> None:
    options = ChronologyQuery.model_validate({"format": format, "privacy": privacy})
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("")

    best, size = float("inf"), 0
    for _ in range(RUNS):
        statements.clear()
        sa.event.listen(database.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        try:
            with database.sessionmaker() as session:
                found = operations.export(session, BENCH, 1, options, clock.today())
        except PdfUnavailable as exc:
            print(f"{format:>4} {privacy:<13}: skipped ({exc.message})")
            return
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", count)
        best = min(best, time.perf_counter() - started)
        size = len(found.body)
    verdict = (
        ""
        if format in ("md", "csv")
        else ("  ok" if best <= TARGET_SECONDS else f"  OVER {TARGET_SECONDS:.0f} s")
    )
    print(
        f"{format:>4} {privacy:<13}: {best:.2f} s (best of {RUNS}), {len(statements)} queries,"
        f" {size:,} bytes{verdict}"
    )


if __name__ == "__main__":
    main()
