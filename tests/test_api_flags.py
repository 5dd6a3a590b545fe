"""JSON API: GET /api/v1/flags, computed as of a day, scoped to what the caller may see.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import factories
import pytest
from factories import assert_error, nothing_written

from tracker.core import clock
from tracker.delays import scan
from tracker.delays.rules import Thresholds

FIELDS = {
    "id",
    "key",
    "rule",
    "severity",
    "proceeding_id",
    "hearing_id",
    "deadline_id",
    "message",
    "first_seen",
    "began_on",
    "days",
    "details",
}


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "staff", "staff@example.org")


@pytest.fixture
def lawyer(client, database, staff):
    return factories.login(client, database, "lawyer", "lawyer@example.org")


@pytest.fixture
def dossiers(staff, lawyer) -> dict[str, dict]:
    """Two matters, each with a request waiting since 2024 and a deadline on 1 Dec 2026;
    the lawyer is assigned to the first one only."""
    made = {}
    for name, assignees in (("theirs", [lawyer.email]), ("other", [])):
        matter = factories.matter(staff, f"Matter {name}", assignees=assignees)
        proceeding = factories.proceeding(
            staff, matter["id"], kind="extradition_request", opened_on="2024-01-01"
        )
        factories.event(staff, proceeding["id"], "2024-01-01", kind="request_received")
        factories.hearing(staff, proceeding["id"], "2027-01-11T09:00")
        deadline = factories.deadline(staff, proceeding["id"], "2026-12-01", title="Reply")
        made[name] = {"proceeding": proceeding, "deadline": deadline}
    return made


def flags(api, query: str = "") -> list[dict]:
    return factories.ok(api.get(f"/flags{query}"))["items"]


def test_the_open_flags_as_of_today(staff, dossiers):
    items = flags(staff)

    theirs = dossiers["theirs"]["proceeding"]["id"]
    mine = [item for item in items if item["proceeding_id"] == theirs]
    # most severe first: more than twice the year a request may wait
    assert [(item["rule"], item["severity"]) for item in mine] == [
        ("request_unanswered", "critical"),
        ("long_pending", "warning"),
    ]
    request = mine[0]
    assert set(request) == FIELDS
    assert isinstance(request["id"], int)
    assert request == {
        "id": request["id"],  # stored by the write that made the proceeding
        "key": f"request_unanswered:proceeding:{theirs}",
        "rule": "request_unanswered",
        "severity": "critical",
        "proceeding_id": theirs,
        "hearing_id": None,
        "deadline_id": None,
        "message": (
            "Extradition request pending more than 730 days with no decision (opened on 1 Jan 2024)"
        ),
        "first_seen": "2026-11-22",
        # the day a request opened on 1 Jan 2024 was first more than 365 days old
        "began_on": "2025-01-01",
        "days": 690,
        "details": {"since": "2024-01-01", "more_than_days": 730},
    }
    assert len(items) == 4


def test_the_flags_are_computed_as_of_the_day_asked(staff, dossiers):
    deadline = dossiers["theirs"]["deadline"]["id"]

    late = flags(staff, "?as_of=2026-12-03")
    early = flags(staff, "?as_of=2025-01-05")

    missed = [item for item in late if item["deadline_id"] == deadline]
    assert [(item["rule"], item["severity"]) for item in missed] == [
        ("deadline_missed", "critical")
    ]
    assert missed[0]["message"] == ("Deadline “Reply” was due on 1 Dec 2026 and is still open")
    assert missed[0]["first_seen"] == "2026-12-03"
    # 370 days after the request; the deadline was far off
    assert [(item["rule"], item["severity"]) for item in early] == [
        ("request_unanswered", "warning"),
        ("request_unanswered", "warning"),
    ]
    assert {item["rule"] for item in flags(staff, "?as_of=2023-12-31")} == set()


def test_a_get_writes_nothing(staff, dossiers, database):
    with nothing_written(database):
        assert flags(staff, "?as_of=2026-12-03")
        assert flags(staff)


def test_stored_flags_keep_their_id_and_first_seen(staff, dossiers, database):
    with database.unit_of_work() as session:
        result = scan.run(session, clock.now(), clock.today(), Thresholds())
    stored = {item.flag.key: item.id for item in result.open}

    today = {item["key"]: item for item in flags(staff)}
    earlier = {item["key"]: item for item in flags(staff, "?as_of=2025-06-01")}

    assert {key: item["id"] for key, item in today.items()} == stored
    assert {item["first_seen"] for item in today.values()} == {"2026-11-22"}
    key = f"request_unanswered:proceeding:{dossiers['theirs']['proceeding']['id']}"
    # stored on 22 Nov 2026, but as of 1 Jun 2025 it was seen on that day
    assert (earlier[key]["id"], earlier[key]["first_seen"]) == (stored[key], "2025-06-01")


def test_a_lawyer_sees_only_the_flags_of_their_matters(staff, lawyer, dossiers):
    theirs = dossiers["theirs"]["proceeding"]["id"]
    other = dossiers["other"]["proceeding"]["id"]

    seen = flags(lawyer, "?as_of=2026-12-03")

    assert {item["proceeding_id"] for item in seen} == {theirs}
    assert {item["proceeding_id"] for item in flags(staff, "?as_of=2026-12-03")} == {theirs, other}


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_admins_see_every_matter(client, database, dossiers, role):
    api = factories.login(client, database, role)
    assert len({item["proceeding_id"] for item in flags(api)}) == 2


def test_a_lawyer_with_no_matter_sees_no_flags(client, database, dossiers):
    assert flags(factories.login(client, database, "lawyer")) == []


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "2026-11", "22/11/2026", ""])
def test_a_bad_as_of_is_422(staff, value):
    error = assert_error(staff.get(f"/flags?as_of={value}"), 422, "invalid", "as_of")
    assert "date" in error["message"]


@pytest.mark.parametrize("query", ["?asof=2026-12-03", "?as_of=2026-12-03&country=BE"])
def test_an_unknown_parameter_is_422_naming_it(staff, query):
    name = query.rsplit("&", 1)[-1].lstrip("?").split("=")[0]
    assert_error(staff.get(f"/flags{query}"), 422, "invalid", name)


def test_flags_need_a_token(client, database, frozen_now):
    assert_error(client.get("/api/v1/flags"), 401, "unauthorized")


def test_thresholds_come_from_the_settings(client, database, settings, dossiers, staff):
    from tracker.app import create_app

    stricter = settings.replace(delays=Thresholds(deadline_near_days=14))
    app = create_app(stricter, database)
    api = factories.Api(app.test_client(), staff.token, staff.email)
    deadline = dossiers["theirs"]["deadline"]["id"]

    assert deadline not in {item["deadline_id"] for item in flags(staff)}
    assert deadline in {item["deadline_id"] for item in flags(api)}


# --- an authority's time limit --------------------------------------------------------------


@pytest.fixture
def ccf(staff, database) -> dict:
    """A request received by the CCF on 1 Feb 2026; its decision on admissibility was
    expected within a month (a rule the tests own), by 1 Mar 2026."""
    factories.ccf_rule(database)
    _matter, proceeding = factories.dossier(staff)
    received = factories.event(staff, proceeding["id"], "2026-02-01", kind="request_received")
    body = {"rule": "TEST_CCF_ADMISSIBILITY", "trigger_event_id": received["id"]}
    deadline = factories.created(staff.post(f"/proceedings/{proceeding['id']}/deadlines", body))
    assert (deadline["due_on"], deadline["owed_by"]) == ("2026-03-01", "authority")
    return deadline


def test_an_authority_overdue_is_listed_as_of_a_day(staff, ccf):
    def overdue(query: str) -> list[dict]:
        return [item for item in flags(staff, query) if item["deadline_id"] == ccf["id"]]

    assert overdue("?as_of=2026-03-01") == []  # due that day: not late yet
    [late] = overdue("?as_of=2026-03-02")
    [twice] = overdue("?as_of=2026-03-30")

    assert isinstance(late["id"], int)
    assert late == {
        "id": late["id"],  # stored by the write that made the deadline (late today)
        "key": f"authority_overdue:deadline:{ccf['id']}",
        "rule": "authority_overdue",
        "severity": "warning",
        "proceeding_id": ccf["proceeding_id"],
        "hearing_id": None,
        "deadline_id": ccf["id"],
        "message": (
            "The authority's “CCF decision on admissibility” was expected by 1 Mar 2026; "
            "no admissibility decision recorded"
        ),
        "first_seen": "2026-03-02",  # seen today, but as of 2 Mar on that day
        "began_on": "2026-03-02",
        "days": 0,
        "details": {
            "due_on": "2026-03-01",
            "met_by": ["admissibility_decision"],
            "more_than_days": 0,
            "trigger_on": "2026-02-01",
            "period_days": 28,
        },
    }
    # more than twice the 28 days since the request
    assert (twice["severity"], twice["began_on"], twice["days"]) == ("critical", "2026-03-02", 28)
    assert twice["message"].endswith(", more than twice the time allowed since 1 Feb 2026")


def test_a_stored_authority_overdue_keeps_its_id(staff, ccf, database):
    with database.unit_of_work() as session:
        result = scan.run(session, clock.now(), clock.today(), Thresholds())
    [stored] = [item for item in result.open if item.flag.deadline_id == ccf["id"]]

    [today] = [item for item in flags(staff) if item["deadline_id"] == ccf["id"]]

    assert (today["id"], today["rule"], today["severity"]) == (
        stored.id,
        "authority_overdue",
        "critical",
    )
    assert (today["first_seen"], today["began_on"]) == ("2026-11-22", "2026-03-02")
