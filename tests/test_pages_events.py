"""The event pages: correcting an event (a new date is saved once the page has listed the
deadlines it moves), withdrawing one, dates in the future refused; and the warning of a
possible duplicate client when a matter is opened.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa
from factories import nothing_written
from pages import sign_in, text

from tracker.models import Deadline, Event, Matter


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.appeal_rule(database)
    return factories.login(client, database, "admin", "maker@example.org")


@pytest.fixture
def judged(admin) -> tuple[dict, dict, dict]:
    """A proceeding with a judgment of Mon 2 Nov and its appeal deadline (Tue 17 Nov)."""
    _, made = factories.dossier(admin)
    event = factories.event(admin, made["id"], "2026-11-02", kind="judgment", summary="Convicted")
    deadline = factories.created(
        admin.post(
            f"/proceedings/{made['id']}/deadlines",
            {"rule": "BE_TEST_APPEAL", "trigger_event_id": event["id"], "title": "Appeal"},
        )
    )
    return made, event, deadline


def due_on(database, deadline_id: int) -> dt.date:
    with database.unit_of_work() as session:
        return session.get(Deadline, deadline_id).due_on


EDIT = {"version": "1", "kind": "judgment", "summary": "Convicted", "source": ""}


# --- correcting an event ------------------------------------------------------------------


def test_the_proceeding_page_links_each_event_to_its_edit_and_withdraw_pages(
    client, database, judged
):
    made, event, _ = judged
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/proceedings/{made['id']}"))

    assert f'href="/events/{event["id"]}/edit"' in page
    assert f'href="/events/{event["id"]}/withdraw"' in page


def test_a_new_date_lists_the_deadlines_it_moves_and_saves_once_confirmed(client, database, judged):
    made, event, deadline = judged
    browser = sign_in(client, database, "staff")
    form = text(browser.get(f"/events/{event['id']}/edit"))
    assert 'value="2026-11-02"' in form

    with nothing_written(database):
        preview = browser.post(f"/events/{event['id']}/edit", EDIT | {"occurred_on": "2026-11-04"})

    assert preview.status_code == 200
    page = text(preview)
    assert "This new date moves 1 computed deadline" in page
    row = page[page.index('<table class="moves">') :]
    assert "Appeal" in row
    assert "Tue 17 Nov 2026" in row
    assert "Thu 19 Nov 2026" in row
    assert 'name="confirm" type="hidden" value="2026-11-04/"' in page

    saved = browser.post(
        f"/events/{event['id']}/edit",
        EDIT | {"occurred_on": "2026-11-04", "confirm": "2026-11-04/"},
    )

    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/proceedings/{made['id']}#event-{event['id']}"
    assert due_on(database, deadline["id"]) == dt.date(2026, 11, 19)


def test_a_confirmation_is_for_the_date_previewed(client, database, judged):
    _, event, deadline = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/edit")

    with nothing_written(database):
        response = browser.post(
            f"/events/{event['id']}/edit",
            EDIT | {"occurred_on": "2026-11-05", "confirm": "2026-11-04/"},
        )

    assert response.status_code == 200
    assert "Fri 20 Nov 2026" in text(response)
    assert due_on(database, deadline["id"]) == dt.date(2026, 11, 17)


def test_a_change_that_moves_no_deadline_is_saved_at_once(client, database, judged):
    _, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/edit")

    response = browser.post(
        f"/events/{event['id']}/edit",
        EDIT | {"occurred_on": "2026-11-02", "summary": "Convicted in absentia"},
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        assert session.get(Event, event["id"]).summary == "Convicted in absentia"
    [entry] = [e for e in factories.audit_entries(database, "events") if e["action"] == "update"]
    assert entry["after"] == {"summary": "Convicted in absentia"}


def test_a_stale_event_form_shows_the_conflict(client, database, judged):
    _, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/edit")

    with nothing_written(database):
        response = browser.post(
            f"/events/{event['id']}/edit", EDIT | {"version": "7", "occurred_on": "2026-11-02"}
        )

    assert response.status_code == 409
    assert "Someone else changed this event" in text(response)


# --- events in the future -----------------------------------------------------------------


def test_a_future_event_is_refused_next_to_its_date_on_the_new_event_form(client, database, admin):
    _, made = factories.dossier(admin)
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{made['id']}/events/new")

    with nothing_written(database):
        response = browser.post(
            f"/proceedings/{made['id']}/events/new",
            {"kind": "judgment", "occurred_on": "2031-01-01"},
        )

    assert response.status_code == 422
    page = text(response)
    help_text = page[page.index('id="occurred_on-help"') :][:600]
    assert "2031-01-01 is in the future — an event is something that happened" in help_text


def test_a_future_event_is_refused_next_to_its_date_on_the_edit_form(client, database, judged):
    _, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/edit")

    with nothing_written(database):
        response = browser.post(f"/events/{event['id']}/edit", EDIT | {"occurred_on": "2026-12"})

    assert response.status_code == 422
    page = text(response)
    assert "2026-12 is in the future" in page[page.index('id="occurred_on-help"') :][:600]


# --- withdrawing an event -----------------------------------------------------------------


def test_an_event_is_withdrawn_after_the_page_lists_the_deadlines_waived(client, database, judged):
    made, event, deadline = judged
    browser = sign_in(client, database, "staff", name="Sam Staff")

    confirm = text(browser.get(f"/events/{event['id']}/withdraw"))
    assert "1 open deadline counted from it will be waived" in confirm
    assert "Appeal" in confirm[confirm.index('<table class="moves">') :]

    response = browser.post(
        f"/events/{event['id']}/withdraw", {"version": "1", "reason": "Wrong case"}
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        row = session.get(Event, event["id"])
        assert (row.withdrawn_at is not None, row.withdrawal_reason) == (True, "Wrong case")
        assert session.get(Deadline, deadline["id"]).status.value == "waived"
    page = text(browser.get(f"/proceedings/{made['id']}"))
    withdrawn = page[page.index("Withdrawn events") :]
    assert "<del>" in withdrawn
    assert "withdrawn by Sam Staff on Sun 22 Nov 2026: Wrong case" in withdrawn
    assert f'href="/events/{event["id"]}/edit"' not in page


def test_a_withdrawal_needs_a_reason(client, database, judged):
    _, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/withdraw")

    with nothing_written(database):
        response = browser.post(f"/events/{event['id']}/withdraw", {"version": "1", "reason": ""})

    assert response.status_code == 422
    assert "This field is required." in text(response)


def test_a_withdrawn_event_cannot_be_edited(client, database, judged):
    _, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/withdraw")
    browser.post(f"/events/{event['id']}/withdraw", {"version": "1", "reason": "Wrong case"})

    page = browser.get(f"/events/{event['id']}/edit")

    assert page.status_code == 409
    assert "This event was withdrawn" in text(page)
    assert "<form" not in text(page)[text(page).index("<h1>") :]


def test_the_matter_chronology_leaves_a_withdrawn_event_out(client, database, judged):
    made, event, _ = judged
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/withdraw")
    browser.post(f"/events/{event['id']}/withdraw", {"version": "1", "reason": "Wrong case"})

    page = text(browser.get(f"/matters/{made['matter_id']}"))

    assert f"#event-{event['id']}" not in page


# --- a possible duplicate client ----------------------------------------------------------


def test_a_matter_for_a_client_who_has_one_asks_to_confirm(client, database, admin):
    first = factories.matter(admin, "Extradition of José García", subject="José García")
    browser = sign_in(client, database, "staff")
    browser.get("/matters/new")
    sent = {"title": "Asylum of J. Garcia", "subject": " jose  garcia", "summary": ""}

    with nothing_written(database):
        warned = browser.post("/matters/new", sent)

    assert warned.status_code == 200
    page = text(warned)
    assert "A matter for José García already exists:" in page
    assert f'<a href="/matters/{first["id"]}">Extradition of José García</a>' in page
    assert "Open a new matter anyway" in page

    response = browser.post("/matters/new", sent | {"confirm_duplicate": "y"})

    assert response.status_code == 302
    with database.unit_of_work() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Matter)) == 2


def test_a_matter_for_a_new_client_is_opened_without_a_question(client, database, admin):
    factories.matter(admin, "Extradition of José García", subject="José García")
    browser = sign_in(client, database, "staff")
    browser.get("/matters/new")

    response = browser.post("/matters/new", {"title": "Other", "subject": "Maria Garcia"})

    assert response.status_code == 302


def test_a_precision_alone_keeps_the_date_known_less_precisely(client, database, admin):
    _, made = factories.dossier(admin)
    event = factories.event(admin, made["id"], "2026-10-14", kind="arrest")
    browser = sign_in(client, database, "staff")
    browser.get(f"/events/{event['id']}/edit")

    response = browser.post(
        f"/events/{event['id']}/edit",
        EDIT | {"kind": "arrest", "occurred_on": "2026-10-14", "precision": "month"},
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        row = session.get(Event, event["id"])
        assert (row.occurred_on, row.precision.value) == (dt.date(2026, 10, 1), "month")


def test_a_lawyer_is_refused_the_new_matter_form_before_any_duplicate_is_named(
    client, database, admin
):
    factories.matter(admin, "Extradition of José García", subject="José García")
    browser = sign_in(client, database, "lawyer")

    with nothing_written(database):
        response = browser.post("/matters/new", {"title": "X", "subject": "José García"})

    assert response.status_code == 403
    assert "already exists" not in text(response)
