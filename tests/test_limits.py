"""Every free text has a limit, written once in tracker.core.limits.

One character more is refused: a 422 naming the field through the API, the message next
to the field on a form, and nothing written. Exactly the limit is taken. A word without
a space counts like any other: these texts are all one word.
"""

from __future__ import annotations

import re
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from factories import assert_error, nothing_written
from pages import sign_in, text

import tracker
from tracker.core import clock, limits
from tracker.delays.models import Severity
from tracker.models import (
    ApiToken,
    AuditEntry,
    Authority,
    CalendarFeed,
    Deadline,
    DeadlineRule,
    DelayFlag,
    DeliveryEvent,
    Event,
    Hearing,
    JudicialVacation,
    Jurisdiction,
    Matter,
    Notification,
    Person,
    Postponement,
    Proceeding,
    User,
)


def word(length: int) -> str:
    return "W" * length


# --- declared once ------------------------------------------------------------------------

#: each bounded column and the limit of what is written in it
COLUMNS = [
    (Matter.title, limits.TITLE),
    (Proceeding.title, limits.TITLE),
    (Hearing.title, limits.TITLE),
    (Deadline.title, limits.TITLE),
    (DeadlineRule.title, limits.TITLE),
    (Person.name, limits.NAME),
    (Authority.name, limits.NAME),
    (Jurisdiction.name, limits.NAME),
    (JudicialVacation.name, limits.NAME),
    (CalendarFeed.name, limits.NAME),
    (User.name, limits.NAME),
    (ApiToken.name, limits.NAME),
    (User.email, limits.EMAIL),
    (Proceeding.reference, limits.REFERENCE),
    (Matter.key, limits.MATTER_NUMBER),
    (Hearing.location, limits.LOCATION),
    (Jurisdiction.code, limits.JURISDICTION_CODE),
    (DeadlineRule.code, limits.RULE_CODE),
    (Event.kind, limits.KIND),
    (DeadlineRule.trigger_kind, limits.KIND),
    (AuditEntry.action, limits.AUDIT_ACTION),
    (Notification.subject, limits.MAIL_SUBJECT),
    (DeliveryEvent.sg_event_id, limits.SENDGRID_EVENT_ID),
    (DeliveryEvent.detail, limits.DELIVERY_DETAIL),
    # Text columns: any limit fits
    (Matter.summary, limits.SUMMARY),
    (Event.summary, limits.SUMMARY),
    (Event.source, limits.SOURCE),
    (Hearing.outcome_summary, limits.SUMMARY),
    (Postponement.reason, limits.REASON),
    (Deadline.explanation, limits.EXPLANATION),
    (DeadlineRule.source, limits.SOURCE),
    (JudicialVacation.source, limits.SOURCE),
    (DelayFlag.acknowledgement, limits.NOTE),
]


@pytest.mark.parametrize(("column", "limit"), COLUMNS, ids=lambda c: str(c))
def test_each_limit_fits_its_column(column, limit):
    length = column.property.columns[0].type.length
    assert length is None or length >= limit, f"{column} holds {length}, its limit is {limit}"


#: a limit written as a number in the code, not named from tracker.core.limits
LITERAL = re.compile(r"max_length=\d|Length\([^)]*max=\d|maxlength[\"']?\s*[:=]\s*[\"']?\d")


def test_no_limit_is_written_as_a_number_outside_limits_py():
    package = Path(tracker.__file__).parent
    files = [*package.rglob("*.py"), *(package.parent / "templates").rglob("*.html")]
    found = [
        f"{path.relative_to(package.parent)}:{number}: {line.strip()}"
        for path in files
        if path.name != "limits.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LITERAL.search(line)
    ]
    assert not found, "\n".join(found)


# --- through the API ----------------------------------------------------------------------


@pytest.fixture
def api(client, database, frozen_now):
    return factories.login(client, database, "admin", "admin@example.org")


@pytest.fixture
def ids(api, database) -> dict[str, int]:
    """A dossier with one of each: the rows the requests below change or add to."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    matter, proceeding = factories.dossier(api)
    return {
        "matter": matter["id"],
        "proceeding": proceeding["id"],
        "event": factories.event(api, proceeding["id"])["id"],
        "hearing": factories.hearing(api, proceeding["id"], "2026-12-01T09:00")["id"],
        "past": factories.hearing(api, proceeding["id"], "2026-11-02T09:00")["id"],
        "deadline": factories.deadline(api, proceeding["id"])["id"],
    }


def _proceeding(text: str, field: str) -> dict:
    body = {"matter_id": "{matter}", "jurisdiction": "BE", "kind": "appeal", "title": "A"}
    return body | {"client_role": "accused", field: text}


def _filled(body: dict, ids: dict[str, int]) -> dict:
    """The body with "{matter}" and the like replaced by the row's id."""
    return {
        name: ids[value.strip("{}")] if isinstance(value, str) and value.startswith("{") else value
        for name, value in body.items()
    }


#: (method, path, body with the text, field named in the refusal, limit)
API_CASES = [
    ("POST", "/jurisdictions", lambda t: {"code": t, "name": "X", "timezone": "UTC"}, "code",
     limits.JURISDICTION_CODE),
    ("POST", "/jurisdictions", lambda t: {"code": "FR", "name": t, "timezone": "UTC"}, "name",
     limits.NAME),
    ("POST", "/matters", lambda t: {"title": t}, "title", limits.TITLE),
    ("POST", "/matters", lambda t: {"title": "A", "subject": t}, "subject", limits.NAME),
    ("POST", "/matters", lambda t: {"title": "A", "summary": t}, "summary", limits.SUMMARY),
    ("PATCH", "/matters/{matter}", lambda t: {"title": t}, "title", limits.TITLE),
    ("PATCH", "/matters/{matter}", lambda t: {"summary": t}, "summary", limits.SUMMARY),
    ("POST", "/proceedings", lambda t: _proceeding(t, "title"), "title", limits.TITLE),
    ("POST", "/proceedings", lambda t: _proceeding(t, "reference"), "reference",
     limits.REFERENCE),
    ("POST", "/proceedings", lambda t: _proceeding(t, "authority"), "authority", limits.NAME),
    ("PATCH", "/proceedings/{proceeding}", lambda t: {"title": t}, "title", limits.TITLE),
    ("PATCH", "/proceedings/{proceeding}", lambda t: {"authority": t}, "authority",
     limits.NAME),
    ("POST", "/proceedings/{proceeding}/events",
     lambda t: {"kind": t.lower(), "occurred_on": "2026-10-01"}, "kind", limits.KIND),
    ("POST", "/proceedings/{proceeding}/events",
     lambda t: {"kind": "filing", "occurred_on": "2026-10-01", "summary": t}, "summary",
     limits.SUMMARY),
    ("POST", "/proceedings/{proceeding}/events",
     lambda t: {"kind": "filing", "occurred_on": "2026-10-01", "source": t}, "source",
     limits.SOURCE),
    ("PATCH", "/events/{event}", lambda t: {"summary": t}, "summary", limits.SUMMARY),
    ("POST", "/proceedings/{proceeding}/hearings",
     lambda t: {"starts_at": "2026-12-03T09:00", "title": t}, "title", limits.TITLE),
    ("POST", "/proceedings/{proceeding}/hearings",
     lambda t: {"starts_at": "2026-12-03T09:00", "location": t}, "location", limits.LOCATION),
    ("PATCH", "/hearings/{hearing}", lambda t: {"location": t}, "location", limits.LOCATION),
    ("POST", "/hearings/{hearing}/postpone", lambda t: {"to": "2026-12-08T09:00", "reason": t},
     "reason", limits.REASON),
    ("POST", "/hearings/{past}/outcome", lambda t: {"result": "held", "summary": t}, "summary",
     limits.SUMMARY),
    ("POST", "/proceedings/{proceeding}/deadlines", lambda t: {"title": t, "due_on": "2026-12-20"},
     "title", limits.TITLE),
    ("POST", "/proceedings/{proceeding}/deadlines",
     lambda t: {"title": "A", "due_on": "2026-12-20", "explanation": t}, "explanation",
     limits.EXPLANATION),
    ("PATCH", "/deadlines/{deadline}", lambda t: {"title": t}, "title", limits.TITLE),
    ("POST", "/feeds", lambda t: {"scope": "mine", "name": t}, "name", limits.NAME),
    ("PATCH", "/me", lambda t: {"name": t}, "name", limits.NAME),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "limit"),
    API_CASES,
    ids=[f"{method} {path} {field}" for method, path, _, field, _ in API_CASES],
)
def test_the_api_refuses_one_character_more_and_takes_the_limit(
    api, database, ids, method, path, body, field, limit
):
    path = path.format(**ids)

    def send(length: int):
        sent = _filled(body(word(length)), ids)
        if method == "PATCH":
            sent["version"] = api.get(path).get_json()["version"]
        return api.request(method, path, sent)

    with nothing_written(database):
        refused = send(limit + 1)
    error = assert_error(refused, 422, "invalid", field)
    assert str(limit) in error["message"] or field == "code"

    taken = send(limit)
    assert taken.status_code in (200, 201), taken.get_json()


# --- through the forms --------------------------------------------------------------------


def field_errors(page, field_id: str) -> list[str]:
    """The messages shown next to the field (in its help block)."""
    found = re.search(rf'id="{field_id}-help">(.*?)</div>', text(page), re.S)
    return re.findall(r'<p class="error">(.*?)</p>', found.group(1)) if found else []


PROCEEDING = {
    "title": "A",
    "jurisdiction": "BE",
    "kind": "appeal",
    "client_role": "accused",
    "status": "pending",
    "parent_id": "",
    "origin_id": "",
}
HEARING = {"title": "A", "day": "2026-12-10", "time": "9:30", "timezone": "Europe/Brussels"}
VACATION = {
    "name": "Summer",
    "effect": "suspend",
    "start_month": "7",
    "start_day": "15",
    "end_month": "8",
    "end_day": "15",
    "extend_to_month": "",
    "extend_to_day": "",
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
}
USER = {"email": "new@example.org", "role": "lawyer", "timezone": "UTC"}


def _prefixed(prefix: str, values: dict) -> dict:
    return {f"{prefix}-{name}": value for name, value in values.items()}


def _email(t: str) -> str:
    return t[: -len("@example.org")].lower() + "@example.org"


#: (page, form data with the text, id of the field, limit); "{version}" is the row's
FORM_CASES = [
    ("/matters/new", lambda t: {"title": t}, "title", limits.TITLE),
    ("/matters/new", lambda t: {"title": "A", "subject": t}, "subject", limits.NAME),
    ("/matters/new", lambda t: {"title": "A", "summary": t}, "summary", limits.SUMMARY),
    ("/matters/{matter}/edit", lambda t: {"title": t, "version": "{version}"}, "title",
     limits.TITLE),
    ("/matters/{matter}/proceedings/new", lambda t: PROCEEDING | {"title": t}, "title",
     limits.TITLE),
    ("/matters/{matter}/proceedings/new", lambda t: PROCEEDING | {"authority": t}, "authority",
     limits.NAME),
    ("/matters/{matter}/proceedings/new", lambda t: PROCEEDING | {"reference": t}, "reference",
     limits.REFERENCE),
    ("/proceedings/{proceeding}/events/new",
     lambda t: {"kind": t, "occurred_on": "2026-10-02"}, "kind", limits.KIND),
    ("/proceedings/{proceeding}/events/new",
     lambda t: {"kind": "filing", "occurred_on": "2026-10-02", "summary": t}, "summary",
     limits.SUMMARY),
    ("/proceedings/{proceeding}/events/new",
     lambda t: {"kind": "filing", "occurred_on": "2026-10-02", "source": t}, "source",
     limits.SOURCE),
    ("/proceedings/{proceeding}/hearings/new", lambda t: HEARING | {"title": t}, "title",
     limits.TITLE),
    ("/proceedings/{proceeding}/hearings/new", lambda t: HEARING | {"location": t}, "location",
     limits.LOCATION),
    ("/hearings/{hearing}/outcome",
     lambda t: {"version": "{version}", "action": "postponed", "new_date": "2026-12-09",
                "zone": "Europe/Brussels", "reason": t}, "reason", limits.REASON),
    ("/hearings/{past}/outcome",
     lambda t: {"version": "{version}", "action": "held", "summary": t}, "summary",
     limits.SUMMARY),
    ("/proceedings/{proceeding}/deadlines/new",
     lambda t: {"hand-title": t, "hand-due_on": "2026-12-20"}, "hand-title", limits.TITLE),
    ("/proceedings/{proceeding}/deadlines/new",
     lambda t: {"hand-title": "A", "hand-due_on": "2026-12-20", "hand-explanation": t},
     "hand-explanation", limits.EXPLANATION),
    ("/flags/{flag}/acknowledge", lambda t: {"note": t, "version": "1"}, "note", limits.NOTE),
    ("/feeds", lambda t: {"scope": "mine", "privacy": "full", "name": t}, "name", limits.NAME),
    ("/account", lambda t: {"settings-name": t, "settings-timezone": "UTC"}, "settings-name",
     limits.NAME),
    ("/admin/users", lambda t: USER | {"name": t}, "name", limits.NAME),
    ("/admin/users", lambda t: USER | {"email": _email(t)}, "email", limits.EMAIL),
    ("/admin/jurisdictions", lambda t: {"code": t, "name": "X", "timezone": "UTC"}, "code",
     limits.JURISDICTION_CODE),
    ("/admin/jurisdictions", lambda t: {"code": "FR", "name": t, "timezone": "UTC"}, "name",
     limits.NAME),
    ("/admin/jurisdictions/{be}/vacations", lambda t: _prefixed("vacation", VACATION | {"name": t}),
     "vacation-name", limits.NAME),
    ("/admin/jurisdictions/{be}/vacations",
     lambda t: _prefixed("vacation", VACATION | {"source": t}), "vacation-source", limits.SOURCE),
    ("/admin/rules", lambda t: RULE | {"code": t}, "code", limits.RULE_CODE),
    ("/admin/rules", lambda t: RULE | {"title": t}, "title", limits.TITLE),
    ("/admin/rules", lambda t: RULE | {"trigger_kind": t.lower()}, "trigger_kind", limits.KIND),
    ("/admin/rules", lambda t: RULE | {"source": t}, "source", limits.SOURCE),
]  # fmt: skip


@pytest.fixture
def rows(api, database, ids) -> dict[str, int]:
    """The dossier's rows, a delay flag on its proceeding, and Belgium's id."""
    with database.unit_of_work() as session:
        flag = DelayFlag(
            key="long_pending:test",
            rule="long_pending",
            severity=Severity.warning,
            proceeding_id=ids["proceeding"],
            message="Pending for long",
            first_seen=clock.today(),
            last_seen=clock.today(),
        )
        session.add(flag)
        session.flush()
        be = session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == "BE"))
        return ids | {"flag": flag.id, "be": be}


def _version(database, path: str) -> str:
    """The version of the matter or hearing that a form at `path` changes."""
    model = Matter if path.startswith("/matters/") else Hearing
    with database.sessionmaker() as session:
        return str(session.get(model, int(path.split("/")[2])).version)


@pytest.mark.parametrize(
    ("path", "data", "field_id", "limit"),
    FORM_CASES,
    ids=[f"{path} {field_id}" for path, _, field_id, _ in FORM_CASES],
)
def test_a_form_refuses_one_character_more_next_to_the_field_and_takes_the_limit(
    client, database, rows, path, data, field_id, limit
):
    browser = sign_in(client, database, "admin")
    path = path.format(**rows)

    def send(length: int):
        sent = data(word(length))
        if sent.get("version") == "{version}":
            sent["version"] = _version(database, path)
        return browser.post(path, sent)

    with nothing_written(database):
        refused = send(limit + 1)
    assert refused.status_code == 422, text(refused)[:2000]
    assert field_errors(refused, field_id) == [f"Field cannot be longer than {limit} characters."]

    taken = send(limit)  # saved: to the new row, or its token or password shown once
    assert taken.status_code in (200, 302), text(taken)[:2000]
    assert field_errors(taken, field_id) == []
    assert 'class="errors"' not in text(taken)
