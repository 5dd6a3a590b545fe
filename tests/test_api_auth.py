"""The JSON API's plumbing: bearer tokens, roles, request bodies and JSON errors.

Every endpoint shares this plumbing (tracker/web/api.py); the tests run it through a few
representative endpoints, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re

import factories
import pytest
from factories import assert_error, nothing_written

#: every endpoint of the API (the ids need not exist: authentication comes first)
API_ENDPOINTS = [
    ("GET", "/api/v1/jurisdictions"),
    ("POST", "/api/v1/jurisdictions"),
    ("GET", "/api/v1/matters"),
    ("POST", "/api/v1/matters"),
    ("GET", "/api/v1/matters/1"),
    ("PATCH", "/api/v1/matters/1"),
    ("GET", "/api/v1/matters/1/timeline"),
    ("GET", "/api/v1/matters/1/chronology"),
    ("GET", "/api/v1/proceedings"),
    ("POST", "/api/v1/proceedings"),
    ("GET", "/api/v1/proceedings/1"),
    ("PATCH", "/api/v1/proceedings/1"),
    ("POST", "/api/v1/proceedings/1/hearings"),
    ("GET", "/api/v1/hearings/1"),
    ("PATCH", "/api/v1/hearings/1"),
    ("POST", "/api/v1/hearings/1/postpone"),
    ("PATCH", "/api/v1/postponements/1"),
    ("POST", "/api/v1/postponements/1/withdraw"),
    ("POST", "/api/v1/hearings/1/outcome"),
    ("POST", "/api/v1/proceedings/1/events"),
    ("GET", "/api/v1/events/1"),
    ("PATCH", "/api/v1/events/1"),
    ("POST", "/api/v1/events/1/withdraw"),
    ("POST", "/api/v1/proceedings/1/deadlines"),
    ("GET", "/api/v1/deadlines/1"),
    ("PATCH", "/api/v1/deadlines/1"),
    ("GET", "/api/v1/flags"),
    ("GET", "/api/v1/reports/delays"),
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("GET", "/api/v1/feeds"),
    ("POST", "/api/v1/feeds"),
    ("GET", "/api/v1/feeds/1"),
    ("POST", "/api/v1/feeds/1/revoke"),
    ("POST", "/api/v1/users/1/feeds/revoke"),
]

#: the endpoints under /api/v1 that need no token: the API's description (it holds no data)
PUBLIC_ENDPOINTS = [("GET", "/api/v1/openapi.json")]


@pytest.fixture
def admin(client, database, frozen_now):
    return factories.login(client, database, "admin")


def assert_unauthorized(response) -> None:
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --- /healthz -----------------------------------------------------------------------------


def test_healthz_answers_json_without_a_token(client, db_url):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
    }


# --- bearer tokens ------------------------------------------------------------------------


def test_the_list_above_is_every_endpoint_of_the_api(app):
    routes = {
        (method, re.sub(r"<[^>]+>", "1", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert routes == set(API_ENDPOINTS) | set(PUBLIC_ENDPOINTS)


@pytest.mark.parametrize(("method", "path"), PUBLIC_ENDPOINTS)
def test_only_the_api_description_answers_without_a_token(client, method, path):
    response = client.open(path, method=method)

    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


@pytest.mark.parametrize(("method", "path"), API_ENDPOINTS)
def test_every_endpoint_needs_a_token(client, database, method, path):
    with nothing_written(database):
        response = client.open(path, method=method, json={"title": "x"})

    assert_unauthorized(response)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic YWRtaW46c2VjcmV0",
        "Bearer not-a-token",
        "Token {token}",
        "{token}",
        "Bearer {token}x",
    ],
    ids=[
        "empty",
        "scheme-only",
        "scheme-space",
        "blank-token",
        "basic",
        "unknown-token",
        "other-scheme",
        "no-scheme",
        "altered-token",
    ],
)
def test_an_invalid_authorization_header_is_refused(admin, client, header):
    response = client.get(
        "/api/v1/matters", headers={"Authorization": header.format(token=admin.token)}
    )

    assert_unauthorized(response)


def test_the_scheme_is_case_insensitive(admin, client):
    response = client.get("/api/v1/matters", headers={"Authorization": f"bearer {admin.token}"})

    assert response.status_code == 200


def test_a_valid_token_is_accepted(admin):
    assert admin.get("/matters").get_json() == {"items": []}


def test_a_revoked_token_is_refused(admin, database):
    factories.revoke_tokens(database, admin.email)

    with nothing_written(database):
        assert_unauthorized(admin.get("/matters"))
        assert_unauthorized(admin.post("/matters", {"title": "After revocation"}))


def test_the_token_of_an_inactive_user_is_refused(admin, database):
    factories.deactivate(database, admin.email)

    with nothing_written(database):
        assert_unauthorized(admin.get("/jurisdictions"))
        assert_unauthorized(admin.post("/matters", {"title": "After deactivation"}))


def test_another_users_token_stays_valid_when_one_is_revoked(admin, client, database):
    other = factories.login(client, database, "staff")
    factories.revoke_tokens(database, admin.email)

    assert other.get("/matters").status_code == 200


def test_a_write_records_when_the_token_was_last_used(admin, database, frozen_now):
    assert factories.token_row(database, admin.email).last_used_at is None

    factories.matter(admin)

    assert factories.token_row(database, admin.email).last_used_at == frozen_now


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "staff", "lawyer"])
def test_only_admins_add_jurisdictions(client, database, frozen_now, role):
    caller = factories.login(client, database, role)

    with nothing_written(database):
        response = caller.post(
            "/jurisdictions", {"code": "FR", "name": "France", "timezone": "Europe/Paris"}
        )

    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff", "lawyer"])
def test_every_role_reads_the_jurisdictions(client, database, frozen_now, role):
    factories.jurisdiction(database, "BE")
    caller = factories.login(client, database, role)

    assert [j["code"] for j in caller.get("/jurisdictions").get_json()["items"]] == ["BE"]


def test_a_lawyer_may_not_open_a_matter(client, database, frozen_now):
    lawyer = factories.login(client, database, "lawyer")

    with nothing_written(database):
        response = lawyer.post("/matters", {"title": "Extradition of A."})

    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff"])
def test_other_roles_open_matters(client, database, frozen_now, role):
    caller = factories.login(client, database, role)

    assert caller.post("/matters", {"title": "Extradition of A."}).status_code == 201


# --- request bodies -----------------------------------------------------------------------

BAD_BODIES = [
    # (content type, raw body, status, error code)
    ("application/json", '{"title": "x"', 400, "bad_request"),
    ("application/json", '{"title": "x",}', 400, "bad_request"),
    ("application/json", "{'title': 'x'}", 400, "bad_request"),
    ("application/json", "", 400, "bad_request"),
    ("application/json", b"\xff\xfe", 400, "bad_request"),
    ("application/json", "[]", 400, "bad_request"),
    ("application/json", '[{"title": "x"}]', 400, "bad_request"),
    ("application/json", '"a title"', 400, "bad_request"),
    ("application/json", "42", 400, "bad_request"),
    ("application/json", "null", 400, "bad_request"),
    ("text/plain", '{"title": "x"}', 400, "bad_request"),
    ("application/x-www-form-urlencoded", "title=x", 400, "bad_request"),
    (None, '{"title": "x"}', 400, "bad_request"),
]


@pytest.mark.parametrize(
    ("content_type", "data", "status", "code"),
    BAD_BODIES,
    ids=[
        "unclosed",
        "trailing-comma",
        "single-quotes",
        "empty",
        "not-utf8",
        "array",
        "array-of-objects",
        "string",
        "number",
        "null",
        "text-plain",
        "form",
        "no-content-type",
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    admin, database, content_type, data, status, code
):
    headers = {"Content-Type": content_type} if content_type else {}

    with nothing_written(database):
        response = admin.post("/matters", data=data, headers=headers)

    assert_error(response, status, code)


def test_a_post_without_a_body_is_a_bad_request(admin, database):
    with nothing_written(database):
        assert_error(admin.post("/matters"), 400, "bad_request")


def padded(size: int) -> str:
    """A valid JSON object of exactly `size` bytes (JSON allows any amount of blank)."""
    start, end = '{"title": "Padded"', "}"
    return start + " " * (size - len(start) - len(end)) + end


def test_an_oversized_body_is_refused_with_413(admin, database):
    with nothing_written(database):
        response = admin.post(
            "/matters", data=padded(1024 * 1024 + 1), content_type="application/json"
        )

    error = assert_error(response, 413, "request_entity_too_large")
    assert "1048576" in error["message"]


def test_a_body_of_exactly_the_limit_is_read(admin):
    response = admin.post("/matters", data=padded(1024 * 1024), content_type="application/json")

    assert response.status_code == 201
    assert response.get_json()["title"] == "Padded"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "x", "colour": "red"}, "colour", "unknown field"),
        ({"title": "x", "id": 7}, "id", "unknown field"),
        ({"title": "x", "version": 1}, "version", "unknown field"),
        ({"title": 42}, "title", None),
        ({"title": ["x"]}, "title", None),
        ({"title": None}, "title", None),
        ({"title": True}, "title", None),
        ({"title": "x", "assignees": "a@example.org"}, "assignees", None),
        ({"title": "x", "assignees": [1]}, "assignees.0", None),
        ({"summary": "no title"}, "title", "required"),
    ],
    ids=[
        "unknown-field",
        "id",
        "version-on-create",
        "number-for-string",
        "list-for-string",
        "null-for-string",
        "bool-for-string",
        "string-for-list",
        "number-in-list",
        "missing",
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_invalid(admin, database, body, field, message):
    with nothing_written(database):
        response = admin.post("/matters", body)

    error = assert_error(response, 422, "invalid", field)
    assert error["message"].startswith(f"{field}: ")
    if message:
        assert message in error["message"]


def test_types_are_not_coerced(admin, database):
    """A strict schema: "1" is not the integer 1, 1.0 is not either."""
    made = factories.matter(admin)
    factories.jurisdiction(database)

    with nothing_written(database):
        for matter_id in (str(made["id"]), float(made["id"]), True):
            response = admin.post(
                "/proceedings",
                {
                    "matter_id": matter_id,
                    "jurisdiction": "BE",
                    "kind": "trial",
                    "title": "T",
                    "client_role": "accused",
                },
            )
            assert_error(response, 422, "invalid", "matter_id")


# --- errors are JSON ----------------------------------------------------------------------


def test_an_unknown_endpoint_is_a_json_404(admin):
    assert_error(admin.get("/nothing-here"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(admin):
    assert_error(admin.request("DELETE", "/matters"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "path",
    [
        "/matters/999",
        "/matters/999/timeline",
        "/proceedings/999",
        "/hearings/999",
        "/events/999",
        "/deadlines/999",
    ],
)
def test_an_unknown_id_is_a_json_404(admin, path):
    assert_error(admin.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/matters/99999999999999999999"),
        ("PATCH", "/matters/2147483648"),
        ("GET", "/matters/99999999999999999999/timeline"),
        ("GET", "/proceedings/99999999999999999999"),
        ("POST", "/proceedings/99999999999999999999/hearings"),
        ("GET", "/hearings/99999999999999999999"),
        ("POST", "/hearings/99999999999999999999/postpone"),
        ("GET", "/events/99999999999999999999"),
        ("GET", "/deadlines/99999999999999999999"),
    ],
)
def test_an_id_too_large_for_the_database_is_a_404_not_a_500(admin, database, method, path):
    with nothing_written(database):
        response = admin.request(method, path, json={"version": 1, "to": None})

    assert_error(response, 404, "not_found")
