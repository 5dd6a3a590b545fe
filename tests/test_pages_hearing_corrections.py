"""The hearing pages' corrections: a postponement corrected or withdrawn (shown with what
it moves before it is saved), a hearing's details corrected, the "Adjourned" badge."""

from __future__ import annotations

import re

import factories
import pytest
from factories import audit_entries, nothing_written
from pages import sign_in, text


@pytest.fixture
def admin(client, database):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin, frozen_now):
    return factories.dossier(admin)[1]


@pytest.fixture
def browser(client, database, admin):
    return sign_in(client, database, "staff")


def moved_twice(admin, proceeding) -> dict:
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T09:00")
    factories.postpone(admin, hearing["id"], "2027-01-12T09:00", reason="Interpreter absent")
    return factories.postpone(admin, hearing["id"], "2027-02-02T09:00", reason="Typed twice")


def plain(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(page)))


def test_a_withdrawal_shows_what_it_moves_then_is_saved_and_struck_through(
    browser, admin, proceeding, database
):
    hearing = moved_twice(admin, proceeding)
    second = hearing["postponements"][1]["id"]
    assert "moved 2 times" in plain(browser.get(f"/hearings/{hearing['id']}"))
    browser.get(f"/postponements/{second}/withdraw")
    body = {"version": str(hearing["version"]), "reason": "Recorded twice by mistake"}

    with nothing_written(database):
        preview = browser.post(f"/postponements/{second}/withdraw", body)
    saved = browser.post(f"/postponements/{second}/withdraw", body | {"confirmed": "1"})

    said = plain(preview)
    assert preview.status_code == 200
    assert "moved 2 times → moved 1 time" in said
    assert "63 days → 42 days" in said
    assert "Tue 2 Feb 2027" in said
    assert "Tue 12 Jan 2027" in said
    assert saved.status_code == 302
    page = plain(browser.get(f"/hearings/{hearing['id']}"))
    assert "moved 1 time," in page
    assert "Withdrawn by" in page
    assert "Recorded twice by mistake" in page
    assert f'<tr id="move-{second}" class="withdrawn">' in text(
        browser.get(f"/hearings/{hearing['id']}")
    )
    assert audit_entries(database, "hearings")[-1]["action"] == "withdraw_postponement"


def test_a_stale_withdrawal_is_refused_with_409(browser, admin, proceeding, database):
    hearing = moved_twice(admin, proceeding)
    second = hearing["postponements"][1]["id"]
    browser.get(f"/postponements/{second}/withdraw")

    with nothing_written(database):
        page = browser.post(
            f"/postponements/{second}/withdraw",
            {"version": "1", "reason": "Mistake", "confirmed": "1"},
        )

    assert page.status_code == 409
    assert "Someone else changed this hearing" in text(page)


def test_a_correction_decided_in_the_future_is_refused_in_words(
    browser, admin, proceeding, database
):
    hearing = moved_twice(admin, proceeding)
    second = hearing["postponements"][1]["id"]
    browser.get(f"/postponements/{second}/correct")

    with nothing_written(database):
        page = browser.post(
            f"/postponements/{second}/correct",
            {
                "version": str(hearing["version"]),
                "new_date": "2027-02-02",
                "new_time": "09:00",
                "decided_on": "2027-06-01",
            },
        )

    assert page.status_code == 422
    assert "2027-06-01 is in the future; a postponement is recorded once decided" in text(page)


def test_correcting_the_latest_moves_date_moves_the_hearing(browser, admin, proceeding):
    hearing = moved_twice(admin, proceeding)
    second = hearing["postponements"][1]["id"]
    browser.get(f"/postponements/{second}/correct")
    body = {"version": str(hearing["version"]), "new_date": "2027-02-03", "new_time": "10:00"}

    preview = plain(browser.post(f"/postponements/{second}/correct", body))
    saved = browser.post(f"/postponements/{second}/correct", body | {"confirmed": "1"})

    assert "63 days" in preview
    assert "Wed 3 Feb 2027" in preview
    assert saved.status_code == 302
    assert factories.ok(admin.get(f"/hearings/{hearing['id']}"))["starts_at"] == (
        "2027-02-03T10:00:00+01:00"
    )


def test_a_hearings_details_are_corrected_on_the_web_without_a_postponement(
    browser, admin, proceeding, database
):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T09:00", location="Salle 1")
    form = browser.get(f"/hearings/{hearing['id']}/edit")
    assert "A correction is not a postponement." in text(form)

    saved = browser.post(
        f"/hearings/{hearing['id']}/edit",
        {
            "version": "1",
            "title": "Hearing",
            "day": "2026-12-01",
            "time": "09:30",
            "timezone": "Europe/Brussels",
            "location": "Salle 2",
        },
    )

    assert saved.status_code == 302
    after = factories.ok(admin.get(f"/hearings/{hearing['id']}"))
    assert (after["location"], after["starts_at"]) == ("Salle 2", "2026-12-01T09:30:00+01:00")
    assert (after["postponements"], after["sequence"]) == ([], 1)
    entry = audit_entries(database, "hearings")[-1]
    assert (entry["action"], entry["after"]["location"]) == ("update", "Salle 2")


def test_an_adjourned_hearing_is_not_shown_as_held(browser, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-11-20T09:00")
    factories.ok(admin.post(f"/hearings/{hearing['id']}/outcome", {"result": "adjourned"}))

    page = text(browser.get(f"/hearings/{hearing['id']}"))
    listed = text(browser.get(f"/proceedings/{proceeding['id']}"))

    assert '<span class="badge postponed">Adjourned</span>' in page
    assert '<span class="badge held">' not in page
    assert '<span class="badge postponed">Adjourned</span>' in listed


def test_the_ledger_says_brought_forward_and_after_the_fact(browser, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-11-20T09:00")
    factories.postpone(admin, hearing["id"], "2026-11-18T09:00")

    page = plain(browser.get(f"/hearings/{hearing['id']}"))

    assert "brought forward" in page
    assert "recorded after the fact" in page
    assert "moved 1 time" not in page  # brought forward: no postponement
