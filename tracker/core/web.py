"""Per-request plumbing: the request's database session (one unit of work)."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask import current_app, g

from tracker.config import Settings
from tracker.core.db import Database

EXTENSION = "tracker"


def database() -> Database:
    return current_app.extensions[EXTENSION]


def settings() -> Settings:
    return current_app.config["TRACKER_SETTINGS"]


def session() -> so.Session:
    """The request's session, closed at teardown (rolled back if it wrote and did not commit)."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        database().close(db_session)
