"""The flags page: open flags, filters, and acknowledging one with a note.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import html
import re

import factories
import pytest
from factories import audit_entries, nothing_written
from pages import sign_in, text

from tracker.core import clock
from tracker.delays import scan
from tracker.delays.models import DelayFlag, Severity
from tracker.delays.rules import Thresholds


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin):
    _matter, made = factories.dossier(admin, title="Dossier A.")
    return made


def flag(database, proceeding_id: int, rule: str = "long_pending", **fields) -> int:
    """Store a delay flag as a scan would."""
    values = {
        "key": f"{rule}:proceeding:{proceeding_id}:{fields.get('hearing_id')}",
        "rule": rule,
        "severity": Severity.warning,
        "proceeding_id": proceeding_id,
        "message": f"{rule} message",
        "first_seen": clock.today(),
        "last_seen": clock.today(),
    } | fields
    with database.unit_of_work() as session:
        row = DelayFlag(**values)
        session.add(row)
        session.flush()
        return row.id


def flag_row(database, flag_id: int) -> DelayFlag:
    with database.sessionmaker() as session:
        row = session.get(DelayFlag, flag_id)
        session.expunge(row)
        return row


def listed(page) -> list[str]:
    """The ids of the flags listed on the page, in order."""
    return re.findall(r'<tr id="flag-(\d+)">', text(page))


def acknowledge(browser, flag_id: int, note: str = "Complaint filed", **data):
    browser.get("/flags")
    version = flag_row_version(browser, flag_id)
    return browser.post(f"/flags/{flag_id}/acknowledge", {"note": note, "version": version} | data)


def flag_row_version(browser, flag_id: int) -> str:
    page = text(browser.get(f"/flags/{flag_id}"))
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


# --- the list -----------------------------------------------------------------------------


def test_the_open_flags_critical_first_with_their_subject(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T10:00", title="Appeal")
    warning = flag(database, proceeding["id"])
    critical = flag(
        database,
        proceeding["id"],
        "repeated_postponement",
        severity=Severity.critical,
        hearing_id=hearing["id"],
        message="Postponed 3 times",
    )
    resolved = flag(database, proceeding["id"], "stale_proceeding", resolved_at=clock.now())
    browser = sign_in(client, database, "staff")

    page = browser.get("/flags")

    assert page.status_code == 200
    assert listed(page) == [str(critical), str(warning)]
    assert "Not a valid" not in text(page)  # no filter is no error
    assert str(resolved) not in listed(page)
    body = text(page)
    assert '<span class="badge critical">Critical</span>' in body
    assert f'<a href="/hearings/{hearing["id"]}">Appeal</a>' in body
    assert f'href="/proceedings/{proceeding["id"]}"' in body
    assert f'href="/matters/{proceeding["matter_id"]}"' in body
    assert "Sun 22 Nov 2026" in body  # first seen


def test_flags_stored_by_the_scan_are_listed(client, database, admin, proceeding):
    factories.deadline(admin, proceeding["id"], "2026-11-25", title="Reply")
    with database.unit_of_work() as session:
        scan.run(session, clock.now(), clock.today(), Thresholds())
    browser = sign_in(client, database, "coordinator")

    body = text(browser.get("/flags"))

    assert "Deadline near" in body


def test_each_page_says_when_the_delay_began_and_how_long_it_has_lasted(
    client, database, admin, proceeding
):
    # a deadline due on 10 Nov was missed from 11 Nov: 11 days by Sunday 22 Nov
    deadline = factories.deadline(admin, proceeding["id"], "2026-11-10", title="Reply")
    with database.unit_of_work() as session:
        scan.run(session, clock.now(), clock.today(), Thresholds())
    browser = sign_in(client, database, "coordinator")
    flag_id = int(listed(browser.get("/flags"))[0])
    since = "since Wed 11 Nov 2026 (11 days)"

    assert since in text(browser.get("/flags"))
    assert since in text(browser.get(f"/flags/{flag_id}"))
    assert since in text(browser.get(f"/proceedings/{proceeding['id']}"))
    assert since in text(browser.get("/"))
    assert flag_row(database, flag_id).deadline_id == deadline["id"]


def test_a_write_shows_its_flag_at_once_and_its_undoing_clears_it(
    client, database, admin, proceeding
):
    # no scan runs: the write (here through the API) re-scans its proceeding as it commits
    deadline = factories.deadline(admin, proceeding["id"], "2026-11-25", title="Reply")
    browser = sign_in(client, database, "coordinator")

    assert "Reply" in text(browser.get("/flags"))
    assert "Reply" in text(browser.get("/"))

    # a page write: the deadline marked done on its page, its flag goes at once
    browser.post(f"/deadlines/{deadline['id']}/status", {"mark-status": "done", "mark-version": 1})
    assert "Reply" not in text(browser.get("/flags"))
    assert "No open delay flags" in text(browser.get("/"))


def test_filter_by_rule_country_and_acknowledgement(client, database, admin, proceeding):
    matter = factories.matter(admin, "In France")
    french = factories.proceeding(admin, matter["id"], jurisdiction="FR")
    long_be = flag(database, proceeding["id"])
    stale_be = flag(database, proceeding["id"], "stale_proceeding")
    long_fr = flag(database, french["id"], acknowledged_at=clock.now(), acknowledgement="Seen to")
    browser = sign_in(client, database, "staff")

    assert listed(browser.get("/flags?rule=long_pending")) == [str(long_be), str(long_fr)]
    assert listed(browser.get("/flags?country=FR")) == [str(long_fr)]
    assert listed(browser.get("/flags?rule=long_pending&country=BE")) == [str(long_be)]
    assert listed(browser.get("/flags?acknowledged=yes")) == [str(long_fr)]
    assert listed(browser.get("/flags?acknowledged=no")) == [str(long_be), str(stale_be)]


def test_an_authority_overdue_is_listed_and_filtered(client, database, admin, proceeding):
    # a State's reply expected by 1 Nov (set by hand): the write's scan stores the flag
    factories.deadline(
        admin,
        proceeding["id"],
        "2026-11-01",
        title="State reply to the Committee",
        owed_by="authority",
        met_by=["state_reply"],
    )
    other = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")

    page = browser.get("/flags?rule=authority_overdue")
    everything = listed(browser.get("/flags"))

    body = text(page)
    assert len(listed(page)) == 1
    assert set(listed(page)) < set(everything)
    assert str(other) in everything
    assert '<option selected value="authority_overdue">Authority overdue</option>' in body
    assert (
        "The authority's “State reply to the Committee” was expected by 1 Nov 2026; "
        "no state reply recorded"
    ) in html.unescape(body)


def test_an_unknown_filter_value_is_named_and_ignored(client, database, admin, proceeding):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")

    page = browser.get("/flags?rule=no_such_rule")

    assert page.status_code == 200
    assert "Not a valid choice" in text(page)
    assert listed(page) == [str(made)]


def test_the_list_is_paginated(client, database, admin, proceeding, monkeypatch):
    from tracker.delays import operations

    monkeypatch.setattr(operations, "PAGE_SIZE", 2)
    made = [flag(database, proceeding["id"], rule) for rule in ("a", "b", "c")]
    browser = sign_in(client, database, "staff")

    first, second = browser.get("/flags"), browser.get("/flags?page=2")

    assert listed(first) == [str(made[0]), str(made[1])]
    assert "page 1 of 2" in text(first)
    assert 'href="/flags?page=2"' in text(first)
    assert listed(second) == [str(made[2])]


def test_a_lawyer_sees_only_the_flags_of_their_matters(client, database, admin):
    lawyer = sign_in(client, database, "lawyer")
    _mine, mine = factories.dossier(admin, assignees=[lawyer.user.email])
    _other, other = factories.dossier(admin)
    my_flag, other_flag = flag(database, mine["id"]), flag(database, other["id"])

    assert listed(lawyer.get("/flags")) == [str(my_flag)]
    assert lawyer.get(f"/flags/{other_flag}").status_code == 404
    assert lawyer.get(f"/flags/{my_flag}").status_code == 200


def test_an_unknown_flag_is_404(client, database, frozen_now):
    browser = sign_in(client, database, "staff")

    assert browser.get("/flags/999").status_code == 404
    assert browser.get("/flags/99999999999").status_code == 404


# --- acknowledging ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff"])
def test_acknowledge_with_a_note_is_saved_shown_and_audited(
    client, database, admin, proceeding, role
):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, role, name="Ana")

    response = acknowledge(browser, made, "Complaint filed on Monday")

    assert response.status_code == 302
    stored = flag_row(database, made)
    assert stored.acknowledged_at == clock.now()
    assert stored.acknowledged_by_id == browser.user.id
    assert stored.acknowledgement == "Complaint filed on Monday"
    (entry,) = audit_entries(database, "delay_flags")
    assert (entry["action"], entry["entity_id"], entry["actor"]) == (
        "acknowledge",
        made,
        browser.user.email,
    )
    assert entry["matter_id"] == proceeding["matter_id"]
    assert entry["before"]["acknowledgement"] == ""
    assert entry["after"]["acknowledgement"] == "Complaint filed on Monday"
    body = text(browser.get("/flags"))
    assert "Complaint filed on Monday" in body
    assert "by Ana, Sun 22 Nov 2026 09:00 UTC" in body


def test_acknowledge_goes_back_to_the_filtered_list(client, database, admin, proceeding):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")

    response = acknowledge(browser, made, next="/flags?country=BE")

    assert response.headers["Location"] == "/flags?country=BE"


def test_a_lawyer_acknowledges_on_their_matters_only(client, database, admin):
    lawyer = sign_in(client, database, "lawyer")
    _mine, mine = factories.dossier(admin, assignees=[lawyer.user.email])
    _other, other = factories.dossier(admin)
    my_flag, other_flag = flag(database, mine["id"]), flag(database, other["id"])

    assert acknowledge(lawyer, my_flag).status_code == 302
    with nothing_written(database):
        response = lawyer.post(f"/flags/{other_flag}/acknowledge", {"note": "x", "version": 1})
    assert response.status_code == 404


@pytest.mark.parametrize("note", ["", "   "])
def test_an_empty_note_is_refused_next_to_the_field(client, database, admin, proceeding, note):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/flags/{made}")

    with nothing_written(database):
        response = browser.post(f"/flags/{made}/acknowledge", {"note": note, "version": 1})

    assert response.status_code == 422
    help_block = re.search(r'id="note-help">(.*?)</div>', text(response), re.S).group(1)
    assert "Say what is being done about this delay." in help_block


def test_a_note_too_long_is_refused(client, database, admin, proceeding):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/flags/{made}")

    with nothing_written(database):
        response = browser.post(f"/flags/{made}/acknowledge", {"note": "x" * 2001, "version": 1})

    assert response.status_code == 422
    assert "Field cannot be longer than 2000 characters." in text(response)


def test_acknowledge_without_csrf_is_refused(client, database, admin, proceeding):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/flags/{made}/acknowledge", {"note": "Seen", "version": 1}, csrf=False
        )

    assert response.status_code == 400


def test_a_flag_changed_since_the_form_was_shown_is_not_overwritten(
    client, database, admin, proceeding
):
    made = flag(database, proceeding["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/flags/{made}")
    with database.unit_of_work() as session:  # a scan updates it meanwhile
        row = session.get(DelayFlag, made)
        row.message = "Pending more than 1,000 days"

    with nothing_written(database):
        response = browser.post(f"/flags/{made}/acknowledge", {"note": "Seen", "version": 1})

    assert response.status_code == 409
    body = text(response)
    assert "This flag changed since you opened the page" in body
    assert "Pending more than 1,000 days" in body  # the current state
    assert re.search(r'name="version"[^>]*value="2"', body)  # a second try can save
    assert (
        browser.post(f"/flags/{made}/acknowledge", {"note": "Seen", "version": 2}).status_code
        == 302
    )


def test_a_flag_acknowledged_already_is_not_acknowledged_twice(client, database, admin, proceeding):
    made = flag(database, proceeding["id"])
    first = sign_in(client, database, "staff")
    assert acknowledge(first, made, "First note").status_code == 302
    second = sign_in(client, database, "coordinator")
    second.get("/flags")

    with nothing_written(database):
        response = second.post(f"/flags/{made}/acknowledge", {"note": "Second note"})

    assert response.status_code == 409
    assert "is acknowledged already" in text(response)
    assert "First note" in text(response)


# --- speed --------------------------------------------------------------------------------


def test_the_list_runs_as_many_queries_for_many_flags_as_for_one(client, database, admin, queries):
    browser = sign_in(client, database, "staff")
    _matter, made = factories.dossier(admin)
    flag(database, made["id"])
    queries.clear()
    assert browser.get("/flags").status_code == 200
    few = len(queries)
    for _ in range(5):  # flags on hearings, acknowledged by someone
        _matter, made = factories.dossier(admin)
        hearing = factories.hearing(admin, made["id"], "2026-12-01T10:00")
        flag(
            database,
            made["id"],
            hearing_id=hearing["id"],
            acknowledged_by_id=browser.user.id,
            acknowledged_at=clock.now(),
        )

    queries.clear()
    page = browser.get("/flags")

    assert len(listed(page)) == 6
    assert len(queries) == few
