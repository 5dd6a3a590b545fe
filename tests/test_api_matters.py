"""JSON API: jurisdictions, matters, proceedings, events, timelines, and who sees what."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import factories
import pytest
import sqlalchemy as sa
from factories import assert_error, nothing_written

from tracker.models import Matter

NOW = "2026-11-22T09:00:00+00:00"


@pytest.fixture
def admin(client, database, frozen_now):
    return factories.login(client, database, "admin", "admin@example.org")


@pytest.fixture
def staff(client, database, frozen_now):
    """A staff member, with Belgium (Europe/Brussels) and Spain to file proceedings in."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "ES", "Spain", "Europe/Madrid")
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def lawyer(client, database, staff):
    return factories.login(client, database, "lawyer", "lawyer@example.org")


@contextmanager
def counting_queries(database):
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)


# --- jurisdictions ------------------------------------------------------------------------


def test_an_admin_adds_a_jurisdiction(admin, database):
    body = {"code": "be", "name": " Belgium ", "timezone": "Europe/Brussels"}

    response = admin.post("/jurisdictions", body | {"holiday_country": "BE"})

    assert response.status_code == 201
    made = response.get_json()
    assert made == {
        "id": made["id"],
        "code": "BE",
        "name": "Belgium",
        "timezone": "Europe/Brussels",
        "holiday_country": "BE",
        "version": 1,
    }
    [entry] = factories.audit_entries(database)
    assert entry["actor"] == "admin@example.org"
    assert (entry["action"], entry["entity"], entry["entity_id"]) == (
        "create",
        "jurisdictions",
        made["id"],
    )
    assert entry["after"]["code"] == "BE"
    assert entry["before"] is None


def test_jurisdictions_are_listed_by_code(admin):
    for code, zone in [("FR", "Europe/Paris"), ("ECHR", "Europe/Paris"), ("BE", "Europe/Brussels")]:
        factories.created(
            admin.post("/jurisdictions", {"code": code, "name": code, "timezone": zone})
        )

    items = admin.get("/jurisdictions").get_json()["items"]

    assert [j["code"] for j in items] == ["BE", "ECHR", "FR"]
    assert items[0] == {
        "id": items[0]["id"],
        "code": "BE",
        "name": "BE",
        "timezone": "Europe/Brussels",
        "holiday_country": None,
        "version": 1,
    }


GOOD_JURISDICTION = {"code": "FR", "name": "France", "timezone": "Europe/Paris"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "F"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "F R"}, "code"),
        ({"code": "FRANCE-REPUBLIC-1"}, "code"),
        ({"code": 33}, "code"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "N" * 201}, "name"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": " Europe/Paris"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "+01:00"}, "timezone"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_country": 250}, "holiday_country"),
        ({"currency": "EUR"}, "currency"),
        ({"timezone": None}, "timezone"),
    ],
    ids=lambda v: repr(v)[:40] if isinstance(v, dict) else v,
)
def test_a_bad_jurisdiction_is_refused(admin, database, change, field):
    with nothing_written(database):
        response = admin.post("/jurisdictions", GOOD_JURISDICTION | change)

    assert_error(response, 422, "invalid", field)


def test_a_jurisdiction_missing_a_field_is_refused(admin, database):
    with nothing_written(database):
        response = admin.post("/jurisdictions", {"code": "FR", "name": "France"})

    assert_error(response, 422, "invalid", "timezone")


def test_a_jurisdiction_code_is_unique_whatever_its_case(admin, database):
    factories.created(admin.post("/jurisdictions", GOOD_JURISDICTION))

    with nothing_written(database):
        response = admin.post("/jurisdictions", GOOD_JURISDICTION | {"code": "fr"})

    assert_error(response, 409, "conflict", "code")


# --- matters ------------------------------------------------------------------------------


def test_staff_open_a_matter(staff, lawyer, database):
    response = staff.post(
        "/matters",
        {
            "title": "  Extradition of A. Client ",
            "subject": "A. Client",
            "summary": "Requested by state A, then by state B acting for A.",
            "assignees": ["Lawyer@Example.org"],
        },
    )

    assert response.status_code == 201
    made = response.get_json()
    assert made == {
        "id": made["id"],
        "title": "Extradition of A. Client",
        "subject": "A. Client",
        "summary": "Requested by state A, then by state B acting for A.",
        "assignees": ["lawyer@example.org"],
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "warnings": [],
    }
    del made["warnings"]  # (of the creation only)
    assert staff.get(f"/matters/{made['id']}").get_json() == made
    [entry] = factories.audit_entries(database, "matters")
    assert entry["actor"] == "staff@example.org"
    assert (entry["action"], entry["entity"], entry["entity_id"]) == (
        "create",
        "matters",
        made["id"],
    )
    assert entry["matter_id"] == made["id"]
    assert entry["after"]["title"] == "Extradition of A. Client"
    assert entry["after"]["subject"] == "A. Client"
    assert entry["after"]["assignees"] == ["lawyer@example.org"]
    assert factories.row_counts(database)["persons"] == 1


def test_a_matter_needs_only_a_title(staff):
    made = factories.matter(staff, "Wanted listing of B.")

    assert (made["subject"], made["summary"], made["assignees"]) == (None, "", [])


def test_matters_are_listed_by_title(staff):
    for title in ["Zeta", "Alpha", "Mu"]:
        factories.matter(staff, title)

    items = staff.get("/matters").get_json()["items"]

    assert [m["title"] for m in items] == ["Alpha", "Mu", "Zeta"]
    assert set(items[0]) == {
        "id",
        "title",
        "subject",
        "summary",
        "assignees",
        "version",
        "created_at",
        "updated_at",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "T" * 201}, "title"),
        ({"subject": "S" * 201}, "subject"),
        ({"summary": "s" * 20_001}, "summary"),
        ({"assignees": ["nobody@example.org"]}, "assignees"),
        ({"assignees": ["lawyer@example.org", "nobody@example.org"]}, "assignees"),
        ({"assignees": None}, "assignees"),
        ({"summary": None}, "summary"),
        ({"title": "A\u0000B"}, "title"),
    ],
    ids=[
        "empty-title",
        "blank-title",
        "long-title",
        "long-subject",
        "long-summary",
        "unknown-assignee",
        "one-unknown-assignee",
        "null-assignees",
        "null-summary",
        "nul-character",
    ],
)
def test_a_bad_matter_is_refused(staff, lawyer, database, change, field):
    with nothing_written(database):
        response = staff.post("/matters", {"title": "A matter"} | change)

    assert_error(response, 422, "invalid", field)


def test_an_unknown_matter_is_not_found(staff, database):
    with nothing_written(database):
        assert_error(staff.get("/matters/4242"), 404, "not_found")
        assert_error(staff.patch("/matters/4242", {"version": 1, "title": "x"}), 404, "not_found")
        assert_error(staff.get("/matters/4242/timeline"), 404, "not_found")


def test_a_patch_changes_the_sent_fields_and_audits_only_them(staff, database):
    made = factories.matter(staff, "Old title", summary="Kept")

    response = staff.patch(f"/matters/{made['id']}", {"version": 1, "title": "New title"})

    assert response.status_code == 200
    patched = response.get_json()
    assert (patched["title"], patched["summary"], patched["version"]) == ("New title", "Kept", 2)
    assert staff.get(f"/matters/{made['id']}").get_json() == patched
    entry = factories.audit_entries(database)[-1]
    assert (entry["actor"], entry["action"], entry["entity"]) == (
        "staff@example.org",
        "update",
        "matters",
    )
    assert entry["before"] == {"title": "Old title"}
    assert entry["after"] == {"title": "New title"}


def test_a_patch_that_changes_nothing_writes_nothing(staff, database):
    made = factories.matter(staff, "Same")

    with nothing_written(database):
        response = staff.patch(f"/matters/{made['id']}", {"version": 1, "title": "Same"})

    assert response.status_code == 200
    assert response.get_json()["version"] == 1


def test_assigning_lawyers_is_audited_and_moves_the_version(staff, lawyer, database):
    made = factories.matter(staff)

    response = staff.patch(
        f"/matters/{made['id']}", {"version": 1, "assignees": ["lawyer@example.org"]}
    )

    assert response.status_code == 200
    assert response.get_json()["assignees"] == ["lawyer@example.org"]
    entry = factories.audit_entries(database)[-1]
    assert (entry["actor"], entry["action"]) == ("staff@example.org", "assign")
    assert entry["before"] == {"assignees": []}
    assert entry["after"] == {"assignees": ["lawyer@example.org"]}
    # a client holding the old copy must not overwrite the assignment unawares
    assert response.get_json()["version"] == 2
    with nothing_written(database):
        stale = staff.patch(f"/matters/{made['id']}", {"version": 1, "assignees": []})
    assert_error(stale, 409, "stale_version", "version")


def test_one_patch_of_title_and_assignees_moves_the_version_once(staff, lawyer, database):
    made = factories.matter(staff, "Old")

    patched = factories.ok(
        staff.patch(
            f"/matters/{made['id']}",
            {"version": 1, "title": "New", "assignees": ["lawyer@example.org"]},
        )
    )

    assert (patched["title"], patched["assignees"], patched["version"]) == (
        "New",
        ["lawyer@example.org"],
        2,
    )
    entries = factories.audit_entries(database, "matters")
    assert [e["action"] for e in entries] == ["create", "update", "assign"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"title": "No version"}, 422, "invalid", "version"),
        ({"version": None, "title": "Null version"}, 422, "invalid", "version"),
        ({"version": "1", "title": "String version"}, 422, "invalid", "version"),
        ({"version": 0, "title": "Stale"}, 409, "stale_version", "version"),
        ({"version": 2, "title": "From the future"}, 409, "stale_version", "version"),
        ({"version": 1, "title": None}, 422, "invalid", "title"),
        ({"version": 1, "summary": None}, 422, "invalid", "summary"),
        ({"version": 1, "assignees": None}, 422, "invalid", "assignees"),
        ({"version": 1, "title": ""}, 422, "invalid", "title"),
        ({"version": 1, "subject": "Someone else"}, 422, "invalid", "subject"),
        ({"version": 1, "assignees": ["nobody@example.org"]}, 422, "invalid", "assignees"),
        (
            {"version": 1, "title": "Renamed", "assignees": ["nobody@example.org"]},
            422,
            "invalid",
            "assignees",
        ),
    ],
    ids=[
        "no-version",
        "null-version",
        "string-version",
        "stale-version",
        "future-version",
        "null-title",
        "null-summary",
        "null-assignees",
        "empty-title",
        "unknown-field",
        "unknown-assignee",
        "valid-title-then-unknown-assignee",
    ],
)
def test_a_bad_matter_patch_is_refused(staff, database, body, status, code, field):
    made = factories.matter(staff, "Untouched")

    with nothing_written(database):
        response = staff.patch(f"/matters/{made['id']}", body)

    assert_error(response, status, code, field)


def test_of_two_patches_from_the_same_version_the_second_is_refused(client, staff, database):
    made = factories.matter(staff, "Original")
    colleague = factories.login(client, database, "coordinator")

    first = staff.patch(f"/matters/{made['id']}", {"version": 1, "title": "First"})
    with nothing_written(database):
        second = colleague.patch(f"/matters/{made['id']}", {"version": 1, "title": "Second"})

    assert first.status_code == 200
    assert_error(second, 409, "stale_version", "version")
    stored = staff.get(f"/matters/{made['id']}").get_json()
    assert (stored["title"], stored["version"]) == ("First", 2)


def test_a_change_committed_while_a_patch_runs_makes_the_patch_fail(staff, database):
    """The race check_version cannot see: the row moves between the read and the UPDATE."""
    made = factories.matter(staff, "Original")
    matters = Matter.__table__

    done = []

    def theirs_first(session, _context, _instances):
        """Just before the PATCH writes the matter, someone else commits a change to it."""
        if done or not any(isinstance(obj, Matter) for obj in session.dirty):
            return
        done.append(True)
        with database.engine.begin() as connection:
            connection.execute(
                matters.update()
                .where(matters.c.id == made["id"])
                .values(title="Theirs", version=matters.c.version + 1)
            )

    sa.event.listen(database.sessionmaker, "before_flush", theirs_first)
    try:
        response = staff.patch(f"/matters/{made['id']}", {"version": 1, "title": "Mine"})
    finally:
        sa.event.remove(database.sessionmaker, "before_flush", theirs_first)

    assert done, "the PATCH never flushed the matter"

    assert_error(response, 409, "stale_version")
    stored = staff.get(f"/matters/{made['id']}").get_json()
    assert (stored["title"], stored["version"]) == ("Theirs", 2)
    assert [e["action"] for e in factories.audit_entries(database, "matters")] == ["create"]


# --- proceedings --------------------------------------------------------------------------


def test_a_proceeding_is_opened_with_all_its_fields(staff, database):
    matter = factories.matter(staff)
    other = factories.dossier(staff)[1]

    response = staff.post(
        "/proceedings",
        {
            "matter_id": matter["id"],
            "jurisdiction": "be",
            "kind": "extradition_request",
            "title": "Extradition requested by state A",
            "reference": "2024/EXT/17",
            "authority": "Chambre du conseil de Bruxelles",
            "client_role": "requested_person",
            "status": "pending",
            "opened_on": "2024-03",
            "precision": "month",
            "origin_id": other["id"],
        },
    )

    assert response.status_code == 201
    made = response.get_json()
    assert made == {
        "id": made["id"],
        "matter_id": matter["id"],
        "jurisdiction": "BE",
        "authority": "Chambre du conseil de Bruxelles",
        "kind": "extradition_request",
        "title": "Extradition requested by state A",
        "reference": "2024/EXT/17",
        "client_role": "requested_person",
        "status": "pending",
        "opened_on": "2024-03",
        "precision": "month",
        "closed_on": None,
        "closed_precision": "day",
        "parent_id": None,
        "origin_id": other["id"],
        "version": 1,
    }
    entries = factories.audit_entries(database)[-2:]
    assert [(e["action"], e["entity"]) for e in entries] == [
        ("create", "authorities"),
        ("create", "proceedings"),
    ]
    assert {e["actor"] for e in entries} == {"staff@example.org"}
    assert entries[1]["matter_id"] == matter["id"]


def test_a_proceeding_with_only_the_required_fields(staff):
    matter = factories.matter(staff)

    made = factories.proceeding(staff, matter["id"], kind="trial", client_role="victim")

    assert (made["status"], made["opened_on"], made["precision"], made["authority"]) == (
        "pending",
        None,
        "day",
        None,
    )


def test_an_appeal_links_to_its_parent_and_an_origin_may_be_in_another_matter(staff):
    matter, first_instance = factories.dossier(staff)
    _, foreign_request = factories.dossier(staff)

    appeal = factories.proceeding(
        staff,
        matter["id"],
        kind="appeal",
        parent_id=first_instance["id"],
        origin_id=foreign_request["id"],
    )

    assert (appeal["parent_id"], appeal["origin_id"]) == (
        first_instance["id"],
        foreign_request["id"],
    )


BAD_PROCEEDINGS = [
    ({"kind": "rendition"}, "kind"),
    ({"kind": "Trial"}, "kind"),
    ({"kind": 3}, "kind"),
    ({"kind": None}, "kind"),
    ({"client_role": "hero"}, "client_role"),
    ({"status": "open"}, "status"),
    ({"status": None}, "status"),
    ({"jurisdiction": "XX"}, "jurisdiction"),
    ({"jurisdiction": ""}, "jurisdiction"),
    ({"title": ""}, "title"),
    ({"title": "T" * 201}, "title"),
    ({"title": "Nul\u0000"}, "title"),
    ({"reference": "R" * 101}, "reference"),
    ({"authority": "A" * 201}, "authority"),
    ({"opened_on": "2023-02-30"}, "opened_on"),
    ({"opened_on": "2023-13"}, "opened_on"),
    ({"opened_on": "2023-00"}, "opened_on"),
    ({"opened_on": "23-01-01"}, "opened_on"),
    ({"opened_on": "1 March 2023"}, "opened_on"),
    ({"opened_on": 2023}, "opened_on"),
    ({"opened_on": "2023", "precision": "day"}, "opened_on"),
    ({"opened_on": "2023-03-01", "precision": "month"}, "opened_on"),
    ({"precision": "week"}, "precision"),
    ({"opened_on": "2023-03", "precision": "week"}, "precision"),
    ({"closed_on": "2023-02-30"}, "closed_on"),
    ({"closed_on": "2023-13"}, "closed_on"),
    ({"status": "closed", "opened_on": "2023-05-10", "closed_on": "2023-05-09"}, "closed_on"),
    ({"parent_id": 4242}, "parent_id"),
    ({"origin_id": 4242}, "origin_id"),
    ({"parent_id": 0}, "parent_id"),
    ({"parent_id": 2**31}, "parent_id"),
    ({"origin_id": 99999999999999999999}, "origin_id"),
    ({"parent_id": "1"}, "parent_id"),
    ({"court": "Cour d'appel"}, "court"),
    ({"matter_id": 2**31}, "matter_id"),
    ({"matter_id": None}, "matter_id"),
]


@pytest.mark.parametrize(
    ("change", "field"), BAD_PROCEEDINGS, ids=[repr(c)[:50] for c, _ in BAD_PROCEEDINGS]
)
def test_a_bad_proceeding_is_refused(staff, database, change, field):
    matter = factories.matter(staff)
    # an authority is created on first mention: a refused proceeding must not leave it behind
    body = {
        "matter_id": matter["id"],
        "jurisdiction": "BE",
        "authority": "Tribunal de première instance",
        "kind": "criminal_case",
        "title": "Criminal case",
        "client_role": "accused",
    }

    with nothing_written(database):
        response = staff.post("/proceedings", body | change)

    assert_error(response, 422, "invalid", field)


@pytest.mark.parametrize("missing", ["matter_id", "jurisdiction", "kind", "title", "client_role"])
def test_a_proceeding_missing_a_required_field_is_refused(staff, database, missing):
    matter = factories.matter(staff)
    body = {
        "matter_id": matter["id"],
        "jurisdiction": "BE",
        "kind": "criminal_case",
        "title": "Criminal case",
        "client_role": "accused",
    }
    del body[missing]

    with nothing_written(database):
        response = staff.post("/proceedings", body)

    error = assert_error(response, 422, "invalid", missing)
    assert "required" in error["message"]


def test_a_parent_must_be_in_the_same_matter(staff, database):
    matter = factories.matter(staff)
    _, elsewhere = factories.dossier(staff)

    with nothing_written(database):
        response = staff.post(
            "/proceedings",
            {
                "matter_id": matter["id"],
                "jurisdiction": "BE",
                "kind": "appeal",
                "title": "Appeal",
                "client_role": "accused",
                "parent_id": elsewhere["id"],
            },
        )

    error = assert_error(response, 422, "invalid", "parent_id")
    assert "another matter" in error["message"]


def test_a_proceeding_in_an_unknown_matter_is_not_found(staff, database):
    with nothing_written(database):
        response = staff.post(
            "/proceedings",
            {
                "matter_id": 4242,
                "jurisdiction": "BE",
                "kind": "trial",
                "title": "Trial",
                "client_role": "accused",
            },
        )

    assert_error(response, 404, "not_found")


def test_a_proceeding_is_read_with_its_hearings_events_and_deadlines(staff):
    _, made = factories.dossier(staff)
    hearing = factories.hearing(staff, made["id"], "2026-12-01T09:30")
    event = factories.event(staff, made["id"], "2026-10-01")
    deadline = factories.deadline(staff, made["id"], "2026-12-15")

    response = staff.get(f"/proceedings/{made['id']}")

    assert response.status_code == 200
    read = response.get_json()
    assert {k: read[k] for k in made} == made
    assert read["hearings"] == [hearing]
    assert read["events"] == [event]
    assert read["deadlines"] == [deadline]


def test_an_unknown_proceeding_is_not_found(staff, database):
    with nothing_written(database):
        assert_error(staff.get("/proceedings/4242"), 404, "not_found")
        assert_error(staff.patch("/proceedings/4242", {"version": 1}), 404, "not_found")
        for child in ("hearings", "events", "deadlines"):
            assert_error(staff.post(f"/proceedings/4242/{child}", {}), 404, "not_found")


def test_proceedings_are_listed_and_filtered_by_matter(staff):
    first, in_first = factories.dossier(staff)
    second, in_second = factories.dossier(staff)
    also_in_first = factories.proceeding(staff, first["id"], opened_on="2020-01-01")

    everything = staff.get("/proceedings").get_json()["items"]
    of_first = staff.get(f"/proceedings?matter_id={first['id']}").get_json()["items"]
    of_second = staff.get(f"/proceedings?matter_id={second['id']}").get_json()["items"]
    of_none = staff.get("/proceedings?matter_id=4242").get_json()["items"]

    assert {p["id"] for p in everything} == {in_first["id"], in_second["id"], also_in_first["id"]}
    assert sorted(p["id"] for p in of_first) == sorted([in_first["id"], also_in_first["id"]])
    assert of_second == [in_second]
    assert of_none == []


def test_proceedings_are_listed_in_the_same_order_on_every_database(staff):
    """By matter, then by opening date with the undated last, then by id."""
    first, undated = factories.dossier(staff)
    late = factories.proceeding(staff, first["id"], opened_on="2024-05-01")
    early = factories.proceeding(staff, first["id"], opened_on="2019")
    _, other = factories.dossier(staff)

    items = staff.get("/proceedings").get_json()["items"]

    assert [p["id"] for p in items] == [early["id"], late["id"], undated["id"], other["id"]]


def test_proceedings_are_filtered_by_jurisdiction_whatever_its_case(staff):
    first, in_belgium = factories.dossier(staff)
    in_spain = factories.proceeding(staff, first["id"], jurisdiction="ES")
    _, elsewhere_in_spain = factories.dossier(staff)
    elsewhere_in_spain = factories.ok(
        staff.patch(
            f"/proceedings/{elsewhere_in_spain['id']}", {"version": 1, "jurisdiction": "ES"}
        )
    )

    spain = staff.get("/proceedings?jurisdiction=es").get_json()["items"]
    belgium = staff.get("/proceedings", query_string={"jurisdiction": "BE"}).get_json()["items"]
    spain_in_first = staff.get(f"/proceedings?jurisdiction=ES&matter_id={first['id']}")

    assert [p["id"] for p in spain] == [in_spain["id"], elsewhere_in_spain["id"]]
    assert [p["id"] for p in belgium] == [in_belgium["id"]]
    assert factories.ok(spain_in_first)["items"] == [in_spain]


def test_proceedings_of_a_jurisdiction_without_any_are_none(staff):
    """Not every proceeding, as the unfiltered list once answered ?jurisdiction=KZ."""
    factories.dossier(staff)

    response = staff.get("/proceedings?jurisdiction=KZ")

    assert factories.ok(response)["items"] == []


def test_a_too_long_jurisdiction_filter_is_refused(staff):
    response = staff.get("/proceedings", query_string={"jurisdiction": "K" * 17})

    assert_error(response, 422, "invalid", "jurisdiction")


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/proceedings?country=KZ", "country"),
        ("/proceedings?matter_id=1&page=2", "page"),
        ("/matters?title=Alpha", "title"),
    ],
)
def test_an_unknown_list_parameter_is_refused_by_name(staff, path, parameter):
    factories.dossier(staff)

    error = assert_error(staff.get(path), 422, "invalid", parameter)

    assert parameter in error["message"]


@pytest.mark.parametrize("value", ["abc", "", "-1", "0", "1.5", "²", "99999999999999999999"])
def test_a_bad_matter_id_filter_is_refused(staff, value):
    response = staff.get("/proceedings", query_string={"matter_id": value})

    assert_error(response, 422, "invalid", "matter_id")


def test_patching_a_proceeding_audits_only_the_changed_fields(staff, database):
    _, made = factories.dossier(staff, title="Trial of A.")
    path = f"/proceedings/{made['id']}"

    response = staff.patch(path, {"version": 1, "status": "decided", "closed_on": "2026-11-20"})

    assert response.status_code == 200
    patched = response.get_json()
    assert (patched["status"], patched["closed_on"], patched["version"]) == (
        "decided",
        "2026-11-20",
        2,
    )
    assert staff.get(path).get_json()["status"] == "decided"
    entry = factories.audit_entries(database)[-1]
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        "staff@example.org",
        "update",
        made["id"],
    )
    assert entry["before"] == {"status": "pending", "closed_on": None}
    assert entry["after"] == {"status": "decided", "closed_on": "2026-11-20"}


@pytest.mark.parametrize("status", ["decided", "closed", "withdrawn"])
def test_a_proceeding_no_longer_open_is_refused_without_its_closing_date(staff, database, status):
    matter = factories.matter(staff)
    body = {"matter_id": matter["id"], "jurisdiction": "BE", "kind": "trial", "title": "T"}
    body |= {"client_role": "accused", "status": status}

    with nothing_written(database):
        refused = staff.post("/proceedings", body)

    error = assert_error(refused, 422, "invalid", "closed_on")
    assert error["message"] == (
        f"a {status} proceeding needs its closing date (YYYY-MM-DD, YYYY-MM or YYYY)"
    )


def test_an_open_proceeding_is_refused_a_closing_date(staff, database):
    matter = factories.matter(staff)
    body = {"matter_id": matter["id"], "jurisdiction": "BE", "kind": "trial", "title": "T"}
    body |= {"client_role": "accused", "status": "suspended", "closed_on": "2025-01-01"}

    with nothing_written(database):
        refused = staff.post("/proceedings", body)

    error = assert_error(refused, 422, "invalid", "closed_on")
    assert error["message"].startswith("a suspended proceeding has no closing date")


def test_closing_a_proceeding_known_to_the_month_then_reopening_it_clears_the_date(staff, database):
    _, made = factories.dossier(staff)
    path = f"/proceedings/{made['id']}"

    with nothing_written(database):
        assert_error(
            staff.patch(path, {"version": 1, "status": "decided"}), 422, "invalid", "closed_on"
        )
    closed = factories.ok(
        staff.patch(path, {"version": 1, "status": "decided", "closed_on": "2025-03"})
    )
    moved = factories.ok(staff.patch(path, {"version": 2, "closed_on": "2025-04-17"}))
    with nothing_written(database):
        assert_error(
            staff.patch(path, {"version": 3, "closed_on": None}), 422, "invalid", "closed_on"
        )
    reopened = factories.ok(staff.patch(path, {"version": 3, "status": "pending"}))

    assert (closed["closed_on"], closed["closed_precision"]) == ("2025-03", "month")
    assert (moved["closed_on"], moved["closed_precision"]) == ("2025-04-17", "day")
    assert (reopened["status"], reopened["closed_on"]) == ("pending", None)
    entry = factories.audit_entries(database)[-1]
    assert entry["before"] == {"status": "decided", "closed_on": "2025-04-17"}
    assert entry["after"] == {"status": "pending", "closed_on": None}


def test_the_database_itself_refuses_a_closed_proceeding_without_its_closing_date(staff, database):
    _, made = factories.dossier(staff)

    with pytest.raises(sa.exc.IntegrityError), database.unit_of_work() as session:
        session.execute(
            sa.text("UPDATE proceedings SET status = 'closed' WHERE id = :id"), {"id": made["id"]}
        )


def test_nullable_proceeding_fields_may_be_cleared(staff):
    matter, parent = factories.dossier(staff)
    made = factories.proceeding(
        staff,
        matter["id"],
        reference="RG 1",
        authority="Cour d'appel",
        opened_on="2024-01-02",
        parent_id=parent["id"],
    )

    response = staff.patch(
        f"/proceedings/{made['id']}",
        {"version": 1, "reference": None, "authority": None, "opened_on": None, "parent_id": None},
    )

    assert response.status_code == 200
    patched = response.get_json()
    assert (patched["reference"], patched["authority"], patched["opened_on"]) == (None, None, None)
    assert patched["parent_id"] is None


def test_patching_the_authority_keeps_the_jurisdiction(staff):
    _, made = factories.dossier(staff)

    patched = factories.ok(
        staff.patch(f"/proceedings/{made['id']}", {"version": 1, "authority": "Cour de cassation"})
    )

    assert (patched["jurisdiction"], patched["authority"]) == ("BE", "Cour de cassation")


def test_patching_only_the_precision_rewrites_the_known_date(staff):
    matter = factories.matter(staff)
    made = factories.proceeding(staff, matter["id"], opened_on="2024-03-15")

    patched = factories.ok(
        staff.patch(f"/proceedings/{made['id']}", {"version": 1, "precision": "month"})
    )

    assert (patched["opened_on"], patched["precision"]) == ("2024-03", "month")


BAD_PROCEEDING_PATCHES = [
    ({"title": "No version"}, 422, "invalid", "version"),
    ({"version": 7, "title": "Stale"}, 409, "stale_version", "version"),
    ({"version": 1, "title": None}, 422, "invalid", "title"),
    ({"version": 1, "kind": None}, 422, "invalid", "kind"),
    ({"version": 1, "status": None}, 422, "invalid", "status"),
    ({"version": 1, "jurisdiction": None}, 422, "invalid", "jurisdiction"),
    ({"version": 1, "client_role": None}, 422, "invalid", "client_role"),
    ({"version": 1, "precision": None}, 422, "invalid", "precision"),
    ({"version": 1, "kind": "rendition"}, 422, "invalid", "kind"),
    ({"version": 1, "status": "closed_for_ever"}, 422, "invalid", "status"),
    ({"version": 1, "client_role": "bystander"}, 422, "invalid", "client_role"),
    ({"version": 1, "jurisdiction": "XX"}, 422, "invalid", "jurisdiction"),
    ({"version": 1, "opened_on": "2023-02-30"}, 422, "invalid", "opened_on"),
    ({"version": 1, "opened_on": "2023-13"}, 422, "invalid", "opened_on"),
    ({"version": 1, "precision": "week"}, 422, "invalid", "precision"),
    ({"version": 1, "closed_on": "2024-01-01"}, 422, "invalid", "closed_on"),
    ({"version": 1, "status": "closed", "closed_on": "2024-01-01"}, 422, "invalid", "closed_on"),
    ({"version": 1, "authority": "New court", "kind": "x"}, 422, "invalid", "kind"),
    ({"version": 1, "parent_id": 4242}, 422, "invalid", "parent_id"),
    ({"version": 1, "origin_id": 4242}, 422, "invalid", "origin_id"),
    ({"version": 1, "matter_id": 2}, 422, "invalid", "matter_id"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    BAD_PROCEEDING_PATCHES,
    ids=[repr(b)[:50] for b, *_ in BAD_PROCEEDING_PATCHES],
)
def test_a_bad_proceeding_patch_is_refused(staff, database, body, status, code, field):
    matter = factories.matter(staff)
    made = factories.proceeding(staff, matter["id"], opened_on="2024-06-01")

    with nothing_written(database):
        response = staff.patch(f"/proceedings/{made['id']}", body)

    assert_error(response, status, code, field)


def test_a_proceeding_cannot_be_its_own_parent_origin_or_ancestor(staff, database):
    matter, first = factories.dossier(staff)
    appeal = factories.proceeding(staff, matter["id"], kind="appeal", parent_id=first["id"])
    cassation = factories.proceeding(staff, matter["id"], kind="cassation", parent_id=appeal["id"])

    with nothing_written(database):
        own_parent = staff.patch(
            f"/proceedings/{first['id']}", {"version": 1, "parent_id": first["id"]}
        )
        cycle = staff.patch(
            f"/proceedings/{first['id']}", {"version": 1, "parent_id": cassation["id"]}
        )
        own_origin = staff.patch(
            f"/proceedings/{first['id']}", {"version": 1, "origin_id": first["id"]}
        )

    assert_error(own_parent, 422, "invalid", "parent_id")
    assert_error(cycle, 422, "invalid", "parent_id")
    assert_error(own_origin, 422, "invalid", "origin_id")


def test_a_patched_parent_must_be_in_the_same_matter(staff, database):
    _, made = factories.dossier(staff)
    _, elsewhere = factories.dossier(staff)

    with nothing_written(database):
        response = staff.patch(
            f"/proceedings/{made['id']}", {"version": 1, "parent_id": elsewhere["id"]}
        )

    assert_error(response, 422, "invalid", "parent_id")


# --- events -------------------------------------------------------------------------------


def test_an_event_is_recorded_to_the_precision_known(staff, database):
    _, made = factories.dossier(staff)

    response = staff.post(
        f"/proceedings/{made['id']}/events",
        {
            "kind": "Search",
            "occurred_on": "2016-11",
            "precision": "month",
            "summary": "Search of the client's flat",
            "source": "Police report p. 3",
        },
    )

    assert response.status_code == 201
    event = response.get_json()
    assert event == {
        "id": event["id"],
        "proceeding_id": made["id"],
        "kind": "search",
        "occurred_on": "2016-11",
        "precision": "month",
        "summary": "Search of the client's flat",
        "source": "Police report p. 3",
        "version": 1,
        "withdrawn_at": None,
        "withdrawal_reason": None,
    }
    assert staff.get(f"/events/{event['id']}").get_json() == event
    entry = factories.audit_entries(database)[-1]
    assert (entry["actor"], entry["action"], entry["entity"]) == (
        "staff@example.org",
        "create",
        "events",
    )


@pytest.mark.parametrize(
    ("occurred_on", "precision"), [("2017", "year"), ("2016-11", "month"), ("2016-11-05", "day")]
)
def test_the_precision_follows_the_form_of_the_date(staff, occurred_on, precision):
    _, made = factories.dossier(staff)

    event = factories.event(staff, made["id"], occurred_on)

    assert (event["occurred_on"], event["precision"]) == (occurred_on, precision)


BAD_EVENTS = [
    ({"kind": ""}, "kind"),
    ({"kind": "judgment day"}, "kind"),
    ({"kind": "judgment;drop"}, "kind"),
    ({"kind": "k" * 65}, "kind"),
    ({"kind": None}, "kind"),
    ({"kind": 1}, "kind"),
    ({"occurred_on": "2023-02-30"}, "occurred_on"),
    ({"occurred_on": "2023-13"}, "occurred_on"),
    ({"occurred_on": "2023-02-29"}, "occurred_on"),
    ({"occurred_on": ""}, "occurred_on"),
    ({"occurred_on": None}, "occurred_on"),
    ({"occurred_on": 20230101}, "occurred_on"),
    ({"occurred_on": "2023", "precision": "month"}, "occurred_on"),
    ({"precision": "week"}, "precision"),
    ({"summary": None}, "summary"),
    ({"summary": "s" * 20_001}, "summary"),
    ({"source": "s" * 2001}, "source"),
    ({"proceeding_id": 1}, "proceeding_id"),
]


@pytest.mark.parametrize(("change", "field"), BAD_EVENTS, ids=[repr(c)[:40] for c, _ in BAD_EVENTS])
def test_a_bad_event_is_refused(staff, database, change, field):
    _, made = factories.dossier(staff)

    with nothing_written(database):
        response = staff.post(
            f"/proceedings/{made['id']}/events",
            {"kind": "judgment", "occurred_on": "2023-05-02"} | change,
        )

    assert_error(response, 422, "invalid", field)


@pytest.mark.parametrize("missing", ["kind", "occurred_on"])
def test_an_event_missing_a_field_is_refused(staff, database, missing):
    _, made = factories.dossier(staff)
    body = {"kind": "judgment", "occurred_on": "2023-05-02"}
    del body[missing]

    with nothing_written(database):
        response = staff.post(f"/proceedings/{made['id']}/events", body)

    assert_error(response, 422, "invalid", missing)


def test_an_event_is_corrected_and_the_correction_audited(staff, database):
    _, made = factories.dossier(staff)
    event = factories.event(staff, made["id"], "2023-05-02", summary="Judgment")

    response = staff.patch(
        f"/events/{event['id']}", {"version": 1, "occurred_on": "2023-05-03", "source": None}
    )

    assert response.status_code == 200
    patched = response.get_json()
    assert (patched["occurred_on"], patched["summary"], patched["version"]) == (
        "2023-05-03",
        "Judgment",
        2,
    )
    entry = factories.audit_entries(database)[-1]
    assert (entry["action"], entry["entity"], entry["entity_id"]) == (
        "update",
        "events",
        event["id"],
    )
    assert entry["before"] == {"occurred_on": "2023-05-02"}
    assert entry["after"] == {"occurred_on": "2023-05-03"}


def test_patching_only_an_events_precision_rewrites_its_date(staff):
    _, made = factories.dossier(staff)
    event = factories.event(staff, made["id"], "2023-05-02")

    patched = factories.ok(
        staff.patch(f"/events/{event['id']}", {"version": 1, "precision": "year"})
    )

    assert (patched["occurred_on"], patched["precision"]) == ("2023", "year")


BAD_EVENT_PATCHES = [
    ({"summary": "No version"}, 422, "invalid", "version"),
    ({"version": 3, "summary": "Stale"}, 409, "stale_version", "version"),
    ({"version": 1, "occurred_on": None}, 422, "invalid", "occurred_on"),
    ({"version": 1, "kind": None}, 422, "invalid", "kind"),
    ({"version": 1, "summary": None}, 422, "invalid", "summary"),
    ({"version": 1, "precision": None}, 422, "invalid", "precision"),
    ({"version": 1, "occurred_on": "2023-02-30"}, 422, "invalid", "occurred_on"),
    ({"version": 1, "occurred_on": "2023-13"}, 422, "invalid", "occurred_on"),
    ({"version": 1, "precision": "week"}, 422, "invalid", "precision"),
    ({"version": 1, "kind": "two words"}, 422, "invalid", "kind"),
    ({"version": 1, "proceeding_id": 2}, 422, "invalid", "proceeding_id"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    BAD_EVENT_PATCHES,
    ids=[repr(b)[:50] for b, *_ in BAD_EVENT_PATCHES],
)
def test_a_bad_event_patch_is_refused(staff, database, body, status, code, field):
    _, made = factories.dossier(staff)
    event = factories.event(staff, made["id"], "2023-05-02")

    with nothing_written(database):
        response = staff.patch(f"/events/{event['id']}", body)

    assert_error(response, status, code, field)


def test_an_unknown_event_is_not_found(staff, database):
    with nothing_written(database):
        assert_error(staff.get("/events/4242"), 404, "not_found")
        assert_error(staff.patch("/events/4242", {"version": 1}), 404, "not_found")


# --- the timeline -------------------------------------------------------------------------


def test_the_timeline_holds_everything_in_date_order_with_the_links(staff):
    matter = factories.matter(staff, "Extradition of A. Client")
    _, foreign = factories.dossier(staff)  # a request from another country, in another matter
    first = factories.proceeding(staff, matter["id"], opened_on="2023-05-10")
    appeal = factories.proceeding(
        staff,
        matter["id"],
        kind="appeal",
        opened_on="2024-02-01",
        parent_id=first["id"],
        origin_id=foreign["id"],
    )
    search = factories.event(staff, first["id"], "2023-06", kind="search")
    hearing = factories.hearing(staff, first["id"], "2024-01-15T10:00")
    factories.postpone(staff, hearing["id"], "2024-03-20T10:00", decided_on="2024-01-10")
    factories.postpone(staff, hearing["id"], None, decided_on="2024-03-18", reason="Judge ill")
    deadline = factories.deadline(staff, appeal["id"], "2024-02-16")
    factories.event(staff, foreign["id"], "2024-01-01")  # not this matter's

    response = staff.get(f"/matters/{matter['id']}/timeline")

    assert response.status_code == 200
    timeline = response.get_json()
    assert timeline["matter"]["id"] == matter["id"]
    items = timeline["items"]
    assert [(i["type"], i["date"]) for i in items] == [
        ("proceeding", "2023-05-10"),
        ("event", "2023-06"),  # known to the month: written so
        ("postponement", "2024-01-10"),
        ("proceeding", "2024-02-01"),
        ("deadline", "2024-02-16"),
        ("postponement", "2024-03-18"),
        ("hearing", "2024-03-20"),
    ]
    dates = [i["date"] for i in items]
    assert dates == sorted(dates)
    by_type = {i["type"]: i for i in items}
    assert by_type["proceeding"]["id"] == appeal["id"]
    assert (by_type["proceeding"]["parent_id"], by_type["proceeding"]["origin_id"]) == (
        first["id"],
        foreign["id"],
    )
    assert by_type["event"]["id"] == search["id"]
    assert by_type["deadline"]["id"] == deadline["id"]
    assert by_type["hearing"]["id"] == hearing["id"]
    assert (by_type["hearing"]["status"], by_type["hearing"]["sequence"]) == ("postponed", 2)
    postponements = [i for i in items if i["type"] == "postponement"]
    assert [(p["from"], p["to"], p["sine_die"]) for p in postponements] == [
        ("2024-01-15T10:00:00+01:00", "2024-03-20T10:00:00+01:00", False),
        ("2024-03-20T10:00:00+01:00", None, True),
    ]
    assert {p["hearing_id"] for p in postponements} == {hearing["id"]}


def test_entries_of_one_day_are_in_a_natural_order(staff):
    matter = factories.matter(staff)
    made = factories.proceeding(staff, matter["id"], opened_on="2024-05-02")
    afternoon = factories.hearing(staff, made["id"], "2024-05-02T14:00")
    morning = factories.hearing(staff, made["id"], "2024-05-02T09:00")
    deadline = factories.deadline(staff, made["id"], "2024-05-02")
    event = factories.event(staff, made["id"], "2024-05-02")

    items = staff.get(f"/matters/{matter['id']}/timeline").get_json()["items"]

    assert [(i["type"], i["id"]) for i in items] == [
        ("proceeding", made["id"]),
        ("event", event["id"]),
        ("hearing", morning["id"]),
        ("hearing", afternoon["id"]),
        ("deadline", deadline["id"]),
    ]


def test_a_hearing_is_placed_on_its_local_day(staff):
    """00:30 in Brussels on 1 March is 23:30 UTC on 29 February: the court's day counts."""
    matter, made = factories.dossier(staff)
    hearing = factories.hearing(staff, made["id"], "2024-03-01T00:30")
    deadline = factories.deadline(staff, made["id"], "2024-02-29")

    items = staff.get(f"/matters/{matter['id']}/timeline").get_json()["items"]

    assert [(i["type"], i["id"], i["date"]) for i in items] == [
        ("proceeding", made["id"], None),  # opened on a day nobody knows: listed first
        ("deadline", deadline["id"], "2024-02-29"),
        ("hearing", hearing["id"], "2024-03-01"),
    ]


def test_the_timeline_holds_a_proceeding_whose_opening_date_is_unknown(staff):
    matter, undated = factories.dossier(staff)
    dated = factories.proceeding(staff, matter["id"], opened_on="2024-01-01")

    items = staff.get(f"/matters/{matter['id']}/timeline").get_json()["items"]

    assert {i["id"] for i in items if i["type"] == "proceeding"} == {undated["id"], dated["id"]}


def test_an_empty_matter_has_an_empty_timeline(staff):
    matter = factories.matter(staff)

    assert staff.get(f"/matters/{matter['id']}/timeline").get_json()["items"] == []


def busy_matter(staff, proceedings: int, hearings: int, assignees: list[str]) -> int:
    """A matter with that many proceedings, each with hearings (two of them postponed
    twice), an event and a deadline; returns its id."""
    matter = factories.matter(staff, subject="A. Client", assignees=assignees)
    for n in range(proceedings):
        made = factories.proceeding(
            staff,
            matter["id"],
            opened_on=f"2020-01-{n + 1:02d}",
            authority=f"Court {n}",
            jurisdiction="BE" if n % 2 else "ES",
        )
        factories.event(staff, made["id"], f"2021-02-{n + 1:02d}")
        factories.deadline(staff, made["id"], f"2027-01-{n + 1:02d}")
        for h in range(hearings):
            hearing = factories.hearing(staff, made["id"], f"2025-0{h + 1}-{n + 1:02d}T09:00")
            if h < 2:
                factories.postpone(staff, hearing["id"], f"2025-0{h + 4}-{n + 1:02d}T09:00")
                factories.postpone(staff, hearing["id"], f"2025-0{h + 7}-{n + 1:02d}T09:00")
    return matter["id"]


def test_the_timeline_takes_as_many_queries_for_a_big_matter_as_for_a_small_one(
    staff, lawyer, database
):
    small = busy_matter(staff, proceedings=1, hearings=1, assignees=[lawyer.email])
    big = busy_matter(staff, proceedings=10, hearings=3, assignees=[lawyer.email])

    counts = {}
    for name, matter_id in [("small", small), ("big", big)]:
        with counting_queries(database) as statements:
            response = staff.get(f"/matters/{matter_id}/timeline")
        assert response.status_code == 200
        counts[name] = len(statements)

    big_items = Counter(
        i["type"] for i in staff.get(f"/matters/{big}/timeline").get_json()["items"]
    )
    assert big_items == {
        "proceeding": 10,
        "event": 10,
        "deadline": 10,
        "hearing": 30,
        "postponement": 40,
    }
    assert counts["big"] == counts["small"], counts


def test_listing_proceedings_takes_as_many_queries_for_many_as_for_one(staff, database):
    one = factories.matter(staff)
    factories.proceeding(staff, one["id"], authority="Court")
    many = factories.matter(staff)
    for n in range(10):
        factories.proceeding(
            staff, many["id"], authority=f"Court {n}", jurisdiction="BE" if n % 2 else "ES"
        )

    counts = {}
    for name, matter_id in [("one", one["id"]), ("many", many["id"])]:
        with counting_queries(database) as statements:
            response = staff.get(f"/proceedings?matter_id={matter_id}")
        assert response.status_code == 200
        counts[name] = (len(statements), len(response.get_json()["items"]))

    assert counts["one"][1] == 1
    assert counts["many"][1] == 10
    assert counts["many"][0] == counts["one"][0], counts


def test_listing_matters_takes_as_many_queries_for_many_as_for_one(client, staff, database):
    lawyers = [factories.login(client, database, "lawyer").email for _ in range(3)]
    factories.matter(staff, subject="A. Client", assignees=lawyers[:1])
    with counting_queries(database) as statements:
        assert len(staff.get("/matters").get_json()["items"]) == 1
    one = len(statements)
    for n in range(9):
        factories.matter(staff, subject=f"Client {n}", assignees=lawyers)

    with counting_queries(database) as statements:
        assert len(staff.get("/matters").get_json()["items"]) == 10

    assert len(statements) == one


def test_reading_a_proceeding_takes_as_many_queries_for_many_hearings_as_for_one(staff, database):
    _, few = factories.dossier(staff)
    factories.postpone(staff, factories.hearing(staff, few["id"])["id"], "2026-12-02T09:00")
    _, lots = factories.dossier(staff)
    for day in range(1, 10):
        hearing = factories.hearing(staff, lots["id"], f"2026-12-{day:02d}T09:00")
        factories.postpone(staff, hearing["id"], f"2027-01-{day:02d}T09:00")

    counts = {}
    for name, made in [("few", few), ("lots", lots)]:
        with counting_queries(database) as statements:
            factories.ok(staff.get(f"/proceedings/{made['id']}"))
        counts[name] = len(statements)

    assert counts["lots"] == counts["few"], counts


# --- what a lawyer sees -------------------------------------------------------------------


@pytest.fixture
def two_matters(staff, lawyer):
    """One matter assigned to the lawyer, one not; each with a proceeding, a hearing, an
    event and a deadline."""
    made = {}
    for name, assignees in [("mine", [lawyer.email]), ("theirs", [])]:
        matter, proceeding = factories.dossier(staff, title=f"Matter {name}", assignees=assignees)
        made[name] = {
            "matter": matter["id"],
            "proceeding": proceeding["id"],
            "hearing": factories.hearing(staff, proceeding["id"], "2026-11-20T09:00")["id"],
            "event": factories.event(staff, proceeding["id"])["id"],
            "deadline": factories.deadline(staff, proceeding["id"])["id"],
        }
    return made


def test_a_lawyer_lists_only_the_assigned_matters_and_their_proceedings(lawyer, two_matters):
    mine, theirs = two_matters["mine"], two_matters["theirs"]

    matters = lawyer.get("/matters").get_json()["items"]
    proceedings = lawyer.get("/proceedings").get_json()["items"]
    filtered = lawyer.get(f"/proceedings?matter_id={theirs['matter']}").get_json()["items"]

    assert [m["id"] for m in matters] == [mine["matter"]]
    assert [p["id"] for p in proceedings] == [mine["proceeding"]]
    assert filtered == []


def test_other_roles_see_every_matter(client, database, two_matters):
    coordinator = factories.login(client, database, "coordinator")

    assert len(coordinator.get("/matters").get_json()["items"]) == 2
    assert len(coordinator.get("/proceedings").get_json()["items"]) == 2


LAWYER_REQUESTS = [
    ("GET", "/matters/{matter}", None),
    ("PATCH", "/matters/{matter}", {"version": 1, "title": "Mine now"}),
    ("GET", "/matters/{matter}/timeline", None),
    ("GET", "/proceedings/{proceeding}", None),
    ("PATCH", "/proceedings/{proceeding}", {"version": 1, "title": "Renamed"}),
    ("POST", "/proceedings/{proceeding}/hearings", {"starts_at": "2027-01-05T09:00"}),
    ("POST", "/proceedings/{proceeding}/events", {"kind": "filing", "occurred_on": "2026-11-01"}),
    ("POST", "/proceedings/{proceeding}/deadlines", {"title": "Reply", "due_on": "2027-01-05"}),
    ("GET", "/hearings/{hearing}", None),
    ("PATCH", "/hearings/{hearing}", {"version": 1, "location": "Room 2"}),
    ("POST", "/hearings/{hearing}/postpone", {"to": "2027-01-05T09:00"}),
    ("POST", "/hearings/{hearing}/outcome", {"result": "held"}),
    ("GET", "/events/{event}", None),
    ("PATCH", "/events/{event}", {"version": 1, "summary": "Seen"}),
    ("GET", "/deadlines/{deadline}", None),
    ("PATCH", "/deadlines/{deadline}", {"version": 1, "status": "done"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), LAWYER_REQUESTS, ids=[f"{m} {p}" for m, p, _ in LAWYER_REQUESTS]
)
def test_a_lawyer_gets_404_for_an_unassigned_matter_and_200_for_an_assigned_one(
    lawyer, database, two_matters, method, path, body
):
    with nothing_written(database):
        refused = lawyer.request(method, path.format(**two_matters["theirs"]), json=body)
    audited = len(factories.audit_entries(database))
    allowed = lawyer.request(method, path.format(**two_matters["mine"]), json=body)

    assert_error(refused, 404, "not_found")
    assert allowed.status_code in (200, 201), allowed.get_json()
    # every successful write is audited, in the name of the token's user
    new_entries = factories.audit_entries(database)[audited:]
    if method == "GET":
        assert new_entries == []
    else:
        assert new_entries
        assert {e["actor"] for e in new_entries} == {"lawyer@example.org"}
        assert {e["matter_id"] for e in new_entries} == {two_matters["mine"]["matter"]}
        assert all(e["after"] for e in new_entries)


def test_a_lawyer_cannot_file_into_an_unassigned_matter(lawyer, database, two_matters):
    with nothing_written(database):
        response = lawyer.post(
            "/proceedings",
            {
                "matter_id": two_matters["theirs"]["matter"],
                "jurisdiction": "BE",
                "kind": "complaint",
                "title": "Complaint",
                "client_role": "complainant",
            },
        )

    assert_error(response, 404, "not_found")


def test_a_lawyer_cannot_link_to_a_proceeding_of_an_unassigned_matter(
    lawyer, database, two_matters
):
    """An origin may be in another matter, but not in one the lawyer may not see."""
    mine, theirs = two_matters["mine"], two_matters["theirs"]

    with nothing_written(database):
        response = lawyer.post(
            "/proceedings",
            {
                "matter_id": mine["matter"],
                "jurisdiction": "BE",
                "kind": "mla_request",
                "title": "MLA request",
                "client_role": "targeted_person",
                "origin_id": theirs["proceeding"],
            },
        )

    error = assert_error(response, 422, "invalid", "origin_id")
    assert str(theirs["proceeding"]) in error["message"]
    assert "another matter" not in error["message"]


def test_an_unassigned_lawyer_loses_sight_of_the_matter(staff, lawyer, two_matters):
    mine = two_matters["mine"]
    assert lawyer.get(f"/matters/{mine['matter']}").status_code == 200

    factories.ok(staff.patch(f"/matters/{mine['matter']}", {"version": 1, "assignees": []}))

    assert_error(lawyer.get(f"/matters/{mine['matter']}"), 404, "not_found")
    assert lawyer.get("/matters").get_json()["items"] == []
