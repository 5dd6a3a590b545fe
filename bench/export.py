"""Benchmark: `tracker export` and `tracker restore` over the synthetic dossiers.

For each size (default 5,000 and 20,000 proceedings: about 55,000 and 220,000 rows),
on SQLite (temporary files) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set,
on PostgreSQL (as `bench/scan.py` takes it: see `_data.postgresql_url`; the restore goes
to a second database beside it, named with `_restore`): the data set is written with
`_data.generate`, exported to a file, and restored into an empty database. Each export
and restore runs in a child process, whose growth of resident memory is its peak: it
should not grow with the size.

    .venv/bin/python bench/export.py [--proceedings 5000,20000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)
from scan import isolated  # the same child processes as the scan's bench

from tracker.archive import export, restore
from tracker.core import clock
from tracker.core.db import Database, normalize_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--proceedings", default="5000,20000", help="sizes, comma-separated")
    sizes = [int(size) for size in parser.parse_args().proceedings.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        pairs = [("SQLite", f"sqlite:///{folder}/source.db", f"sqlite:///{folder}/target.db")]
        postgresql = _data.postgresql_url()
        if postgresql is not None:
            pairs.append(("PostgreSQL", postgresql, _beside(postgresql, "_restore")))
        for label, source, target in pairs:
            for size in sizes:
                _bench(label, source, target, size, Path(folder) / "export.json")


def _beside(url: str, suffix: str) -> str:
    """A second database on the same server, created if need be."""
    parsed = sa.make_url(normalize_url(url))
    parsed = parsed.set(database=f"{parsed.database}{suffix}")
    _data._create_database(parsed)
    return parsed.render_as_string(hide_password=False)


def _bench(label: str, source: str, target: str, size: int, path: Path) -> None:
    _fresh(source)
    database = Database(source)
    rows = sum(_data.generate(database, _data.Sizes(proceedings=size)).values())
    database.dispose()
    written = isolated(_export, source, path)
    _fresh(target)
    loaded = isolated(_restore, target, path)
    megabytes = path.stat().st_size / 1e6
    print(
        f"{label:<10} {size:>7,} proceedings, {rows:>9,} rows, {megabytes:7.1f} MB: "
        f"export {written['seconds']:5.1f} s ({megabytes / written['seconds']:5.1f} MB/s, "
        f"+{written['grown_mb']:.1f} MB resident); "
        f"restore {loaded['seconds']:5.1f} s ({loaded['rows'] / loaded['seconds']:7,.0f} rows/s, "
        f"+{loaded['grown_mb']:.1f} MB resident)",
        flush=True,
    )


def _fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    _data.fresh_schema(url)


def _export(url: str, path: Path) -> dict[str, float]:
    database = Database(url)
    baseline = _resident_mb()
    started = time.perf_counter()
    with export.snapshot(database.engine) as connection, path.open("wb") as out:
        export.export(connection, out, secrets=True, now=clock.now())
    seconds = time.perf_counter() - started
    database.dispose()
    return {"seconds": seconds, "grown_mb": _resident_mb() - baseline}


def _restore(url: str, path: Path) -> dict[str, float]:
    baseline = _resident_mb()
    started = time.perf_counter()
    with path.open("rb") as source:
        restored = restore.restore(url, source)
    seconds = time.perf_counter() - started
    rows = sum(restored.counts.values())
    return {"seconds": seconds, "rows": rows, "grown_mb": _resident_mb() - baseline}


def _resident_mb() -> float:
    """The peak resident memory of this process so far (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
