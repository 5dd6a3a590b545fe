"""Benchmark: the dashboard and a matter page with 10,000 matters, 20 concurrent clients.

PostgreSQL only (the issue's target): BENCH_DATABASE_URL or TEST_DATABASE_URL as in
bench/scan.py. Generates 10,000 matters (50,000 proceedings, 250,000 hearings...),
runs a delay scan so that the dashboard has flags, then serves the app with gunicorn
(2 sync workers) on 127.0.0.1 and sends requests from 20 client threads, each
signed in, in two ways: each client sending its next request as soon as the last one
answered (a closed loop, the server saturated: the harshest reading of "20 concurrent
clients"), then each pausing a random think time (1 s on average, exponentially) between
requests, as 20 people at work would. Prints the 50th/95th/99th percentile latency per
page, and the SQL statements each page runs, counted in process for a small and a
large matter (they must be equal). Target: p95 ≤ 150 ms.

    .venv/bin/python bench/web.py [--matters 10000] [--seconds 20] [--clients 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # beside this file (bench/ is not a package)

from tracker import config
from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.db import Database
from tracker.delays import scan
from tracker.delays.rules import Thresholds
from tracker.models import Proceeding, User, matter_assignees
from tracker.users.models import Role

TARGET_MS = 150.0
PASSWORD = "bench password 2026"
BENCH = SystemActor("system:bench")
NOW = dt.datetime.combine(_data.AS_OF, dt.time(9), dt.UTC)
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per page measured")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause of a client, s (0: closed loop only)"
    )
    args = parser.parse_args()
    url = _data.postgresql_url()
    if url is None:
        print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
        return
    _data.fresh_schema(url)
    started = time.perf_counter()
    counts, lawyer_matters = prepare(url, args.matters)
    print(f"data: {', '.join(f'{n:,} {table}' for table, n in counts.items())}")
    print(f"generated and scanned in {time.perf_counter() - started:.1f} s")
    report_queries(url, lawyer_matters)
    with (
        tempfile.TemporaryDirectory(prefix="tracker-bench-web-") as instance,
        serve(url, instance, args.workers) as base,
    ):
        print(f"gunicorn: {args.workers} sync workers on {base}; {args.clients} clients")
        print(f"machine: a fixed pure-Python loop takes {reference_ms():.0f} ms now\n")
        pages = [
            ("dashboard (coordinator: every matter)", "coordinator", lambda _r: "/"),
            ("dashboard (lawyer: 25 matters)", "lawyer", lambda _r: "/"),
            (
                "matter page (random of 10,000)",
                "coordinator",
                lambda r: f"/matters/{r.randint(1, counts['matters'])}",
            ),
            (
                "matters search (country + kind)",
                "coordinator",
                lambda _r: "/matters?" + urlencode({"country": "KZ", "kind": "trial"}),
            ),
        ]
        for think in dict.fromkeys((0.0, args.think)):
            print("closed loop (no pause)" if not think else f"think time {think:g} s on average")
            for label, who, path in pages:
                load(base, label, f"{who}@bench.example", path, args.clients, args.seconds, think)
            print()


def reference_ms() -> float:
    """How fast this (maybe shared) machine runs Python right now: the best of three runs
    of a fixed loop. Saturated throughput follows it; compare runs by it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(5_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def prepare(url: str, matters: int) -> tuple[dict[str, int], list[int]]:
    """10,000 matters of 5 proceedings each; a coordinator; a lawyer with 25 matters; flags."""
    from werkzeug.security import generate_password_hash

    database = Database(url)
    try:
        counts = _data.generate(database, _data.Sizes(proceedings=matters * 5))
        hashed = generate_password_hash(PASSWORD)
        rng = random.Random(6)
        mine = sorted(rng.sample(range(1, counts["matters"] + 1), 25))
        with database.unit_of_work() as session:
            for role in (Role.coordinator, Role.lawyer):
                session.add(User(email=f"{role}@bench.example", role=role, password_hash=hashed))
            session.flush()
            lawyer = session.scalar(sa.select(User.id).where(User.role == Role.lawyer))
            session.execute(
                matter_assignees.insert(), [{"matter_id": m, "user_id": lawyer} for m in mine]
            )
        with database.unit_of_work() as session:
            counts["delay_flags"] = len(scan.run(session, NOW, _data.AS_OF, Thresholds()).open)
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        return counts, mine
    finally:
        database.dispose()


def report_queries(url: str, lawyer_matters: list[int]) -> None:
    """Statements per page, counted in process: the same for a small and a large matter."""
    from tracker.app import create_app
    from tracker.users import sessions

    with tempfile.TemporaryDirectory(prefix="tracker-bench-q-") as instance:
        settings = config.load(
            {"TRACKER_INSTANCE": instance, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        )
        database = Database(url)
        app = create_app(settings, database)
        statements: list[str] = []
        sa.event.listen(
            database.engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        with database.unit_of_work() as session:
            sizes = (
                sa.select(Proceeding.matter_id, sa.func.count())
                .group_by(Proceeding.matter_id)
                .order_by(sa.func.count(), Proceeding.matter_id)
            )
            rows = session.execute(sizes).all()
            smallest, largest = rows[0], rows[-1]
            users = {u.role: u for u in session.scalars(sa.select(User))}
            cookies = {
                role: sessions.start(session, user, NOW, sessions.Lifetimes())
                for role, user in users.items()
            }
        print("SQL statements per page (in process, PostgreSQL):")
        for label, role, path in (
            ("dashboard, coordinator", Role.coordinator, "/"),
            ("dashboard, lawyer", Role.lawyer, "/"),
            (f"matter {smallest[0]} ({smallest[1]} proceedings)", Role.coordinator,
             f"/matters/{smallest[0]}"),
            (f"matter {largest[0]} ({largest[1]} proceedings)", Role.coordinator,
             f"/matters/{largest[0]}"),
            (f"matter {lawyer_matters[0]}, lawyer", Role.lawyer, f"/matters/{lawyer_matters[0]}"),
        ):  # fmt: skip
            client = app.test_client()
            with client.session_transaction() as cookie:
                cookie["_user_id"] = cookies[role]
            with clock.frozen(NOW):
                client.get(path)  # warm: the first request loads templates
                statements.clear()
                status = client.get(path).status_code
            print(f"  {label:<40} {len(statements):3d} statements  (HTTP {status})")
        database.dispose()
        print()


class serve:
    """gunicorn serving the app on a free port of 127.0.0.1, for the `with` block."""

    def __init__(self, url: str, instance: str, workers: int):
        self.url, self.instance, self.workers = url, instance, workers

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base = f"127.0.0.1:{port}"
        env = os.environ | {
            "DATABASE_URL": self.url,
            "TRACKER_INSTANCE": self.instance,
            "SECRET_KEY": "bench-secret",
            "BASE_URL": f"http://{base}",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", str(self.workers), "--bind", base,
             "--log-level", "warning", "tracker.app:create_app()"],
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return base
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *_exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def sign_in(base: str, email: str) -> str:
    """Sign in through the form; returns the session cookie."""
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = _TOKEN.search(page).group(1)
    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"signing in as {email} answered {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def load(
    base: str, label: str, email: str, path, clients: int, seconds: float, think: float
) -> None:
    """`clients` threads requesting `path(rng)` for `seconds`, pausing `think` s on average."""
    host, port = base.split(":")
    cookie = sign_in(base, email)
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        mine: list[float] = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", path(rng), headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            connection.close()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                with lock:
                    failures.append(response.status)
            if think:
                time.sleep(rng.expovariate(1 / think))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    cpu = time.process_time()  # this process is the clients: what they take of the cores
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu
    cuts = statistics.quantiles(latencies, n=100)
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    verdict = "ok" if p95 <= TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
    print(
        f"{label:<40} {len(latencies) / seconds:6.1f} req/s  p50 {p50:6.1f} ms  "
        f"p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  {verdict}  "
        f"(clients' CPU {cpu / len(latencies) * 1000:.1f} ms/req)"
        + (f"  ({len(failures)} non-200: {sorted(set(failures))})" if failures else "")
    )


if __name__ == "__main__":
    main()
