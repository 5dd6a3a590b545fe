"""The delay scan on SQLite and PostgreSQL: facts as of a day, stored flags, query count."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import factories
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tracker import demo
from tracker.cli import main
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import DeadlineChanges, NewDeadline
from tracker.delays import operations
from tracker.delays import scan as delays
from tracker.delays.rules import Thresholds
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing, Outcome, Postpone
from tracker.matters import events
from tracker.matters import operations as matters
from tracker.matters.schemas import (
    EventWithdrawal,
    NewEvent,
    NewMatter,
    NewProceeding,
    ProceedingChanges,
)
from tracker.models import Deadline as DeadlineRow
from tracker.models import DelayFlag, Event, Hearing, Matter, Proceeding

SETUP = factories.SETUP
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
AS_OF = NOW.date()
T = Thresholds()

_titles = itertools.count(1)


class Build:
    """Rows made through the operations, as people would make them; each call commits."""

    def __init__(self, database):
        self.database = database
        with database.unit_of_work() as session:
            made = matters.create_matter(session, SETUP, NOW, NewMatter.parse({"title": "Client"}))
            self.matter_id = made.id

    @contextmanager
    def session(self):
        with self.database.unit_of_work() as session:
            yield session

    def proceeding(self, kind: str = "criminal_case", **fields) -> int:
        data = {
            "matter_id": self.matter_id,
            "jurisdiction": "BE",
            "kind": kind,
            "title": f"Proceeding {next(_titles)}",
            "client_role": "requested_person",
        }
        with self.session() as session:
            command = NewProceeding.parse(data | fields)
            made = matters.create_proceeding(session, SETUP, NOW, command)
            session.flush()
            return made.id

    def update_proceeding(self, proceeding_id: int, **changes) -> None:
        with self.session() as session:
            found = session.get(Proceeding, proceeding_id)
            command = ProceedingChanges.parse({"version": found.version} | changes)
            matters.update_proceeding(session, SETUP, NOW, found, command)

    def event(self, proceeding_id: int, occurred_on: str, kind: str = "filing") -> int:
        with self.session() as session:
            found = session.get(Proceeding, proceeding_id)
            data = {"kind": kind, "occurred_on": occurred_on}
            made = events.create_event(session, SETUP, NOW, found, NewEvent.parse(data))
            session.flush()
            return made.id

    def hearing(self, proceeding_id: int, starts_at: str, timezone: str | None = None) -> int:
        data = {"starts_at": starts_at} | ({"timezone": timezone} if timezone else {})
        with self.session() as session:
            found = session.get(Proceeding, proceeding_id)
            made = hearings.schedule_hearing(session, SETUP, NOW, found, NewHearing.parse(data))
            session.flush()
            return made.id

    def postpone(self, hearing_id: int, to: str | None, decided_on: str | None) -> None:
        with self.session() as session:
            found = session.get(Hearing, hearing_id)
            command = Postpone.parse({"to": to, "decided_on": decided_on})
            hearings.postpone(session, SETUP, NOW, found, command)

    def outcome(self, hearing_id: int, result: str = "held") -> None:
        with self.session() as session:
            found = session.get(Hearing, hearing_id)
            hearings.record_outcome(session, SETUP, NOW, found, Outcome.parse({"result": result}))

    def deadline(self, proceeding_id: int, due_on: date, title: str = "Appeal brief") -> int:
        with self.session() as session:
            found = session.get(Proceeding, proceeding_id)
            command = NewDeadline.parse({"title": title, "due_on": due_on})
            made = deadlines.create_deadline(session, SETUP, NOW, found, command)
            session.flush()
            return made.id

    def deadline_status(self, deadline_id: int, status: str, at: datetime = NOW) -> None:
        with self.session() as session:
            found = session.get(DeadlineRow, deadline_id)
            changes = DeadlineChanges.parse({"version": found.version, "status": status})
            deadlines.update_deadline(session, SETUP, at, found, changes)

    # --- an authority's time limits (the rules are the tests' own: no shipped code) ---

    def authority_rule(
        self,
        code: str = "TEST_CCF_ADMISSIBILITY",
        amount: int = 1,
        unit: str = "months",
        direction: str = "after",
        met_by: tuple[str, ...] = ("admissibility_decision",),
    ) -> None:
        """An authority's rule in BE: the period is not rolled to a working day."""
        from tracker.deadlines.enums import Direction, EndShift, OffsetUnit, Party
        from tracker.deadlines.models import DeadlineRule
        from tracker.jurisdictions.models import Jurisdiction

        with self.session() as session:
            be = session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == "BE"))
            session.add(
                DeadlineRule(
                    code=code,
                    jurisdiction_id=be,
                    title="CCF decision on admissibility",
                    trigger_kind="request_received",
                    amount=amount,
                    unit=OffsetUnit(unit),
                    end_shift=EndShift.none,
                    owed_by=Party.authority,
                    met_by=list(met_by),
                    direction=Direction(direction),
                )
            )

    def computed(self, proceeding_id: int, trigger_event_id: int, code: str) -> int:
        """A deadline computed by a rule from its trigger event."""
        with self.session() as session:
            found = session.get(Proceeding, proceeding_id)
            command = NewDeadline.parse({"rule": code, "trigger_event_id": trigger_event_id})
            made = deadlines.create_deadline(session, SETUP, NOW, found, command)
            session.flush()
            return made.id

    def met(self, deadline_id: int, event_id: int | None, at: datetime = NOW) -> None:
        """What the writes do when the awaited event is recorded (done, met by it), or
        when it no longer meets it (reopened)."""
        with self.session() as session:
            found = session.get(DeadlineRow, deadline_id)
            found.met_event_id = event_id
            found.status = "done" if event_id else "open"
            found.completed_at = at if event_id else None

    def withdraw(self, event_id: int) -> None:
        with self.session() as session:
            found = session.get(Event, event_id)
            command = EventWithdrawal.parse({"version": found.version, "reason": "Mistake"})
            events.withdraw_event(session, SETUP, NOW, found, command)


@pytest.fixture
def build(database) -> Build:
    factories.jurisdiction(database, "BE")
    return Build(database)


def scan(database, as_of: date = AS_OF, now: datetime = NOW, thresholds=T) -> operations.ScanResult:
    with database.unit_of_work() as session:
        return delays.run(session, now, as_of, thresholds)


def compute(database, as_of: date, thresholds=T) -> dict[str, object]:
    """The flags as of a day, by key, without storing them."""
    with database.sessionmaker() as session:
        return {flag.key: flag for flag in delays.compute(session, as_of, thresholds)}


def stored(database) -> dict[str, DelayFlag]:
    with database.sessionmaker() as session:
        return {row.key: row for row in session.scalars(sa.select(DelayFlag))}


def keys(flags) -> set[str]:
    return {item.flag.key for item in flags}


@contextmanager
def counting(database) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (an executemany counts once)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)


# --- upsert ---------------------------------------------------------------------------------


def test_a_flag_is_stored_once_then_kept_up_to_date(database, build):
    p = build.proceeding(opened_on="2024-01-01")
    build.event(p, "2026-11-01")  # recent: not stale
    key = f"long_pending:proceeding:{p}"

    first = scan(database)

    assert keys(first.new) == keys(first.open) == {key}
    row = stored(database)[key]
    assert (row.rule, row.severity, row.proceeding_id, row.hearing_id, row.deadline_id) == (
        "long_pending",
        "warning",
        p,
        None,
        None,
    )
    assert row.message == "Open more than 730 days without a final decision (opened on 1 Jan 2024)"
    assert (row.first_seen, row.last_seen, row.resolved_at) == (AS_OF, AS_OF, None)
    assert first.new[0].id == row.id

    again = scan(database)
    assert again.summary() == {
        "open": 1, "new": 0, "reopened": 0, "escalated": 0, "updated": 0, "resolved": 0
    }  # fmt: skip
    assert again.open[0].id == row.id

    next_day = scan(database, AS_OF + timedelta(days=1))
    assert (next_day.new, next_day.updated) == ([], [])  # nothing changed but the day
    later = stored(database)
    assert len(later) == 1
    assert (later[key].id, later[key].message) == (row.id, row.message)
    assert (later[key].first_seen, later[key].last_seen) == (AS_OF, AS_OF + timedelta(days=1))
    assert later[key].version == row.version


def test_a_flag_whose_situation_changes_is_updated(database, build):
    p = build.proceeding(opened_on="2026-09-01")
    d = build.deadline(p, AS_OF + timedelta(days=3))
    key = f"deadline_near:deadline:{d}"
    scan(database)
    before = stored(database)[key]

    result = scan(database, AS_OF + timedelta(days=1))

    assert keys(result.updated) == {key}
    assert (result.new, result.escalated) == ([], [])
    after = stored(database)[key]
    assert after.id == before.id
    assert after.message == "Deadline “Appeal brief” is due on 25 Nov 2026 (in 2 days)"
    assert after.details == {"due_on": "2026-11-25", "days_left": 2}
    assert after.version == before.version + 1
    assert after.last_seen == AS_OF + timedelta(days=1)


def test_a_flag_whose_severity_rises_is_escalated_not_new(database, build):
    p = build.proceeding(opened_on="2025-06-01")
    h = build.hearing(p, "2026-10-01T09:00")
    build.postpone(h, "2026-10-20T09:00", "2026-10-01")
    build.postpone(h, "2026-12-01T09:00", "2026-10-20")
    key = f"repeated_postponement:hearing:{h}"
    first = scan(database)
    assert stored(database)[key].severity == "warning"
    assert key in keys(first.new)
    with database.unit_of_work() as session:
        row = session.scalar(sa.select(DelayFlag).where(DelayFlag.key == key))
        row.acknowledged_at, row.acknowledgement = NOW, "Court informed"

    build.postpone(h, "2027-01-15T09:00", "2026-11-20")
    result = scan(database)

    assert keys(result.escalated) == {key}
    assert key not in keys(result.new)
    row = stored(database)[key]
    assert row.severity == "critical"
    assert row.message.startswith("Hearing postponed 3 times; first set for 1 Oct 2026, now 15 Jan")
    assert row.id == first.new[[f.flag.key for f in first.new].index(key)].id
    assert row.acknowledged_at is None  # worse than when it was acknowledged


def test_a_flag_resolves_when_its_cause_goes_away_and_reopens_when_it_comes_back(database, build):
    p = build.proceeding(opened_on="2026-09-01")
    d = build.deadline(p, AS_OF + timedelta(days=3))
    key = f"deadline_near:deadline:{d}"
    first = scan(database)
    assert keys(first.new) == {key}
    flag_id = first.new[0].id

    build.deadline_status(d, "done")
    resolving = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    gone = scan(database, now=resolving)

    assert gone.resolved == [flag_id]
    assert gone.open == []
    assert stored(database)[key].resolved_at == resolving
    assert scan(database).resolved == []  # resolved once

    build.deadline_status(d, "open")
    back = scan(database, AS_OF + timedelta(days=1))

    assert keys(back.reopened) == {key}
    assert back.new == []
    assert back.reopened[0].id == flag_id
    row = stored(database)[key]
    assert row.resolved_at is None
    assert row.first_seen == AS_OF  # the cause is the same one
    assert row.last_seen == AS_OF + timedelta(days=1)
    assert row.message.endswith("(in 2 days)")


def test_recording_the_outcome_resolves_outcome_missing(database, build):
    p = build.proceeding(opened_on="2026-09-01")
    h = build.hearing(p, "2026-11-10T09:30")
    key = f"outcome_missing:hearing:{h}"
    assert keys(scan(database).new) == {key}
    assert stored(database)[key].message == (
        "Hearing of 10 Nov 2026 passed more than 1 day ago with no outcome recorded"
    )

    build.outcome(h, "held")

    assert keys(scan(database).open) == set()
    assert stored(database)[key].resolved_at == NOW


def test_a_missed_deadline_is_a_new_critical_flag_and_the_near_one_resolves(database, build):
    p = build.proceeding(opened_on="2026-09-01")
    d = build.deadline(p, AS_OF)
    near = scan(database)
    missed = scan(database, AS_OF + timedelta(days=1))

    assert keys(near.new) == {f"deadline_near:deadline:{d}"}
    assert keys(missed.new) == {f"deadline_missed:deadline:{d}"}
    assert missed.new[0].flag.severity == "critical"
    assert missed.resolved == [near.new[0].id]


# --- facts as of the scan's day -------------------------------------------------------------


def test_a_proceeding_not_yet_opened_is_never_flagged(database, build):
    later = build.proceeding("extradition_request", opened_on="2026-12-01")
    next_month = build.proceeding("extradition_request", opened_on="2026-12", precision="month")
    for p in (later, next_month):
        build.deadline(p, date(2026, 11, 1))
        build.hearing(p, "2026-11-10T09:00")

    assert compute(database, AS_OF) == {}
    assert scan(database).open == []
    opened = compute(database, date(2026, 12, 1))
    assert {flag.rule for flag in opened.values()} == {"deadline_missed", "outcome_missing"}
    assert {flag.proceeding_id for flag in opened.values()} == {later, next_month}


def test_postponements_decided_after_as_of_have_not_happened_yet(database, build):
    p = build.proceeding(opened_on="2024-06-01")
    build.event(p, "2025-01-05")
    h = build.hearing(p, "2025-01-10T09:00")
    build.postpone(h, "2025-03-01T09:00", "2025-01-10")
    build.postpone(h, "2025-09-01T09:00", "2025-03-01")
    build.outcome(h, "held")
    repeated, slipped = f"repeated_postponement:hearing:{h}", f"hearing_slipped:hearing:{h}"

    before_any = compute(database, date(2025, 1, 9))
    after_one = compute(database, date(2025, 2, 1))
    after_two = compute(database, date(2025, 3, 1))
    held = compute(database, date(2025, 9, 3))

    assert {repeated, slipped} & before_any.keys() == set()
    assert repeated not in after_one  # one postponement by then
    assert slipped not in after_one  # 1 Mar is 50 days after 10 Jan
    assert after_two[repeated].message == (
        "Hearing postponed 2 times; first set for 10 Jan 2025, now 1 Sep 2025 (234 days later)"
    )
    assert after_two[slipped].severity == "critical"
    assert {repeated, slipped, f"outcome_missing:hearing:{h}"} & held.keys() == set()


def test_a_hearing_adjourned_sine_die_slips_from_the_day_it_was_decided(database, build):
    p = build.proceeding(opened_on="2026-01-01")
    h = build.hearing(p, "2026-05-04T09:00")
    build.postpone(h, None, "2026-05-01")
    key = f"hearing_slipped:hearing:{h}"

    assert key not in compute(database, date(2026, 4, 30))
    flag = compute(database, date(2026, 5, 1))[key]
    assert flag.severity == "critical"
    assert flag.message == "Hearing adjourned sine die; it was first set for 4 May 2026"


def test_a_decision_dated_after_as_of_has_not_answered_the_request(database, build):
    p = build.proceeding("extradition_request", opened_on="2024-01-01")
    build.event(p, "2025-06-01", kind="decision")
    key = f"request_unanswered:proceeding:{p}"

    assert compute(database, date(2025, 5, 31))[key].message == (
        "Extradition request pending more than 365 days with no decision (opened on 1 Jan 2024)"
    )
    assert key not in compute(database, date(2025, 6, 1))


def test_a_proceeding_decided_later_was_open_before(database, build):
    by_day = build.proceeding(opened_on="2020-01-01", status="decided", closed_on="2025-06-30")
    # a judgment recorded, the proceeding closed in March (known to the month)
    by_month = build.proceeding(opened_on="2020-01-01", status="decided", closed_on="2025-03")
    build.event(by_month, "2025-03-01", kind="judgment")

    def pending(on: date) -> set[int]:
        return {f.proceeding_id for f in compute(database, on).values() if f.rule == "long_pending"}

    assert pending(date(2025, 2, 28)) == {by_day, by_month}
    assert pending(date(2025, 3, 1)) == {by_day}
    assert pending(date(2025, 6, 29)) == {by_day}
    assert pending(date(2025, 6, 30)) == set()


def test_a_decided_proceeding_keeps_its_deadline_and_hearing_flags(database, build):
    # the judgment decided it; the appeal deadline it started is open, and a hearing
    # (on costs, say) was postponed three times
    p = build.proceeding(opened_on="2020-01-01", status="decided", closed_on="2026-10-01")
    appeal = build.deadline(p, AS_OF + timedelta(days=2), title="Appeal")
    missed = build.deadline(p, AS_OF - timedelta(days=3), title="Costs note")
    h = build.hearing(p, "2026-10-05T09:00")
    build.postpone(h, "2026-11-05T09:00", "2026-10-05")
    build.postpone(h, "2026-12-05T09:00", "2026-11-05")
    build.postpone(h, "2027-01-05T09:00", "2026-11-20")

    flags = {item.flag.key: item.flag for item in scan(database).open}

    assert set(flags) == {
        f"deadline_near:deadline:{appeal}",
        f"deadline_missed:deadline:{missed}",
        f"repeated_postponement:hearing:{h}",
        f"hearing_slipped:hearing:{h}",
    }  # no proceeding rule: it is not open
    assert flags[f"repeated_postponement:hearing:{h}"].severity == "critical"
    rows = stored(database)
    assert rows[f"repeated_postponement:hearing:{h}"].began_on == date(2026, 11, 5)  # 2nd move
    assert rows[f"deadline_missed:deadline:{missed}"].began_on == AS_OF - timedelta(days=2)
    assert rows[f"deadline_near:deadline:{appeal}"].began_on == AS_OF - timedelta(days=5)
    # first set for 5 Oct (more than 60 days late from 5 Dec); last moved on 20 Nov
    assert rows[f"hearing_slipped:hearing:{h}"].began_on == date(2026, 11, 20)


def test_began_on_is_kept_up_to_date_by_the_scan(database, build):
    p = build.proceeding(opened_on="2026-09-01")
    d = build.deadline(p, AS_OF - timedelta(days=1))
    key = f"deadline_missed:deadline:{d}"
    scan(database)
    with database.unit_of_work() as session:  # as a row stored before began_on existed
        session.execute(sa.update(DelayFlag).values(began_on=None))
    result = scan(database)
    assert keys(result.updated) == {key}
    assert stored(database)[key].began_on == AS_OF


def test_a_scan_limited_to_some_proceedings_leaves_the_others_alone(database, build):
    mine = build.proceeding(opened_on="2026-09-01")
    other = build.proceeding(opened_on="2026-09-01")
    gone = build.deadline(mine, AS_OF - timedelta(days=1))
    kept = build.deadline(other, AS_OF - timedelta(days=1))
    scan(database)
    build.deadline_status(gone, "done")
    build.deadline_status(kept, "done")
    with database.unit_of_work() as session:
        result = delays.run(session, NOW, AS_OF, T, proceeding_ids=[mine])
    rows = stored(database)
    assert result.resolved == [rows[f"deadline_missed:deadline:{gone}"].id]
    assert rows[f"deadline_missed:deadline:{kept}"].resolved_at is None


def test_a_deadline_done_later_was_missed_before(database, build):
    p = build.proceeding(opened_on="2026-01-01")
    d = build.deadline(p, date(2026, 10, 1))
    build.deadline_status(d, "done", at=NOW)
    key = f"deadline_missed:deadline:{d}"

    assert key in compute(database, date(2026, 10, 15))
    assert key not in compute(database, AS_OF)


def test_a_proceeding_with_a_hearing_to_come_is_not_stale(database, build):
    quiet = build.proceeding(opened_on="2020-01-01")
    waiting = build.proceeding(opened_on="2020-01-01")
    build.hearing(waiting, "2027-02-01T09:00")
    held_long_ago = build.proceeding(opened_on="2020-01-01")
    h = build.hearing(held_long_ago, "2021-03-01T09:00")
    build.outcome(h)

    found = compute(database, AS_OF)

    assert found[f"stale_proceeding:proceeding:{quiet}"].message == (
        "No event or hearing for more than 360 days (last: opened on 1 Jan 2020) "
        "and nothing scheduled"
    )
    assert f"stale_proceeding:proceeding:{waiting}" not in found
    assert found[f"stale_proceeding:proceeding:{held_long_ago}"].message.startswith(
        "No event or hearing for more than 360 days (last: hearing on 1 Mar 2021)"
    )


@pytest.mark.parametrize(
    ("zone", "starts_at", "flagged"),
    [
        ("Pacific/Kiritimati", "2026-11-20T00:30", True),  # UTC+14: 19 Nov in UTC
        ("Pacific/Pago_Pago", "2026-11-20T23:00", True),  # UTC-11: 21 Nov in UTC
        ("Pacific/Pago_Pago", "2026-11-21T09:00", False),  # one day ago in the court's zone
    ],
)
def test_outcome_missing_counts_the_courts_days(database, build, zone, starts_at, flagged):
    p = build.proceeding(opened_on="2026-01-01")
    h = build.hearing(p, starts_at, timezone=zone)
    assert (f"outcome_missing:hearing:{h}" in compute(database, AS_OF)) is flagged


def test_thresholds_are_applied(database, build):
    p = build.proceeding("mla_request", opened_on="2026-05-01")
    key = f"request_unanswered:proceeding:{p}"
    assert key not in compute(database, AS_OF)
    shorter = Thresholds(request_unanswered_days_by_kind={"mla_request": 180})
    assert compute(database, AS_OF, shorter)[key].severity == "warning"


# --- an authority's time limit: authority_overdue ---------------------------------------------


@pytest.fixture
def ccf(build) -> dict[str, int]:
    """A request received by the CCF on 1 Feb 2026: its decision on admissibility was
    expected within a month, by 1 Mar 2026 (28 days)."""
    build.authority_rule()
    p = build.proceeding("interpol_notice", opened_on="2026-01-15")
    received = build.event(p, "2026-02-01", kind="request_received")
    d = build.computed(p, received, "TEST_CCF_ADMISSIBILITY")
    with build.session() as session:
        assert session.get(DeadlineRow, d).due_on == date(2026, 3, 1)
    return {"proceeding": p, "received": received, "deadline": d}


def overdue(ccf) -> str:
    return f"authority_overdue:deadline:{ccf['deadline']}"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 2, 22), None),  # within what would be a "near" window: not ours to meet
        (date(2026, 3, 1), None),  # the due day itself
        (date(2026, 3, 2), "warning"),  # the day after
        (date(2026, 3, 29), "warning"),  # exactly twice the 28 days since the request
        (date(2026, 3, 30), "critical"),
        (date(2034, 3, 1), "critical"),  # years late
    ],
)
def test_an_authority_is_overdue_the_day_after_and_critical_past_twice_the_period(
    database, ccf, as_of, expected
):
    found = compute(database, as_of)
    flag = found.get(overdue(ccf))
    assert (flag.severity if flag else None) == expected
    # never near nor missed: the deadline is the authority's
    assert {f.rule for f in found.values() if f.deadline_id == ccf["deadline"]} <= {
        "authority_overdue"
    }
    if flag is not None:
        assert flag.began_on == date(2026, 3, 2)
        assert flag.message.startswith(
            "The authority's “CCF decision on admissibility” was expected by 1 Mar 2026; "
            "no admissibility decision recorded"
        )


def test_the_overdue_flag_is_stored_then_escalated_then_resolved_by_the_decision(
    database, build, ccf
):
    raised = scan(database, date(2026, 3, 2))
    escalated = scan(database, date(2026, 3, 30))
    decision = build.event(ccf["proceeding"], "2026-04-10", kind="admissibility_decision")
    build.met(ccf["deadline"], decision)
    resolved = scan(database, date(2026, 4, 10))

    assert keys(raised.new) == {overdue(ccf)}
    assert raised.new[0].flag.severity == "warning"
    assert keys(escalated.escalated) == {overdue(ccf)}
    assert resolved.resolved == [raised.new[0].id]
    row = stored(database)[overdue(ccf)]
    assert (row.severity, row.began_on, row.resolved_at) == ("critical", date(2026, 3, 2), NOW)


def test_as_of_a_past_day_the_decision_dated_later_had_not_come(database, build, ccf):
    decision = build.event(ccf["proceeding"], "2026-04-10", kind="admissibility_decision")
    build.met(ccf["deadline"], decision)  # recorded (and the deadline done) on 22 Nov

    assert compute(database, date(2026, 4, 9))[overdue(ccf)].severity == "critical"
    assert overdue(ccf) not in compute(database, date(2026, 4, 10))
    assert overdue(ccf) not in compute(database, AS_OF)


def test_a_decision_in_time_meets_it(database, build, ccf):
    decision = build.event(ccf["proceeding"], "2026-02-20", kind="admissibility_decision")
    build.met(ccf["deadline"], decision)
    assert overdue(ccf) not in compute(database, date(2026, 3, 2))
    assert overdue(ccf) not in compute(database, AS_OF)


def test_the_deadline_counted_from_a_later_event_does_not_exist_yet(database, build):
    # counted back a month from the trigger (1 Jun): due on 1 May
    build.authority_rule("TEST_BEFORE", direction="before")
    p = build.proceeding("interpol_notice", opened_on="2026-01-15")
    d = build.computed(p, build.event(p, "2026-06-01", kind="request_received"), "TEST_BEFORE")
    key = f"authority_overdue:deadline:{d}"

    assert key not in compute(database, date(2026, 5, 15))  # the trigger had not happened
    flag = compute(database, date(2026, 6, 1))[key]
    assert flag.severity == "warning"  # counted back: no period to be twice late by
    assert flag.began_on == date(2026, 5, 2)


def test_a_withdrawn_decision_meets_nothing_and_the_flag_comes_back(database, build, ccf):
    decision = build.event(ccf["proceeding"], "2026-04-10", kind="admissibility_decision")
    build.met(ccf["deadline"], decision)
    first = scan(database)
    build.withdraw(decision)
    # recorded by mistake, it never happened: as of a day before the deadline was marked
    # done, it was overdue, whatever met_event_id still says
    assert compute(database, date(2026, 5, 1))[overdue(ccf)].severity == "critical"
    build.met(ccf["deadline"], None)  # what the writes do: reopened, no longer met
    back = scan(database)

    assert overdue(ccf) not in keys(first.open)
    assert keys(back.new) == {overdue(ccf)}
    assert back.new[0].flag.severity == "critical"


def test_a_cleared_met_event_reopens_the_flag(database, build, ccf):
    decision = build.event(ccf["proceeding"], "2026-04-10", kind="admissibility_decision")
    raised = scan(database, date(2026, 3, 2))
    build.met(ccf["deadline"], decision)
    resolved = scan(database)
    build.met(ccf["deadline"], None)
    reopened = scan(database)

    assert resolved.resolved == [raised.new[0].id]
    assert [item.id for item in reopened.reopened] == [raised.new[0].id]
    assert reopened.reopened[0].flag.severity == "critical"


def test_a_hand_set_authority_deadline_stays_a_warning(database, build):
    p = build.proceeding("interpol_notice", opened_on="2020-01-01")
    with build.session() as session:
        found = session.get(Proceeding, p)
        command = NewDeadline.parse(
            {
                "title": "State reply",
                "due_on": date(2021, 1, 1),
                "owed_by": "authority",
                "met_by": ["state_reply"],
            }
        )
        made = deadlines.create_deadline(session, SETUP, NOW, found, command)
        session.flush()
        d = made.id

    flag = compute(database, AS_OF)[f"authority_overdue:deadline:{d}"]
    assert flag.severity == "warning"
    assert flag.message == (
        "The authority's “State reply” was expected by 1 Jan 2021; no state reply recorded"
    )


def test_our_deadline_next_to_theirs_is_still_near_then_missed(database, build, ccf):
    ours = build.deadline(ccf["proceeding"], date(2026, 3, 1), title="Observations")

    near = compute(database, date(2026, 2, 26))
    missed = compute(database, date(2026, 3, 2))

    assert {f.key for f in near.values() if f.deadline_id} == {f"deadline_near:deadline:{ours}"}
    assert {f.key for f in missed.values() if f.deadline_id} == {
        f"deadline_missed:deadline:{ours}",
        overdue(ccf),
    }


def test_authority_thresholds_are_applied(database, ccf):
    later = Thresholds(authority_overdue_days=10, authority_overdue_critical_multiple=3)
    assert overdue(ccf) not in compute(database, date(2026, 3, 11), later)
    assert compute(database, date(2026, 3, 12), later)[overdue(ccf)].severity == "warning"
    assert compute(database, date(2026, 4, 26), later)[overdue(ccf)].severity == "warning"
    assert compute(database, date(2026, 4, 27), later)[overdue(ccf)].severity == "critical"


# --- a constant number of queries -------------------------------------------------------------


CCF = "TEST_CCF_ADMISSIBILITY"


def populate(build: Build, copies: int) -> list[dict[str, int]]:
    """`copies` times the same small dossier, flagged by every rule."""
    made = []
    for _ in range(copies):
        request = build.proceeding("extradition_request", opened_on="2023-01-01")
        moved = build.hearing(request, "2026-03-02T09:00")
        build.postpone(moved, "2026-06-01T09:00", "2026-03-02")
        build.postpone(moved, "2027-02-01T09:00", "2026-06-01")
        forgotten = build.hearing(request, "2026-11-10T09:00")
        near = build.deadline(request, AS_OF + timedelta(days=3))
        build.deadline(request, AS_OF - timedelta(days=5))
        quiet = build.proceeding("trial", opened_on="2025-01-01")
        build.event(quiet, "2025-02-01", kind="filing")
        closed = build.proceeding(
            "trial", opened_on="2020-01-01", status="closed", closed_on="2021-01-01"
        )
        build.hearing(closed, "2026-11-01T09:00")
        # an authority late (its decision comes later), and one that met its time limit
        received = build.event(request, "2026-02-01", kind="request_received")
        late = build.computed(request, received, CCF)
        answered = build.computed(
            closed, build.event(closed, "2026-02-01", "request_received"), CCF
        )
        build.met(answered, build.event(closed, "2026-02-20", kind="admissibility_decision"))
        decision = build.event(request, "2026-11-20", kind="admissibility_decision")
        made.append(
            {
                "moved": moved,
                "forgotten": forgotten,
                "near": near,
                "late": late,
                "decision": decision,
            }
        )
    return made


def empty(database) -> None:
    from tracker.models import Base

    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def test_a_scan_asks_as_many_queries_for_ten_times_the_data(database):
    counts, sizes = {}, {}
    for copies in (2, 20):
        empty(database)
        factories.jurisdiction(database, "BE")
        build = Build(database)
        build.authority_rule()
        made = populate(build, copies)
        runs = []
        with counting(database) as statements, database.sessionmaker() as session:
            delays.compute(session, AS_OF, T)
        assert len(statements) == 3  # proceedings, hearings, deadlines
        with counting(database) as statements:
            first = scan(database)
        runs.append(len(statements))
        for item in made:  # escalate, resolve (deadline done, outcome recorded)
            build.postpone(item["moved"], "2027-03-01T09:00", "2026-11-21")
            build.deadline_status(item["near"], "done")
            build.outcome(item["forgotten"])
            build.met(item["late"], item["decision"])
        with counting(database) as statements:
            second = scan(database)
        runs.append(len(statements))
        for item in made:  # reopen
            build.deadline_status(item["near"], "open")
            build.met(item["late"], None)
        with counting(database) as statements:
            third = scan(database, AS_OF + timedelta(days=1))
        runs.append(len(statements))
        counts[copies] = runs
        sizes[copies] = [
            len(first.new),
            len(second.escalated),
            len(second.updated),
            len(second.resolved),
            len(third.reopened),
        ]
    assert sizes[20] == [10 * n for n in sizes[2]]
    assert all(sizes[2]), sizes
    assert counts[2] == counts[20]


# --- the demo dossier -----------------------------------------------------------------------


def demo_proceedings(session) -> dict[str, int]:
    """Proceeding ids by their key in the dossier."""
    found = {}
    for matter in demo.read_dossier()["matters"]:
        for item in matter["proceedings"]:
            found[item["key"]] = session.scalar(
                sa.select(Proceeding.id)
                .join(Proceeding.matter)
                .where(Matter.key == matter["key"], Proceeding.title == item["title"])
            )
    return found


def test_the_demo_dossier_as_of_19_june_2024(database, frozen_now):
    with database.unit_of_work() as session:
        demo.load(session, frozen_now)
    with database.sessionmaker() as session:
        ids = demo_proceedings(session)
        trial_hearing = session.scalar(
            sa.select(Hearing.id).where(Hearing.proceeding_id == ids["be-surveillance"])
        )

    result = scan(database, date(2024, 6, 19), frozen_now)
    flags = {item.flag.key: item.flag for item in result.open}

    repeated = flags[f"repeated_postponement:hearing:{trial_hearing}"]
    assert repeated.severity == "warning"
    assert repeated.proceeding_id == ids["be-surveillance"]
    assert "15 Apr 2024" in repeated.message
    assert "18 Dec 2024" in repeated.message
    unanswered = {f.proceeding_id for f in flags.values() if f.rule == "request_unanswered"}
    # both Belgian extradition requests (and the MLA request, decided only in Dec 2025);
    # the French and Czech requests were decided long before
    assert unanswered == {ids["be-ext-ua"], ids["be-ext-kz"], ids["be-mla"]}
    assert "opened in Nov 2016, counted from 1 Nov 2016" in (
        flags[f"request_unanswered:proceeding:{ids['be-ext-ua']}"].message
    )
    # opened in 2024: counted from 1 Jan 2024, not yet long pending
    assert f"long_pending:proceeding:{ids['ru-wanted']}" not in flags
    # the hearing has a date (18 Dec) in the future: no outcome is missing yet
    assert f"outcome_missing:hearing:{trial_hearing}" not in flags
    assert len(stored(database)) == len(result.open)


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def tracker(tmp_path, db_url):
    runner = CliRunner()
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
    }

    def invoke(*args: str, **extra_env: str):
        return runner.invoke(main, list(args), env=env | extra_env)

    return invoke


def test_tracker_scan_json_prints_and_stores_the_open_flags(tracker, database, build, frozen_now):
    p = build.proceeding("extradition_request", opened_on="2016-11", precision="month")
    d = build.deadline(p, date(2026, 11, 1))

    result = tracker("scan", "--as-of", "2026-11-22", "--json")

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert [item["rule"] for item in printed] == [
        "deadline_missed",
        "long_pending",
        "request_unanswered",
        "stale_proceeding",
    ]
    missed = printed[0]
    assert {
        "rule", "severity", "proceeding_id", "hearing_id", "deadline_id", "message", "first_seen"
    } <= missed.keys()  # fmt: skip
    assert (missed["proceeding_id"], missed["deadline_id"], missed["hearing_id"]) == (p, d, None)
    assert missed["severity"] == "critical"
    assert missed["first_seen"] == "2026-11-22"
    assert missed["message"] == ("Deadline “Appeal brief” was due on 1 Nov 2026 and is still open")
    rows = stored(database)
    assert {row.id for row in rows.values()} == {item["id"] for item in printed}


def test_tracker_scan_prints_one_line_per_flag_and_a_summary(tracker, build, frozen_now):
    p = build.proceeding(opened_on="2026-09-01")
    build.deadline(p, date(2026, 11, 24))

    first = tracker("scan")
    again = tracker("scan")

    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0].split()[:4] == ["warning", "deadline_near", "deadline", "1"]
    assert lines[0].endswith("Deadline “Appeal brief” is due on 24 Nov 2026 (in 2 days)")
    assert lines[-1] == (
        "1 open flag as of 2026-11-22: 1 new, 0 reopened, 0 escalated, 0 updated; 0 resolved."
    )
    assert again.stdout.splitlines()[-1].startswith("1 open flag as of 2026-11-22: 0 new")


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "22/11/2026"])
def test_tracker_scan_refuses_a_bad_date(tracker, database, value):
    result = tracker("scan", "--as-of", value)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr
    assert stored(database) == {}


def test_tracker_scan_refuses_a_bad_threshold(tracker, database):
    result = tracker("scan", DELAY_HEARING_SLIPPED_DAYS="two months")
    assert result.exit_code == 2  # a bad setting is bad input
    assert "DELAY_HEARING_SLIPPED_DAYS must be a whole number" in result.stderr
    assert "Traceback" not in result.output
