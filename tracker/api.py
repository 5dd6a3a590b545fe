"""The JSON API's plumbing: bearer-token auth, request bodies, errors as JSON.

Each domain package has its own `api.py` with the endpoints; this module wires
them under /api/v1 and makes every failure a JSON answer with a 4xx status.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import pydantic
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm.exc as orm_exc
from flask import Blueprint, Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from tracker.core import clock, errors, web

PREFIX = "/api/v1"

Schema = TypeVar("Schema", bound=pydantic.BaseModel)

#: the largest id a row can have: ids are INTEGER columns (int4 on PostgreSQL)
MAX_ID = 2**31 - 1

#: an id in a request body: a larger number is refused (422) before any query runs
Id = Annotated[int, pydantic.Field(ge=1, le=MAX_ID)]


class Body(pydantic.BaseModel):
    """A request body: unknown fields are an error, types are not coerced."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)

    @pydantic.field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL cannot store NUL in text: refuse it here (422), not there (500)."""
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("NUL characters are not allowed")
        return value


def blueprint(name: str) -> Blueprint:
    """A blueprint under /api/v1 whose every endpoint needs a bearer token."""
    bp = Blueprint(name, __name__, url_prefix=PREFIX)
    bp.before_request(_authenticate)
    bp.before_request(_check_ids)
    return bp


def _authenticate() -> None:
    from tracker.users import operations as users

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("send an API token: 'Authorization: Bearer <token>'")
    user = users.user_for_token(web.session(), token.strip(), clock.now())
    if user is None:
        raise errors.Unauthorized("the API token is unknown, revoked, or its user is inactive")
    g.actor = user


def _check_ids() -> None:
    """An id in the URL that no row can have is not found (the database would refuse it)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise errors.NotFound(f"no record with id {value}")


def actor():
    return g.actor


def body(schema: type[Schema]) -> Schema:
    """Parse and check the JSON body against `schema` (400 malformed, 422 invalid)."""
    if not request.is_json:
        raise errors.BadRequest("send a JSON body with 'Content-Type: application/json'")
    raw = request.get_data(cache=False)  # 413 past MAX_CONTENT_LENGTH
    try:
        return schema.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        raise _from_pydantic(exc) from None


def _from_pydantic(exc: pydantic.ValidationError) -> errors.TrackerError:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return errors.BadRequest(f"malformed JSON: {first['ctx'].get('error', first['msg'])}")
    if first["type"] == "model_type" or not first["loc"]:
        return errors.BadRequest("the body must be a JSON object")
    field = ".".join(str(part) for part in first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "this field is required"
    return errors.Invalid(f"{field}: {message}", field=field)


def query_date(name: str):
    """An optional ?name=YYYY-MM-DD query argument."""
    from tracker.core.dates import parse_date

    value = request.args.get(name)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise errors.Invalid(str(exc), field=name) from None


def query_id(name: str) -> int | None:
    """An optional ?name=ID query argument."""
    value = request.args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise errors.Invalid(f"{value!r} is not an id", field=name)
    return int(value)


def items(rows: list[dict[str, Any]]) -> Response:
    return jsonify({"items": rows})


def created(payload: dict[str, Any]) -> tuple[Response, int]:
    return jsonify(payload), 201


def commit() -> None:
    web.session().commit()


# --- errors ---------------------------------------------------------------------------


def _json_error(status: int, code: str, message: str, field: str | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def _wants_json() -> bool:
    return request.path.startswith(PREFIX) or request.path == "/healthz"


def _error(status: int, code: str, message: str, field: str | None = None):
    """JSON under /api/v1, a page everywhere else."""
    if _wants_json():
        return _json_error(status, code, message, field)
    from tracker import pages

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
        from tracker import pages

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
    return _json_error(exc.code or 500, code, messages.get(exc.code or 0, exc.description or ""))


def init_app(app: Flask) -> None:
    from tracker.calendar.api import bp as feeds_bp
    from tracker.deadlines.api import bp as deadlines_bp
    from tracker.delays.api import bp as delays_bp
    from tracker.hearings.api import bp as hearings_bp
    from tracker.jurisdictions.api import bp as jurisdictions_bp
    from tracker.matters.api import bp as matters_bp
    from tracker.users.api import bp as users_bp

    blueprints = (jurisdictions_bp, matters_bp, hearings_bp, deadlines_bp, users_bp, delays_bp)
    for bp in (*blueprints, feeds_bp):
        app.register_blueprint(bp)
    app.register_error_handler(errors.TrackerError, _on_tracker_error)
    app.register_error_handler(orm_exc.StaleDataError, _on_stale)
    app.register_error_handler(sa_exc.IntegrityError, _on_integrity)
    app.register_error_handler(HTTPException, _on_http)
    app.add_url_rule("/healthz", "healthz", healthz)


def healthz():
    """Answer 200 when the app and its database are up."""
    try:
        web.session().execute(sa.text("SELECT 1"))
    except sa_exc.SQLAlchemyError as exc:
        return _json_error(503, "database_unavailable", str(exc).splitlines()[0])
    return jsonify({"status": "ok", "database": web.database().engine.dialect.name})
