"""Fixtures for the browser tests: the app served on 127.0.0.1, and Debian's Chromium.

The app runs in a thread of the test process (werkzeug's threaded server) on a free
port, over the test's database (SQLite or PostgreSQL) with the demo dossier loaded
and every demo user's password set to PASSWORD. Chromium is Debian's
(/usr/bin/chromium, installed by .ci/run), driven by Playwright: never a browser that
Playwright downloads. Without it the tests skip, except under CI, where they fail.

Screenshots go to the test's tmp folder, or to $TRACKER_SCREENSHOTS when set
(`make screenshots` sets it to docs/screenshots).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from pages import PASSWORD, password_hash
from werkzeug.serving import make_server

from tracker import demo
from tracker.core import clock
from tracker.core.db import Database
from tracker.models import User

CHROMIUM = "/usr/bin/chromium"
#: no sandbox (CI runs as root), and nothing that reaches for Google's hosts
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    database: Database

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_server(settings, database: Database) -> Iterator[LiveServer]:
    """The app with the demo dossier, served on a free port of 127.0.0.1."""
    yield from _serve(settings, database, "127.0.0.1")


@pytest.fixture
def named_server(settings, database: Database) -> Iterator[LiveServer]:
    """The same, reached as http://localhost:<port> (still bound to 127.0.0.1): WebAuthn
    takes a host name as the site's id, never an IP address."""
    yield from _serve(settings, database, "localhost")


def _serve(settings, database: Database, host: str) -> Iterator[LiveServer]:
    from tracker.app import create_app

    with database.unit_of_work() as session:
        demo.load(session, clock.now())
        session.execute(sa.update(User).values(password_hash=password_hash()))
    server = make_server("127.0.0.1", 0, None, threaded=True)
    url = f"http://{host}:{server.server_port}"
    server.app = create_app(replace(settings, base_url=url), database)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url, database)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; under CI nothing may be skipped", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (no cookies) and page; 1280x900, English, Brussels time."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/Brussels"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    #: script errors and failed loads; a test expecting one clears it
    page.logged_errors = errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRACKER_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto(server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
