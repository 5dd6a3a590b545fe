"""Guesses sent at the same instant to gunicorn: the sign-in limit holds across workers.

gunicorn (4 workers × 8 threads, as many requests in flight as the burst) serves the
app on the test's database (SQLite and PostgreSQL). 30 browsers each fetch the login
page (their own session and CSRF token), then send their POSTs at the same instant.
An answer 401 means the password was checked (wrong); 429 means the attempt was
refused without checking; 302 means signed in. Afterwards a new browser is refused,
while the owner's browser, which signed in before the burst, still signs in.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from pages import PASSWORD, make_user

from tracker.users import login

ROOT = Path(__file__).resolve().parents[1]
BURST = 30
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Server:
    port: int

    def browser(self) -> Browser:
        return Browser(self.port)


@dataclass
class Browser:
    """A browser of its own: a cookie jar and the CSRF token of the last page it saw."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, form and urlencode(form), headers)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        if found := _TOKEN.search(page):
            self.token = found.group(1)
        return response.status

    def open_login(self) -> None:
        assert self.request("GET", "/login") == 200
        assert self.token

    def send(self, email: str, password: str) -> int:
        """POST the login form of the page opened last."""
        return self.request(
            "POST", "/login", {"email": email, "password": password, "csrf_token": self.token}
        )

    def log_in(self, email: str, password: str = PASSWORD) -> int:
        self.open_login()
        return self.send(email, password)

    def close(self) -> None:
        """Close the browser: the session cookie ends, long-lived cookies stay."""
        self.cookies.pop("tracker_session", None)
        self.token = ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(db_url: str, database, tmp_path: Path) -> Iterator[Server]:
    """gunicorn, 4 workers × 8 threads, serving the app on the test's database."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": db_url,
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "BASE_URL": f"http://127.0.0.1:{port}",
        # this checkout's code, whatever the environment has installed
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "4", "--threads", "8",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "tracker.app:create_app()"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_up(port, process, log)
        yield Server(port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")


def burst(server: Server, email: str, passwords: list[str]) -> list[int]:
    """One fresh browser per password, all sending their POST at the same instant."""
    browsers = [server.browser() for _ in passwords]
    for browser in browsers:
        browser.open_login()
    start = threading.Barrier(len(passwords))
    answers: list[int] = [0] * len(passwords)

    def send(n: int) -> None:
        start.wait()
        answers[n] = browsers[n].send(email, passwords[n])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def trusted_browser(server: Server, email: str) -> Browser:
    """A browser that signed in to the account before (and was closed since)."""
    browser = server.browser()
    assert browser.log_in(email) == 302
    browser.close()
    return browser


def test_thirty_guesses_at_once_check_at_most_five(server, database):
    user = make_user(database)
    mine = trusted_browser(server, user.email)

    answers = burst(server, user.email, ["wrong guess"] * BURST)

    assert Counter(answers) == {401: login.ACCOUNT_LIMIT, 429: BURST - login.ACCOUNT_LIMIT}
    # the guesses came from elsewhere: the owner's browser still signs in, a new one not
    assert server.browser().log_in(user.email) == 429
    assert mine.log_in(user.email) == 302


def test_the_right_password_in_a_burst_counts_like_any_attempt(server, database):
    user = make_user(database)
    mine = trusted_browser(server, user.email)

    answers = burst(server, user.email, [PASSWORD] + ["wrong guess"] * (BURST - 1))

    right, wrong = answers[0], Counter(answers[1:])
    assert set(wrong) <= {401, 429}
    assert right in (302, 429)  # signed in only if it was let through, never "wrong"
    # a guess holds its reservation; the right password gives its own back once in,
    # so a sixth guess may have been let through after it, never before
    assert login.ACCOUNT_LIMIT - (right == 302) <= wrong[401] <= login.ACCOUNT_LIMIT
    for _ in range(login.ACCOUNT_LIMIT - wrong[401]):  # fill the account's last slot
        assert server.browser().log_in(user.email, "wrong guess") == 401
    assert server.browser().log_in(user.email) == 429
    assert mine.log_in(user.email) == 302
