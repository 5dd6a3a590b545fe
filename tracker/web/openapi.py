"""The API describes itself: an OpenAPI 3.1 document made from the app's route table and
the endpoints' signatures, served at `GET /api/v1/openapi.json`.

Nothing here is written by hand per endpoint. Each `/api/v1` rule of the URL map is an
operation: its path parameters come from the rule's converters, its body, query and
answer from the view's signature (`tracker.web.api.signature`), its summary from the
view's docstring; the schemas are pydantic's JSON Schema of those models (validation
mode for what is sent, serialization mode for what is answered), their `$defs` under
`components/schemas`. Every failure has the one error shape (`tracker.web.errors`).

An endpoint that answers a file (a chronology document) says so with
`api.answers_file`: its media types replace the JSON answer.

Beside the API, the calendar files a program may fetch are described too (they answer
`text/calendar`, not JSON): see `CALENDAR_FILES`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pydantic
from flask import Flask, Response, current_app, jsonify
from pydantic.json_schema import JsonSchemaMode, JsonSchemaValue, models_json_schema
from werkzeug.routing import FloatConverter, IntegerConverter, PathConverter, Rule, UUIDConverter

from tracker.core.limits import MAX_ID
from tracker.web import api

PATH = f"{api.PREFIX}/openapi.json"
ENDPOINT = "openapi"
EXTENSION = "tracker.openapi"
REF = "#/components/schemas/{model}"
JSON = "application/json"
CALENDAR = "text/calendar"

#: the failures an endpoint may answer, by what it reads (every one has the error shape)
ERRORS = {
    400: "Malformed request: not JSON, or not a JSON object",
    401: "No API token, or an unknown, revoked or expired one, or its user is inactive",
    403: "The caller's role may not do this, or a `read` token was sent to write",
    404: "No such record (or no such endpoint)",
    409: "Conflict: the record changed since it was read (`stale_version`), or the change "
    "conflicts with existing data",
    413: "The request body is too large",
    422: "An invalid value; `field` names it",
}

#: files served beside the API for programs, by endpoint: (summary, who may fetch it)
CALENDAR_FILES = {
    "calendar.feed": (
        "A calendar feed (iCalendar), polled by calendar apps; the secret token in the "
        "URL is the credential. Unknown, revoked and orphaned tokens alike: 404.",
        False,
    ),
    "calendar.hearing": (
        "One hearing as a calendar file (iCalendar), for an API token's holder.",
        True,
    ),
}

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


class ErrorDetail(pydantic.BaseModel):
    code: str = pydantic.Field(description="what went wrong, e.g. `not_found`, `stale_version`")
    message: str = pydantic.Field(description="for a person to read")
    field: str | None = pydantic.Field(None, description="the field at fault, if one is")


class Error(pydantic.BaseModel):
    """Every failure: the status says which kind, `error.code` which one."""

    error: ErrorDetail


# --- the document ----------------------------------------------------------------------------


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of `app`'s JSON API (and of its calendar files)."""
    operations = [_Operation(rule, method, app) for rule, method in _api_rules(app)]
    files = [rule for rule in app.url_map.iter_rules() if rule.endpoint in CALENDAR_FILES]
    schemas, components = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(openapi_path(operation.rule), {})[operation.method.lower()] = (
            operation.describe(schemas, components)
        )
    for rule in files:
        paths.setdefault(openapi_path(rule), {})["get"] = _calendar_file(rule, app, schemas)
    paths[PATH] = {"get": _itself()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tracker",
            "version": "1",
            "description": "The JSON API of the tracker: every endpoint, generated from its "
            "signature. Send `Authorization: Bearer <token>` (`tracker token create`).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {
                str(status): {
                    "description": description,
                    "content": {JSON: {"schema": schemas[Error, "serialization"]}},
                }
                for status, description in ERRORS.items()
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token: `Authorization: Bearer <token>`",
                }
            },
        },
        "security": [{"bearer": []}],
    }


def _api_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) under /api/v1, the document's own endpoint aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.rule.startswith(api.PREFIX + "/") and rule.endpoint != ENDPOINT:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def openapi_path(rule: Rule) -> str:
    """`/hearings/<int:hearing_id>` as `/hearings/{hearing_id}`."""
    return _ARGUMENT.sub(lambda found: "{" + found["name"] + "}", rule.rule)


def path_parameters(rule: Rule, app: Flask) -> list[dict[str, Any]]:
    """The rule's arguments, typed by their converters."""
    parameters = []
    for found in _ARGUMENT.finditer(rule.rule):
        converter = app.url_map.converters[found["converter"] or "default"]
        parameters.append(
            {"name": found["name"], "in": "path", "required": True, "schema": _argument(converter)}
        )
    return parameters


def _argument(converter: type) -> dict[str, Any]:
    if issubclass(converter, IntegerConverter):
        # a larger id is a 404 before any query runs (`api._check_ids`)
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if issubclass(converter, FloatConverter):
        return {"type": "number"}
    if issubclass(converter, UUIDConverter):
        return {"type": "string", "format": "uuid"}
    if issubclass(converter, PathConverter):
        return {"type": "string", "minLength": 1}
    return {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}


def _schemas(
    operations: list[_Operation],
) -> tuple[dict[Any, JsonSchemaValue], JsonSchemaValue]:
    """Every model's schema, by (model, mode), and the definitions they refer to: one call
    to pydantic, so that a model used both ways gets one name per mode."""
    wanted: list[tuple[type[pydantic.BaseModel], JsonSchemaMode]] = [(Error, "serialization")]
    for operation in operations:
        wanted += operation.models()
    schemas, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    return schemas, definitions.get("$defs", {})


def _errors(statuses: list[int]) -> dict[str, Any]:
    return {str(status): {"$ref": f"#/components/responses/{status}"} for status in statuses}


def _summary(view: Callable[..., Any]) -> tuple[str, str]:
    """The docstring's first line, and the rest."""
    first, _, rest = (inspect.getdoc(view) or "").partition("\n")
    return first.strip(), rest.strip()


class _Operation:
    """One method of one rule, and what its signature says it reads and answers."""

    def __init__(self, rule: Rule, method: str, app: Flask):
        self.rule, self.method, self.app = rule, method, app
        self.view = app.view_functions[rule.endpoint]
        self.signature = signature_of(self.view)

    def models(self) -> list[tuple[type[pydantic.BaseModel], JsonSchemaMode]]:
        found: list[tuple[type[pydantic.BaseModel], JsonSchemaMode]] = []
        if self.signature is None:
            return found
        if self.signature.body is not None:
            found.append((self.signature.body, "validation"))
        if self.signature.query is not None:
            found.append((self.signature.query, "validation"))
        if _is_model(self.signature.answer):
            found.append((self.signature.answer, "serialization"))
        return found

    def describe(self, schemas: dict[Any, Any], components: dict[str, Any]) -> dict[str, Any]:
        summary, description = _summary(self.view)
        operation: dict[str, Any] = {"operationId": self.rule.endpoint, "summary": summary}
        if description:
            operation["description"] = description
        operation["tags"] = [self.rule.endpoint.partition(".")[0].removesuffix("_api")]
        operation["parameters"] = path_parameters(self.rule, self.app)
        read = self.signature
        if read is None:  # every endpoint says what it reads and answers
            raise TypeError(f"{self.rule.endpoint} has no typed signature (tracker.web.api)")
        if read.query is not None:
            operation["parameters"] += _query_parameters(
                schemas[read.query, "validation"], components
            )
        if read.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {JSON: {"schema": schemas[read.body, "validation"]}},
            }
        operation["responses"] = {
            str(read.status): _success(read, schemas),
            **_errors(_failures(read, self.method, operation["parameters"])),
        }
        file: api.FileAnswer | None = getattr(self.view, "file_answer", None)
        if file is not None:  # a file, not JSON; maybe unavailable on this server
            binary = {"schema": {"type": "string", "format": "binary"}}
            content = {media.partition(";")[0]: binary for media in file.media_types}
            operation["responses"]["200"] = {"description": file.description, "content": content}
            if file.unavailable:
                error = {JSON: {"schema": schemas[Error, "serialization"]}}
                operation["responses"]["503"] = {"description": file.unavailable, "content": error}
        return operation


def _success(read: api.Signature, schemas: dict[Any, Any]) -> dict[str, Any]:
    if read.status == 204:
        return {"description": "Done; nothing to answer"}
    # a typed view without an answer model (`-> Response`) answers some JSON
    schema = schemas[read.answer, "serialization"] if _is_model(read.answer) else {}
    description = "Created" if read.status == 201 else "OK"
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _failures(read: api.Signature, method: str, parameters: list[dict[str, Any]]) -> list[int]:
    """The failures an endpoint may answer: a body may be malformed, too large or invalid,
    a query invalid; text in the address or the query may hold a NUL (400,
    `web.refuse_nul`) or not be a valid value (422); a write may conflict; any call may
    be refused or find nothing."""
    statuses = {401, 403, 404}
    if read.body is not None:
        statuses |= {400, 413, 422}
    if read.query is not None:
        statuses |= {400, 422}
    if any(parameter["schema"].get("type") == "string" for parameter in parameters):
        statuses |= {400, 422}  # text in the address is read as a value too (an email)
    if method != "GET":
        statuses |= {409}
    return sorted(statuses)


def signature_of(view: Callable[..., Any]) -> api.Signature | None:
    """What the view reads and answers, or None if it does not say yet (no return annotation)."""
    if "return" not in getattr(view, "__annotations__", {}):
        return None
    found = getattr(view, "signature", None)
    return found if isinstance(found, api.Signature) else api.signature(view)


def _is_model(answer: Any) -> bool:
    return isinstance(answer, type) and issubclass(answer, pydantic.BaseModel)


def _query_parameters(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """One query parameter per field of the query model (its schema is a reference to the
    model's definition among the components)."""
    ref = schema.get("$ref", "")
    if ref.startswith(REF.format(model="")):
        schema = components[ref.removeprefix(REF.format(model=""))]
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": field}
        for name, field in schema.get("properties", {}).items()
    ]


# --- the calendar files --------------------------------------------------------------------------


def _calendar_file(rule: Rule, app: Flask, schemas: dict[Any, Any]) -> dict[str, Any]:
    summary, by_token = CALENDAR_FILES[rule.endpoint]
    text = {"schema": {"type": "string"}}
    # outside /api/v1 an address that is no file at all is answered by a page
    page = {"text/html": text}
    responses: dict[str, Any] = {
        "200": {"description": "An iCalendar file", "content": {CALENDAR: text}},
        "400": {"description": "A NUL character in the address", "content": page},
        "404": {"description": "No such file", "content": page | {"text/plain": text}},
    }
    if by_token:
        error = {JSON: {"schema": schemas[Error, "serialization"]}}
        responses["302"] = {"description": "No token and not signed in: to the sign-in page"}
        responses["404"]["content"] |= error
        for status in (401, 403):
            responses[str(status)] = {"description": ERRORS[status], "content": error}
    else:
        responses["304"] = {"description": "The client's copy is current (If-None-Match)"}
    operation: dict[str, Any] = {
        "operationId": rule.endpoint,
        "summary": summary,
        "tags": ["calendar files"],
        "parameters": path_parameters(rule, app),
        "responses": dict(sorted(responses.items())),
    }
    if not by_token:
        operation["security"] = []  # the secret token in the address is the credential
    return operation


def _itself() -> dict[str, Any]:
    return {
        "operationId": ENDPOINT,
        "summary": _summary(serve)[0],
        "tags": ["openapi"],
        "security": [],
        "responses": {
            "200": {
                "description": "This OpenAPI 3.1 document",
                "content": {JSON: {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
            }
        },
    }


# --- serving it ----------------------------------------------------------------------------------


def serve() -> Response:
    """This document (public: it describes the API, it holds no data)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = document(app)
    return jsonify(app.extensions[EXTENSION])


def init_app(app: Flask) -> None:
    """Serve the document at /api/v1/openapi.json, with no token."""
    app.add_url_rule(PATH, ENDPOINT, serve, methods=["GET"])
