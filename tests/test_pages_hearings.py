"""The hearing pages: one hearing with its ledger, the outcome form, scheduling a hearing."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import factories
import pytest
import sqlalchemy as sa
from factories import audit_entries, nothing_written
from pages import sign_in, text

from tracker.core import clock
from tracker.hearings import operations as hearings
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.hearings.schemas import NewHearing
from tracker.matters.models import Proceeding

PAST = "2026-11-20T09:00"  # before the frozen now (2026-11-22 09:00 UTC)
FUTURE = "2026-12-01T09:00"


@pytest.fixture
def admin(client, database):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin, frozen_now):
    _matter, made = factories.dossier(admin)
    return made


def version_on(page) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', text(page)).group(1)


def field_errors(page, name: str) -> list[str]:
    """The error messages shown next to the field `name` (in its help block)."""
    found = re.search(rf'id="{name}-help">(.*?)</div>', text(page), re.S)
    return re.findall(r'<p class="error">(.*?)</p>', found.group(1)) if found else []


def hearing_row(database, hearing_id: int) -> Hearing:
    with database.sessionmaker() as session:
        hearing = session.get(Hearing, hearing_id)
        session.expunge(hearing)
        return hearing


def outcome(browser, hearing_id: int, version, **data):
    browser.get(f"/hearings/{hearing_id}")
    return browser.post(f"/hearings/{hearing_id}/outcome", {"version": version} | data)


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_hearing_in_the_courts_time_and_the_readers(
    client, database, admin, proceeding
):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE, location="Palais de justice")
    browser = sign_in(client, database, "staff", timezone="America/New_York")

    page = browser.get(f"/hearings/{hearing['id']}")

    assert page.status_code == 200
    body = text(page)
    assert "Tue 1 Dec 2026 09:00 CET" in body
    assert "Tue 1 Dec 2026 03:00 EST" in body
    assert "Palais de justice" in body
    assert f'href="/proceedings/{proceeding["id"]}"' in body
    assert f'href="/matters/{proceeding["matter_id"]}"' in body
    assert f'href="/hearings/{hearing["id"]}.ics"' in body
    assert "Never postponed." in body


def test_a_reader_in_the_courts_zone_sees_one_time(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff", timezone="Europe/Paris")

    body = text(browser.get(f"/hearings/{hearing['id']}"))

    assert "Tue 1 Dec 2026 09:00 CET" in body
    assert "(your time)" not in body


def test_a_hearing_whose_time_is_unknown_shows_the_day_only(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-03", time_known=False)
    browser = sign_in(client, database, "staff", timezone="America/New_York")

    body = text(browser.get(f"/hearings/{hearing['id']}"))

    assert "Thu 3 Dec 2026</strong>" in body
    assert "the hour is not known yet" in body
    assert "(your time)" not in body


def test_the_ledger_lists_every_move(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    factories.postpone(admin, hearing["id"], "2027-01-05T10:00", reason="Judge ill")
    factories.postpone(admin, hearing["id"], None, reason="Awaiting the ministry")
    browser = sign_in(client, database, "coordinator")

    body = text(browser.get(f"/hearings/{hearing['id']}"))

    assert "Judge ill" in body
    assert "Awaiting the ministry" in body
    assert "Tue 5 Jan 2027 10:00 CET" in body
    assert "sine die" in body
    assert "postponed sine die" in body
    assert "moved 2 times" in body
    assert admin.email in body  # recorded by


def test_a_lawyer_sees_only_hearings_of_assigned_matters(client, database, admin):
    browser = sign_in(client, database, "lawyer")
    mine, theirs = factories.matter(admin, assignees=[browser.user.email]), factories.matter(admin)
    own = factories.hearing(admin, factories.proceeding(admin, mine["id"])["id"], FUTURE)
    other = factories.hearing(admin, factories.proceeding(admin, theirs["id"])["id"], FUTURE)

    assert browser.get(f"/hearings/{own['id']}").status_code == 200
    assert browser.get(f"/hearings/{other['id']}").status_code == 404
    with nothing_written(database):
        refused = browser.post(
            f"/hearings/{other['id']}/outcome", {"version": "1", "action": "cancelled"}
        )
    assert refused.status_code == 404


def test_an_unknown_or_huge_hearing_id_is_not_found(client, database):
    browser = sign_in(client, database)

    assert browser.get("/hearings/999").status_code == 404
    assert browser.get(f"/hearings/{2**31}").status_code == 404


def test_the_page_runs_the_same_queries_for_one_move_or_five(
    client, database, admin, proceeding, queries
):
    browser = sign_in(client, database, "lawyer")
    few = factories.hearing(admin, proceeding["id"], FUTURE)
    many = factories.hearing(admin, proceeding["id"], FUTURE)
    factories.postpone(admin, few["id"], "2027-01-04T09:00", reason="one")
    for day in range(4, 9):
        factories.postpone(admin, many["id"], f"2027-01-{day:02d}T10:00", reason=f"move {day}")
    _assign(database, proceeding["matter_id"], browser.user.id)

    queries.clear()
    assert browser.get(f"/hearings/{few['id']}").status_code == 200
    counted = len(queries)
    queries.clear()
    assert browser.get(f"/hearings/{many['id']}").status_code == 200

    assert len(queries) == counted


def _assign(database, matter_id: int, user_id: int) -> None:
    from tracker.matters.models import matter_assignees

    with database.unit_of_work() as session:
        session.execute(sa.insert(matter_assignees).values(matter_id=matter_id, user_id=user_id))


# --- the outcome form ---------------------------------------------------------------------


def test_a_past_hearing_is_recorded_as_held_and_audited(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], PAST)
    browser = sign_in(client, database, "staff")

    response = outcome(browser, hearing["id"], "1", action="held", summary="Heard the defence")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/hearings/{hearing['id']}"
    row = hearing_row(database, hearing["id"])
    assert (row.status, row.outcome_summary) == (HearingStatus.held, "Heard the defence")
    entry = audit_entries(database, "hearings")[-1]
    assert (entry["action"], entry["actor"]) == ("outcome", browser.user.email)
    assert entry["after"]["status"] == "held"
    assert "recorded as held" in text(browser.get(f"/hearings/{hearing['id']}"))


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff"])
def test_every_role_that_sees_all_matters_may_record(client, database, admin, proceeding, role):
    hearing = factories.hearing(admin, proceeding["id"], PAST)
    browser = sign_in(client, database, role)

    response = outcome(browser, hearing["id"], "1", action="adjourned")

    assert response.status_code == 302
    assert hearing_row(database, hearing["id"]).outcome == "adjourned"


def test_a_lawyer_records_on_an_assigned_matter(client, database, admin):
    browser = sign_in(client, database, "lawyer")
    mine = factories.matter(admin, assignees=[browser.user.email])
    hearing = factories.hearing(admin, factories.proceeding(admin, mine["id"])["id"], PAST)

    response = outcome(browser, hearing["id"], "1", action="decided", summary="Extradition refused")

    assert response.status_code == 302
    assert hearing_row(database, hearing["id"]).outcome == "decided"


def test_a_postponement_to_a_new_date_and_time(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    response = outcome(
        browser,
        hearing["id"],
        "1",
        action="postponed",
        new_date="2027-01-12",
        new_time="14:30",
        zone="Europe/Brussels",
        reason="The interpreter did not come",
        decided_on="2026-11-21",
    )

    assert response.status_code == 302
    row = hearing_row(database, hearing["id"])
    assert row.starts_at == dt.datetime(2027, 1, 12, 13, 30, tzinfo=dt.UTC)
    assert (row.status, row.time_known, row.sequence) == (HearingStatus.scheduled, True, 1)
    with database.sessionmaker() as session:
        move = session.scalars(sa.select(Postponement)).one()
        assert (move.reason, move.decided_on) == (
            "The interpreter did not come",
            dt.date(2026, 11, 21),
        )
        assert move.recorded_by_id == browser.user.id
    entry = audit_entries(database, "hearings")[-1]
    assert (entry["action"], entry["actor"]) == ("postpone", browser.user.email)


def test_a_new_time_may_be_given_in_another_zone(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    outcome(
        browser,
        hearing["id"],
        "1",
        action="postponed",
        new_date="2027-01-12",
        new_time="08:00",
        zone="UTC",
    )

    row = hearing_row(database, hearing["id"])
    assert row.starts_at == dt.datetime(2027, 1, 12, 8, 0, tzinfo=dt.UTC)
    assert row.timezone == "Europe/Brussels"  # the court stays where it is


def test_a_new_date_without_a_time_is_a_day_only(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    outcome(browser, hearing["id"], "1", action="postponed", new_date="2027-01-12", new_time="")

    row = hearing_row(database, hearing["id"])
    assert row.time_known is False
    assert row.local_start.date() == dt.date(2027, 1, 12)


def test_a_postponement_sine_die(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    response = outcome(browser, hearing["id"], "1", action="sine_die", reason="Awaiting a ruling")

    assert response.status_code == 302
    assert hearing_row(database, hearing["id"]).status is HearingStatus.postponed
    assert "postponed sine die" in text(browser.get(f"/hearings/{hearing['id']}"))


def test_a_time_the_clocks_skip_is_refused_next_to_the_time(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")
    browser.get(f"/hearings/{hearing['id']}")

    with nothing_written(database):
        response = browser.post(
            f"/hearings/{hearing['id']}/outcome",
            {"version": "1", "action": "postponed", "new_date": "2027-03-28", "new_time": "02:30"},
        )

    assert response.status_code == 422
    assert any("does not exist" in error for error in field_errors(response, "new_time"))
    assert 'value="2027-03-28"' in text(response)  # what was typed is kept


def test_a_time_that_occurs_twice_needs_its_offset(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")
    data = {"action": "postponed", "new_date": "2027-10-31"}

    with nothing_written(database):
        twice = outcome(browser, hearing["id"], "1", new_time="02:30", **data)
    assert twice.status_code == 422
    assert any("occurs twice" in error for error in field_errors(twice, "new_time"))

    chosen = outcome(browser, hearing["id"], "1", new_time="02:30+01:00", **data)
    assert chosen.status_code == 302
    assert hearing_row(database, hearing["id"]).starts_at == dt.datetime(
        2027, 10, 31, 1, 30, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "action", "Choose what happened."),
        ({"action": "postponed"}, "new_date", "Give the date the hearing was moved to."),
        ({"action": "postponed", "new_date": "2027-02-30"}, "new_date", "Not a valid date"),
        ({"action": "postponed", "new_date": "2027-01-05", "new_time": "9h"}, "new_time", "HH:MM"),
        ({"action": "decided", "summary": "  "}, "summary", "Say what was decided."),
        ({"action": "held"}, "action", "has not come yet"),
        ({"action": "somewhere"}, "action", "Not a valid choice"),
    ],
)
def test_a_bad_outcome_form_is_shown_again_with_its_errors(
    client, database, admin, proceeding, data, field, message
):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = outcome(browser, hearing["id"], "1", **data)

    assert response.status_code == 422
    if field == "action":
        assert message in text(response)
    else:
        assert any(message in error for error in field_errors(response, field))


def test_an_outcome_without_csrf_token_is_refused(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], PAST)
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/hearings/{hearing['id']}/outcome", {"version": "1", "action": "held"}, csrf=False
        )

    assert response.status_code == 400


def test_a_stale_form_shows_the_conflict_and_saves_nothing(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")
    shown = version_on(browser.get(f"/hearings/{hearing['id']}"))
    factories.postpone(admin, hearing["id"], "2027-02-02T10:00", reason="Court closed")
    mine = {
        "action": "postponed",
        "new_date": "2027-03-03",
        "new_time": "11:00",
        "reason": "My reason",
    }

    with nothing_written(database):
        stale = browser.post(f"/hearings/{hearing['id']}/outcome", {"version": shown} | mine)

    assert stale.status_code == 409
    body = text(stale)
    assert "Someone else changed this hearing" in body
    assert f"<strong>{admin.email}</strong> postponed it" in body
    assert "Tue 2 Feb 2027 10:00 CET" in body  # the current state
    assert 'value="2027-03-03"' in body  # what was typed is kept
    assert "My reason" in body
    assert version_on(stale) == "2"

    again = browser.post(f"/hearings/{hearing['id']}/outcome", {"version": "2"} | mine)

    assert again.status_code == 302
    row = hearing_row(database, hearing["id"])
    assert row.starts_at == dt.datetime(2027, 3, 3, 10, 0, tzinfo=dt.UTC)
    assert row.version == 3


def test_a_form_without_a_version_is_never_saved(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], FUTURE)
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = outcome(browser, hearing["id"], "", action="cancelled")

    assert response.status_code == 409


# --- scheduling a hearing -----------------------------------------------------------------


def test_the_new_hearing_form_defaults_to_the_jurisdictions_zone(client, database, proceeding):
    browser = sign_in(client, database, "staff")

    page = browser.get(f"/proceedings/{proceeding['id']}/hearings/new")

    assert page.status_code == 200
    assert '<option selected value="Europe/Brussels">' in text(page)


def test_a_hearing_is_scheduled_and_audited(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{proceeding['id']}/hearings/new")

    response = browser.post(
        f"/proceedings/{proceeding['id']}/hearings/new",
        {
            "title": "Extradition hearing",
            "day": "2026-12-10",
            "time": "9:30",
            "timezone": "Europe/Brussels",
            "location": "Room 3",
        },
    )

    assert response.status_code == 302
    hearing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    row = hearing_row(database, hearing_id)
    assert (row.title, row.location, row.time_known) == ("Extradition hearing", "Room 3", True)
    assert row.starts_at == dt.datetime(2026, 12, 10, 8, 30, tzinfo=dt.UTC)
    entry = audit_entries(database, "hearings")[-1]
    assert (entry["action"], entry["actor"], entry["entity_id"]) == (
        "create",
        browser.user.email,
        hearing_id,
    )


def test_a_hearing_without_a_time_is_all_day_in_the_chosen_zone(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{proceeding['id']}/hearings/new")

    response = browser.post(
        f"/proceedings/{proceeding['id']}/hearings/new",
        {"title": "Hearing", "day": "2026-12-10", "timezone": "America/Sao_Paulo"},
    )

    row = hearing_row(database, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (row.timezone, row.time_known) == ("America/Sao_Paulo", False)
    assert row.local_start.date() == dt.date(2026, 12, 10)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": ""}, "day", "Give the day of the hearing."),
        ({"day": "2027-03-28", "time": "02:30"}, "time", "does not exist"),
        ({"time": "25:00"}, "time", "HH:MM"),
        ({"title": ""}, "title", "This field is required."),
        ({"timezone": "Mars/Base"}, "timezone", "Not a valid choice"),
        ({"location": "x" * 301}, "location", "Field cannot be longer than 300"),
    ],
)
def test_a_bad_new_hearing_is_refused_next_to_its_field(
    client, database, proceeding, data, field, message
):
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{proceeding['id']}/hearings/new")
    good = {"title": "Hearing", "day": "2026-12-10", "time": "", "timezone": "Europe/Brussels"}

    with nothing_written(database):
        response = browser.post(f"/proceedings/{proceeding['id']}/hearings/new", good | data)

    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field))


def test_scheduling_needs_csrf_and_access(client, database, admin, proceeding):
    browser = sign_in(client, database, "lawyer")
    path = f"/proceedings/{proceeding['id']}/hearings/new"
    data = {"title": "Hearing", "day": "2026-12-10", "timezone": "Europe/Brussels"}

    with nothing_written(database):
        assert browser.get(path).status_code == 404
        assert browser.post(path, data).status_code == 404
        assert browser.post(path, data, csrf=False).status_code == 400


# --- in Chromium --------------------------------------------------------------------------


def test_the_outcome_form_shows_the_fields_of_the_choice(live_server, page, screenshots):
    from browser import log_in

    with live_server.database.unit_of_work() as session:  # one whose time has just passed
        proceeding = session.scalars(sa.select(Proceeding).limit(1)).one()
        began = clock.now() - dt.timedelta(hours=2)
        local = began.astimezone(ZoneInfo(proceeding.jurisdiction.timezone))
        data = {"starts_at": local.replace(tzinfo=None).isoformat(timespec="minutes")}
        hearing = hearings.schedule_hearing(
            session, factories.SETUP, clock.now(), proceeding, NewHearing.parse(data)
        )
        session.flush()
        hearing_id = hearing.id
    log_in(page, live_server, "staff@demo.example")
    page.goto(live_server(f"/hearings/{hearing_id}"))
    new_date, summary = page.locator("#new_date"), page.locator("#summary")
    assert new_date.is_visible()
    assert summary.is_visible()  # before a choice, every field shows

    page.get_by_label("Held", exact=True).check()
    assert not new_date.is_visible()
    assert summary.is_visible()

    page.get_by_label("Postponed to a new date").check()
    assert new_date.is_visible()
    assert not summary.is_visible()
    page.screenshot(path=screenshots / "hearing-outcome-form.png", full_page=True)


# --- what the form offers ------------------------------------------------------------------


def offered(page) -> list[str]:
    return re.findall(r'name="action"[^>]*value="([^"]+)"', text(page))


@pytest.mark.parametrize(
    ("when", "then", "expected"),
    [
        (FUTURE, None, ["postponed", "sine_die", "cancelled"]),
        (PAST, None, ["held", "postponed", "sine_die", "adjourned", "decided", "cancelled"]),
        (
            PAST,
            {"action": "decided", "summary": "Acquitted."},
            ["held", "adjourned", "decided", "cancelled"],
        ),
        (PAST, {"action": "cancelled"}, ["held", "adjourned", "decided", "cancelled"]),
        (PAST, {"action": "sine_die", "reason": "Judge ill."}, ["postponed", "cancelled"]),
    ],
)
def test_the_form_offers_only_what_can_be_done_to_the_hearing_now(
    client, database, admin, proceeding, when, then, expected
):
    hearing = factories.hearing(admin, proceeding["id"], when)
    browser = sign_in(client, database, "staff")
    if then is not None:
        assert outcome(browser, hearing["id"], "1", **then).status_code == 302

    assert offered(browser.get(f"/hearings/{hearing['id']}")) == expected


def test_a_choice_not_offered_is_still_refused_with_the_reason(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], PAST)
    browser = sign_in(client, database, "staff")
    outcome(browser, hearing["id"], "1", action="held")

    with nothing_written(database):
        again = outcome(browser, hearing["id"], "2", action="sine_die", reason="Judge ill.")

    assert again.status_code == 422
    assert "cannot be postponed" in text(again)
    assert offered(again) == ["held", "adjourned", "decided", "cancelled"]


# --- the ledger knows which hours were known --------------------------------------------


def ledger_cells(page) -> list[str]:
    table = re.search(r'id="ledger".*?</table>', text(page), re.S).group(0)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", table)]


def test_a_hearing_set_at_midnight_keeps_its_hour_in_the_ledger(
    client, database, admin, proceeding
):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T00:00")
    factories.postpone(admin, hearing["id"], "2026-12-08T10:00", reason="Judge ill.")
    browser = sign_in(client, database, "staff")

    cells = ledger_cells(browser.get(f"/hearings/{hearing['id']}"))

    assert "Tue 1 Dec 2026 00:00 CET" in cells
    assert "Tue 8 Dec 2026 10:00 CET" in cells


def test_a_day_without_an_hour_stays_a_day_in_the_ledger(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T00:00", time_known=False)
    factories.postpone(admin, hearing["id"], "2026-12-08T14:30", time_known=True)
    factories.postpone(admin, hearing["id"], "2026-12-15T00:00", time_known=False)
    browser = sign_in(client, database, "staff")

    cells = ledger_cells(browser.get(f"/hearings/{hearing['id']}"))

    assert "Tue 1 Dec 2026" in cells
    assert "Tue 8 Dec 2026 14:30 CET" in cells
    assert "Tue 15 Dec 2026" in cells
    assert not any("00:00" in cell for cell in cells)


def test_the_api_says_which_hours_of_a_move_were_known(client, database, admin, proceeding):
    hearing = factories.hearing(admin, proceeding["id"], "2026-12-01T09:00")
    factories.postpone(admin, hearing["id"], "2026-12-08T00:00", time_known=False)
    factories.postpone(admin, hearing["id"], None, reason="Sine die.")

    moves = factories.ok(admin.get(f"/hearings/{hearing['id']}"))["postponements"]

    assert [(m["from_time_known"], m["to_time_known"]) for m in moves] == [
        (True, False),
        (False, None),
    ]
