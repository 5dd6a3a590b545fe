"""The API describes itself: `GET /api/v1/openapi.json` is a valid OpenAPI 3.1 document
listing every endpoint of the app, and the app keeps to it.

The second half is schemathesis: requests generated from the document alone (valid
ones, which reach the records seeded first, and invalid ones), sent to the app, on
SQLite and on PostgreSQL. A request answered 5xx, with a status the document does not
list, a content type it does not name, or a body that does not match its schema fails.
Hypothesis is derandomized: the same requests on every run, so a failure reproduces.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import factories
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker.web import api, openapi

#: requests per database; the test asserts at least this many were answered
REQUESTS = 2000

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

RUN = settings(
    max_examples=REQUESTS,
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


def _document(client) -> dict[str, Any]:
    response = client.get(openapi.PATH)  # no token: the document is public
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    found: Any = document
    for part in ref[2:].split("/"):
        found = found[part.replace("~1", "/").replace("~0", "~")]
    return found


# --- the document --------------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_document_is_valid_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1.")
    # schemathesis carries the OpenAPI 3.1 meta-schema and checks the document against it
    schemathesis.openapi.from_dict(document).validate()
    for ref in _refs(document):
        _resolve(document, ref)  # every reference leads somewhere
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name  # each is JSON Schema 2020-12
    ids = [operation["operationId"] for operation in _operations(document).values()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_document_lists_every_api_endpoint_of_the_app(app, client):
    listed = _operations(_document(client))
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(api.PREFIX + "/"):
            continue
        path = openapi.openapi_path(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in listed, f"{method} {rule.rule} is not in the document"
            operation = listed[method, path]
            assert operation["operationId"] == rule.endpoint
            assert operation["summary"], f"{rule.endpoint} has no docstring"
            names = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
            assert names == set(rule.arguments)
    api_paths = {path for _method, path in listed if path.startswith(api.PREFIX)}
    in_app = {openapi.openapi_path(r) for r in app.url_map.iter_rules()}
    assert api_paths <= in_app, "the document lists an endpoint the app does not have"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_endpoint_but_the_document_needs_a_token(client):
    document = _document(client)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `Authorization: Bearer <token>`",
    }
    assert document["security"] == [{"bearer": []}]
    for (method, path), operation in _operations(document).items():
        public = path in (openapi.PATH, "/feeds/{token}.ics")  # the feed's token is its URL
        assert (operation.get("security") == []) is public, (method, path)
        if not public:
            assert "401" in operation["responses"], (method, path)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_typed_endpoint_is_described_by_its_models(client):
    """The reference endpoints: body, answer, status, errors from their signatures."""
    operations = _operations(_document(client))
    create = operations["POST", "/api/v1/proceedings/{proceeding_id}/hearings"]
    body = create["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewHearing"
    }
    assert create["summary"] == "Set a hearing at a local time in the court's zone."
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HearingOut"
    }
    assert {"400", "401", "403", "404", "409", "413", "422"} <= set(create["responses"])
    assert create["responses"]["422"] == {"$ref": "#/components/responses/422"}
    read = operations["GET", "/api/v1/hearings/{hearing_id}"]
    assert read["parameters"] == [
        {
            "name": "hearing_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
    ]
    assert "requestBody" not in read
    assert set(read["responses"]) == {"200", "401", "403", "404"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_error_shape_is_one_component(client):
    document = _document(client)
    error = document["components"]["responses"]["404"]["content"]["application/json"]
    shape = _resolve(document, error["schema"]["$ref"])
    detail = _resolve(document, shape["properties"]["error"]["$ref"])
    assert set(detail["properties"]) == {"code", "message", "field"}
    assert set(detail["required"]) == {"code", "message"}
    answered = client.get("/api/v1/hearings/1")  # no token
    assert answered.status_code == 401
    assert set(answered.get_json()) == {"error"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_calendar_files_are_described_as_calendars(client):
    operations = _operations(_document(client))
    for path in ("/feeds/{token}.ics", "/hearings/{hearing_id}.ics"):
        assert set(operations["GET", path]["responses"]["200"]["content"]) == {"text/calendar"}


# --- the app keeps to it -------------------------------------------------------------------------


@pytest.fixture
def seeded(app, database, frozen_now):
    """A little of everything, so that ids 1.. exist and requests reach deep code; an admin's
    token to send them with."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin = factories.login(app.test_client(), database, "admin", "admin@example.org")
    factories.login(app.test_client(), database, "lawyer", "lawyer@example.org")
    _matter, proceeding = factories.dossier(admin, assignees=["lawyer@example.org"])
    hearing = factories.hearing(admin, proceeding["id"])
    factories.postpone(admin, hearing["id"], "2027-01-05T09:00", reason="court busy")
    factories.event(admin, proceeding["id"])
    factories.deadline(admin, proceeding["id"])
    factories.created(admin.post("/feeds", {"scope": "mine"}))
    return admin


@st.composite
def _requests(draw, schema):
    """A generated request, valid or not; half the ids in its address are of the seeded
    records (any id from 1 to MAX_ID would almost never find one)."""
    case = draw(
        st.one_of(
            schema.as_strategy(schemathesis.GenerationMode.POSITIVE),
            schema.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )
    )
    for name, value in case.path_parameters.items():
        if isinstance(value, int) and not isinstance(value, bool) and draw(st.booleans()):
            case.path_parameters[name] = draw(st.sampled_from([1, 1, 2]))
    return case


def test_the_app_answers_as_its_document_says(app, seeded, db_url):
    schema = schemathesis.openapi.from_wsgi(openapi.PATH, app)
    cases = _requests(schema)
    answered: Counter[tuple[str, int]] = Counter()
    started = time.monotonic()

    @RUN
    @given(cases)
    def one(case):
        response = case.call_and_validate(headers=seeded.headers, checks=CHECKS)
        answered[case.operation.label, response.status_code] += 1

    one()
    took = time.monotonic() - started
    total = answered.total()
    statuses = Counter({status: 0 for _label, status in answered})
    for (_label, status), count in answered.items():
        statuses[status] += count
    print(
        f"\nschemathesis, {db_url.partition(':')[0]}: {total} requests in {took:.0f} s, "
        f"by status: {dict(sorted(statuses.items()))}"
    )
    assert total >= REQUESTS
    operations = {label for label, _status in answered}
    every = {operation.ok().label for operation in schema.get_all_operations()}
    assert operations == every, f"never called: {sorted(every - operations)}"
    succeeded = sum(n for (_label, status), n in answered.items() if status < 300)
    assert succeeded > total // 10, sorted(answered.items())
