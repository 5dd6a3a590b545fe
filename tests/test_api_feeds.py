"""JSON API: making, listing and revoking calendar feeds (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.models import CalendarFeed

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def lawyer(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "lawyer", "lawyer@example.org")


@pytest.fixture
def coordinator(client, database, lawyer):
    return factories.login(client, database, "coordinator", "coordinator@example.org")


@pytest.fixture
def admin(client, database, lawyer):
    return factories.login(client, database, "admin", "admin@example.org")


def path_of(made: dict) -> str:
    return made["url"][len(BASE) :]


def test_a_new_feed_shows_its_url_once_and_stores_only_a_hash(client, lawyer, database):
    response = lawyer.post("/feeds", {"privacy": "minimal", "alarms": True, "name": "Phone"})

    made = factories.created(response)
    token = made["url"].removeprefix(f"{BASE}/feeds/").removesuffix(".ics")
    assert made["webcal_url"] == f"webcal://127.0.0.1:5000/feeds/{token}.ics"
    assert len(token) == 43
    assert {k: made[k] for k in ("name", "scope", "privacy", "alarms", "active", "owner")} == {
        "name": "Phone",
        "scope": "mine",
        "privacy": "minimal",
        "alarms": True,
        "active": True,
        "owner": "lawyer@example.org",
    }
    listed = factories.ok(lawyer.get("/feeds"))["items"]
    assert [f["id"] for f in listed] == [made["id"]]
    assert "url" not in listed[0]
    everything = repr(factories.table_rows(database))
    assert token not in everything  # nowhere: not in the feed row, not in the audit log
    with database.sessionmaker() as session:
        stored = session.get(CalendarFeed, made["id"])
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    entry = factories.audit_entries(database, "calendar_feeds")[-1]
    assert (entry["action"], entry["actor"]) == ("create", "lawyer@example.org")
    assert stored.token_hash not in repr(entry)
    assert entry["after"]["privacy"] == "minimal"
    assert client.get(path_of(made)).status_code == 200


def test_every_feed_has_its_own_token(lawyer):
    urls = {factories.created(lawyer.post("/feeds", {}))["url"] for _ in range(5)}
    assert len(urls) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "matter"}, "matter_id"),
        ({"scope": "mine", "matter_id": 1}, "matter_id"),
        ({"scope": "matter", "matter_id": 999}, "matter_id"),
        ({"scope": "jurisdiction"}, "jurisdiction"),
        ({"scope": "jurisdiction", "jurisdiction": "XX"}, "jurisdiction"),
        ({"scope": "mine", "jurisdiction": "BE"}, "jurisdiction"),
        ({"scope": "everything"}, "scope"),
        ({"privacy": "secret"}, "privacy"),
        ({"name": "x" * 201}, "name"),
        ({"token": "mine"}, "token"),
        ({"alarms": "yes"}, "alarms"),
        ({"matter_id": 2**40, "scope": "matter"}, "matter_id"),
    ],
)
def test_a_bad_feed_is_refused_and_nothing_is_written(lawyer, coordinator, database, body, field):
    factories.matter(coordinator, "Not the lawyer's")  # id 1, not assigned to the lawyer
    with nothing_written(database):
        assert_error(lawyer.post("/feeds", body), 422, "invalid", field)


def test_a_lawyer_may_not_subscribe_to_a_matter_not_assigned_to_them(lawyer, coordinator):
    theirs = factories.matter(coordinator, "Assigned", assignees=[lawyer.email])
    other = factories.matter(coordinator, "Not assigned")

    made = factories.created(lawyer.post("/feeds", {"scope": "matter", "matter_id": theirs["id"]}))
    refused = lawyer.post("/feeds", {"scope": "matter", "matter_id": other["id"]})

    assert made["name"] == f"Matter {theirs['id']}: hearings and deadlines"  # no client's name
    error = assert_error(refused, 422, "invalid", "matter_id")
    assert error["message"] == f"no matter {other['id']}"  # as if it did not exist


def test_a_jurisdiction_feed(lawyer):
    made = factories.created(lawyer.post("/feeds", {"scope": "jurisdiction", "jurisdiction": "be"}))
    assert (made["jurisdiction"], made["name"]) == ("BE", "BE: hearings and deadlines")


def test_revoking_a_feed_is_immediate_and_audited_once(client, lawyer, database):
    made = factories.created(lawyer.post("/feeds", {}))
    assert client.get(path_of(made)).status_code == 200

    revoked = factories.ok(lawyer.post(f"/feeds/{made['id']}/revoke"))
    again = factories.ok(lawyer.post(f"/feeds/{made['id']}/revoke"))

    assert revoked["active"] is False
    assert revoked["revoked_at"] == "2026-11-22T09:00:00+00:00"
    assert again == revoked
    assert client.get(path_of(made)).status_code == 404
    actions = [e["action"] for e in factories.audit_entries(database, "calendar_feeds")]
    assert actions == ["create", "revoke"]


def test_only_the_owner_or_an_admin_sees_or_revokes_a_feed(client, lawyer, coordinator, admin):
    made = factories.created(lawyer.post("/feeds", {}))

    assert_error(coordinator.get(f"/feeds/{made['id']}"), 404, "not_found")
    assert_error(coordinator.post(f"/feeds/{made['id']}/revoke"), 404, "not_found")
    assert factories.ok(coordinator.get("/feeds"))["items"] == []
    assert client.get(path_of(made)).status_code == 200
    assert factories.ok(admin.post(f"/feeds/{made['id']}/revoke"))["active"] is False


def test_a_feed_shows_its_last_fetches(client, lawyer):
    made = factories.created(lawyer.post("/feeds", {}))
    client.get(path_of(made), headers={"User-Agent": "Google-Calendar-Importer"})

    shown = factories.ok(lawyer.get(f"/feeds/{made['id']}"))

    assert shown["last_fetched_at"] == "2026-11-22T09:00:00+00:00"
    assert shown["fetches"] == [
        {
            "at": "2026-11-22T09:00:00+00:00",
            "user_agent": "Google-Calendar-Importer",
            "address": "127.0.0.1",
        }
    ]


def test_an_admin_revokes_every_feed_of_a_user(client, lawyer, admin, database):
    made = [factories.created(lawyer.post("/feeds", {})) for _ in range(3)]
    factories.ok(lawyer.post(f"/feeds/{made[0]['id']}/revoke"))

    answer = factories.ok(admin.post("/users/Lawyer@Example.org/feeds/revoke"))

    assert answer["revoked"] == 2
    assert sorted(f["id"] for f in answer["items"]) == [made[1]["id"], made[2]["id"]]
    assert [client.get(path_of(m)).status_code for m in made] == [404, 404, 404]
    revokes = [
        e for e in factories.audit_entries(database, "calendar_feeds") if e["action"] == "revoke"
    ]
    assert [e["actor"] for e in revokes] == ["lawyer@example.org"] + ["admin@example.org"] * 2


def test_users_revoke_their_own_feeds_but_not_others(lawyer, coordinator, database):
    factories.created(coordinator.post("/feeds", {}))
    factories.created(lawyer.post("/feeds", {}))

    with nothing_written(database):
        assert_error(lawyer.post("/users/coordinator@example.org/feeds/revoke"), 403, "forbidden")
        # the same answer whether the user exists or not: no probing for addresses
        assert_error(lawyer.post("/users/nobody@example.org/feeds/revoke"), 403, "forbidden")
    assert factories.ok(lawyer.post("/users/lawyer@example.org/feeds/revoke"))["revoked"] == 1


def test_an_admin_asking_for_an_unknown_user_gets_404(admin):
    assert_error(admin.post("/users/nobody@example.org/feeds/revoke"), 404, "not_found", "email")


def test_feeds_need_a_token(client, lawyer):
    assert_error(client.get("/api/v1/feeds"), 401, "unauthorized")
    assert_error(client.post("/api/v1/feeds", json={}), 401, "unauthorized")


def test_an_unknown_parameter_of_the_feed_list_is_refused_by_name(lawyer):
    response = lawyer.get("/feeds?scope=mine")

    error = assert_error(response, 422, "invalid", "scope")
    assert "unknown field" in error["message"]
