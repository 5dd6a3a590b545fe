"""The proceeding pages: the proceeding with its hearings, events, deadlines and flags;
adding and editing a proceeding; adding an event.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import re

import factories
import pytest
import sqlalchemy as sa
from factories import nothing_written
from pages import sign_in, text

from tracker.core import clock
from tracker.delays.models import DelayFlag, Severity
from tracker.models import Event, Proceeding, matter_assignees


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "KZ", "Kazakhstan", "Asia/Almaty")
    return factories.login(client, database, "admin", "maker@example.org")


@pytest.fixture
def matter(admin) -> dict:
    return factories.matter(admin, "Bota Jardemalie")


def assign(database, matter_id: int, user_id: int) -> None:
    with database.unit_of_work() as session:
        session.execute(sa.insert(matter_assignees).values(matter_id=matter_id, user_id=user_id))


def flag(database, proceeding_id: int, severity=Severity.critical, **fields) -> None:
    with database.unit_of_work() as session:
        session.add(
            DelayFlag(
                key=f"test:{proceeding_id}:{severity}:{fields.get('rule', 'long_pending')}",
                rule=fields.get("rule", "long_pending"),
                severity=severity,
                proceeding_id=proceeding_id,
                message=fields.get("message", "Pending for 3 years"),
                first_seen=dt.date(2026, 11, 1),
                last_seen=dt.date(2026, 11, 22),
                resolved_at=fields.get("resolved_at"),
            )
        )


def full(admin, matter_id: int) -> tuple[dict, dict]:
    """A proceeding with a twice-postponed hearing, an event, a deadline and flags."""
    origin = factories.proceeding(admin, matter_id, jurisdiction="KZ", title="KZ criminal case")
    made = factories.proceeding(
        admin,
        matter_id,
        title="BE extradition request",
        kind="extradition_request",
        reference="2018/EXT/12",
        authority="Chambre du conseil",
        origin_id=origin["id"],
        opened_on="2018-04",
        precision="month",
    )
    hearing = factories.hearing(admin, made["id"], "2026-12-01T09:30", title="Extradition hearing")
    factories.postpone(
        admin, hearing["id"], "2026-12-20T09:30", reason="Court busy", decided_on="2026-11-20"
    )
    factories.postpone(admin, hearing["id"], "2027-01-12T14:00", reason="Interpreter missing")
    factories.event(admin, made["id"], "2019-05-03", kind="judgment", summary="Refused")
    factories.deadline(
        admin, made["id"], "2026-12-15", title="File the appeal", explanation="15 days from X."
    )
    return origin, made | {"hearing": hearing}


# --- the proceeding page ------------------------------------------------------------------


def test_the_proceeding_page_shows_everything(client, database, admin, matter):
    origin, made = full(admin, matter["id"])
    appeal = factories.proceeding(admin, matter["id"], parent_id=made["id"], title="The appeal")
    flag(database, made["id"], Severity.warning, rule="stale_proceeding", message="Nothing new")
    flag(database, made["id"], Severity.critical, message="Pending for years")
    flag(database, made["id"], rule="gone", message="Resolved flag", resolved_at=clock.now())
    browser = sign_in(client, database, "staff", timezone="America/New_York")

    response = browser.get(f"/proceedings/{made['id']}")

    assert response.status_code == 200
    page = text(response)
    hearing_id = made["hearing"]["id"]
    for needle in (
        "BE extradition request",
        "2018/EXT/12",
        "Chambre du conseil",
        "April 2018",
        f'<a href="/proceedings/{origin["id"]}">KZ criminal case</a>',
        f'<a href="/proceedings/{appeal["id"]}">The appeal</a>',
        f'href="/hearings/{hearing_id}">Extradition hearing</a>',
        "Postponed 2 times",
        "42 days</strong> later than first set",
        "Tue 12 Jan 2027 14:00 CET",
        "Tue 12 Jan 2027 08:00 EST for you",
        "Court busy",
        "Fri 20 Nov 2026",
        "Interpreter missing",
        "maker@example.org",
        'id="event-',
        "Refused",
        "File the appeal",
        "15 days from X.",
        "/deadlines/",
        f'href="/proceedings/{made["id"]}/hearings/new"',
        f'href="/proceedings/{made["id"]}/events/new"',
        f'href="/proceedings/{made["id"]}/deadlines/new"',
    ):
        assert needle in page, needle
    assert page.index("Pending for years") < page.index("Nothing new")  # critical first
    assert "Resolved flag" not in page


def test_a_sine_die_hearing_is_shown_as_such(client, database, admin, matter):
    made = factories.proceeding(admin, matter["id"])
    hearing = factories.hearing(admin, made["id"], "2026-12-01T09:30")
    factories.postpone(admin, hearing["id"], None, reason="Adjourned")
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/proceedings/{made['id']}"))

    assert "now <strong>sine die</strong>" in page
    assert "<td><strong>sine die</strong></td>" in page


def test_a_lawyer_gets_404_for_a_proceeding_of_another_matter(client, database, admin, matter):
    made = factories.proceeding(admin, matter["id"], title="Secret")
    browser = sign_in(client, database, "lawyer")

    for path in ("", "/edit", "/events/new"):
        response = browser.get(f"/proceedings/{made['id']}{path}")
        assert response.status_code == 404, path
        assert "Secret" not in text(response)
    assign(database, matter["id"], browser.user.id)
    assert browser.get(f"/proceedings/{made['id']}").status_code == 200


def test_a_lawyer_does_not_see_an_origin_in_a_matter_not_assigned(client, database, admin, matter):
    other = factories.matter(admin, "Other")
    hidden = factories.proceeding(admin, other["id"], title="Hidden origin")
    made = factories.proceeding(admin, matter["id"], origin_id=hidden["id"])
    browser = sign_in(client, database, "lawyer")
    assign(database, matter["id"], browser.user.id)

    page = text(browser.get(f"/proceedings/{made['id']}"))

    assert "Hidden origin" not in page
    assert "a proceeding you may not see" in page


def test_the_proceeding_page_runs_the_same_queries_for_one_or_many_rows(
    client, database, admin, matter, queries
):
    _, made = full(admin, matter["id"])
    flag(database, made["id"])
    browser = sign_in(client, database, "staff")
    queries.clear()
    browser.get(f"/proceedings/{made['id']}")
    one = len(queries)
    for n in range(4):
        hearing = factories.hearing(admin, made["id"], f"2027-02-0{n + 1}T10:00")
        clerk = factories.login(client, database, "staff")  # a recorder per postponement
        factories.postpone(clerk, hearing["id"], f"2027-03-0{n + 1}T10:00")
        factories.event(admin, made["id"], f"2020-01-0{n + 1}", kind="decision")
        factories.deadline(admin, made["id"])
        factories.proceeding(admin, matter["id"], parent_id=made["id"], title=f"Child {n}")
        flag(database, made["id"], rule=f"rule{n}")
    queries.clear()

    page = text(browser.get(f"/proceedings/{made['id']}"))

    assert "Child 3" in page
    assert len(queries) == one


# --- a new proceeding ---------------------------------------------------------------------


def test_a_proceeding_is_opened_with_links_and_audited(client, database, admin, matter):
    origin = factories.proceeding(admin, matter["id"], jurisdiction="KZ", title="KZ case")
    browser = sign_in(client, database, "staff", email="staff@example.org")
    form = text(browser.get(f"/matters/{matter['id']}/proceedings/new"))
    assert f'<option value="{origin["id"]}">KZ · KZ case</option>' in form

    response = browser.post(
        f"/matters/{matter['id']}/proceedings/new",
        {
            "title": "Extradition request from Kazakhstan",
            "jurisdiction": "BE",
            "authority": "Chambre du conseil",
            "kind": "extradition_request",
            "reference": "EXT-1",
            "client_role": "requested_person",
            "status": "pending",
            "opened_on": "2018",
            "closed_on": "",
            "parent_id": "",
            "origin_id": str(origin["id"]),
        },
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        made = session.scalars(sa.select(Proceeding).where(Proceeding.reference == "EXT-1")).one()
        assert response.headers["Location"] == f"/proceedings/{made.id}"
        assert (made.opened_on, made.opened_precision.value) == (dt.date(2018, 1, 1), "year")
        assert made.origin_id == origin["id"]
        assert made.authority.name == "Chambre du conseil"
    entries = [
        e for e in factories.audit_entries(database, "proceedings") if e["entity_id"] == made.id
    ]
    assert [(e["actor"], e["action"]) for e in entries] == [("staff@example.org", "create")]


def test_a_lawyer_opens_a_proceeding_in_an_assigned_matter_only(client, database, admin, matter):
    browser = sign_in(client, database, "lawyer")
    data = {
        "title": "Asylum",
        "jurisdiction": "BE",
        "kind": "asylum",
        "client_role": "applicant",
        "status": "pending",
    }
    browser.get("/account")
    with nothing_written(database):
        assert browser.post(f"/matters/{matter['id']}/proceedings/new", data).status_code == 404
    assign(database, matter["id"], browser.user.id)

    assert browser.post(f"/matters/{matter['id']}/proceedings/new", data).status_code == 302


def test_a_proceeding_without_csrf_token_is_refused(client, database, admin, matter):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/matters/{matter['id']}/proceedings/new",
            {"title": "X", "jurisdiction": "BE", "kind": "asylum", "client_role": "applicant"},
            csrf=False,
        )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"kind": ""}, "kind", "This field is required."),
        ({"jurisdiction": "ZZ"}, "jurisdiction", "Not a valid choice"),
        ({"opened_on": "12/2018"}, "opened_on", "Write YYYY-MM-DD, or YYYY-MM or YYYY"),
        ({"opened_on": "2018-02-30"}, "opened_on", "is not a real date"),
        (
            {"status": "decided", "opened_on": "2020-01-01", "closed_on": "2019-01-01"},
            "closed_on",
            "the closing date is before the opening date",
        ),
        ({"origin_other": "999"}, "origin_id", "no proceeding 999"),
    ],
)
def test_an_invalid_proceeding_is_refused_next_to_its_field(
    client, database, admin, matter, change, field, message
):
    browser = sign_in(client, database, "staff")
    browser.get(f"/matters/{matter['id']}/proceedings/new")
    data = {
        "title": "Asylum",
        "jurisdiction": "BE",
        "kind": "asylum",
        "client_role": "applicant",
        "status": "pending",
    } | change

    with nothing_written(database):
        response = browser.post(f"/matters/{matter['id']}/proceedings/new", data)

    assert response.status_code == 422
    page = text(response)
    help_block = page[page.index(f'id="{field}-help"') :][:600]
    assert message in help_block, page


def test_a_parent_from_another_matter_is_refused(client, database, admin, matter):
    other = factories.matter(admin, "Other")
    foreign = factories.proceeding(admin, other["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/matters/{matter['id']}/proceedings/new")

    with nothing_written(database):
        response = browser.post(
            f"/matters/{matter['id']}/proceedings/new",
            {
                "title": "Appeal",
                "jurisdiction": "BE",
                "kind": "appeal",
                "client_role": "accused",
                "status": "pending",
                "parent_id": str(foreign["id"]),
            },
        )

    assert response.status_code == 422
    assert "Not a valid choice" in text(response)


# --- editing a proceeding -----------------------------------------------------------------


def test_a_proceeding_is_edited_and_audited(client, database, admin, matter):
    made = factories.proceeding(admin, matter["id"], title="Before", opened_on="2016-11")
    browser = sign_in(client, database, "staff", email="staff@example.org")
    form = text(browser.get(f"/proceedings/{made['id']}/edit"))
    assert 'value="2016-11"' in form

    response = browser.post(
        f"/proceedings/{made['id']}/edit",
        {
            "version": made["version"],
            "title": "After",
            "jurisdiction": "BE",
            "kind": "criminal_case",
            "client_role": "accused",
            "status": "decided",
            "opened_on": "2016-11",
            "closed_on": "2026-11-20",
        },
    )

    assert response.status_code == 302
    [entry] = [
        e for e in factories.audit_entries(database, "proceedings") if e["action"] == "update"
    ]
    assert entry["actor"] == "staff@example.org"
    assert entry["after"] == {"title": "After", "status": "decided", "closed_on": "2026-11-20"}


def test_a_stale_proceeding_form_shows_the_conflict_and_overwrites_nothing(
    client, database, admin, matter
):
    made = factories.proceeding(admin, matter["id"], title="Original")
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{made['id']}/edit")
    factories.ok(admin.patch(f"/proceedings/{made['id']}", {"version": 1, "status": "suspended"}))

    with nothing_written(database):
        response = browser.post(
            f"/proceedings/{made['id']}/edit",
            {
                "version": 1,
                "title": "Mine",
                "jurisdiction": "BE",
                "kind": "criminal_case",
                "client_role": "accused",
                "status": "pending",
            },
        )

    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this proceeding" in page
    assert "<td>Mine</td><td>Original</td>" in page
    assert "<td>pending</td><td>suspended</td>" in page
    assert 'name="version" type="hidden" value="2"' in page


# --- a new event --------------------------------------------------------------------------


def test_an_event_is_recorded_and_audited(client, database, admin, matter):
    made = factories.proceeding(admin, matter["id"])
    browser = sign_in(client, database, "lawyer", email="lawyer@example.org")
    assign(database, matter["id"], browser.user.id)
    form = text(browser.get(f"/proceedings/{made['id']}/events/new"))
    assert '<option value="request_received"' in form

    response = browser.post(
        f"/proceedings/{made['id']}/events/new",
        {"kind": "Decision served", "occurred_on": "2026-11", "summary": "By post"},
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        event = session.scalars(sa.select(Event)).one()
        assert (event.kind, event.occurred_on, event.precision.value, event.summary) == (
            "decision_served",
            dt.date(2026, 11, 1),
            "month",
            "By post",
        )
        assert response.headers["Location"] == f"/proceedings/{made['id']}#event-{event.id}"
    [entry] = factories.audit_entries(database, "events")
    assert (entry["actor"], entry["action"]) == ("lawyer@example.org", "create")


def test_an_event_form_offers_the_rules_it_triggers(client, database, admin, matter):

    made = factories.proceeding(admin, matter["id"])
    factories.appeal_rule(database)
    event = factories.event(admin, made["id"], "2026-11-20", kind="judgment")
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/proceedings/{made['id']}"))

    link = (
        f'href="/proceedings/{made["id"]}/deadlines/new?rule=BE_TEST_APPEAL'
        f'&amp;trigger_event_id={event["id"]}"'
    )
    assert link in page


def test_an_event_is_offered_only_the_rule_version_in_force_on_its_date(
    client, database, admin, matter
):
    from tracker.deadlines.models import DeadlineRule, OffsetUnit

    made = factories.proceeding(admin, matter["id"])
    with database.unit_of_work() as session:
        for valid_from, valid_to, amount in ((None, "2016-01-01", 15), ("2016-01-01", None, 30)):
            session.add(
                DeadlineRule(
                    code="BE_TEST_APPEAL",
                    jurisdiction_id=1,
                    title=f"Appeal within {amount} days",
                    trigger_kind="judgment",
                    amount=amount,
                    unit=OffsetUnit.days,
                    valid_from=valid_from and dt.date.fromisoformat(valid_from),
                    valid_to=valid_to and dt.date.fromisoformat(valid_to),
                )
            )
    recent = factories.event(admin, made["id"], "2026-11-20", kind="judgment")
    old = factories.event(admin, made["id"], "2015-06-01", kind="judgment")
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/proceedings/{made['id']}"))

    for event, title in ((recent, "Appeal within 30 days"), (old, "Appeal within 15 days")):
        offers = re.findall(rf'trigger_event_id={event["id"]}" title="[^"]+">Count: ([^<]+)<', page)
        assert offers == [title]  # once: the version in force on the event's day


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "", "occurred_on": "2026-11-01"}, "kind", "This field is required."),
        ({"kind": "a/b", "occurred_on": "2026-11-01"}, "kind", "is not an event kind"),
        ({"kind": "arrest", "occurred_on": ""}, "occurred_on", "This field is required."),
        ({"kind": "arrest", "occurred_on": "1.11.2026"}, "occurred_on", "Write YYYY-MM-DD"),
        ({"kind": "arrest", "occurred_on": "2026-13"}, "occurred_on", "is not a real date"),
    ],
)
def test_an_invalid_event_is_refused_next_to_its_field(
    client, database, admin, matter, data, field, message
):
    made = factories.proceeding(admin, matter["id"])
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{made['id']}/events/new")

    with nothing_written(database):
        response = browser.post(f"/proceedings/{made['id']}/events/new", data)

    assert response.status_code == 422
    page = text(response)
    assert message in page[page.index(f'id="{field}-help"') :][:600]


def test_an_event_without_csrf_token_is_refused(client, database, admin, matter):
    made = factories.proceeding(admin, matter["id"])
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/proceedings/{made['id']}/events/new",
            {"kind": "arrest", "occurred_on": "2026-11-01"},
            csrf=False,
        )

    assert response.status_code == 400


def test_a_proceeding_s_kind_reads_in_the_table_s_words(client, database, admin, matter):
    """ "MLA request", not "Mla request"; rules offered by title, their code beside."""
    made = factories.proceeding(
        admin, matter["id"], kind="mla_request", client_role="targeted_person"
    )
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/proceedings/{made['id']}"))

    assert "<dt>Kind</dt><dd>MLA request</dd>" in page
    assert "<dd>Targeted person</dd>" in page
    assert "Mla request" not in page


def test_a_closing_date_before_the_opening_date_is_refused_in_words(admin, matter):
    body = {"status": "decided", "opened_on": "2023-05-10", "closed_on": "2023-05-09"}

    refused = admin.post(
        "/proceedings",
        {
            "matter_id": matter["id"],
            "jurisdiction": "BE",
            "kind": "trial",
            "title": "T",
            "client_role": "accused",
        }
        | body,
    )

    error = factories.assert_error(refused, 422, "invalid", "closed_on")  # `field`: the contract
    assert error["message"] == "the closing date is before the opening date"
