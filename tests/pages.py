"""Helpers for the page tests: users who sign in, and a client that sends CSRF tokens.

`sign_in(client, database, role)` makes a user and puts them in the client's session
(fast: no password check); `Browser.log_in` goes through the real /login form.
`Browser.post` adds the CSRF token of the last page seen, as a real browser submitting
that page's form would; pass `csrf=False` to see the refusal.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

from werkzeug.security import generate_password_hash

from tracker.core import clock
from tracker.core.db import Database
from tracker.users import sessions
from tracker.users.models import Role, User

PASSWORD = "a long test password"

_serial = itertools.count(1)
_TOKEN = re.compile(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"')


@functools.cache
def password_hash() -> str:
    """One scrypt hash for every test user (a tenth of a second each otherwise)."""
    return generate_password_hash(PASSWORD)


def make_user(
    database: Database,
    role: str = "staff",
    email: str | None = None,
    *,
    name: str = "",
    timezone: str = "UTC",
    active: bool = True,
) -> User:
    """A user whose password is PASSWORD (detached from any session)."""
    email = email or f"{role}{next(_serial)}@example.org"
    with database.unit_of_work() as session:
        user = User(
            email=email,
            role=Role(role),
            name=name,
            timezone=timezone,
            active=active,
            password_hash=password_hash(),
        )
        session.add(user)
        session.flush()
        session.expunge(user)
        return user


@dataclass
class Browser:
    """Flask's test client, keeping the CSRF token of the last page it saw."""

    client: Any
    user: User | None = None
    csrf: str | None = None

    def get(self, path: str, **kwargs: Any):
        return self._seen(self.client.get(path, **kwargs))

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any):
        data = dict(data or {})
        if csrf and not any(key.endswith("csrf_token") for key in data):
            data["csrf_token"] = self.token()
        return self._seen(self.client.post(path, data=data, **kw))

    def token(self) -> str:
        if self.csrf is None:
            self.get("/login" if self.user is None else "/account")
        assert self.csrf, "no page with a CSRF token was seen"
        return self.csrf

    def log_in(self, email: str, password: str = PASSWORD, **kwargs: Any):
        """Sign in through the /login form."""
        self.get("/login")
        return self.post("/login", {"email": email, "password": password}, **kwargs)

    def _seen(self, response):
        if response.mimetype == "text/html":
            found = _TOKEN.search(response.get_data(as_text=True))
            if found:
                self.csrf = found.group(1)
        return response


def sign_in(client: Any, database: Database, role: str = "staff", **user: Any) -> Browser:
    """A new user of `role`, signed in on `client` without going through the form."""
    found = make_user(database, role, **user)
    put_session(client, database, found)
    return Browser(client, found)


def put_session(client: Any, database: Database, user: User) -> str:
    """Start a server-side session for `user` and put its id in the client's cookie."""
    with database.unit_of_work() as db:
        raw = sessions.start(db, db.merge(user), clock.now(), sessions.Lifetimes())
    with client.session_transaction() as session:
        session["_user_id"] = raw
        session["_fresh"] = True
    return raw


def text(response) -> str:
    return response.get_data(as_text=True)
