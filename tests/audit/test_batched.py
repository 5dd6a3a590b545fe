"""Batched writes (an import's): no flush per row, the same audit trail.

`audit.batched` leaves the flush to the caller; the entry of a row not written yet is
completed by the flush that writes it. The story below is told twice, once plain (every
operation flushes) and once batched (flushed only where the next step needs an id):
the entries must say the same, the ids of the rows aside.
"""

from __future__ import annotations

from datetime import UTC, datetime

import factories
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core import clock
from tracker.core.actors import CLI
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import DeadlineChanges, NewDeadline
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing, Postpone
from tracker.matters import events
from tracker.matters import operations as matters
from tracker.matters.schemas import NewEvent, NewMatter, NewProceeding
from tracker.models import AuditEntry, Hearing, Matter

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
#: the rows a key of an entry's `after` or `before` names
REFERS = {
    "matter_id": "matters",
    "proceeding_id": "proceedings",
    "authority_id": "authorities",
    "jurisdiction_id": "jurisdictions",
    "postponement_id": "postponements",
}


def story(session, country: str, flush) -> None:
    """A matter, its proceeding in `country` (before an authority new there), an event,
    a deadline done, a hearing postponed; `flush` is called where a batched writer needs
    an id."""
    matter = matters.create_matter(
        session, CLI, NOW, NewMatter.parse({"title": "Doe", "summary": "Extradition"})
    )
    flush()
    command = {
        "matter_id": matter.id, "jurisdiction": country, "kind": "extradition_request",
        "title": "Request", "client_role": "requested_person", "authority": "Prosecutor",
    }  # fmt: skip
    proceeding = matters.create_proceeding(session, CLI, NOW, NewProceeding.parse(command))
    flush()
    event = NewEvent.parse({"kind": "filing", "occurred_on": "2026-10-01"})
    events.create_event(session, CLI, NOW, proceeding, event, follow=False)
    deadline = deadlines.create_deadline(
        session, CLI, NOW, proceeding, NewDeadline.parse({"title": "Brief", "due_on": "2026-12-01"})
    )
    hearing = hearings.schedule_hearing(
        session, CLI, NOW, proceeding, NewHearing.parse({"starts_at": "2026-12-10T10:00"})
    )
    flush()
    move = Postpone.parse({"to": "2027-01-15T10:00", "reason": "Judge ill"})
    hearings.postpone(session, CLI, NOW, hearing, move)
    done = DeadlineChanges.parse({"status": "done", "version": deadline.version})
    deadlines.update_deadline(session, CLI, NOW, deadline, done)


def told(database, country: str, *, batched: bool) -> list[dict]:
    before = len(factories.audit_entries(database))
    with clock.frozen(NOW), database.unit_of_work() as session:
        if batched:
            with audit.batched(session):
                story(session, country, session.flush)
        else:
            story(session, country, lambda: None)
    return factories.audit_entries(database)[before:]


def translated(entries: list[dict], ids: dict[tuple[str, int], int]) -> list[dict]:
    """The entries with the ids of their rows put through `ids`."""

    def values(entity: str, data: dict | None) -> dict | None:
        if data is None:
            return None
        out = dict(data)
        for key, table in {"id": entity, **REFERS}.items():
            if out.get(key) is not None:
                out[key] = ids[table, out[key]]
        return out

    out = []
    for entry in entries:
        entity = entry["entity"]
        out.append(
            entry
            | {
                "entity_id": ids[entity, entry["entity_id"]],
                "matter_id": values("matters", {"id": entry["matter_id"]})["id"],
                "before": values(entity, entry["before"]),
                "after": values(entity, entry["after"]),
            }
        )
    return out


def test_a_batched_story_leaves_the_audit_trail_a_plain_one_does(database):
    ukraine = factories.jurisdiction(database, "UA", timezone="Europe/Kyiv")
    moldova = factories.jurisdiction(database, "MD", timezone="Europe/Kyiv")

    plain = told(database, "UA", batched=False)
    batched = told(database, "MD", batched=True)

    assert [(e["entity"], e["action"]) for e in batched] == [
        ("matters", "create"),
        ("authorities", "create"),
        ("proceedings", "create"),
        ("events", "create"),
        ("deadlines", "create"),
        ("hearings", "create"),
        ("hearings", "postpone"),
        ("deadlines", "update"),
    ]
    assert [(e["entity"], e["action"]) for e in plain] == [
        (e["entity"], e["action"]) for e in batched
    ]
    pairs = zip(plain, batched, strict=True)
    ids = {(p["entity"], p["entity_id"]): b["entity_id"] for p, b in pairs}
    ids["jurisdictions", ukraine] = moldova
    moved = plain[6]["after"]["postponement_id"], batched[6]["after"]["postponement_id"]
    ids["postponements", moved[0]] = moved[1]
    assert translated(plain, ids) == batched
    assert batched[0]["after"]["version"] == 1  # the defaults of the INSERT
    assert batched[5]["after"]["sequence"] == 0
    with database.sessionmaker() as session:
        assert audit.verify(session).intact


def test_a_new_rows_entry_is_completed_by_the_flush_that_writes_it(database):
    with clock.frozen(NOW), database.unit_of_work() as session, audit.batched(session):
        matter = matters.create_matter(session, CLI, NOW, NewMatter.parse({"title": "Doe"}))
        entry = session.info["tracker.audit.pending"][-1][0]
        assert (entry.entity_id, entry.matter_id, entry.after["id"]) == (None, None, None)
        assert entry.after["version"] is None

        session.flush()

        assert (entry.entity_id, entry.matter_id, entry.after["id"]) == (matter.id,) * 3
        assert entry.after["version"] == 1
        assert entry.after["created_at"] == NOW.isoformat()
    with database.sessionmaker() as session:
        stored = session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "matters"))
        assert (stored.entity_id, stored.matter_id) == (matter.id, matter.id)


def test_an_entry_whose_row_is_never_written_fails_the_commit(database):
    with clock.frozen(NOW), database.sessionmaker() as session:
        with audit.batched(session):
            matter = matters.create_matter(session, CLI, NOW, NewMatter.parse({"title": "Doe"}))
            session.expunge(matter)
        with pytest.raises(RuntimeError, match="never written"):
            session.commit()
        session.rollback()
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Matter)) == 0


def test_a_batched_edit_is_checked_against_the_version_at_the_flush(database):
    factories.jurisdiction(database, "UA", timezone="Europe/Kyiv")
    with clock.frozen(NOW), database.unit_of_work() as session:
        matter = matters.create_matter(session, CLI, NOW, NewMatter.parse({"title": "Doe"}))
        command = {
            "matter_id": matter.id, "jurisdiction": "UA", "kind": "criminal_case",
            "title": "Trial", "client_role": "victim",
        }  # fmt: skip
        proceeding = matters.create_proceeding(session, CLI, NOW, NewProceeding.parse(command))
        hearing = hearings.schedule_hearing(
            session, CLI, NOW, proceeding, NewHearing.parse({"starts_at": "2026-12-10T10:00"})
        )
        session.flush()
        hearing_id = hearing.id

    with clock.frozen(NOW), database.sessionmaker() as session:
        stale = session.get_one(Hearing, hearing_id)
        with database.unit_of_work() as other:  # someone else's edit, committed meanwhile
            edits.apply(other, CLI, NOW, other.get_one(Hearing, hearing_id), {"location": "A"},
                        matter_id=matter.id)  # fmt: skip
        with audit.batched(session):
            edits.apply(session, CLI, NOW, stale, {"location": "B"}, matter_id=matter.id)
            with pytest.raises(StaleDataError):
                session.flush()
        session.rollback()

    with database.sessionmaker() as session:
        assert session.get_one(Hearing, hearing_id).location == "A"
        updates = session.scalars(sa.select(AuditEntry.after).where(AuditEntry.action == "update"))
        assert list(updates) == [{"location": "A"}]
