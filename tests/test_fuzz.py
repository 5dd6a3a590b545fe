"""Fuzzing: thousands of generated requests to every endpoint, and not one 5xx.

What is fuzzed is found, not listed: every URL rule of the app's URL map; for each
API endpoint, the pydantic body it reads (its signature's `body`, as in the OpenAPI
document);
for each page and endpoint, the query parameters it reads (its signature's query
model, or recorded by asking it once with a query-string dict that notes every key
looked up). Ids in URLs are
existing, unknown, negative or huge; bodies follow their schema with values that
are far dates, unknown zones, huge numbers, NUL, 10,000-character words, unicode —
or are no JSON at all. Hypothesis is derandomized (seeded by the test's name), so a
failure reproduces on every run and machine.

Run on SQLite and on PostgreSQL: API_EXAMPLES + PAGE_EXAMPLES requests each.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections import Counter
from urllib.parse import quote, urlencode

import factories
import pydantic
import pytest
from flask import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages import sign_in
from werkzeug.datastructures import ImmutableMultiDict

from tracker.web import api, openapi

API_EXAMPLES = 1500
PAGE_EXAMPLES = 700

FUZZ = settings(
    max_examples=API_EXAMPLES,
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: not fuzzed: signing out would end the fuzzing browser's session
NOT_FUZZED = {"account.logout", "static"}

# --- values ---------------------------------------------------------------------------------

DATES = [
    "9999-12-31",
    "10000-01-01",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2199-12-31",
    "2026-02-30",
    "2026-11-22",
    "2026-11",
    "2026",
    "2026-11-22T09:00",
    "2027-03-28T02:30",
    "2027-10-31T02:30",
    "9999-12-31T23:59",
    "0001-01-01T00:00+14:00",
    "2199-12-31T23:30",
    "1900-01-01T00:00",
]
ZONES = ["Europe", "America/", "Europe/Brussels", "Asia/Almaty", "localtime", "x" * 300]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\nX-Injected: 1",
    "x" * 10_000,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "١٢٣",
    "🏳️‍🌈",
    "NaN",
    "-1",
    "1e309",
    "%00",
    "admin@example.org",
    "lawyer@example.org",
    *DATES,
    *ZONES,
]
WORDS = ["held", "decided", "full", "minimal", "mine", "matter", "month", "year", "day", "BE"]

texts = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(WORDS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=300),
)
ids = st.one_of(
    st.sampled_from([1, 1, 1, 2, 3]),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, 10**30]),
    st.integers(),
)
numbers = st.one_of(ids, st.floats(allow_nan=False, allow_infinity=False))
anything = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=6,
)
MALFORMED = [b"{", b"", b"\xff\xfe", b'{"a": NaN}', b"[]" * 5000, b'"text"', b"null"]


def typed(annotation) -> st.SearchStrategy:
    """Values of a body field's type, mostly; sometimes anything at all."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return st.one_of(*(typed(arg) for arg in args))
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.booleans()
    if annotation is int or getattr(annotation, "__origin__", None) is int:
        return ids
    if annotation is str:
        return texts
    if typing.get_origin(annotation) is list:
        return st.lists(typed(args[0]) if args else anything, max_size=4)
    if typing.get_origin(annotation) is typing.Annotated:
        return typed(args[0])
    return anything


def body_of(schema: type[pydantic.BaseModel]) -> st.SearchStrategy:
    """A body of `schema`: its required fields and some optional ones, values typed or not."""
    required, optional = {}, {}
    for name, field in schema.model_fields.items():
        strategy = st.one_of(typed(field.annotation), typed(field.annotation), anything)
        (required if field.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


# --- what each endpoint reads -----------------------------------------------------------------


class RecordingArgs(ImmutableMultiDict):
    """A query-string dict that notes every key looked up (to learn what a view reads)."""

    looked_up: typing.ClassVar[set[str]] = set()

    def get(self, key, *args, **kwargs):
        RecordingArgs.looked_up.add(key)
        return super().get(key, *args, **kwargs)

    def getlist(self, key, *args, **kwargs):
        RecordingArgs.looked_up.add(key)
        return super().getlist(key, *args, **kwargs)

    def __getitem__(self, key):
        RecordingArgs.looked_up.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingArgs.looked_up.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def _query_names(client, rule, path: str, headers: dict) -> list[str]:
    """The query parameters the endpoint reads, learnt by asking it once."""
    RecordingArgs.looked_up = set()
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    client.open(path, method=method, headers=headers)
    return sorted(RecordingArgs.looked_up - {"csrf_token"})


def _schema(view) -> type[pydantic.BaseModel] | None:
    """The body a view reads: its signature's `body`."""
    read = openapi.signature_of(view)
    return read.body if read is not None else None


def _query_fields(view) -> list[str]:
    """The parameters of the query model a view's signature reads (`api.query` reads the
    whole query string, so asking the view once does not name them)."""
    read = openapi.signature_of(view)
    if read is None or read.query is None:
        return []
    return [field.alias or name for name, field in read.query.model_fields.items()]


def _known_path(rule) -> str:
    return re.sub(r"<(?:int:)?[^<>]+>", "1", rule.rule)


@pytest.fixture
def world(app, client, database, frozen_now):
    """A dossier of every kind of record, an admin's token, a signed-in admin, and a map of
    what every endpoint reads."""
    app.request_class = RecordingRequest
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin = factories.login(client, database, "admin", "admin@example.org")
    factories.login(client, database, "lawyer", "lawyer@example.org")
    _matter, proceeding = factories.dossier(admin, assignees=["lawyer@example.org"])
    hearing = factories.hearing(admin, proceeding["id"])
    factories.postpone(admin, hearing["id"], "2027-01-05T09:00", reason="court busy")
    for _ in range(3):  # ids 1 to 3: withdrawing one leaves others to read and correct
        factories.event(admin, proceeding["id"])
    factories.deadline(admin, proceeding["id"])
    # ids 2 and 3: an authority's time limits, one of them met by an event of the dossier
    for kinds in (["decision"], ["request_received", "decision"]):
        factories.deadline(admin, proceeding["id"], owed_by="authority", met_by=kinds)
    factories.created(admin.post("/feeds", {"scope": "mine"}))
    browser = sign_in(app.test_client(), database, "admin")
    endpoints = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_FUZZED:
            continue
        is_api = rule.rule.startswith(api.PREFIX)
        caller = admin.client if is_api else browser.client
        headers = admin.headers if is_api else {}
        view = app.view_functions[rule.endpoint]
        query = _query_names(caller, rule, _known_path(rule), headers)
        query = sorted({*query, *_query_fields(view)}) if is_api else query
        schema = _schema(view) if is_api else None
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            endpoints.append((rule, method, query, schema if method != "GET" else None))
    return {"admin": admin, "browser": browser, "endpoints": endpoints}


def _path(rule, draw) -> str:
    """The rule's URL with each argument drawn: an id (known or not) or any text."""
    path = rule.rule
    for name, converter in rule._converters.items():
        if type(converter).__name__ == "IntegerConverter":
            value = str(draw(ids))
        else:
            value = quote(draw(texts), safe="")
        path = re.sub(rf"<(?:[^<>:]+:)?{name}>", lambda _m, v=value: v, path, count=1)
    return path


def _query(draw, names: list[str]) -> str:
    """A query string over the parameters the endpoint reads (and one it does not)."""
    keys = st.sampled_from([*names, "unknown"]) if names else st.just("unknown")
    pairs = draw(st.dictionaries(keys, texts, max_size=4))
    return "?" + urlencode(pairs) if pairs else ""


@st.composite
def requests(draw, endpoints):
    rule, method, names, schema = draw(st.sampled_from(endpoints))
    url = _path(rule, draw) + _query(draw, names)
    body = None
    if method != "GET":
        shapes = [anything, st.sampled_from(MALFORMED)]
        if schema is not None:
            shapes = [body_of(schema), body_of(schema), body_of(schema), *shapes]
        body = draw(st.one_of(*shapes))
    return method, url, body


def _fail_on_5xx(response, method: str, url: str, sent) -> None:
    assert response.status_code < 500, (
        f"{method} {url} -> {response.status_code}\nsent: {sent!r:.2000}\n"
        f"{response.get_data(as_text=True)[:2000]}"
    )


# --- the tests ----------------------------------------------------------------------------------


def test_no_api_request_gets_a_5xx(world):
    admin = world["admin"]
    endpoints = [e for e in world["endpoints"] if e[0].rule.startswith(api.PREFIX)]
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(requests(endpoints))
    def one(request):
        method, url, body = request
        data = body if isinstance(body, bytes) or body is None else json.dumps(body)
        headers = admin.headers | {"Content-Type": "application/json"}
        response = admin.client.open(url, method=method, data=data, headers=headers)
        statuses[response.status_code] += 1
        _fail_on_5xx(response, method, url, body)

    one()
    assert statuses.total() >= API_EXAMPLES
    # the fuzzing reached past the checks: records were written and read
    # (a 409 is an operation's answer too: a stale version, a withdrawn record)
    reached = statuses[200] + statuses[201] + statuses[409]
    assert reached > API_EXAMPLES // 10, statuses


def test_no_page_query_string_gets_a_5xx(world):
    client = world["browser"].client
    endpoints = [e for e in world["endpoints"] if not e[0].rule.startswith(api.PREFIX)]
    pages = [e for e in endpoints if e[1] == "GET"]
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=PAGE_EXAMPLES)
    @given(requests(pages))
    def one(request):
        method, url, _body = request
        response = client.get(url)
        statuses[response.status_code] += 1
        _fail_on_5xx(response, method, url, None)

    one()
    assert statuses.total() >= PAGE_EXAMPLES
    assert statuses[200] > PAGE_EXAMPLES // 5, statuses
