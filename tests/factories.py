"""Small helpers for the JSON API tests: callers with tokens, and rows made through the API.

`login(client, database, role)` makes a user with a token and returns an `Api`, which
sends JSON requests as that user. The row makers (`matter`, `proceeding`, `hearing`...)
go through the API and assert that it answered 201, so that a test reads as a story.
`nothing_written(database)` checks that a rejected write left every table as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.db import Database
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.schemas import NewJurisdiction
from tracker.models import ApiToken, Base, User
from tracker.users import operations as users
from tracker.users.models import Role
from tracker.users.schemas import NewToken

API = "/api/v1"
SETUP = SystemActor("system:tests")

_serial = itertools.count(1)

#: a body the tests send when they mean "no JSON argument at all"
NO_BODY = object()


# --- callers ------------------------------------------------------------------------------


@dataclass
class Api:
    """Flask's test client, speaking JSON to /api/v1 with one user's bearer token."""

    client: Any
    token: str | None
    email: str
    user_id: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, json: Any = NO_BODY, **kwargs: Any):
        url = path if path.startswith((API, "/healthz")) else API + path
        headers = self.headers | kwargs.pop("headers", {})
        if json is not NO_BODY:
            kwargs["json"] = json
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = NO_BODY, **kwargs: Any):
        return self.request("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = NO_BODY, **kwargs: Any):
        return self.request("PATCH", path, json, **kwargs)


def make_user(
    database: Database, role: str = "staff", email: str | None = None, *, active: bool = True
) -> tuple[int, str, str]:
    """Create a user with an API token; returns (user id, email, token)."""
    email = email or f"{role}{next(_serial)}@example.org"
    with database.unit_of_work() as session:
        # users.create_user would also hash a password (scrypt: a tenth of a second each)
        user = User(email=users.normalize_email(email), role=Role(role), active=True)
        session.add(user)
        _made, token = users.create_token(session, SETUP, clock.now(), user, NewToken())
        user.active = active  # after: a deactivated user is given no token
        return user.id, user.email, token


def login(client: Any, database: Database, role: str = "staff", email: str | None = None) -> Api:
    """A user of that role, and an `Api` that calls as them."""
    user_id, email, token = make_user(database, role, email)
    return Api(client, token, email, user_id)


def revoke_tokens(database: Database, email: str) -> None:
    with database.unit_of_work() as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        for token in user.tokens:
            token.revoked_at = clock.now()


def deactivate(database: Database, email: str) -> None:
    with database.unit_of_work() as session:
        session.scalar(sa.select(User).where(User.email == email)).active = False


def token_row(database: Database, email: str) -> ApiToken:
    with database.sessionmaker() as session:
        return session.scalar(sa.select(ApiToken).join(ApiToken.user).where(User.email == email))


# --- rows ---------------------------------------------------------------------------------


def jurisdiction(
    database: Database,
    code: str = "BE",
    name: str | None = None,
    timezone: str = "Europe/Brussels",
    holiday_country: str | None = None,
) -> int:
    """A jurisdiction made by the operations (only admins may POST them)."""
    with database.unit_of_work() as session:
        command = NewJurisdiction.parse(
            {
                "code": code,
                "name": name or code,
                "timezone": timezone,
                "holiday_country": holiday_country,
            }
        )
        made = jurisdictions.create_jurisdiction(session, SETUP, clock.now(), command)
        session.flush()
        return made.id


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The answer is the contract's JSON error; returns its `error` object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error.get("field") == field, error
    return error


def created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def matter(api: Api, title: str | None = None, **fields: Any) -> dict:
    return created(api.post("/matters", {"title": title or f"Matter {next(_serial)}"} | fields))


def proceeding(api: Api, matter_id: int, **fields: Any) -> dict:
    body = {
        "matter_id": matter_id,
        "jurisdiction": "BE",
        "kind": "criminal_case",
        "title": f"Proceeding {next(_serial)}",
        "client_role": "accused",
    }
    return created(api.post("/proceedings", body | fields))


def hearing(api: Api, proceeding_id: int, starts_at: str = "2026-12-01T09:00", **fields) -> dict:
    return created(
        api.post(f"/proceedings/{proceeding_id}/hearings", {"starts_at": starts_at} | fields)
    )


def postpone(api: Api, hearing_id: int, to: str | None, **fields: Any) -> dict:
    return ok(api.post(f"/hearings/{hearing_id}/postpone", {"to": to} | fields))


def event(api: Api, proceeding_id: int, occurred_on: str = "2026-10-01", **fields) -> dict:
    body = {"kind": "request_received", "occurred_on": occurred_on}
    return created(api.post(f"/proceedings/{proceeding_id}/events", body | fields))


def deadline(api: Api, proceeding_id: int, due_on: str = "2026-12-15", **fields) -> dict:
    body = {"title": f"Deadline {next(_serial)}", "due_on": due_on}
    return created(api.post(f"/proceedings/{proceeding_id}/deadlines", body | fields))


def appeal_rule(database: Database, jurisdiction_id: int = 1) -> None:
    """BE_TEST_APPEAL: 15 calendar days from a judgment (a rule the tests own)."""
    from tracker.deadlines.models import DeadlineRule, OffsetUnit

    with database.unit_of_work() as session:
        session.add(
            DeadlineRule(
                code="BE_TEST_APPEAL",
                jurisdiction_id=jurisdiction_id,
                title="Appeal within 15 days",
                trigger_kind="judgment",
                amount=15,
                unit=OffsetUnit.days,
            )
        )


def authority_rule(
    database: Database,
    jurisdiction_id: int = 1,
    *,
    code: str = "BE_TEST_DECISION",
    due_time: dt.time | None = None,
) -> None:
    """BE_TEST_DECISION: the authority decides on admissibility within 2 months of a request
    received (a rule the tests own); with `due_time`, by that hour on the last day."""
    from tracker.deadlines.models import DeadlineRule, OffsetUnit, Party

    with database.unit_of_work() as session:
        session.add(
            DeadlineRule(
                code=code,
                jurisdiction_id=jurisdiction_id,
                title="Admissibility decision within 2 months",
                trigger_kind="request_received",
                amount=2,
                unit=OffsetUnit.months,
                owed_by=Party.authority,
                met_by=["admissibility_decision", "decision"],
                due_time=due_time,
                article="art. 40(1)",
                source_url="https://example.org/law#art40",
                checked_on=dt.date(2026, 11, 1),
            )
        )


def ccf_rule(database: Database, jurisdiction_id: int = 1) -> None:
    """TEST_CCF_ADMISSIBILITY: the CCF's decision on admissibility, a month after a request
    received (a rule the tests own: the shipped catalogue has no CCF rule), never rolled."""
    from tracker.deadlines.models import DeadlineRule, EndShift, OffsetUnit, Party

    with database.unit_of_work() as session:
        session.add(
            DeadlineRule(
                code="TEST_CCF_ADMISSIBILITY",
                jurisdiction_id=jurisdiction_id,
                title="CCF decision on admissibility",
                trigger_kind="request_received",
                amount=1,
                unit=OffsetUnit.months,
                end_shift=EndShift.none,
                owed_by=Party.authority,
                met_by=["admissibility_decision"],
            )
        )


def dossier(api: Api, **matter_fields: Any) -> tuple[dict, dict]:
    """A matter with one proceeding in BE (the jurisdiction must exist)."""
    made = matter(api, **matter_fields)
    return made, proceeding(api, made["id"])


# --- the database as a whole --------------------------------------------------------------


def table_rows(database: Database) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order."""
    with database.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def row_counts(database: Database) -> dict[str, int]:
    """How many rows each table of the models holds."""
    with database.engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


@contextmanager
def nothing_written(database: Database) -> Iterator[None]:
    """Assert that the block leaves every table as it found it: no row added, none changed.

    Save when an API token was last used (a refused request is a use of its token too)
    and the sign-in limits' counters (a password typed again takes a place before the
    form is refused or saved).
    """
    before = _but_token_use(table_rows(database))
    yield
    after = _but_token_use(table_rows(database))
    counts = {
        name: (len(before[name]), len(after[name]))
        for name in before
        if len(before[name]) != len(after[name])
    }
    assert not counts, f"rows (before, after) of the tables a rejected write changed: {counts}"
    changed = {name: after[name] for name in before if before[name] != after[name]}
    assert not changed, f"rows a rejected write changed: {changed}"


def _but_token_use(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The rows with the api_tokens' last_used_at and the login buckets left out."""
    column = list(ApiToken.__table__.columns.keys()).index("last_used_at")
    tokens = [row[:column] + row[column + 1 :] for row in rows["api_tokens"]]
    return rows | {"api_tokens": tokens, "login_buckets": []}


def audit_entries(database: Database, entity: str | None = None) -> list[dict]:
    """The audit log, oldest first, as dicts (optionally of one table's rows).

    The entries of the tests' own setup (users' tokens) are left out.
    """
    from tracker.models import AuditEntry

    query = (
        sa.select(AuditEntry).where(AuditEntry.actor_label != SETUP.label).order_by(AuditEntry.id)
    )
    if entity:
        query = query.where(AuditEntry.entity == entity)
    with database.sessionmaker() as session:
        return [
            {
                "actor": entry.actor_label,
                "action": entry.action,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "matter_id": entry.matter_id,
                "before": entry.before,
                "after": entry.after,
                "at": entry.at,
            }
            for entry in session.scalars(query)
        ]


def utc(text: str) -> dt.datetime:
    """An ISO instant from a response, as an aware datetime (to compare instants)."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
