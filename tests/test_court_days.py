"""The court days stored beside a hearing's instants (`settle`) follow every change:
a new hearing, a postponement, a move brought forward, a withdrawal, a corrected
decision day, a corrected zone. The delay statistics read them, so a stale one would
be a wrong figure. The court is at UTC+14, where 09:00 is the day before in UTC."""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa

from tracker.core.dates import in_zone
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Proceeding

D = dt.date


@pytest.fixture
def api(app, database, frozen_now):
    factories.jurisdiction(database, "KI", "Kiribati", "Pacific/Kiritimati")
    return factories.login(app.test_client(), database, "coordinator")


def stored(database, hearing_id: int) -> tuple[tuple, list]:
    """(court_day, dates_set, first_set_on) and each move's counted_on, as stored."""
    with database.sessionmaker() as session:
        hearing = session.get(Hearing, hearing_id)
        moves = session.scalars(
            sa.select(Postponement.counted_on)
            .where(Postponement.hearing_id == hearing_id)
            .order_by(Postponement.id)
        ).all()
        assert hearing.court_day == in_zone(hearing.starts_at, hearing.timezone).date()
        return (hearing.court_day, hearing.dates_set, hearing.first_set_on), list(moves)


def test_the_days_follow_each_move_withdrawal_and_correction(api, database):
    matter = factories.matter(api)
    proceeding = factories.proceeding(api, matter["id"], jurisdiction="KI")
    made = factories.hearing(api, proceeding["id"], "2026-12-01T09:00")
    hid = made["id"]
    assert stored(database, hid) == ((D(2026, 12, 1), 1, D(2026, 12, 1)), [])

    factories.postpone(api, hid, "2026-12-20T09:00")
    assert stored(database, hid) == ((D(2026, 12, 20), 2, D(2026, 12, 1)), [D(2026, 12, 1)])

    factories.postpone(api, hid, "2026-12-10T09:00")  # brought forward: does not count
    days = ((D(2026, 12, 10), 2, D(2026, 12, 1)), [D(2026, 12, 1), None])
    assert stored(database, hid) == days

    moved = factories.postpone(api, hid, "2027-01-15T09:00", decided_on="2026-11-20")
    assert stored(database, hid) == (
        (D(2027, 1, 15), 3, D(2026, 12, 1)),
        [D(2026, 12, 1), None, D(2026, 11, 20)],
    )

    third = moved["postponements"][-1]
    withdrawn = factories.ok(
        api.post(
            f"/postponements/{third['id']}/withdraw",
            {"version": moved["version"], "reason": "recorded by mistake"},
        )
    )
    assert stored(database, hid) == (days[0], [*days[1], None])  # the third counts no more

    first = withdrawn["postponements"][0]
    corrected = factories.ok(
        api.patch(
            f"/postponements/{first['id']}",
            {"version": withdrawn["version"], "decided_on": "2026-11-21"},
        )
    )
    assert stored(database, hid)[1] == [D(2026, 11, 21), None, None]

    # a corrected zone keeps the wall time (10 December, 09:00); the first date, an
    # instant of the ledger (1 December, 09:00 at UTC+14), is 30 November in UTC
    factories.ok(
        api.patch(f"/hearings/{hid}", {"version": corrected["version"], "timezone": "UTC"})
    )
    assert stored(database, hid) == (
        (D(2026, 12, 10), 2, D(2026, 11, 30)),
        [D(2026, 11, 21), None, None],
    )


def test_the_audit_log_records_what_people_changed_not_the_derived_days(api, database):
    matter = factories.matter(api)
    proceeding = factories.proceeding(api, matter["id"], jurisdiction="KI")
    hid = factories.hearing(api, proceeding["id"], "2026-12-01T09:00")["id"]
    factories.postpone(api, hid, "2026-12-20T09:00")

    written = factories.audit_entries(database, "hearings")
    assert written
    for entry in written:
        for side in (entry["before"] or {}, entry["after"] or {}):
            assert not {"court_day", "dates_set", "first_set_on"} & set(side), entry


def copied(database, hearing_id: int) -> list[tuple]:
    """(country code, kind, matter) as the hearing, then each of its moves, carry them."""
    with database.sessionmaker() as session:
        hearing = session.get(Hearing, hearing_id)
        return [
            (
                session.get(Jurisdiction, row.jurisdiction_id).code,
                row.proceeding_kind,
                row.matter_id,
            )
            for row in (hearing, *hearing.postponements)
        ]


def test_a_hearing_keeps_its_slip_in_days_once_postponed(api, database):
    matter = factories.matter(api)
    proceeding = factories.proceeding(api, matter["id"], jurisdiction="KI")
    hid = factories.hearing(api, proceeding["id"], "2026-12-01T09:00")["id"]
    slip = sa.select(Hearing.slip_days).where(Hearing.id == hid)
    with database.sessionmaker() as session:
        assert session.scalar(slip) is None  # never postponed: no slip
    factories.postpone(api, hid, "2026-12-20T09:00")
    factories.postpone(api, hid, "2026-12-10T09:00")  # brought forward
    with database.sessionmaker() as session:
        assert session.scalar(slip) == 9  # 1 -> 10 December, court days


def test_the_hearings_and_moves_follow_their_proceeding_s_country_kind_and_matter(api, database):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    matter = factories.matter(api)
    proceeding = factories.proceeding(api, matter["id"], jurisdiction="KI")
    hid = factories.hearing(api, proceeding["id"], "2026-12-01T09:00")["id"]
    moved = factories.postpone(api, hid, "2026-12-20T09:00")
    factories.postpone(api, hid, "2026-12-30T09:00")
    hearing = factories.ok(api.get(f"/hearings/{hid}"))
    assert copied(database, hid) == [("KI", "criminal_case", matter["id"])] * 3
    assert moved["version"] < hearing["version"]

    changes = {"version": proceeding["version"], "jurisdiction": "BE", "kind": "trial"}
    factories.ok(api.patch(f"/proceedings/{proceeding['id']}", changes))
    assert copied(database, hid) == [("BE", "trial", matter["id"])] * 3
    # a change of the proceeding is not one of the hearing's: its version stands
    assert factories.ok(api.get(f"/hearings/{hid}"))["version"] == hearing["version"]

    other = factories.matter(api)
    with database.unit_of_work() as session:  # no page moves a proceeding: the model does
        loaded = session.get(Hearing, hid)
        rows = [loaded, *loaded.postponements]
        session.get(Proceeding, proceeding["id"]).matter_id = other["id"]
        session.flush()
        assert {row.matter_id for row in rows} == {other["id"]}  # the loaded rows too
    assert copied(database, hid) == [("BE", "trial", other["id"])] * 3


def test_a_hearing_moved_to_another_proceeding_copies_that_one(api, database):
    """By the proceeding's id or by the object: the copies are the new proceeding's."""
    matter = factories.matter(api)
    first = factories.proceeding(api, matter["id"], jurisdiction="KI")
    second = factories.proceeding(api, matter["id"], jurisdiction="KI", kind="appeal")
    third = factories.proceeding(api, matter["id"], jurisdiction="KI", kind="trial")
    hid = factories.hearing(api, first["id"], "2026-12-01T09:00")["id"]
    factories.postpone(api, hid, "2026-12-20T09:00")
    with database.unit_of_work() as session:
        session.get(Hearing, hid).proceeding_id = second["id"]
    assert copied(database, hid) == [("KI", "appeal", matter["id"])] * 2
    with database.unit_of_work() as session:
        session.get(Hearing, hid).proceeding = session.get(Proceeding, third["id"])
    assert copied(database, hid) == [("KI", "trial", matter["id"])] * 2
