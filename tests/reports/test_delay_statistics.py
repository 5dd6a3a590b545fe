"""`GET /api/v1/reports/delays`: every measure computed by hand on `data.py`'s set, on
both databases; the groupings, a short period over 29 February, periods with nothing
in them; who sees what; refused parameters; a constant number of statements."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import data
import factories
import pytest
import sqlalchemy as sa

from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.matters.models import Proceeding, matter_assignees
from tracker.reports import queries
from tracker.reports.schemas import DelaysQuery

URL = "/reports/delays"
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}  # 366 days


@pytest.fixture
def ids(database) -> dict[str, int]:
    with database.unit_of_work() as session:
        return data.build(session)


@pytest.fixture
def coordinator(client, database):
    return factories.login(client, database, "coordinator")


def certainty(one=0, two=0, three=0, more=0, mean=None) -> dict:
    return {"1": one, "2": two, "3": three, "4+": more, "mean": mean}


def item(jurisdiction=None, kind=None, **measures) -> dict:
    """A row: zeros and nulls but for what is given."""
    return {
        "jurisdiction": jurisdiction,
        "kind": kind,
        "incoming": 0,
        "resolved": 0,
        "pending_start": 0,
        "pending_end": 0,
        "clearance_rate": None,
        "disposition_time_days": None,
        "age_pending_median_days": None,
        "age_pending_p90_days": None,
        "hearing_date_certainty": certainty(),
        "postponements": 0,
        "median_slip_days": None,
        "requests_waiting_median_days": None,
        "authority_overdue": 0,
    } | measures


# 2024 by hand. Ages at 31 Dec 2024: p1 579 days (1 Jun 2023), p4 60, p8 0, p9 730,
# p10 365 (1 Jan 2024, known to the month); p6 (unknown opening) is pending but has no age.
BE_2024 = item(
    "BE",
    incoming=3,  # p2, p4, p8
    resolved=2,  # p2, p3 (29 Feb)
    pending_start=3,  # p1, p3, p6 (p7 closed on 31 Dec 2023)
    pending_end=4,  # p1, p4, p6, p8 (closed after the period: pending at its end)
    clearance_rate=0.6667,
    disposition_time_days=732.0,  # 4 / 2 × 366
    age_pending_median_days=60.0,
    age_pending_p90_days=579,  # rank ceil(0.9 × 3) = 3
    hearing_date_certainty=certainty(2, 1, 1, 1, 2.4),  # h1 h7: 1, h3: 2, h2: 3, h6: 5
    postponements=5,  # h2 ×2, h4 (20 Dec), h6 ×2 (1 Feb, 1 Jul)
    median_slip_days=66.0,  # h3 42, h2 66, h6 488
    requests_waiting_median_days=60.0,  # p4
    authority_overdue=2,  # f1, f3
)
US_2024 = item(
    "US",
    incoming=1,  # p10
    pending_start=1,  # p9
    pending_end=2,  # p9, p10
    clearance_rate=0.0,
    age_pending_median_days=547.5,  # (365 + 730) / 2
    age_pending_p90_days=730,
    hearing_date_certainty=certainty(1, 1, 0, 0, 1.5),  # h9: 1, h8: 2
    postponements=1,  # h8, decided 20 Jan
    median_slip_days=33.0,  # 1 Feb -> 5 Mar 2024
    requests_waiting_median_days=730.0,  # p9
    authority_overdue=1,  # f6
)
TOTAL_2024 = item(
    incoming=4,
    resolved=2,
    pending_start=4,
    pending_end=6,
    clearance_rate=0.5,
    disposition_time_days=1098.0,  # 6 / 2 × 366
    age_pending_median_days=365.0,  # 0 60 365 579 730
    age_pending_p90_days=730,
    hearing_date_certainty=certainty(3, 2, 1, 1, 2.14),  # 15 dates / 7 hearings
    postponements=6,
    median_slip_days=54.0,  # 33 42 66 488
    requests_waiting_median_days=395.0,  # 60 730
    authority_overdue=3,
)


def test_every_measure_per_country_over_a_leap_year(coordinator, ids):
    answer = factories.ok(coordinator.get(URL, query_string=YEAR))
    assert answer["from"] == "2024-01-01"
    assert answer["to"] == "2024-12-31"
    assert answer["group_by"] == "jurisdiction"
    assert answer["days"] == 366
    assert answer["items"] == [BE_2024, US_2024]
    assert answer["total"] == TOTAL_2024


def test_grouped_by_kind(coordinator, ids):
    answer = factories.ok(coordinator.get(URL, query_string=YEAR | {"group_by": "kind"}))
    assert answer["items"] == [
        item(
            kind="criminal_case",
            incoming=3,  # p2, p8, p10
            resolved=1,  # p2
            pending_start=2,  # p1, p6
            pending_end=4,  # p1, p6, p8, p10
            clearance_rate=0.3333,
            disposition_time_days=1464.0,  # 4 / 1 × 366
            age_pending_median_days=365.0,  # 0 365 579
            age_pending_p90_days=579,
            hearing_date_certainty=certainty(2, 1, 1, 1, 2.4),
            postponements=5,
            median_slip_days=66.0,
            authority_overdue=3,  # f1 f3 (p1), f6 (p10)
        ),
        item(
            kind="extradition_request",
            incoming=1,
            pending_end=1,
            clearance_rate=0.0,
            age_pending_median_days=60.0,
            age_pending_p90_days=60,
            requests_waiting_median_days=60.0,
        ),
        item(
            kind="mla_request",
            pending_start=1,
            pending_end=1,
            age_pending_median_days=730.0,
            age_pending_p90_days=730,
            hearing_date_certainty=certainty(1, 1, 0, 0, 1.5),
            postponements=1,
            median_slip_days=33.0,
            requests_waiting_median_days=730.0,
        ),
        # p3 only (p7 closed before; the appeal p5 opens after): nothing pending at the end
        item(kind="trial", resolved=1, pending_start=1, disposition_time_days=0.0),
    ]
    assert answer["total"] == TOTAL_2024  # the same proceedings, however grouped


def test_grouped_by_country_and_kind(coordinator, ids):
    query = YEAR | {"group_by": "jurisdiction,kind"}
    answer = factories.ok(coordinator.get(URL, query_string=query))
    keys = [(row["jurisdiction"], row["kind"]) for row in answer["items"]]
    assert keys == [
        ("BE", "criminal_case"),
        ("BE", "extradition_request"),
        ("BE", "trial"),
        ("US", "criminal_case"),
        ("US", "mla_request"),
    ]
    be_criminal = answer["items"][0]
    assert (be_criminal["incoming"], be_criminal["resolved"]) == (2, 1)  # p2 p8; p2
    assert (be_criminal["pending_start"], be_criminal["pending_end"]) == (2, 3)
    assert be_criminal["age_pending_median_days"] == 289.5  # 0, 579
    assert be_criminal["authority_overdue"] == 2
    us_criminal = answer["items"][3]
    assert us_criminal == item(
        "US",
        "criminal_case",
        incoming=1,
        pending_end=1,
        clearance_rate=0.0,
        age_pending_median_days=365.0,
        age_pending_p90_days=365,
        authority_overdue=1,
    )
    assert answer["total"] == TOTAL_2024


def test_a_short_period_over_29_february_cuts_proceedings_in_two(coordinator, ids):
    answer = factories.ok(
        coordinator.get(URL, query_string={"from": "2024-02-01", "to": "2024-03-31"})
    )
    assert answer["days"] == 60  # 29 + 31
    be, us = answer["items"]
    assert be == item(
        "BE",
        incoming=1,  # p2 (10 Mar)
        resolved=1,  # p3 (29 Feb)
        pending_start=3,  # p1, p3, p6 at the end of 31 Jan
        pending_end=3,  # p1, p2, p6
        clearance_rate=1.0,
        disposition_time_days=180.0,  # 3 / 1 × 60
        age_pending_median_days=(dt_days("2023-06-01", "2024-03-31") + 21) / 2,  # p1, p2
        age_pending_p90_days=dt_days("2023-06-01", "2024-03-31"),
        postponements=1,  # h6's, decided 1 Feb
        authority_overdue=0,
    )
    assert us == item(
        "US",
        incoming=0,  # p10 opened 1 Jan
        pending_start=2,
        pending_end=2,
        age_pending_median_days=(dt_days("2023-01-01", "2024-03-31") + 90) / 2,
        age_pending_p90_days=dt_days("2023-01-01", "2024-03-31"),
        hearing_date_certainty=certainty(0, 1, 0, 0, 2.0),  # h8 on 5 Mar
        median_slip_days=33.0,
        requests_waiting_median_days=float(dt_days("2023-01-01", "2024-03-31")),
    )


def dt_days(start: str, end: str) -> int:
    from datetime import date

    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def test_the_court_day_decides_which_period_a_hearing_was_held_in(coordinator, ids):
    """h3 (all day 1 Jan 2024, Brussels) is stored on 31 Dec 2023 UTC; h9 (31 Dec 2024,
    20:00 New York) on 1 Jan 2025 UTC: each belongs to the court's day."""
    day = factories.ok(
        coordinator.get(URL, query_string={"from": "2024-01-01", "to": "2024-01-01"})
    )
    assert day["days"] == 1
    assert day["total"]["hearing_date_certainty"] == certainty(0, 1, 0, 0, 2.0)
    assert day["total"]["median_slip_days"] == 42.0  # 20 Nov 2023 -> 1 Jan 2024
    last = factories.ok(
        coordinator.get(URL, query_string={"from": "2024-12-31", "to": "2024-12-31"})
    )
    assert last["total"]["hearing_date_certainty"] == certainty(2, 0, 0, 0, 1.0)  # h7, h9
    assert last["total"]["incoming"] == 1  # p8


def test_periods_with_nothing_in_them(client, database, coordinator, ids):
    # before anything but p6, whose opening day is unknown: only it is pending
    early = factories.ok(
        coordinator.get(URL, query_string={"from": "1990-01-01", "to": "1990-12-31"})
    )
    assert early["days"] == 365
    assert early["items"] == [item("BE", pending_start=1, pending_end=1)]
    # a lawyer assigned to nothing sees an empty report: zeros and nulls, nothing divided by 0
    lawyer = factories.login(client, database, "lawyer")
    empty = factories.ok(lawyer.get(URL, query_string=YEAR))
    assert empty["items"] == []
    assert empty["total"] == item()


def test_a_lawyer_sees_only_the_proceedings_of_their_matters(client, database, ids):
    lawyer = factories.login(client, database, "lawyer")
    with database.unit_of_work() as session:
        session.execute(
            sa.insert(matter_assignees).values(
                matter_id=ids["other_matter"], user_id=lawyer.user_id
            )
        )
    answer = factories.ok(lawyer.get(URL, query_string=YEAR))
    assert answer["items"] == [US_2024]
    assert answer["total"] == US_2024 | {"jurisdiction": None}
    staff = factories.login(client, database, "staff")  # staff see every matter
    assert factories.ok(staff.get(URL, query_string=YEAR))["total"] == TOTAL_2024


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2024-13-01", "to": "2024-12-31"}, "from"),
        ({"from": "2024-01-01", "to": "yesterday"}, "to"),
        ({"from": "1899-12-31", "to": "2024-12-31"}, "from"),
        ({"from": "2024-01-01", "to": "2200-01-01"}, "to"),
        ({"from": "2024-06-02", "to": "2024-06-01"}, "to"),
        (YEAR | {"group_by": "court"}, "group_by"),
        (YEAR | {"group_by": "kind,jurisdiction"}, "group_by"),
        (YEAR | {"format": "csv"}, "format"),
    ],
)
def test_bad_parameters_are_refused_naming_them(coordinator, query, field):
    error = factories.assert_error(coordinator.get(URL, query_string=query), 422, "invalid", field)
    assert error["message"].startswith(f"{field}:") or error["message"] == "unknown field"


def test_without_a_period_the_year_so_far(coordinator, frozen_now):
    today = clock.today()
    answer = factories.ok(coordinator.get(URL))
    assert (answer["from"], answer["to"]) == (f"{today.year}-01-01", today.isoformat())
    answer = factories.ok(coordinator.get(URL, query_string={"to": "2024-03-01", "from": ""}))
    assert (answer["from"], answer["to"], answer["days"]) == ("2024-01-01", "2024-03-01", 61)
    answer = factories.ok(coordinator.get(URL, query_string={"from": "2020-02-01"}))
    assert (answer["from"], answer["to"]) == ("2020-02-01", today.isoformat())


def test_the_period_may_be_a_single_day_and_to_equal_from(coordinator):
    answer = factories.ok(
        coordinator.get(URL, query_string={"from": "2024-02-29", "to": "2024-02-29"})
    )
    assert (answer["days"], answer["items"], answer["total"]) == (1, [], item())


# --- statements -----------------------------------------------------------------------------


@contextlib.contextmanager
def counting(database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)


def statements_for(database, group_by: str) -> int:
    query = DelaysQuery.read(YEAR | {"group_by": group_by})
    with database.sessionmaker() as session, counting(database) as statements:
        queries.delays(session, SystemActor("system:tests"), query)
    return len(statements)


def test_the_statistics_take_five_statements_whatever_the_data(database, ids):
    small = {name: statements_for(database, name) for name in ("jurisdiction", "kind")}
    with database.unit_of_work() as session:
        for _ in range(4):  # four times the data, in other countries and matters
            data.build_more(session)
    large = {name: statements_for(database, name) for name in ("jurisdiction", "kind")}
    assert small == large == {"jurisdiction": 5, "kind": 5}


def test_a_lawyer_sees_the_hearings_of_a_proceeding_moved_into_their_matter(client, database, ids):
    """Hearings and moves carry their proceeding's matter (the lawyer's filter reads the
    copy): moving every proceeding of the first matter to the lawyer's moves them too."""
    lawyer = factories.login(client, database, "lawyer")
    with database.unit_of_work() as session:
        session.execute(
            sa.insert(matter_assignees).values(
                matter_id=ids["other_matter"], user_id=lawyer.user_id
            )
        )
        for proceeding in session.scalars(
            sa.select(Proceeding).where(Proceeding.matter_id == ids["matter"])
        ):
            proceeding.matter_id = ids["other_matter"]
    answer = factories.ok(lawyer.get(URL, query_string=YEAR))
    assert answer["items"] == [BE_2024, US_2024]
    assert answer["total"] == TOTAL_2024


def test_a_proceeding_s_new_kind_and_country_carry_its_hearings_and_moves(
    database, coordinator, ids
):
    """p1's hearings (h1 h2 h3 h6 h7: 2.4 dates, slips 42 66 488, 5 postponements) are
    counted under its kind and country as they are now, not as they were."""
    with database.sessionmaker() as session:
        version = session.get(Proceeding, ids["p1"]).version
    changes = {"version": version, "kind": "appeal", "jurisdiction": "US"}
    factories.ok(coordinator.patch(f"/proceedings/{ids['p1']}", changes))
    query = YEAR | {"group_by": "jurisdiction,kind"}
    answer = factories.ok(coordinator.get(URL, query_string=query))
    appeal = next(row for row in answer["items"] if row["kind"] == "appeal")
    assert appeal["jurisdiction"] == "US"
    assert appeal["hearing_date_certainty"] == certainty(2, 1, 1, 1, 2.4)
    assert (appeal["postponements"], appeal["median_slip_days"]) == (5, 66.0)
    assert answer["total"] == TOTAL_2024
