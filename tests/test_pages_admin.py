"""The admin pages: users, jurisdictions and their vacations, deadline rules; admins only."""

from __future__ import annotations

import datetime as dt
import html
import re

import factories
import pytest
import sqlalchemy as sa
from pages import Browser, make_user, sign_in, text

from tracker.core import clock
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import NewRule
from tracker.jurisdictions.models import JudicialVacation
from tracker.models import Deadline, DeadlineRule, Jurisdiction, User


@pytest.fixture
def admin(client, database, frozen_now):
    return sign_in(client, database, "admin")


def field_errors(page: str, field_id: str) -> list[str]:
    """The error messages shown next to one field."""
    found = re.search(rf'<div class="help" id="{field_id}-help">(.*?)</div>', page, re.S)
    if found is None:
        return []
    return [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', found.group(1))]


def shown_password(response) -> str:
    found = re.search(r'id="new-password" class="password" value="([^"]+)"', text(response))
    assert found, text(response)
    return html.unescape(found.group(1))


def user_row(database, email: str) -> User:
    with database.sessionmaker() as session:
        return session.scalar(sa.select(User).where(User.email == email))


def rule_rows(database, code: str) -> list[DeadlineRule]:
    with database.sessionmaker() as session:
        return list(
            session.scalars(
                sa.select(DeadlineRule)
                .where(DeadlineRule.code == code)
                .order_by(DeadlineRule.valid_from.asc().nulls_first())
            )
        )


NEW_USER = {"email": "New.Person@Example.org", "name": "New Person", "role": "lawyer"}
NEW_USER |= {"timezone": "Europe/Brussels"}

#: a vacation form's fields (the add and edit forms take the prefix "vacation-")
VACATION = {
    "name": "Christmas vacation",
    "effect": "extend",
    "start_month": "12",
    "start_day": "20",
    "end_month": "12",
    "end_day": "27",
    "extend_to_month": "12",
    "extend_to_day": "31",
    "valid_from": "",
    "valid_to": "",
    "source": "Test Code art. 2",
}

RULE = {
    "code": "BE-TEST",
    "jurisdiction": "BE",
    "title": "A test period",
    "trigger_kind": "judgment",
    "amount": "10",
    "unit": "days",
    "end_shift": "next_working_day",
    "blocking_days": "weekends_and_holidays",
    "vacation_policy": "ignore",
    "source": "Test Code art. 1",
}


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lawyer", "staff", "coordinator"])
def test_only_admins_see_the_admin_pages(client, database, frozen_now, role):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    browser = sign_in(client, database, role)
    browser.get("/account")

    vacation = "/admin/jurisdictions/1/vacations/1"
    pages = ["/admin", "/admin/jurisdictions", "/admin/jurisdictions/1", "/admin/rules", vacation]
    for path in pages:
        assert browser.get(path).status_code == 403, path
    with factories.nothing_written(database):
        assert browser.post("/admin/users", NEW_USER).status_code == 403
        assert browser.post("/admin/jurisdictions", {"code": "FR"}).status_code == 403
        me = f"/admin/users/{browser.user.id}"
        assert browser.post(f"{me}/role", {"role": "admin"}).status_code == 403
        assert browser.post(f"{me}/settings", {"settings-name": "Me"}).status_code == 403
        assert browser.post("/admin/rules", RULE).status_code == 403
        for path in ["/admin/jurisdictions/1/vacations", vacation, f"{vacation}/remove"]:
            assert browser.post(path, VACATION).status_code == 403, path
    assert "/admin" not in text(browser.get("/account"))


def test_the_admin_pages_need_a_login(client, database):
    response = client.get("/admin")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin")


def test_an_unknown_user_or_rule_is_not_found(admin):
    for path in ["/admin/users/999", f"/admin/users/{2**40}", "/admin/rules/999"]:
        assert admin.get(path).status_code == 404
    assert admin.get("/admin/jurisdictions/999").status_code == 404


# --- users ------------------------------------------------------------------------------------


def test_an_admin_adds_a_user_who_signs_in_with_the_password_shown_once(
    app, client, database, admin
):
    admin.get("/admin")

    made = admin.post("/admin/users", NEW_USER)

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    password = shown_password(made)
    user = user_row(database, "new.person@example.org")
    assert (user.role.value, user.timezone, user.name) == (
        "lawyer",
        "Europe/Brussels",
        "New Person",
    )
    assert password not in text(admin.get("/admin"))
    assert "new.person@example.org" in text(admin.get("/admin"))
    signed = Browser(app.test_client()).log_in("new.person@example.org", password)
    assert signed.status_code == 302
    entry, signed_in = factories.audit_entries(database, "users")
    assert (entry["actor"], entry["action"]) == (admin.user.email, "create")
    assert (signed_in["actor"], signed_in["action"]) == ("new.person@example.org", "sign_in")
    assert password not in str(entry)


def test_an_admin_may_type_the_first_password(app, database, admin):
    admin.get("/admin")

    made = admin.post("/admin/users", NEW_USER | {"password": "a typed password"})

    assert shown_password(made) == "a typed password"
    signed = Browser(app.test_client()).log_in("new.person@example.org", "a typed password")
    assert signed.status_code == 302


AUTHORITY = {
    "owed_by": "authority",
    "met_by": "admissibility_decision, decision",
    "direction": "after",
    "due_time": "16:00",
    "article": "art. 40(1)",
    "source_url": "https://example.org/law#art40",
    "checked_on": "2026-11-01",
}


def test_an_admin_adds_an_authority_s_time_limit_with_its_article_and_address(
    database, admin, belgium
):
    admin.get("/admin/rules")

    response = admin.post("/admin/rules", RULE | AUTHORITY | {"code": "BE-WAIT"})

    assert response.status_code == 302
    [rule] = rule_rows(database, "BE-WAIT")
    assert (rule.owed_by.value, rule.met_by) == (
        "authority",
        ["admissibility_decision", "decision"],
    )
    assert (rule.due_time, rule.direction.value) == (dt.time(16, 0), "after")
    assert (rule.article, rule.checked_on) == ("art. 40(1)", dt.date(2026, 11, 1))
    listed, shown = text(admin.get("/admin/rules")), text(admin.get(f"/admin/rules/{rule.id}"))
    link = '<a href="https://example.org/law#art40" rel="noopener noreferrer" target="_blank">'
    assert '<span class="badge authority">Authority</span>' in listed
    assert link in listed
    assert link in shown
    assert "by 16:00 (Europe/Brussels) on the last day" in shown
    assert "Admissibility decision, Decision" in shown
    assert "art. 40(1)" in shown
    assert "Sun 1 Nov 2026" in shown
    # the version form starts from the latest version's values
    assert 'name="new-met_by" type="text" value="admissibility_decision, decision"' in shown


def test_met_by_is_refused_on_a_rule_our_side_owes(database, admin, belgium):
    admin.get("/admin/rules")

    refused = admin.post("/admin/rules", RULE | AUTHORITY | {"owed_by": "client"})

    assert refused.status_code == 422
    assert rule_rows(database, "BE-TEST") == []
    assert "set owed_by to authority" in text(refused)


def test_an_admin_corrects_a_rule_s_article_address_and_date_checked(database, admin, belgium):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)
    [rule] = rule_rows(database, "BE-TEST")
    admin.get(f"/admin/rules/{rule.id}")

    edit = {
        "edit-version": 1,
        "edit-title": "A test period",
        "edit-source": "Test Code",
        "edit-article": "art. 2",
        "edit-source_url": "https://example.org/code",
        "edit-checked_on": "2026-11-20",
    }
    saved = admin.post(f"/admin/rules/{rule.id}", edit)

    assert saved.status_code == 302
    [after] = rule_rows(database, "BE-TEST")
    assert (after.article, after.source_url, after.checked_on) == (
        "art. 2",
        "https://example.org/code",
        dt.date(2026, 11, 20),
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "admin-is-taken"}, "email", "'admin-is-taken' is not an email address"),
        ({"timezone": "Mars/Olympus"}, "timezone", None),
        ({"role": "judge"}, "role", "Not a valid choice."),
        ({"email": ""}, "email", "This field is required."),
        ({"password": "short"}, "password", "Field must be between 10 and 1000 characters long."),
    ],
)
def test_a_wrong_user_form_names_the_field(database, admin, change, field, message):
    admin.get("/admin")

    with factories.nothing_written(database):
        refused = admin.post("/admin/users", NEW_USER | change)

    assert refused.status_code == 422
    errors = field_errors(text(refused), field)
    assert errors if message is None else errors == [message]


def test_a_taken_email_is_refused_next_to_the_field(database, admin):
    admin.get("/admin")

    with factories.nothing_written(database):
        refused = admin.post("/admin/users", NEW_USER | {"email": admin.user.email.upper()})

    assert refused.status_code == 422
    assert field_errors(text(refused), "email") == [f"a user with email {admin.user.email} exists"]


def test_adding_a_user_needs_the_csrf_token(database, admin):
    with factories.nothing_written(database):
        assert admin.post("/admin/users", NEW_USER, csrf=False).status_code == 400


def test_an_admin_changes_a_role(database, admin):
    other = make_user(database, "lawyer")
    admin.get(f"/admin/users/{other.id}")

    response = admin.post(f"/admin/users/{other.id}/role", {"role": "coordinator", "version": 1})

    assert response.status_code == 302
    assert user_row(database, other.email).role.value == "coordinator"
    [entry] = factories.audit_entries(database, "users")
    assert entry["action"] == "update"
    assert (entry["before"], entry["after"]) == ({"role": "lawyer"}, {"role": "coordinator"})


def test_a_stale_role_form_shows_the_conflict_and_the_current_role(database, admin):
    other = make_user(database, "lawyer")
    admin.get(f"/admin/users/{other.id}")
    assert (
        admin.post(f"/admin/users/{other.id}/role", {"role": "staff", "version": 1}).status_code
        == 302
    )

    with factories.nothing_written(database):
        stale = admin.post(f"/admin/users/{other.id}/role", {"role": "coordinator", "version": 1})

    assert stale.status_code == 409
    page = text(stale)
    assert "Someone else changed this" in page
    assert '<option selected value="staff">' in page
    assert 'name="version" type="hidden" value="2"' in page


def test_an_admin_cannot_demote_or_deactivate_themselves(database, admin):
    admin.get(f"/admin/users/{admin.user.id}")

    with factories.nothing_written(database):
        demoted = admin.post(f"/admin/users/{admin.user.id}/role", {"role": "staff", "version": 1})
        deactivated = admin.post(f"/admin/users/{admin.user.id}/deactivate", {"version": 1})

    assert demoted.status_code == 422
    assert field_errors(text(demoted), "role") == [
        "you cannot take away your own admin role: ask another admin"
    ]
    assert deactivated.status_code == 422
    assert "you cannot deactivate yourself: ask another admin" in text(deactivated)


def test_an_admin_changes_a_user_s_name_and_time_zone(database, admin):
    other = make_user(database, "lawyer", name="Old Name")
    admin.get(f"/admin/users/{other.id}")

    response = admin.post(
        f"/admin/users/{other.id}/settings",
        {"settings-name": " New Name ", "settings-timezone": "Europe/Kyiv", "settings-version": 1},
    )

    assert response.status_code == 302
    row = user_row(database, other.email)
    assert (row.name, row.timezone, row.role.value) == ("New Name", "Europe/Kyiv", "lawyer")
    [entry] = factories.audit_entries(database, "users")
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        admin.user.email,
        "update",
        other.id,
    )
    assert (entry["before"], entry["after"]) == (
        {"name": "Old Name", "timezone": "UTC"},
        {"name": "New Name", "timezone": "Europe/Kyiv"},
    )
    assert "New Name" in text(admin.get(f"/admin/users/{other.id}"))


def test_a_wrong_time_zone_is_refused_next_to_the_field(database, admin):
    other = make_user(database, "lawyer")
    admin.get(f"/admin/users/{other.id}")

    with factories.nothing_written(database):
        refused = admin.post(
            f"/admin/users/{other.id}/settings",
            {"settings-name": "X", "settings-timezone": "Mars/Olympus", "settings-version": 1},
        )

    assert refused.status_code == 422
    assert field_errors(text(refused), "settings-timezone")


def test_a_stale_name_form_shows_the_conflict_and_the_current_values(database, admin):
    other = make_user(database, "lawyer", name="Current Name")
    admin.get(f"/admin/users/{other.id}")
    admin.post(f"/admin/users/{other.id}/role", {"role": "staff", "version": 1})
    settings = {"settings-name": "Stale", "settings-timezone": "Asia/Tbilisi"}

    with factories.nothing_written(database):
        stale = admin.post(f"/admin/users/{other.id}/settings", settings | {"settings-version": 1})

    assert stale.status_code == 409
    page = text(stale)
    assert "Someone else changed this" in page
    assert 'value="Current Name"' in page
    assert "Stale" not in page
    assert '<option selected value="UTC">' in page
    assert 'name="settings-version" type="hidden" value="2"' in page


def test_a_deactivated_user_is_signed_out_and_can_be_reactivated(app, database, admin):
    other_client = app.test_client()
    other = sign_in(other_client, database, "staff")
    assert other.get("/account").status_code == 200
    admin.get(f"/admin/users/{other.user.id}")

    assert admin.post(f"/admin/users/{other.user.id}/deactivate", {"version": 1}).status_code == 302

    assert other.get("/account").status_code == 302
    assert "deactivated" in text(admin.get("/admin"))
    assert admin.post(f"/admin/users/{other.user.id}/reactivate", {"version": 2}).status_code == 302
    # the sessions ended with the deactivation: reactivating does not bring them back
    assert other.get("/account").status_code == 302
    assert Browser(app.test_client()).log_in(other.user.email).status_code == 302
    actions = [(e["action"], e["after"]) for e in factories.audit_entries(database, "users")]
    assert actions[:2] == [("deactivate", {"active": False}), ("activate", {"active": True})]
    assert [action for action, _after in actions[2:]] == ["sign_in"]


def test_resetting_a_password_shows_the_new_one_once(app, database, admin):
    other = make_user(database, "staff")
    admin.get(f"/admin/users/{other.id}")

    response = admin.post(f"/admin/users/{other.id}/password")

    password = shown_password(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert Browser(app.test_client()).log_in(other.email).status_code == 401
    assert Browser(app.test_client()).log_in(other.email, password).status_code == 302
    entries = factories.audit_entries(database, "users")
    assert [e["action"] for e in entries] == ["set_password", "sign_in_failed", "sign_in"]
    assert password not in str(entries)


def test_user_changes_need_the_csrf_token(database, admin):
    other = make_user(database, "staff")

    with factories.nothing_written(database):
        for action in ["role", "deactivate", "password", "settings"]:
            response = admin.post(
                f"/admin/users/{other.id}/{action}", {"role": "admin", "version": 1}, csrf=False
            )
            assert response.status_code == 400, action


def test_the_users_page_runs_the_same_queries_for_one_user_or_five(database, admin, queries):
    admin.get("/admin")
    queries.clear()
    admin.get("/admin")
    one = len(queries)
    for _ in range(4):
        make_user(database, "lawyer")
    queries.clear()

    page = text(admin.get("/admin"))

    assert page.count("/admin/users/") == 5
    assert len(queries) == one


# --- jurisdictions ----------------------------------------------------------------------------

JURISDICTION = {"code": "fr", "name": "France", "timezone": "Europe/Paris", "holiday_country": "FR"}


def test_an_admin_adds_a_jurisdiction(database, admin):
    admin.get("/admin/jurisdictions")

    response = admin.post("/admin/jurisdictions", JURISDICTION)

    assert response.status_code == 302
    page = text(admin.get("/admin/jurisdictions"))
    assert "Jurisdiction FR added." in page
    assert "Europe/Paris" in page
    [entry] = factories.audit_entries(database, "jurisdictions")
    assert (entry["actor"], entry["action"]) == (admin.user.email, "create")
    assert entry["after"]["holiday_country"] == "FR"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", None),
        (
            {"holiday_country": "XX"},
            "holiday_country",
            "'XX' is not a country of the holidays package",
        ),
        ({"code": "BE"}, "code", "jurisdiction BE exists"),
        (
            {"code": "b"},
            "code",
            "'B' is not a jurisdiction code (ISO 3166 alpha-2, or ECHR, UN...)",
        ),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_wrong_jurisdiction_names_the_field(database, admin, change, field, message):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin.get("/admin/jurisdictions")

    with factories.nothing_written(database):
        refused = admin.post("/admin/jurisdictions", JURISDICTION | change)

    assert refused.status_code == 422
    errors = field_errors(text(refused), field)
    assert errors if message is None else errors == [message]


def test_an_admin_edits_a_jurisdiction_and_a_stale_form_is_refused(database, admin):
    made = factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin.get(f"/admin/jurisdictions/{made}")
    edit = {"name": "Kingdom of Belgium", "timezone": "Europe/Brussels", "holiday_country": "BE"}

    saved = admin.post(f"/admin/jurisdictions/{made}", edit | {"version": 1})
    with factories.nothing_written(database):
        stale = admin.post(f"/admin/jurisdictions/{made}", edit | {"name": "Old", "version": 1})
        wrong = admin.post(
            f"/admin/jurisdictions/{made}", edit | {"timezone": "Nowhere/Land", "version": 2}
        )

    assert saved.status_code == 302
    with database.sessionmaker() as session:
        row = session.get(Jurisdiction, made)
        assert (row.name, row.holiday_country, row.version) == ("Kingdom of Belgium", "BE", 2)
    [entry] = [
        e for e in factories.audit_entries(database, "jurisdictions") if e["action"] == "update"
    ]
    assert entry["after"] == {"name": "Kingdom of Belgium", "holiday_country": "BE"}
    assert stale.status_code == 409
    assert "Someone else changed this" in text(stale)
    assert 'value="Kingdom of Belgium"' in text(stale)
    assert wrong.status_code == 422
    assert field_errors(text(wrong), "timezone")


def test_the_jurisdictions_page_runs_the_same_queries_for_one_or_five(database, admin, queries):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin.get("/admin/jurisdictions")
    queries.clear()
    admin.get("/admin/jurisdictions")
    one = len(queries)
    for code in ["FR", "IT", "DE", "NL"]:
        factories.jurisdiction(database, code, code, "Europe/Paris")
    queries.clear()

    page = text(admin.get("/admin/jurisdictions"))

    assert page.count('href="/admin/jurisdictions/') == 5
    assert len(queries) == one


# --- deadline rules ---------------------------------------------------------------------------


@pytest.fixture
def belgium(database, frozen_now):
    return factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels", "BE")


def test_an_admin_adds_a_rule(database, admin, belgium):
    admin.get("/admin/rules")

    response = admin.post("/admin/rules", RULE | {"code": "be-test"})

    assert response.status_code == 302
    [rule] = rule_rows(database, "BE-TEST")
    assert response.headers["Location"] == f"/admin/rules/{rule.id}"
    assert (rule.amount, rule.unit.value, rule.valid_from) == (10, "days", None)
    page = text(admin.get("/admin/rules"))
    assert "BE — Belgium" in page
    assert "A test period" in page
    [entry] = factories.audit_entries(database, "deadline_rules")
    assert (entry["actor"], entry["action"]) == (admin.user.email, "create")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "0"}, "amount", "amount must be a whole number from 1 to 3650"),
        ({"amount": "ten"}, "amount", "Not a valid integer value."),
        (
            {"valid_from": "2026-01-01", "valid_to": "2025-01-01"},
            "valid_to",
            "the day it stops being in force must be after the first day in force",
        ),
        ({"code": "be test"}, "code", None),
        ({"jurisdiction": "ZZ"}, "jurisdiction", "no jurisdiction with code 'ZZ'"),
        ({"unit": "weeks"}, "unit", "Not a valid choice."),
        ({"trigger_kind": ""}, "trigger_kind", "This field is required."),
        # a period in working hours needs the office's day, counted back
        (
            {"unit": "working_hours", "direction": "before", "due_time": "16:00"},
            "opens_at",
            "a period in working hours needs the hours the office opens and closes",
        ),
        (
            {
                "unit": "working_hours",
                "direction": "after",
                "opens_at": "08:00",
                "due_time": "16:00",
            },
            "direction",
            "a period in working hours is counted back from its trigger: direction before",
        ),
        (
            {
                "unit": "working_hours",
                "direction": "before",
                "opens_at": "16:00",
                "due_time": "08:00",
            },
            "due_time",
            "the office must open before it closes",
        ),
        ({"opens_at": "08:00"}, "opens_at", "opens_at is for a period in working hours"),
    ],
)
def test_a_wrong_rule_names_the_field(database, admin, belgium, change, field, message):
    admin.get("/admin/rules")

    with factories.nothing_written(database):
        refused = admin.post("/admin/rules", RULE | change)

    assert refused.status_code == 422
    errors = field_errors(text(refused), field)
    assert errors if message is None else errors == [message]


def test_a_rule_code_is_added_once(database, admin, belgium):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)

    with factories.nothing_written(database):
        again = admin.post("/admin/rules", RULE)

    assert again.status_code == 422
    assert field_errors(text(again), "code") == [
        "rule BE-TEST exists: add a new version of it instead, from the day it changed"
    ]


def computed_deadline(client, database, trigger_on: str) -> dict:
    """A deadline computed by BE-TEST from a judgment on `trigger_on`."""
    api = factories.login(client, database, "staff")
    _matter, proceeding = factories.dossier(api)
    event = factories.event(api, proceeding["id"], trigger_on, kind="judgment")
    return factories.created(
        api.post(
            f"/proceedings/{proceeding['id']}/deadlines",
            {"rule": "BE-TEST", "trigger_event_id": event["id"]},
        )
    )


def test_a_new_version_closes_the_old_one_and_leaves_computed_deadlines_alone(
    client, database, admin, belgium
):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)
    [old] = rule_rows(database, "BE-TEST")
    deadline = computed_deadline(client, database, "2026-10-01")
    admin.get(f"/admin/rules/{old.id}")
    version = {k: v for k, v in RULE.items() if k not in ("code", "jurisdiction")}
    version = {f"new-{k}": v for k, v in version.items()}

    response = admin.post(
        f"/admin/rules/{old.id}/versions",
        version | {"new-amount": "20", "new-valid_from": "2026-09-01", "new-source": "New law"},
    )

    assert response.status_code == 302
    closed, new = rule_rows(database, "BE-TEST")
    assert (closed.id, closed.valid_to) == (old.id, dt.date(2026, 9, 1))
    assert (new.amount, new.valid_from, new.valid_to, new.source) == (
        20,
        dt.date(2026, 9, 1),
        None,
        "New law",
    )
    with database.sessionmaker() as session:
        kept = session.get(Deadline, deadline["id"])
        assert (kept.due_on.isoformat(), kept.rule_id) == (deadline["due_on"], old.id)
    old_page = text(admin.get(f"/admin/rules/{old.id}"))
    assert "Open deadlines to review" in old_page
    assert f'href="/deadlines/{deadline["id"]}"' in old_page
    assert "Open deadlines to review" not in text(admin.get(f"/admin/rules/{new.id}"))
    entries = factories.audit_entries(database, "deadline_rules")
    assert [(e["action"], e["entity_id"]) for e in entries[1:]] == [
        ("update", old.id),
        ("create", new.id),
    ]
    assert entries[1]["after"] == {"valid_to": "2026-09-01"}


def test_a_new_version_must_start_after_the_latest(database, admin, belgium):
    with database.unit_of_work() as session:
        command = NewRule.parse(RULE | {"amount": 10, "valid_from": "2020-01-01"})
        deadlines.create_rule(session, factories.SETUP, clock.now(), command)
    [old] = rule_rows(database, "BE-TEST")
    admin.get(f"/admin/rules/{old.id}")
    version = {f"new-{k}": v for k, v in RULE.items() if k not in ("code", "jurisdiction")}

    with factories.nothing_written(database):
        early = admin.post(
            f"/admin/rules/{old.id}/versions", version | {"new-valid_from": "2019-06-01"}
        )
        undated = admin.post(f"/admin/rules/{old.id}/versions", version)

    assert early.status_code == 422
    assert field_errors(text(early), "new-valid_from") == [
        "the first day in force must be after 2020-01-01, when the latest version took effect"
    ]
    assert undated.status_code == 422
    assert field_errors(text(undated), "new-valid_from") == [
        "a new version needs the first day it is in force"
    ]


def test_an_admin_corrects_a_rule_s_title_and_a_stale_form_is_refused(database, admin, belgium):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)
    [rule] = rule_rows(database, "BE-TEST")
    admin.get(f"/admin/rules/{rule.id}")
    edit = {"edit-title": "Better title", "edit-source": "Test Code art. 2", "edit-version": 1}

    saved = admin.post(f"/admin/rules/{rule.id}", edit)
    with factories.nothing_written(database):
        stale = admin.post(f"/admin/rules/{rule.id}", edit | {"edit-title": "Stale"})
        empty = admin.post(f"/admin/rules/{rule.id}", edit | {"edit-title": "", "edit-version": 2})

    assert saved.status_code == 302
    [after] = rule_rows(database, "BE-TEST")
    assert (after.title, after.source, after.amount) == ("Better title", "Test Code art. 2", 10)
    update = factories.audit_entries(database, "deadline_rules")[-1]
    assert update["after"] == {"title": "Better title", "source": "Test Code art. 2"}
    assert stale.status_code == 409
    assert 'value="Better title"' in text(stale)
    assert empty.status_code == 422
    assert field_errors(text(empty), "edit-title") == ["This field is required."]


def test_rule_changes_need_the_csrf_token(database, admin, belgium):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)
    [rule] = rule_rows(database, "BE-TEST")

    with factories.nothing_written(database):
        assert (
            admin.post("/admin/rules", RULE | {"code": "BE-OTHER"}, csrf=False).status_code == 400
        )
        assert (
            admin.post(f"/admin/rules/{rule.id}", {"edit-title": "x"}, csrf=False).status_code
            == 400
        )
        assert admin.post(f"/admin/rules/{rule.id}/versions", {}, csrf=False).status_code == 400


def test_the_rules_page_runs_the_same_queries_for_one_rule_or_five(
    database, admin, belgium, queries
):
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE)
    queries.clear()
    admin.get("/admin/rules")
    one = len(queries)
    for n in range(4):
        admin.post("/admin/rules", RULE | {"code": f"X-{n}", "jurisdiction": ["BE", "FR"][n % 2]})
    queries.clear()

    page = text(admin.get("/admin/rules"))

    assert page.count('href="/admin/rules/') == 5
    assert len(queries) == one


# --- judicial vacations -----------------------------------------------------------------------


@pytest.fixture
def shipped(database, frozen_now) -> int:
    """The shipped rules and calendars; returns BE's id (vacation 1 July–31 August → 15 Sept)."""
    with database.unit_of_work() as session:
        deadlines.seed_rules(session, factories.SETUP, clock.now())
        return session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == "BE"))


def vacations(database, jurisdiction_id: int) -> list[JudicialVacation]:
    with database.sessionmaker() as session:
        return list(
            session.scalars(
                sa.select(JudicialVacation)
                .where(JudicialVacation.jurisdiction_id == jurisdiction_id)
                .order_by(JudicialVacation.id)
            )
        )


def vacation_form(**changes: str) -> dict[str, str]:
    return {f"vacation-{k}": v for k, v in (VACATION | changes).items()}


def be_deadlines(client, database, *triggers: tuple[str, str]) -> list[dict]:
    """Deadlines computed in BE by (rule, trigger day), through the API."""
    api = factories.login(client, database, "staff")
    _matter, proceeding = factories.dossier(api)
    made = []
    for rule, day in triggers:
        event = factories.event(api, proceeding["id"], day, kind="service")
        made.append(
            factories.created(
                api.post(
                    f"/proceedings/{proceeding['id']}/deadlines",
                    {"rule": rule, "trigger_event_id": event["id"]},
                )
            )
        )
    return made


def to_review(page: str) -> dict[int, str]:
    """The deadlines the jurisdiction's page lists for review: id -> "old → new"."""
    found = re.search(
        r'<section class="conflict" aria-labelledby="moved-heading">(.*?)</section>', page, re.S
    )
    if found is None:
        return {}
    return {
        int(deadline_id): html.unescape(dates).strip()
        for deadline_id, dates in re.findall(
            r'<a href="/deadlines/(\d+)">.*?</a> — (.*?)</li>', found.group(1), re.S
        )
    }


def test_an_admin_adds_a_vacation_and_sees_the_deadlines_it_moves(client, database, admin, shipped):
    [shipped_vacation] = vacations(database, shipped)
    with database.unit_of_work() as session:
        session.delete(session.get(JudicialVacation, shipped_vacation.id))
    summer, autumn, criminal = be_deadlines(
        client,
        database,
        ("BE-CIV-APPEAL", "2026-07-10"),
        ("BE-CIV-APPEAL", "2026-10-01"),
        ("BE-CRIM-APPEAL", "2026-07-10"),
    )
    assert [d["due_on"] for d in (summer, autumn, criminal)] == [
        "2026-08-10",
        "2026-11-02",
        "2026-08-10",
    ]
    admin.get(f"/admin/jurisdictions/{shipped}")

    response = admin.post(
        f"/admin/jurisdictions/{shipped}/vacations",
        vacation_form(
            name="summer vacation",
            start_month="7",
            start_day="1",
            end_month="8",
            end_day="31",
            extend_to_month="9",
            extend_to_day="15",
        ),
    )

    assert response.status_code == 302
    [made] = vacations(database, shipped)
    assert (made.name, made.effect.value, made.start_month, made.end_day, made.extend_to_day) == (
        "summer vacation",
        "extend",
        7,
        31,
        15,
    )
    page = text(admin.get(f"/admin/jurisdictions/{shipped}"))
    assert "Vacation “summer vacation” added to the calendar of BE." in page
    assert "1 July to 31 August every year" in page
    assert to_review(page) == {summer["id"]: "Mon 10 Aug 2026 → Tue 15 Sep 2026"}
    with database.sessionmaker() as session:  # listed, not changed
        assert session.get(Deadline, summer["id"]).due_on == dt.date(2026, 8, 10)
    [entry] = factories.audit_entries(database, "judicial_vacations")
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        admin.user.email,
        "create",
        made.id,
    )
    assert entry["after"]["extend_to_month"] == 9


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_month": "4", "start_day": "31"}, "start_day", "April has no day 31"),
        ({"end_month": "2", "end_day": "30"}, "end_day", "February has no day 30"),
        (
            {"end_month": "2", "end_day": "29"},
            "end_day",
            "29 February is not in every year: give 28 February or 1 March",
        ),
        ({"start_month": "13"}, "start_month", "choose a month"),
        ({"start_day": ""}, "start_day", "give a day from 1 to 31"),
        ({"start_day": "first"}, "start_day", "Not a valid integer value."),
        (
            {"effect": "postpone"},
            "effect",
            "'postpone' is not a valid effect (extend, suspend, closed)",
        ),
        ({"name": " "}, "name", "This field is required."),
        (
            {"start_month": "12", "start_day": "20", "end_month": "1", "end_day": "6"},
            "end_month",
            "the last day comes before the first: a vacation stays within one calendar year "
            "(enter one over New Year as two)",
        ),
        ({"extend_to_month": "", "extend_to_day": ""}, "extend_to_month", "choose a month"),
        (
            {"extend_to_month": "12", "extend_to_day": "27"},
            "extend_to_month",
            "periods are extended to a day after the vacation (after 27 December)",
        ),
        (
            {"start_month": "8", "start_day": "31", "end_month": "9", "end_day": "10"},
            "start_month",
            "this period overlaps “judicial vacation” (1 July to 31 August): a day can be in "
            "one vacation only; change or remove that one first",
        ),
        (
            {"valid_from": "2027-01-01", "valid_to": "2026-01-01"},
            "valid_to",
            "the day it stops being in force must be after the first day in force",
        ),
    ],
)
def test_a_wrong_vacation_is_refused_next_to_its_field(
    database, admin, shipped, change, field, message
):
    admin.get(f"/admin/jurisdictions/{shipped}")

    with factories.nothing_written(database):
        refused = admin.post(f"/admin/jurisdictions/{shipped}/vacations", vacation_form(**change))

    assert refused.status_code == 422
    assert field_errors(text(refused), f"vacation-{field}") == [message]
    assert "Nothing was saved" in text(refused)


def test_a_vacation_may_overlap_one_that_is_no_longer_in_force(database, admin, shipped):
    [old] = vacations(database, shipped)
    with database.unit_of_work() as session:
        session.get(JudicialVacation, old.id).valid_to = dt.date(2027, 1, 1)
    admin.get(f"/admin/jurisdictions/{shipped}")
    summer = {"start_month": "7", "start_day": "15", "end_month": "8", "end_day": "31"}
    summer |= {"extend_to_month": "9", "extend_to_day": "15"}

    overlapping = admin.post(
        f"/admin/jurisdictions/{shipped}/vacations",
        vacation_form(**summer, valid_from="2026-12-31"),
    )
    following = admin.post(
        f"/admin/jurisdictions/{shipped}/vacations",
        vacation_form(**summer, valid_from="2027-01-01"),
    )

    assert overlapping.status_code == 422
    assert following.status_code == 302
    assert len(vacations(database, shipped)) == 2


def test_an_admin_changes_a_vacation_and_a_stale_form_is_refused(client, database, admin, shipped):
    [shipped_vacation] = vacations(database, shipped)
    [summer] = be_deadlines(client, database, ("BE-CIV-APPEAL", "2026-07-10"))
    path = f"/admin/jurisdictions/{shipped}/vacations/{shipped_vacation.id}"
    form = text(admin.get(path))
    assert 'value="judicial vacation"' in form
    assert '<option selected value="9">September</option>' in form
    edit = vacation_form(
        name="judicial vacation",
        start_month="7",
        start_day="1",
        end_month="8",
        end_day="31",
        extend_to_month="9",
        extend_to_day="30",
        source="Judicial Code art. 50",
    )

    saved = admin.post(path, edit | {"vacation-version": "1"})
    with factories.nothing_written(database):
        stale = admin.post(path, edit | {"vacation-extend_to_day": "20", "vacation-version": "1"})
        wrong = admin.post(path, edit | {"vacation-end_day": "32", "vacation-version": "2"})

    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/admin/jurisdictions/{shipped}"
    [row] = vacations(database, shipped)
    assert (row.extend_to_day, row.source, row.version) == (30, "Judicial Code art. 50", 2)
    [entry] = factories.audit_entries(database, "judicial_vacations")
    assert (entry["action"], entry["before"], entry["after"]) == (
        "update",
        {"extend_to_day": 15, "source": "Judicial Code art. 50 al. 2"},
        {"extend_to_day": 30, "source": "Judicial Code art. 50"},
    )
    page = text(admin.get(f"/admin/jurisdictions/{shipped}"))
    assert to_review(page) == {summer["id"]: "Tue 15 Sep 2026 → Wed 30 Sep 2026"}
    assert stale.status_code == 409
    assert "Someone else changed this" in text(stale)
    assert '<option selected value="30">' not in text(stale)  # a number field, not a select
    assert 'name="vacation-extend_to_day" type="number" value="30"' in text(stale)
    assert 'name="vacation-version" type="hidden" value="2"' in text(stale)
    assert wrong.status_code == 422
    assert field_errors(text(wrong), "vacation-end_day") == ["give a day from 1 to 31"]


def test_an_admin_removes_a_vacation_and_sees_the_deadlines_it_moves(
    client, database, admin, shipped
):
    [shipped_vacation] = vacations(database, shipped)
    summer, *unmoved = be_deadlines(
        client,
        database,
        ("BE-CIV-APPEAL", "2026-07-10"),
        ("BE-CIV-APPEAL", "2026-10-01"),
        ("BE-CRIM-APPEAL", "2026-07-10"),  # counted without vacations
    )
    assert [d["due_on"] for d in (summer, *unmoved)] == ["2026-09-15", "2026-11-02", "2026-08-10"]
    path = f"/admin/jurisdictions/{shipped}/vacations/{shipped_vacation.id}"
    assert to_review(text(admin.get(f"/admin/jurisdictions/{shipped}"))) == {}
    admin.get(path)

    with factories.nothing_written(database):
        stale = admin.post(f"{path}/remove", {"remove-version": "0"})
    removed = admin.post(f"{path}/remove", {"remove-version": "1"})

    assert stale.status_code == 409
    assert "Someone else changed this" in text(stale)
    assert 'name="remove-version" type="hidden" value="1"' in text(stale)
    assert removed.status_code == 302
    assert vacations(database, shipped) == []
    page = text(admin.get(f"/admin/jurisdictions/{shipped}"))
    assert "Vacation “judicial vacation” removed from the calendar of BE." in page
    assert to_review(page) == {summer["id"]: "Tue 15 Sep 2026 → Mon 10 Aug 2026"}
    with database.sessionmaker() as session:
        assert session.get(Deadline, summer["id"]).due_on == dt.date(2026, 9, 15)
    [entry] = factories.audit_entries(database, "judicial_vacations")
    assert (entry["action"], entry["entity_id"], entry["after"]) == (
        "delete",
        shipped_vacation.id,
        {},
    )
    assert entry["before"]["name"] == "judicial vacation"
    assert admin.get(path).status_code == 404


def test_a_vacation_of_another_jurisdiction_is_not_found(database, admin, shipped):
    [shipped_vacation] = vacations(database, shipped)
    admin.get("/admin/jurisdictions")

    with factories.nothing_written(database):
        for path in ["", "/remove"]:
            url = f"/admin/jurisdictions/{shipped + 1}/vacations/{shipped_vacation.id}{path}"
            assert admin.post(url, vacation_form(version="1")).status_code == 404


def test_vacation_changes_need_the_csrf_token(database, admin, shipped):
    [shipped_vacation] = vacations(database, shipped)
    path = f"/admin/jurisdictions/{shipped}/vacations"

    with factories.nothing_written(database):
        for url in [path, f"{path}/{shipped_vacation.id}", f"{path}/{shipped_vacation.id}/remove"]:
            assert admin.post(url, vacation_form(), csrf=False).status_code == 400, url


def replace_vacations_by_a_summer_suspension(database, jurisdiction_id: int) -> None:
    """Deadlines computed before it would all move."""
    with database.unit_of_work() as session:
        session.execute(sa.delete(JudicialVacation))
        session.add(
            JudicialVacation(
                jurisdiction_id=jurisdiction_id,
                name="summer",
                effect="suspend",
                start_month=7,
                start_day=1,
                end_month=8,
                end_day=31,
            )
        )


def test_the_jurisdiction_page_runs_the_same_queries_for_one_deadline_to_review_or_five(
    client, database, admin, shipped, queries
):
    be_deadlines(client, database, ("BE-CIV-APPEAL", "2026-07-10"))
    replace_vacations_by_a_summer_suspension(database, shipped)
    admin.get(f"/admin/jurisdictions/{shipped}")
    queries.clear()
    assert len(to_review(text(admin.get(f"/admin/jurisdictions/{shipped}")))) == 1
    one = len(queries)
    with database.unit_of_work() as session:  # four more computed without any vacation
        session.execute(sa.delete(JudicialVacation))
    be_deadlines(client, database, *[("BE-CIV-APPEAL", f"2026-06-1{n}") for n in range(4)])
    replace_vacations_by_a_summer_suspension(database, shipped)
    queries.clear()

    page = text(admin.get(f"/admin/jurisdictions/{shipped}"))

    assert len(to_review(page)) == 5
    assert len(queries) == one


# --- addresses typed in the browser -----------------------------------------------------------


def test_the_users_list_is_at_admin_users_too(admin):
    page = admin.get("/admin/users")

    assert page.status_code == 200
    assert admin.user.email in text(page)
    assert 'action="/admin/users"' in text(page)  # the form that adds a user


def test_no_admin_or_account_address_answers_get_with_405(app, database, admin, shipped):
    """A form's POST-only address, typed or reloaded, leads to the page of that form."""
    with database.sessionmaker() as session:
        rule_id = session.scalar(sa.select(sa.func.min(DeadlineRule.id)))
    ids = {
        "user_id": admin.user.id,
        "jurisdiction_id": shipped,
        "vacation_id": vacations(database, shipped)[0].id,
        "rule_id": rule_id,
        "session_id": 1,
        "token_id": 1,
        "factor_id": 1,
    }
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/admin", "/account"))]
    assert len(rules) > 20
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(ids[name]))
        response = admin.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
        if response.status_code == 302:
            landing = admin.get(response.headers["Location"])
            assert landing.status_code == 200, (path, response.headers["Location"])


def test_a_rule_reads_with_its_title_and_a_period_in_the_singular(database, admin, belgium):
    admin.get("/admin/rules")
    admin.post("/admin/rules", RULE | {"code": "BE-ONE", "amount": "1", "unit": "months"})
    [rule] = rule_rows(database, "BE-ONE")

    listed, shown = text(admin.get("/admin/rules")), text(admin.get(f"/admin/rules/{rule.id}"))

    link = (
        f'<a href="/admin/rules/{rule.id}">A test period</a> <span class="muted code">BE-ONE</span>'
    )
    assert link in listed
    assert "<td>1 month</td>" in listed
    assert "<dd>1 month</dd>" in shown
    assert "1 months" not in listed + shown
    assert "<dd>Ignored</dd>" in shown  # judicial vacations, in words
