"""The audit log page: who changed what, filters, pages, the diff in words.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from factories import nothing_written
from pages import sign_in, text

from tracker.audit import views
from tracker.models import AuditEntry


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin", "boss@example.org")


def listed(page) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="entry-(\d+)">', text(page))]


def entry_row(page, entry_id: int) -> str:
    return re.search(
        rf'<tr id="entry-{entry_id}">(.*?)</tr>\s*(?=<tr id|</tbody>)', text(page), re.S
    ).group(1)


def entry_ids(database, **where) -> list[int]:
    """The ids of the entries (newest first) whose fields have these values."""
    query = sa.select(AuditEntry.id).order_by(AuditEntry.id.desc())
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    with database.sessionmaker() as session:
        return list(session.scalars(query))


# --- who ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "lawyer"])
def test_staff_and_lawyers_may_not_read_the_log(client, database, frozen_now, role):
    browser = sign_in(client, database, role)

    response = browser.get("/audit")

    assert response.status_code == 403
    assert "may not read the audit log" in text(response)


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admins_and_coordinators_read_the_whole_log_newest_first(client, database, admin, role):
    factories.dossier(admin, title="Dossier A.")
    browser = sign_in(client, database, role)

    page = browser.get("/audit")

    assert page.status_code == 200
    assert listed(page) == entry_ids(database)
    assert "Not a valid" not in text(page)  # no filter is no error


def test_a_get_writes_nothing(client, database, admin):
    factories.dossier(admin)
    browser = sign_in(client, database, "admin")
    browser.get("/account")

    with nothing_written(database):
        assert browser.get("/audit?matter=1").status_code == 200


# --- rows ---------------------------------------------------------------------------------


def test_an_entry_shows_when_who_what_with_links_and_the_change(client, database, admin):
    matter, proceeding = factories.dossier(admin, title="Dossier A.")
    factories.ok(
        admin.patch(
            f"/proceedings/{proceeding['id']}",
            {"status": "suspended", "version": proceeding["version"]},
        )
    )
    (update,) = entry_ids(database, action="update", entity="proceedings")
    browser = sign_in(client, database, "coordinator", timezone="Europe/Brussels")

    row = entry_row(browser.get("/audit"), update)

    assert "Sun 22 Nov 2026 10:00 CET" in row  # in the reader's zone
    assert "boss@example.org" in row
    assert f'<a href="/proceedings/{proceeding["id"]}">Proceeding {proceeding["id"]}</a>' in row
    assert f'<a href="/matters/{matter["id"]}">Dossier A.</a>' in row
    assert '<th scope="row">Status</th>' in row
    assert "<del>pending</del> → <ins>suspended</ins>" in row


def test_a_created_record_lists_its_fields(client, database, admin):
    matter = factories.matter(admin, "Dossier B.")
    (create,) = entry_ids(database, action="create", entity="matters")
    browser = sign_in(client, database, "admin")

    row = entry_row(browser.get("/audit"), create)

    assert "<ins>Dossier B.</ins>" in row
    assert "<del>" not in row
    assert f'href="/matters/{matter["id"]}"' in row


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        (True, "yes"),
        (["a@example.org", "b@example.org"], "a@example.org, b@example.org"),
        ({"digest": True}, '{"digest": true}'),
        ("2026-11-22", "Sun 22 Nov 2026"),
        ("2026-11-22T09:00:00+00:00", "Sun 22 Nov 2026 09:00 UTC"),
        ("2026-11-22 and more", "2026-11-22 and more"),
        (12, "12"),
    ],
)
def test_values_read_as_words(app, value, shown):
    with app.test_request_context():
        assert views.readable(value) == shown


def test_records_without_a_page_are_not_links():
    assert views.page_of("events", 3) is None
    assert views.page_of("hearings", 3) == "/hearings/3"


def test_records_are_named_in_the_singular():
    assert [views.record_name(e) for e in ("delay_flags", "authorities", "users")] == [
        "Delay flag",
        "Authority",
        "User",
    ]


def test_bookkeeping_fields_are_left_out_of_the_change():
    shown = views.changes(None, {"id": 3, "version": 1, "title": "A", "updated_at": "x"})

    assert shown == [("Title", None, "A")]


# --- filters ------------------------------------------------------------------------------


def test_filter_by_matter_id_or_title(client, database, admin):
    one, _p = factories.dossier(admin, title="Extradition of A.")
    two, _q = factories.dossier(admin, title="Civil case of B.")
    browser = sign_in(client, database, "admin")

    by_id = listed(browser.get(f"/audit?matter={one['id']}"))
    by_title = listed(browser.get("/audit?matter=civil+CASE"))

    assert by_id == entry_ids(database, matter_id=one["id"])
    assert by_id
    assert by_title == entry_ids(database, matter_id=two["id"])


@pytest.mark.parametrize("typed", ["²", "99999999999999999999"])
def test_a_matter_filter_of_digits_that_are_no_id_finds_nothing(client, database, admin, typed):
    factories.dossier(admin, title="Extradition of A.")
    browser = sign_in(client, database, "admin")

    response = browser.get("/audit", query_string={"matter": typed})

    assert response.status_code == 200
    assert listed(response) == []


def test_filter_by_user_kind_and_action(client, database, admin):
    other = factories.login(client, database, "staff", "clerk@example.org")
    _m, made = factories.dossier(admin)
    factories.event(other, made["id"])
    browser = sign_in(client, database, "admin")
    page = text(browser.get("/audit"))
    assert f'<option value="{other.user_id}">clerk@example.org</option>' in page

    by_clerk = listed(browser.get(f"/audit?actor={other.user_id}"))
    events = listed(browser.get("/audit?entity=events"))
    creates = listed(browser.get("/audit?action=create&entity=matters"))

    assert by_clerk == entry_ids(database, actor_id=other.user_id)
    assert by_clerk
    assert events == entry_ids(database, entity="events")
    assert creates == entry_ids(database, entity="matters", action="create")


def test_a_bad_filter_value_is_named(client, database, admin):
    browser = sign_in(client, database, "admin")

    page = browser.get("/audit?actor=999999&entity=nope")

    assert page.status_code == 200
    assert text(page).count("Not a valid choice") == 2


def test_pages_go_back_in_time(client, database, admin, monkeypatch):
    from tracker.audit import operations

    monkeypatch.setattr(operations, "PAGE_SIZE", 3)
    for n in range(3):
        factories.matter(admin, f"Matter {n}")
    everything = entry_ids(database)
    browser = sign_in(client, database, "admin")

    seen, path = [], "/audit"
    while path:
        page = browser.get(path)
        seen += listed(page)
        found = re.search(r'href="([^"]+)" rel="next"', text(page))
        path = found.group(1).replace("&amp;", "&") if found else None

    assert seen == everything
    assert len(everything) > 3


# --- speed --------------------------------------------------------------------------------


def test_the_log_runs_as_many_queries_for_many_entries_as_for_one(client, database, admin, queries):
    browser = sign_in(client, database, "admin")
    factories.matter(admin, "One")
    queries.clear()
    assert browser.get("/audit").status_code == 200
    few = len(queries)
    for n in range(5):
        _m, made = factories.dossier(admin, title=f"Matter {n}")
        factories.hearing(admin, made["id"])

    queries.clear()
    page = browser.get("/audit")

    assert len(listed(page)) > 10
    assert len(queries) == few


# --- sign-ins and accounts -----------------------------------------------------------------


def attempts(database, *entries) -> None:
    """Write entries about attempts (action, entity, entity_id, after), as sign-ins do."""
    from tracker.audit import operations
    from tracker.core import clock
    from tracker.core.actors import SystemActor

    with database.unit_of_work() as session:
        for action, entity, entity_id, after in entries:
            operations.record_attempt(
                session,
                SystemActor("anonymous"),
                clock.now(),
                action,
                entity,
                entity_id,
                after=after,
            )


def test_a_failed_sign_in_of_an_unknown_email_reads_well(client, database, frozen_now):
    attempts(
        database,
        ("sign_in_failed", "users", None, {"email": "who@example.org", "address": "203.0.113.9",
                                           "reason": "password"}),
    )  # fmt: skip
    (entry,) = entry_ids(database, action="sign_in_failed")
    browser = sign_in(client, database, "admin")

    row = entry_row(browser.get("/audit"), entry)

    assert '<span class="badge failed">Sign in failed</span>' in row
    assert 'User <span class="muted">(none)</span>' in row
    assert "None" not in row
    assert '<th scope="row">Email</th>' in row
    assert "<ins>who@example.org</ins>" in row
    assert "<ins>203.0.113.9</ins>" in row


def test_the_actions_of_accounts_read_as_words(client, database, frozen_now):
    attempts(
        database,
        ("sign_in", "users", 4, {"email": "a@example.org", "proof": "password+totp"}),
        ("second_factor_failed", "users", 4, {"method": "totp"}),
        ("sessions_ended", "users", 4, {"sessions": 2, "by": "admin"}),
        ("factor_enrolled", "second_factors", 9, {"kind": "webauthn", "name": "Blue key"}),
        ("revoke", "api_tokens", 3, {"user": "a@example.org", "name": "laptop"}),
    )
    browser = sign_in(client, database, "admin")

    page = text(browser.get("/audit"))

    assert "<td>Sign in</td>" in page
    assert '<span class="badge failed">Second factor failed</span>' in page
    assert "<td>Sessions ended</td>" in page
    assert "<td>Factor enrolled</td>" in page
    assert "Second factor 9" in page
    assert "API token 3" in page
    assert "<ins>password+totp</ins>" in page


def test_the_action_filter_offers_the_actions_of_accounts(client, database, frozen_now):
    attempts(
        database,
        ("sign_in", "users", 4, {}),
        ("sign_out", "users", 4, {}),
        ("sign_in", "users", 5, {}),
    )
    browser = sign_in(client, database, "admin")

    page = text(browser.get("/audit"))
    sign_ins = listed(browser.get("/audit?action=sign_in"))

    for action, words in [
        ("sign_in_failed", "Sign in failed"),
        ("factor_removed", "Factor removed"),
        ("recovery_code_used", "Recovery code used"),
        ("revoke", "Revoke"),
    ]:
        assert f'<option value="{action}">{words}</option>' in page
    assert sign_ins == entry_ids(database, action="sign_in")
    assert len(sign_ins) == 2


def test_an_action_the_filter_does_not_list_still_filters(client, database, frozen_now):
    attempts(database, ("sign_in", "users", 4, {}), ("frobnicate", "users", 4, {}))
    browser = sign_in(client, database, "admin")

    page = browser.get("/audit?action=frobnicate")

    assert listed(page) == entry_ids(database, action="frobnicate")
    assert '<option selected value="frobnicate">Frobnicate</option>' in text(page)
