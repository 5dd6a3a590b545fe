"""Benchmark: how long signing in takes, with the password alone and with a second factor.

    .venv/bin/python bench/signin.py [--sign-ins 50]

Through the whole app (Flask's test client, SQLite in a temporary folder): each
sign-in opens the login page, then times what the person waits for: the password's
POST (password only), or the password's POST, the second step's page and the code's
POST (password + TOTP). The clock moves 30 s between sign-ins, as a code works once.
The password's scrypt hash is most of it, by design; the second step adds a few
queries and one HMAC. Prints the median and the 95th percentile of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyotp
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import config, migrate
from tracker.app import create_app
from tracker.core import clock
from tracker.core.db import Database
from tracker.models import SecondFactor, User
from tracker.users.enums import FactorKind, Role

PASSWORD = "bench password 2026"
START = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)
_TOKEN = re.compile(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-signin-") as folder:
        url = f"sqlite:///{folder}/tracker.db"
        migrate.upgrade(url)
        database = Database(url)
        secret = prepare(database)
        settings = config.load(
            {"TRACKER_INSTANCE": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        )
        app = create_app(settings, database)
        print(f"{args.sign_ins} sign-ins each, Flask test client, SQLite\n")
        report("password only", [password_only(app, i) for i in range(args.sign_ins)])
        both = [with_code(app, secret, i) for i in range(args.sign_ins)]
        report("password + TOTP", [total for total, _second in both])
        report("  the second step", [second for _total, second in both])
        database.dispose()


def prepare(database: Database) -> str:
    """Two users with the same password; the second has an authenticator app."""
    hashed = generate_password_hash(PASSWORD)
    secret = pyotp.random_base32()
    with database.unit_of_work() as session:
        session.add(User(email="plain@bench.example", role=Role.staff, password_hash=hashed))
        second = User(email="totp@bench.example", role=Role.staff, password_hash=hashed)
        session.add(second)
        session.flush()
        session.add(
            SecondFactor(
                user_id=second.id,
                kind=FactorKind.totp,
                name="Phone",
                created_at=START,
                totp_secret=secret,
            )
        )
    return secret


def password_only(app, n: int) -> float:
    with clock.frozen(START + n * STEP):
        client = app.test_client()
        token = _form_token(client.get("/login"))
        started = time.perf_counter()
        answer = client.post("/login", data=_password("plain@bench.example", token))
        elapsed = time.perf_counter() - started
    _expect(answer, "/")
    return elapsed


def with_code(app, secret: str, n: int) -> tuple[float, float]:
    """The whole sign-in, and its second step alone (the page and the code's POST)."""
    now = START + n * STEP
    with clock.frozen(now):
        client = app.test_client()
        token = _form_token(client.get("/login"))
        started = time.perf_counter()
        answer = client.post("/login", data=_password("totp@bench.example", token))
        _expect(answer, "/login/verify")
        second = time.perf_counter()
        token = _form_token(client.get("/login/verify"))
        answer = client.post(
            "/login/verify/code",
            data={"totp-code": pyotp.TOTP(secret).at(now), "totp-csrf_token": token},
        )
        done = time.perf_counter()
    _expect(answer, "/")
    return done - started, done - second


def _password(email: str, token: str) -> dict[str, str]:
    return {"email": email, "password": PASSWORD, "csrf_token": token}


def _form_token(response) -> str:
    return _TOKEN.search(response.get_data(as_text=True)).group(1)


def _expect(response, location: str) -> None:
    if response.status_code != 302 or response.headers["Location"] != location:
        raise SystemExit(f"a sign-in answered {response.status_code}, not a redirect to {location}")


def report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=20)[18]
    print(f"{label:<20} median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
