"""Per-request plumbing: the request's database session (one unit of work)."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask import current_app, g, request

from tracker.config import Settings
from tracker.core import errors
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


def refuse_nul() -> None:
    """400 for a NUL character anywhere in the path, the query string or a form.

    No text column can hold one (PostgreSQL refuses it), and no person types one:
    checked once here, before any page or endpoint reads its input. JSON bodies are
    checked field by field by the API (422 naming the field).
    """
    where = None
    if "\x00" in request.path:
        where = "the address"
    elif _has_nul(request.args):
        where = "the query string"
    elif request.mimetype in _FORMS and (_has_nul(request.form) or _has_nul(request.files)):
        where = "the form"
    if where is not None:
        raise errors.BadRequest(f"{where} contains a NUL character, which no field may hold")


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values) -> bool:
    """True if a key or value of a MultiDict (or a file's name) holds a NUL."""
    for key, value in values.items(multi=True):
        text = getattr(value, "filename", value) or ""
        if "\x00" in key or (isinstance(text, str) and "\x00" in text):
            return True
    return False
