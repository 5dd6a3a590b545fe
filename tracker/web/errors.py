"""Every failed request answered as it was asked: JSON under /api/v1, a page elsewhere.

Nothing half-written survives an error: the request's session is rolled back first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm.exc as orm_exc
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from tracker import web
from tracker.core import errors
from tracker.web import pages
from tracker.web.api import PREFIX


def json_error(status: int, code: str, message: str, field: str | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


#: where other services post (SendGrid's events): machines, which read JSON
WEBHOOKS = "/webhooks/"


def _wants_json() -> bool:
    return request.path.startswith((PREFIX, WEBHOOKS)) or request.path == "/healthz"


def _error(status: int, code: str, message: str, field: str | None = None):
    if _wants_json():
        return json_error(status, code, message, field)
    return pages.error_page(status, message)


def _on_tracker_error(exc: errors.TrackerError):
    web.session().rollback()
    return _error(exc.status, exc.code, exc.message, exc.field)


def _on_stale(_exc: Exception):
    web.session().rollback()
    return _error(409, "stale_version", "someone else changed this record; reload it and try again")


def _on_integrity(exc: sa_exc.IntegrityError):
    web.session().rollback()
    detail = str(exc.orig).splitlines()[0] if exc.orig else "constraint violated"
    return _error(409, "conflict", f"the change conflicts with existing data ({detail})")


def _on_http(exc: HTTPException):
    if not _wants_json():
        if exc.code is None or exc.code < 400 or exc.code == 500:
            return exc
        messages = {
            404: "There is no page at this address.",
            405: f"{request.method} is not allowed here.",
            413: f"What you sent is larger than {request.max_content_length} bytes.",
        }
        return pages.error_page(exc.code, messages.get(exc.code, exc.description or ""))
    code = (exc.name or "error").lower().replace(" ", "_")
    messages = {
        413: f"the request body is larger than {request.max_content_length} bytes",
        404: "no such endpoint",
        405: f"{request.method} is not allowed here",
    }
    return json_error(exc.code or 500, code, messages.get(exc.code or 0, exc.description or ""))


def healthz():
    """Answer 200 when the app and its database are up."""
    try:
        web.session().execute(sa.text("SELECT 1"))
    except sa_exc.SQLAlchemyError as exc:
        return json_error(503, "database_unavailable", str(exc).splitlines()[0])
    return jsonify({"status": "ok", "database": web.database().engine.dialect.name})


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.TrackerError, _on_tracker_error)
    app.register_error_handler(orm_exc.StaleDataError, _on_stale)
    app.register_error_handler(sa_exc.IntegrityError, _on_integrity)
    app.register_error_handler(HTTPException, _on_http)
    app.register_error_handler(pages.CSRFError, pages.on_csrf)
    app.register_error_handler(500, pages.on_500)
    app.add_url_rule("/healthz", "healthz", healthz)
