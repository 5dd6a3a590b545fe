"""The demo dossier: loaded through the operations, complete, linked, audited, idempotent."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker import demo
from tracker.core.actors import DEMO
from tracker.deadlines import catalogue
from tracker.delays import scan
from tracker.delays.rules import Thresholds
from tracker.hearings.models import HearingStatus, OutcomeResult
from tracker.matters.models import ProceedingKind
from tracker.models import (
    AuditEntry,
    Authority,
    Base,
    Deadline,
    DeadlineRule,
    Event,
    Hearing,
    Jurisdiction,
    Matter,
    Person,
    Postponement,
    Proceeding,
    User,
)
from tracker.users import operations as users
from tracker.users.schemas import NewUser

DOSSIER = demo.read_dossier()


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def load(database, now, dossier=None) -> demo.Summary:
    with database.unit_of_work() as session:
        return demo.load(session, now, dossier=dossier)


@pytest.fixture
def loaded(database, frozen_now) -> demo.Summary:
    return load(database, frozen_now)


def proceedings_by_key(session) -> dict[str, Proceeding]:
    """The proceedings, keyed by their key in the dossier (titles are unique in a matter)."""
    found = {}
    for matter in DOSSIER["matters"]:
        for item in matter["proceedings"]:
            found[item["key"]] = session.scalars(
                sa.select(Proceeding)
                .join(Proceeding.matter)
                .where(Matter.key == matter["key"], Proceeding.title == item["title"])
            ).one()
    return found


def all_proceedings() -> list[dict]:
    return [item for matter in DOSSIER["matters"] for item in matter["proceedings"]]


def test_the_first_load_creates_the_whole_dossier(loaded, session):
    proceedings = all_proceedings()
    hearings = [h for p in proceedings for h in p.get("hearings", [])]

    shipped = {code for code, *_ in catalogue.JURISDICTIONS}
    expected = {
        # the rules come first, with the jurisdictions they need
        "rules": len(catalogue.RULES) + len(catalogue.VACATIONS) + len(shipped),
        "jurisdictions": len({j["code"] for j in DOSSIER["jurisdictions"]} - shipped),
        "deadlines": sum(len(p.get("deadlines", [])) for p in proceedings),
        "users": 4,
        "matters": len(DOSSIER["matters"]),
        "proceedings": len(proceedings),
        "events": sum(len(p.get("events", [])) for p in proceedings),
        "hearings": len(hearings),
        "postponements": sum(len(h.get("postponements", [])) for h in hearings),
    }
    assert dict(loaded.created) == expected
    assert loaded.skipped == {
        "jurisdictions": len({j["code"] for j in DOSSIER["jurisdictions"]} & shipped)
    }
    counts = row_counts(session)
    for table in expected.keys() - {"rules", "jurisdictions"}:
        assert counts[table] == expected[table], table
    assert counts["jurisdictions"] == len(shipped | {j["code"] for j in DOSSIER["jurisdictions"]})
    assert counts["persons"] == len(DOSSIER["matters"])
    assert set(session.scalars(sa.select(Matter.key))) == {m["key"] for m in DOSSIER["matters"]}


def test_a_second_load_changes_nothing(loaded, database, session):
    before = row_counts(session)
    session.rollback()

    again = load(database, datetime(2027, 1, 5, tzinfo=UTC))

    assert again.created.total() == 0
    assert again.passwords == {}
    assert dict(again.skipped) == {
        "jurisdictions": len(DOSSIER["jurisdictions"]),
        "users": 4,
        "matters": len(DOSSIER["matters"]),
    }
    after = row_counts(session)
    assert after == before
    assert after["audit_entries"] > 0


def test_the_demo_users_get_working_passwords_once(loaded, session):
    assert set(loaded.passwords) == {
        "admin@demo.example",
        "coordinator@demo.example",
        "staff@demo.example",
        "lawyer@demo.example",
    }
    for email, password in loaded.passwords.items():
        assert users.check_password(users.get_by_email(session, email), password)
    roles = dict(session.execute(sa.select(User.email, User.role)).all())
    assert roles["coordinator@demo.example"] == "coordinator"
    assert roles["lawyer@demo.example"] == "lawyer"

    lawyer = users.get_by_email(session, "lawyer@demo.example")
    assigned = session.scalars(
        sa.select(Matter.key).where(Matter.assignees.contains(lawyer)).order_by(Matter.key)
    ).all()
    assert assigned == ["ablyazov", "jardemalie", "remedies-illustration"]


def test_existing_users_jurisdictions_and_matters_are_left_alone(database, frozen_now):
    with database.unit_of_work() as session:
        command = NewUser.parse(
            {"email": "admin@demo.example", "role": "staff", "password": "kept"}
        )
        users.create_user(session, DEMO, frozen_now, command)
    partial = copy.deepcopy(DOSSIER)
    partial["matters"] = partial["matters"][:1]
    first = load(database, frozen_now, partial)

    second = load(database, frozen_now)

    assert "admin@demo.example" not in first.passwords
    assert first.skipped["users"] == 1
    assert second.skipped == {
        "jurisdictions": len(DOSSIER["jurisdictions"]),
        "users": 4,
        "matters": 1,
    }
    assert second.created["matters"] == len(DOSSIER["matters"]) - 1
    with database.sessionmaker() as session:
        admin = users.get_by_email(session, "admin@demo.example")
        assert admin.role == "staff"
        assert users.check_password(admin, "kept")
        assert session.scalar(sa.select(sa.func.count()).select_from(Matter)) == len(
            DOSSIER["matters"]
        )


def test_jardemalie_has_both_extradition_requests_and_the_mla_request(loaded, session):
    by_key = proceedings_by_key(session)
    matter = session.scalars(sa.select(Matter).where(Matter.key == "jardemalie")).one()
    kinds = [p.kind for p in matter.proceedings]

    assert matter.subject.name == "Botagoz (Bota) Jardemalie"
    assert kinds.count(ProceedingKind.extradition_request) == 2
    assert kinds.count(ProceedingKind.mla_request) == 1
    ua, kz, mla = by_key["be-ext-ua"], by_key["be-ext-kz"], by_key["be-mla"]
    assert {ua.matter_id, kz.matter_id, mla.matter_id} == {matter.id}
    assert (ua.opened_on, ua.opened_precision) == (date(2016, 11, 1), "month")
    assert (kz.opened_on, kz.opened_precision) == (date(2018, 1, 1), "year")
    assert ua.jurisdiction.code == kz.jurisdiction.code == "BE"
    assert ua.authority.name == "Federal Public Service Justice (extradition)"
    assert ua.authority_id == kz.authority_id  # one authority, named twice
    assert mla.kind == ProceedingKind.mla_request
    assert [(e.kind, e.occurred_on) for e in mla.events] == [
        ("authorisation", date(2018, 4, 1)),
        ("search", date(2019, 10, 1)),
        ("decision", date(2025, 12, 16)),
    ]
    assert mla.events[-1].source == DOSSIER["sources"]["FT25"]


def test_the_surveillance_trial_hearing_was_postponed_twice_then_held(loaded, session):
    trial = proceedings_by_key(session)["be-surveillance"]
    (hearing,) = trial.hearings

    assert hearing.timezone == "Europe/Brussels"
    assert hearing.time_known is False
    assert hearing.local_start.replace(tzinfo=None) == datetime(2024, 12, 18, 9, 0)
    assert hearing.starts_at == datetime(2024, 12, 18, 8, 0, tzinfo=UTC)  # CET, UTC+1
    assert hearing.status == HearingStatus.held
    assert hearing.outcome == OutcomeResult.held
    assert hearing.outcome_summary == "Trial held; judgment reserved"
    assert hearing.sequence == 3  # two moves and the outcome
    moves = [(p.from_starts_at, p.to_starts_at, p.decided_on) for p in hearing.postponements]
    assert moves == [
        (  # CEST, UTC+2
            datetime(2024, 4, 15, 7, 0, tzinfo=UTC),
            datetime(2024, 6, 18, 7, 0, tzinfo=UTC),
            date(2024, 4, 15),
        ),
        (
            datetime(2024, 6, 18, 7, 0, tzinfo=UTC),
            datetime(2024, 12, 18, 8, 0, tzinfo=UTC),
            date(2024, 6, 18),
        ),
    ]
    first = hearing.postponements[0].reason
    assert first.startswith("Postponed; the statement gives 'the loss' as the cause")
    assert DOSSIER["sources"]["S1"] in first


def test_every_parent_and_origin_is_linked_as_in_the_dossier(loaded, session):
    by_key = proceedings_by_key(session)

    for item in all_proceedings():
        proceeding = by_key[item["key"]]
        parent = by_key[item["parent"]].id if "parent" in item else None
        origin = by_key[item["origin"]].id if "origin" in item else None
        assert (proceeding.parent_id, proceeding.origin_id) == (parent, origin), item["key"]
    # spot checks, in case the loop above had nothing to compare
    assert by_key["be-ext-ua"].origin is by_key["kz-case"]
    assert by_key["be-mla"].origin is by_key["kz-case"]
    assert by_key["it-appeal"].parent is by_key["it-trial"]
    assert by_key["it-retrial"].parent is by_key["it-cassation"]


def test_every_event_keeps_its_source_text(loaded, session):
    by_key = proceedings_by_key(session)

    for item in all_proceedings():
        stored = [(e.kind, e.summary, e.source) for e in by_key[item["key"]].events]
        expected = [
            (e["kind"], e["summary"], DOSSIER["sources"][e["source"]]) for e in item["events"]
        ]
        assert sorted(stored) == sorted(expected), item["key"]


def test_every_created_row_is_audited_as_the_demo_actor(loaded, session):
    entries = session.scalars(sa.select(AuditEntry)).all()
    assert {e.actor_label for e in entries} == {DEMO.label}
    assert {e.actor_id for e in entries} == {None}

    created = {(e.entity, e.entity_id) for e in entries if e.action == "create"}
    for model in (Jurisdiction, Authority, User, Matter, Proceeding, Event, Hearing):
        ids = session.scalars(sa.select(model.id)).all()
        assert ids, model.__tablename__
        missing = {(model.__tablename__, i) for i in ids} - created
        assert not missing, missing
    # a postponement is audited as a "postpone" of its hearing
    postponed = {e.after["postponement_id"] for e in entries if e.action == "postpone"}
    assert postponed == set(session.scalars(sa.select(Postponement.id)))
    # a person is created with its matter, whose entry names it
    subjects = {e.after["subject"] for e in entries if e.entity == "matters"}
    assert subjects == set(session.scalars(sa.select(Person.name)))
    # and no password hash ever reaches the log
    assert not any("password_hash" in (e.after or {}) for e in entries)


def test_proceedings_may_come_before_the_one_they_name(database, frozen_now):
    dossier = copy.deepcopy(DOSSIER)
    shalabayeva = next(m for m in dossier["matters"] if m["key"] == "shalabayeva")
    shalabayeva["proceedings"].reverse()  # every appeal now comes before its parent
    dossier["matters"] = [shalabayeva]

    summary = load(database, frozen_now, dossier)

    assert summary.created["proceedings"] == 5
    with database.sessionmaker() as session:
        by_title = {p.title: p for p in session.scalars(sa.select(Proceeding))}
        retrial = by_title["New appeal trial after cassation"]
        assert retrial.parent.parent.parent.title.startswith("Prosecution of police officers")


def test_a_circular_or_unknown_link_is_refused(database, frozen_now):
    dossier = copy.deepcopy(DOSSIER)
    matter = dossier["matters"][0]
    matter["proceedings"][0]["origin"] = "no-such-key"
    dossier["matters"] = [matter]

    with pytest.raises(ValueError, match="kz-case"):
        load(database, frozen_now, dossier)
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Matter)) == 0


def test_an_unknown_source_is_refused(database, frozen_now):
    dossier = copy.deepcopy(DOSSIER)
    dossier["matters"][0]["proceedings"][0]["events"][0]["source"] = "NOPE"

    with pytest.raises(ValueError, match="NOPE"):
        load(database, frozen_now, dossier)


def test_progress_is_reported_once_per_matter(database, frozen_now):
    seen = []
    with database.unit_of_work() as session:
        demo.load(session, frozen_now, progress=seen.append)

    assert seen == [m["key"] for m in DOSSIER["matters"]]


def test_a_fresh_demo_shows_authorities_that_are_late(loaded, session, frozen_now):
    """The fictional remedies matter: the CCF has not ruled on admissibility (due 1 Oct 2025,
    set by hand: no period to double, so a warning) and the State has not replied to the
    UN Human Rights Committee (6 months from 10 Feb 2026: due 10 Aug 2026, a warning until
    10 Feb 2027)."""
    expected = {
        "CCF decision on admissibility": (date(2025, 10, 1), "authority", None),
        "State's observations to the Human Rights Committee": (
            date(2026, 8, 10),
            "authority",
            "UN-HRC-STATE-REPLY",
        ),
    }
    rows = session.execute(
        sa.select(Deadline.title, Deadline.due_on, Deadline.owed_by, DeadlineRule.code)
        .outerjoin(Deadline.rule)
        .join(Deadline.proceeding)
        .join(Proceeding.matter)
        .where(Matter.key == "remedies-illustration")
    ).all()
    assert {title: (due, owed, code) for title, due, owed, code in rows} == expected

    flags = scan.compute(session, frozen_now.date(), Thresholds())
    ids = dict(session.execute(sa.select(Deadline.title, Deadline.id)).all())
    late = {f.deadline_id: f.severity for f in flags if f.rule == "authority_overdue"}
    assert late == {
        ids["CCF decision on admissibility"]: "warning",
        ids["State's observations to the Human Rights Committee"]: "warning",
    }
    assert not [f for f in flags if f.rule == "deadline_missed" and f.deadline_id in late]
