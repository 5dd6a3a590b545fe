"""The deadline pages: one deadline (mark, override), adding one by hand or with a rule.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import re

import factories
import pytest
import sqlalchemy as sa
from factories import audit_entries, nothing_written
from pages import sign_in, text

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.deadlines import operations as deadlines
from tracker.deadlines.models import Deadline, DeadlineRule, DeadlineStatus, OffsetUnit
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Proceeding


@pytest.fixture
def admin(client, database, frozen_now):
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, SystemActor("system:tests"), clock.now())
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin) -> dict:
    matter = factories.matter(admin)
    return factories.proceeding(admin, matter["id"], jurisdiction="BE", kind="trial")


@pytest.fixture
def judgment(admin, proceeding) -> dict:
    return factories.event(
        admin, proceeding["id"], "2023-06-22", kind="judgment", summary="Convicted in absentia"
    )


@pytest.fixture
def computed(admin, proceeding, judgment) -> dict:
    body = {"rule": "BE-CRIM-APPEAL", "trigger_event_id": judgment["id"]}
    return factories.created(admin.post(f"/proceedings/{proceeding['id']}/deadlines", body))


def version_on(page, prefix: str) -> str:
    return re.search(rf'name="{prefix}-version"[^>]*value="(\d+)"', text(page)).group(1)


def field_errors(page, name: str) -> list[str]:
    found = re.search(rf'id="{name}-help">(.*?)</div>', text(page), re.S)
    return re.findall(r'<p class="error">(.*?)</p>', found.group(1)) if found else []


def deadline_row(database, deadline_id: int) -> Deadline:
    with database.sessionmaker() as session:
        row = session.get(Deadline, deadline_id)
        session.expunge(row)
        return row


# --- one deadline -------------------------------------------------------------------------


def test_a_computed_deadline_shows_its_rule_trigger_and_steps(
    client, database, proceeding, judgment, computed
):
    browser = sign_in(client, database, "staff")

    page = browser.get(f"/deadlines/{computed['id']}")

    assert page.status_code == 200
    body = text(page)
    assert "Due Mon 24 Jul 2023" in body
    assert "BE-CRIM-APPEAL" in body
    assert "CIC art. 203" in body
    assert "Judgment, Thu 22 Jun 2023" in body
    assert "Convicted in absentia" in body
    assert (
        "<li>Not a working day: Sat 2023-07-22 (weekend) → Sun 2023-07-23 (weekend) "
        "→ Mon 2023-07-24</li>"
    ) in body
    assert f'href="/proceedings/{proceeding["id"]}"' in body
    assert f'href="/matters/{proceeding["matter_id"]}"' in body
    assert "overdue" in body  # open, and due in 2023


def test_a_deadline_set_by_hand_says_so(client, database, admin, proceeding):
    made = factories.deadline(admin, proceeding["id"], "2026-11-25", title="File the brief")
    browser = sign_in(client, database, "lawyer")
    _assign(database, proceeding["matter_id"], browser.user.id)

    body = text(browser.get(f"/deadlines/{made['id']}"))

    assert "File the brief" in body
    assert "Set by hand." in body
    assert "in 3 days" in body


def test_a_lawyer_gets_404_for_a_deadline_of_another_matter(client, database, admin, computed):
    browser = sign_in(client, database, "lawyer")
    path = f"/deadlines/{computed['id']}"

    assert browser.get(path).status_code == 404
    with nothing_written(database):
        assert (
            browser.post(f"{path}/status", {"mark-version": "1", "mark-status": "done"}).status_code
            == 404
        )
        assert (
            browser.post(
                f"{path}/due", {"due-version": "1", "due-due_on": "2030-01-01"}
            ).status_code
            == 404
        )
    assert browser.get(f"/deadlines/{2**31}").status_code == 404


def test_the_page_runs_the_same_queries_for_any_deadline(
    client, database, admin, proceeding, computed, queries
):
    by_hand = factories.deadline(admin, proceeding["id"])
    browser = sign_in(client, database, "lawyer")
    _assign(database, proceeding["matter_id"], browser.user.id)

    queries.clear()
    assert browser.get(f"/deadlines/{by_hand['id']}").status_code == 200
    counted = len(queries)
    queries.clear()
    assert browser.get(f"/deadlines/{computed['id']}").status_code == 200

    assert len(queries) == counted


def _assign(database, matter_id: int, user_id: int) -> None:
    from tracker.matters.models import matter_assignees

    with database.unit_of_work() as session:
        session.execute(sa.insert(matter_assignees).values(matter_id=matter_id, user_id=user_id))


@pytest.mark.parametrize("role", ["admin", "coordinator", "staff", "lawyer"])
def test_a_deadline_is_marked_done_then_reopened(client, database, admin, proceeding, role):
    made = factories.deadline(admin, proceeding["id"])
    browser = sign_in(client, database, role)
    _assign(database, proceeding["matter_id"], browser.user.id)
    path = f"/deadlines/{made['id']}"
    browser.get(path)

    done = browser.post(f"{path}/status", {"mark-version": "1", "mark-status": "done"})

    assert done.status_code == 302
    row = deadline_row(database, made["id"])
    assert (row.status, row.completed_at) == (DeadlineStatus.done, clock.now())
    entry = audit_entries(database, "deadlines")[-1]
    assert (entry["action"], entry["actor"], entry["after"]["status"]) == (
        "update",
        browser.user.email,
        "done",
    )
    page = browser.get(path)
    assert "Reopen" in text(page)

    browser.post(
        f"{path}/status", {"mark-version": version_on(page, "mark"), "mark-status": "open"}
    )
    assert deadline_row(database, made["id"]).status is DeadlineStatus.open


def test_a_deadline_is_waived(client, database, admin, proceeding):
    made = factories.deadline(admin, proceeding["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/deadlines/{made['id']}")

    browser.post(f"/deadlines/{made['id']}/status", {"mark-version": "1", "mark-status": "waived"})

    assert deadline_row(database, made["id"]).status is DeadlineStatus.waived


def test_an_overridden_date_is_kept_beside_the_computed_one(client, database, computed):
    browser = sign_in(client, database, "staff")
    path = f"/deadlines/{computed['id']}"
    browser.get(path)

    # earlier than the rule's date, on a working day (21 July is Belgium's national day)
    response = browser.post(f"{path}/due", {"due-version": "1", "due-due_on": "2023-07-20"})

    assert response.status_code == 302
    row = deadline_row(database, computed["id"])
    assert (row.due_on, row.computed_due_on) == (dt.date(2023, 7, 20), dt.date(2023, 7, 24))
    body = text(browser.get(path))
    assert "overridden by hand" in body
    assert "Back to the computed date" in body
    entry = audit_entries(database, "deadlines")[-1]
    assert entry["after"] == {"due_on": "2023-07-20"}

    browser.post(f"{path}/due", {"due-version": "2", "due-due_on": "2023-07-24"})
    assert deadline_row(database, computed["id"]).overridden is False


def test_a_date_later_than_the_rule_warns_and_saves_once_confirmed(client, database, computed):
    browser = sign_in(client, database, "staff")
    path = f"/deadlines/{computed['id']}"
    browser.get(path)

    # the rule gives Mon 24 Jul 2023; Fri 28 Jul is later
    warned = browser.post(f"{path}/due", {"due-version": "1", "due-due_on": "2023-07-28"})

    assert warned.status_code == 200
    body = text(warned)
    assert "nothing is saved yet" in body
    assert "Fri 28 Jul 2023 is later than the date its rule gives, Mon 24 Jul 2023" in body
    assert "Save anyway" in body
    assert deadline_row(database, computed["id"]).due_on == dt.date(2023, 7, 24)
    confirmed = re.search(r'name="due-confirmed"[^>]*value="([^"]+)"', body).group(1)

    saved = browser.post(
        f"{path}/due",
        {"due-version": "1", "due-due_on": "2023-07-28", "due-confirmed": confirmed},
    )

    assert saved.status_code == 302
    assert deadline_row(database, computed["id"]).due_on == dt.date(2023, 7, 28)
    shown = text(browser.get(path))
    assert "Due Fri 28 Jul 2023, set by hand; the rule gives Mon 24 Jul 2023" in shown


def test_a_date_by_hand_on_a_court_holiday_warns_first(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)
    data = {"hand-title": "Reply", "hand-due_on": "2026-12-25", "hand-explanation": ""}

    warned = browser.post(path, data)

    assert warned.status_code == 200
    assert "Fri 25 Dec 2026 is a day the courts of Belgium do not work (public holiday" in text(
        warned
    )
    assert database_deadlines(database) == 0
    confirmed = re.search(r'name="hand-confirmed"[^>]*value="([^"]+)"', text(warned)).group(1)
    assert browser.post(path, data | {"hand-confirmed": confirmed}).status_code == 302
    assert database_deadlines(database) == 1


def test_a_date_changed_after_the_warning_is_checked_again(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)
    data = {"hand-title": "Reply", "hand-due_on": "2026-12-25", "hand-confirmed": "2026-12-25"}

    # confirmed for Christmas, then moved to a Saturday: warned again
    warned = browser.post(path, data | {"hand-due_on": "2026-12-26"})

    assert "Sat 26 Dec 2026 is a day the courts of Belgium do not work" in text(warned)
    assert database_deadlines(database) == 0


def test_the_api_saves_a_date_by_hand_and_says_what_is_odd(admin, proceeding, computed):
    made = factories.created(
        admin.post(
            f"/proceedings/{proceeding['id']}/deadlines", {"title": "Reply", "due_on": "2026-12-26"}
        )
    )
    assert made["due_on"] == "2026-12-26"
    assert made["warnings"] == [
        "Sat 26 Dec 2026 is a day the courts of Belgium do not work (weekend)"
    ]

    changed = admin.patch(
        f"/deadlines/{computed['id']}", {"version": computed["version"], "due_on": "2023-07-28"}
    ).get_json()
    assert changed["due_on"] == "2023-07-28"
    assert changed["warnings"] == [
        "Fri 28 Jul 2023 is later than the date its rule gives, Mon 24 Jul 2023"
    ]
    fine = factories.created(
        admin.post(
            f"/proceedings/{proceeding['id']}/deadlines", {"title": "Brief", "due_on": "2026-12-03"}
        )
    )
    assert fine["warnings"] == []
    assert computed["warnings"] == []


def database_deadlines(database) -> int:
    with database.sessionmaker() as session:
        return session.query(Deadline).count()


@pytest.mark.parametrize(
    ("value", "message"), [("", "Give the due date."), ("2023-02-30", "Not a valid date")]
)
def test_a_bad_due_date_is_refused_next_to_the_field(client, database, computed, value, message):
    browser = sign_in(client, database, "staff")
    browser.get(f"/deadlines/{computed['id']}")

    with nothing_written(database):
        response = browser.post(
            f"/deadlines/{computed['id']}/due", {"due-version": "1", "due-due_on": value}
        )

    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, "due-due_on"))


def test_marking_needs_a_csrf_token(client, database, computed):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/deadlines/{computed['id']}/status",
            {"mark-version": "1", "mark-status": "done"},
            csrf=False,
        )

    assert response.status_code == 400


def test_a_stale_override_shows_the_conflict_and_saves_nothing(client, database, admin, computed):
    browser = sign_in(client, database, "staff")
    path = f"/deadlines/{computed['id']}"
    shown = version_on(browser.get(path), "due")
    factories.ok(admin.patch(path, {"version": 1, "status": "done"}))

    with nothing_written(database):
        stale = browser.post(f"{path}/due", {"due-version": shown, "due-due_on": "2023-08-01"})

    assert stale.status_code == 409
    body = text(stale)
    assert "Someone else changed this deadline" in body
    assert f"<strong>{admin.email}</strong> changed it" in body
    assert 'value="2023-08-01"' in body  # what was typed is kept
    assert version_on(stale, "due") == "2"

    # later than the rule's date: saved as the user confirmed it
    again = browser.post(
        f"{path}/due",
        {"due-version": "2", "due-due_on": "2023-08-01", "due-confirmed": "2023-08-01"},
    )

    assert again.status_code == 302
    row = deadline_row(database, computed["id"])
    assert (row.due_on, row.status) == (dt.date(2023, 8, 1), DeadlineStatus.done)


def test_a_stale_mark_saves_nothing(client, database, admin, computed):
    browser = sign_in(client, database, "staff")
    path = f"/deadlines/{computed['id']}"
    browser.get(path)
    factories.ok(admin.patch(path, {"version": 1, "status": "waived"}))

    with nothing_written(database):
        stale = browser.post(f"{path}/status", {"mark-version": "1", "mark-status": "done"})

    assert stale.status_code == 409
    assert "Someone else changed this deadline" in text(stale)


# --- adding a deadline --------------------------------------------------------------------


def test_the_rule_picker_lists_the_proceedings_rules_first_and_exact_events(
    client, database, admin, proceeding, judgment
):
    vague = factories.event(admin, proceeding["id"], "2023-05", precision="month", kind="service")
    browser = sign_in(client, database, "staff")

    body = text(browser.get(f"/proceedings/{proceeding['id']}/deadlines/new"))

    groups = re.findall(r'<optgroup label="([^"]+)">', body)
    assert groups[0] == "Belgium (this proceeding)"
    assert "European Court of Human Rights" in groups
    assert f'<option value="{judgment["id"]}">Thu 22 Jun 2023 — Judgment' in body
    assert re.search(rf'<option disabled value="{vague["id"]}">May 2023 — Service', body)


def test_preview_shows_the_date_and_every_step_and_writes_nothing(
    client, database, proceeding, judgment
):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    with nothing_written(database):
        response = browser.post(
            path,
            {
                "rule-rule": "BE-CRIM-APPEAL",
                "rule-trigger_event": str(judgment["id"]),
                "rule-preview": "Preview",
            },
        )

    assert response.status_code == 200
    body = text(response)
    assert '<span class="due">Mon 24 Jul 2023</span>' in body
    assert "<li>Trigger: Thu 2023-06-22; that day itself is not counted.</li>" in body
    assert "<li>Due: Mon 2023-07-24.</li>" in body
    assert "Not saved yet." in body
    assert '<option selected value="BE-CRIM-APPEAL">' in body  # the choice is kept


def test_preview_points_out_an_event_of_another_kind(client, database, admin, proceeding):
    service = factories.event(admin, proceeding["id"], "2023-06-22", kind="service")
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    response = browser.post(
        path,
        {
            "rule-rule": "BE-CRIM-APPEAL",
            "rule-trigger_event": str(service["id"]),
            "rule-preview": "Preview",
        },
    )

    assert "This rule counts from a judgment; the event is a service." in text(response)


def test_a_deadline_saved_with_a_rule_is_computed_and_audited(
    client, database, proceeding, judgment
):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    response = browser.post(
        path,
        {
            "rule-rule": "BE-CRIM-APPEAL",
            "rule-trigger_event": str(judgment["id"]),
            "rule-title": "",
            "rule-save": "Save",
        },
    )

    assert response.status_code == 302
    deadline_id = int(response.headers["Location"].rsplit("/", 1)[1])
    row = deadline_row(database, deadline_id)
    assert (row.title, row.due_on, row.trigger_event_id) == (
        "Appeal against a criminal judgment",
        dt.date(2023, 7, 24),
        judgment["id"],
    )
    entry = audit_entries(database, "deadlines")[-1]
    assert (entry["action"], entry["actor"], entry["entity_id"]) == (
        "create",
        browser.user.email,
        deadline_id,
    )


@pytest.mark.parametrize("button", ["rule-preview", "rule-save"])
def test_an_event_known_only_to_the_month_is_refused_next_to_it(
    client, database, admin, proceeding, button
):
    vague = factories.event(admin, proceeding["id"], "2023-06", precision="month", kind="judgment")
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    with nothing_written(database):
        response = browser.post(
            path,
            {"rule-rule": "BE-CRIM-APPEAL", "rule-trigger_event": str(vague["id"]), button: "x"},
        )

    assert response.status_code == 422
    errors = field_errors(response, "rule-trigger_event")
    assert any("dated only to the month" in error for error in errors)


def test_a_rule_not_in_force_on_the_trigger_day_is_refused_next_to_it(
    client, database, proceeding, judgment
):
    with database.unit_of_work() as session:
        belgium = session.scalar(sa.select(Jurisdiction).where(Jurisdiction.code == "BE"))
        session.add(
            DeadlineRule(
                code="BE-NEW-LAW",
                jurisdiction_id=belgium.id,
                title="A period that starts in 2030",
                trigger_kind="judgment",
                amount=10,
                unit=OffsetUnit.days,
                valid_from=dt.date(2030, 1, 1),
            )
        )
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    with nothing_written(database):
        response = browser.post(
            path,
            {
                "rule-rule": "BE-NEW-LAW",
                "rule-trigger_event": str(judgment["id"]),
                "rule-preview": "Preview",
            },
        )

    assert response.status_code == 422
    assert any("no version in force" in error for error in field_errors(response, "rule-rule"))


def test_the_rule_form_needs_a_rule_and_an_event(client, database, proceeding, judgment):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    with nothing_written(database):
        response = browser.post(
            path, {"rule-rule": "", "rule-trigger_event": "", "rule-save": "Save"}
        )

    assert response.status_code == 422
    assert field_errors(response, "rule-rule") == ["Choose a rule."]
    assert field_errors(response, "rule-trigger_event") == [
        "Choose the event the time limit runs from."
    ]


def test_a_deadline_is_added_by_hand(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)

    response = browser.post(
        path,
        {
            "hand-title": "Reply to the prosecutor",
            "hand-due_on": "2026-12-04",
            "hand-explanation": "",
        },
    )

    assert response.status_code == 302
    row = deadline_row(database, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (row.title, row.due_on, row.rule_id) == (
        "Reply to the prosecutor",
        dt.date(2026, 12, 4),
        None,
    )
    assert audit_entries(database, "deadlines")[-1]["action"] == "create"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hand-due_on": ""}, "hand-due_on", "Give the due date."),
        ({"hand-due_on": "2026-13-01"}, "hand-due_on", "Not a valid date"),
        ({"hand-title": ""}, "hand-title", "This field is required."),
        ({"hand-title": "t" * 201}, "hand-title", "Field cannot be longer than 200"),
    ],
)
def test_a_bad_deadline_by_hand_is_refused_next_to_its_field(
    client, database, proceeding, data, field, message
):
    browser = sign_in(client, database, "staff")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    browser.get(path)
    good = {"hand-title": "Reply", "hand-due_on": "2026-12-04"}

    with nothing_written(database):
        response = browser.post(path, good | data)

    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field))


def test_adding_needs_csrf_and_access(client, database, proceeding, judgment):
    lawyer = sign_in(client, database, "lawyer")
    path = f"/proceedings/{proceeding['id']}/deadlines/new"
    data = {"hand-title": "Reply", "hand-due_on": "2026-12-04"}

    with nothing_written(database):
        assert lawyer.get(path).status_code == 404
        assert lawyer.post(path, data).status_code == 404
        assert (
            lawyer.get(
                f"{path[:-4]}/preview?rule=BE-CRIM-APPEAL&event={judgment['id']}"
            ).status_code
            == 404
        )
        assert lawyer.post(path, data, csrf=False).status_code == 400


# --- the live preview (JSON for deadlines.js) ---------------------------------------------


def test_the_json_preview_gives_the_date_and_steps(client, database, proceeding, judgment):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.get(
            f"/proceedings/{proceeding['id']}/deadlines/preview",
            query_string={"rule": "BE-CRIM-APPEAL", "event": judgment["id"]},
        )

    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["due_on"], answer["due"], answer["note"]) == (
        "2023-07-24",
        "Mon 24 Jul 2023",
        None,
    )
    assert answer["steps"][-1] == "Due: Mon 2023-07-24."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rule": "NO-SUCH-RULE"}, "rule"),
        ({"event": "x"}, "trigger_event"),
        ({"event": str(2**31)}, "trigger_event"),
        ({"event": "999"}, "trigger_event"),
    ],
)
def test_the_json_preview_names_the_field_at_fault(
    client, database, proceeding, judgment, query, field
):
    browser = sign_in(client, database, "staff")
    asked = {"rule": "BE-CRIM-APPEAL", "event": str(judgment["id"])} | query

    response = browser.get(f"/proceedings/{proceeding['id']}/deadlines/preview", query_string=asked)

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


# --- in Chromium --------------------------------------------------------------------------


def test_the_rule_picker_previews_live_in_a_browser(live_server, page, screenshots):
    from browser import log_in

    from tracker.matters.models import Event

    with live_server.database.unit_of_work() as session:
        deadlines.seed_rules(session, SystemActor("system:tests"), clock.now())
        event = session.scalars(
            sa.select(Event).where(Event.kind == "judgment", Event.precision == "day")
        ).first()
        proceeding_id, event_id = event.proceeding_id, event.id
        stored = session.scalar(sa.select(sa.func.count()).select_from(Deadline))
    log_in(page, live_server, "staff@demo.example")

    page.goto(live_server(f"/proceedings/{proceeding_id}/deadlines/new"))
    page.select_option("#rule-rule", "BE-CRIM-APPEAL")
    page.select_option("#rule-trigger_event", str(event_id))

    preview = page.locator("#rule-preview")
    preview.get_by_text("Not saved yet.").wait_for()
    assert preview.locator("li").last.inner_text().startswith("Due: ")
    page.screenshot(path=screenshots / "deadline-rule-preview.png", full_page=True)
    with live_server.database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Deadline)) == stored


@pytest.mark.browser
def test_a_date_by_hand_on_a_holiday_is_confirmed_in_a_browser(live_server, page, screenshots):
    from browser import log_in

    with live_server.database.sessionmaker() as session:
        proceeding_id = session.scalar(
            sa.select(Proceeding.id)
            .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
            .where(Jurisdiction.code == "BE")
            .order_by(Proceeding.id)
        )
        stored = session.scalar(sa.select(sa.func.count()).select_from(Deadline))
    today = clock.today()
    year = today.year if today < dt.date(today.year, 12, 25) else today.year + 1
    christmas = dt.date(year, 12, 25)
    log_in(page, live_server, "staff@demo.example")

    page.goto(live_server(f"/proceedings/{proceeding_id}/deadlines/new"))
    page.fill("#hand-title", "Reply to the court")
    page.fill("#hand-due_on", christmas.isoformat())
    page.get_by_role("button", name="Add the deadline").click()

    warning = page.get_by_role("alert")
    warning.get_by_text("nothing is saved yet").wait_for()
    assert "do not work (public holiday" in warning.inner_text()
    page.screenshot(path=screenshots / "deadline-by-hand-warning.png", full_page=True)
    with live_server.database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Deadline)) == stored

    page.get_by_role("button", name="Save anyway").click()

    page.get_by_text("The deadline is added.").wait_for()
    assert re.search(r"/deadlines/\d+$", page.url)
    with live_server.database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Deadline)) == stored + 1


def test_the_rule_form_is_filled_from_the_proceeding_page_link(
    client, database, proceeding, judgment
):
    browser = sign_in(client, database, "staff")

    page = text(
        browser.get(
            f"/proceedings/{proceeding['id']}/deadlines/new"
            f"?rule=BE-CRIM-APPEAL&trigger_event_id={judgment['id']}"
        )
    )

    assert re.search(r'<option selected[^>]* value="BE-CRIM-APPEAL"', page)
    assert re.search(rf'<option selected[^>]* value="{judgment["id"]}"', page)
