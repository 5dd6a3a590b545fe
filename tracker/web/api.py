"""The JSON API's toolkit: bearer-token auth, typed bodies, queries and answers.

An endpoint says what it reads and answers in its signature, which is also what the
OpenAPI document (`tracker.web.openapi`) is made from::

    @bp.post("/proceedings/<int:proceeding_id>/hearings")
    def create_hearing(proceeding_id: int, body: NewHearing) -> api.Created[HearingOut]:

`body` is parsed from the JSON body (400 malformed, 422 invalid), `query` from the
query string (422 for an unknown or malformed parameter); the answer is serialised
from the model returned. Every failure is a JSON error (`tracker.web.errors`).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic
from flask import Blueprint, Response, current_app, g, jsonify, request

from tracker import web
from tracker.core import clock, commands, errors
from tracker.core.limits import MAX_ID

PREFIX = "/api/v1"

Schema = TypeVar("Schema", bound=pydantic.BaseModel)
M = TypeVar("M")

#: finds who holds a bearer token: (session, token, now) -> (user, scope) or None, where
#: scope is READ_ONLY or "read-write"; it may note the token's use for the toolkit to
#: commit. Set by the registry.
TOKEN_USER = "tracker.token_user"  # noqa: S105 (an extension name)
#: the scope of a token that may only read: it gets 403 on any other method
READ_ONLY = "read"
READING = frozenset({"GET", "HEAD", "OPTIONS"})


class Items(pydantic.BaseModel, Generic[M]):
    """A list answer: {"items": [...]}."""

    items: list[M]


@dataclass(frozen=True)
class Created(Generic[M]):
    """The answer of an endpoint that creates a record: the record, with status 201."""

    record: M


class NoContent:
    """The answer of an endpoint that answers nothing (204)."""


View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class FileAnswer:
    """What an endpoint that answers a file (not JSON) sends: its media types, and why it
    may be unavailable (503), if it may."""

    description: str
    media_types: tuple[str, ...]
    unavailable: str | None = None


def answers_file(answer: FileAnswer) -> Callable[[View], View]:
    """Mark an endpoint (under `@bp.get`) as answering a file: the OpenAPI document says so."""

    def mark(view: View) -> View:
        view.file_answer = answer  # type: ignore[attr-defined]  # read by tracker.web.openapi
        return view

    return mark


class ApiBlueprint(Blueprint):
    """A blueprint under /api/v1 whose every endpoint needs a bearer token, reads its
    typed parameters (`body`, `query`) and answers the model it returns."""

    def add_url_rule(  # type: ignore[override]  # views return models, not responses
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        if view_func is not None:
            view_func = typed(view_func)
        super().add_url_rule(rule, endpoint, view_func, **options)

    # Flask types its decorators for views that return responses; these return models.
    def get(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route(rule, methods=["POST"], **options)

    def patch(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route(rule, methods=["PATCH"], **options)

    def delete(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route(rule, methods=["DELETE"], **options)


def blueprint(name: str) -> ApiBlueprint:
    bp = ApiBlueprint(name, __name__, url_prefix=PREFIX)
    bp.before_request(_authenticate)
    bp.before_request(_check_ids)
    return bp


class Signature(typing.NamedTuple):
    """What an endpoint reads and answers: the OpenAPI document is made from it."""

    body: type[pydantic.BaseModel] | None
    query: type[pydantic.BaseModel] | None
    answer: Any  # a model, Items[model], or None for a JSON answer without a model
    status: int


def signature(view: Callable[..., Any]) -> Signature:
    hints = typing.get_type_hints(view)
    answer = hints.get("return")
    status = 200
    if typing.get_origin(answer) is Created:
        answer, status = typing.get_args(answer)[0], 201
    elif answer is NoContent:
        answer, status = None, 204
    elif answer is Response or answer is Any:
        answer = None
    return Signature(hints.get("body"), hints.get("query"), answer, status)


def typed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap `view` so that it gets its typed `body` and `query`, and its model answered."""
    read = signature(view)

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        if read.body is not None:
            kwargs["body"] = _body_or_refusal(read.body)
        if read.query is not None:
            kwargs["query"] = query(read.query)
        return respond(view(**kwargs))

    run.signature = read  # type: ignore[attr-defined]  # read by tracker.web.openapi
    return run


class _Refused:
    """A body that failed its checks, refused when the view first reads it: the view
    looks up its records first, so an unknown one is a 404 whatever the body says."""

    def __init__(self, error: errors.TrackerError):
        self._error = error

    def __getattr__(self, _name: str) -> Any:
        raise self._error


def _body_or_refusal(schema: type[Schema]) -> Any:
    try:
        return body(schema)
    except errors.TrackerError as exc:
        if exc.status == 422:
            return _Refused(exc)
        raise


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("send an API token: 'Authorization: Bearer <token>'")
    find_holder = current_app.extensions[TOKEN_USER]
    db = web.session()
    holder = find_holder(db, token.strip(), clock.now())
    if holder is None:
        raise errors.Unauthorized(
            "the API token is unknown, revoked or expired, or its user is inactive"
        )
    db.commit()  # the token's last use, if noted, before anything of the request's own
    user, scope = holder
    if scope == READ_ONLY and request.method not in READING:
        raise errors.Forbidden("this API token may only read")
    g.actor = user


def _check_ids() -> None:
    """An id in the URL that no row can have is not found (the database would refuse it)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise errors.NotFound(f"no record with id {value}")


def actor() -> Any:
    return g.actor


def body(schema: type[Schema]) -> Schema:
    """Parse and check the JSON body against `schema` (400 malformed, 422 invalid)."""
    if not request.is_json:
        raise errors.BadRequest("send a JSON body with 'Content-Type: application/json'")
    raw = request.get_data(cache=False)  # 413 past MAX_CONTENT_LENGTH
    try:
        return schema.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        raise commands.refusal(exc) from None


def query(schema: type[Schema]) -> Schema:
    """The query string read as `schema`: a parameter sent twice is a list, if it may be."""
    values: dict[str, Any] = {}
    for name in request.args:
        sent = request.args.getlist(name)
        values[name] = sent if len(sent) > 1 else sent[0]
    try:
        return schema.model_validate(values)
    except pydantic.ValidationError as exc:
        raise commands.refusal(exc) from None


def respond(result: Any) -> Any:
    """A view's result as the answer: a model as JSON (201 if `Created`), 204 for
    `NoContent`; a response (or anything else Flask answers) as it is."""
    if isinstance(result, Created):
        return answer(result.record, 201)
    if isinstance(result, NoContent):
        return Response(status=204)
    if isinstance(result, pydantic.BaseModel):
        return answer(result)
    return result


def answer(payload: pydantic.BaseModel, status: int = 200) -> Response:
    """A model as the JSON answer."""
    response = jsonify(payload.model_dump(mode="json", by_alias=True))
    response.status_code = status
    return response


def commit() -> None:
    web.session().commit()
