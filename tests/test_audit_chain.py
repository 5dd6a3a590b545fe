"""The audit log's hash chain on a real database (SQLite and PostgreSQL): written at
commit under the head's lock, walked by `tracker audit verify` and the admin's chain
page, and kept append-only.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from factories import nothing_written
from pages import make_user, sign_in, text

from tracker.audit import chain
from tracker.audit import operations as audit
from tracker.audit.models import AppendOnlyError
from tracker.cli import main
from tracker.core import clock
from tracker.core.actors import SystemActor
from tracker.core.db import table_of
from tracker.matters import operations as matters
from tracker.matters.schemas import NewMatter
from tracker.models import AuditEntry, AuditHead, Matter

ROBOT = SystemActor("system:test")


@pytest.fixture(autouse=True)
def _frozen(frozen_now):
    return frozen_now


@pytest.fixture
def tracker(tmp_path, db_url):
    """Run `tracker ARGS...` in-process against the test database."""
    runner = CliRunner()
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }

    def invoke(*args: str):
        return runner.invoke(main, list(args), env=env)

    return invoke


def open_matters(database, count: int, actor=ROBOT) -> list[int]:
    """Open `count` matters, each in its own transaction (one audit entry each)."""
    made = []
    for n in range(count):
        with database.unit_of_work() as session:
            matter = matters.create_matter(
                session, actor, clock.now(), NewMatter.parse({"title": f"Matter {n}"})
            )
            made.append(matter.id)
    return made


def entry_ids(database) -> list[int]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)))


def verified(database) -> chain.Report:
    with database.sessionmaker() as session:
        return audit.verify(session)


def stored_head(database) -> tuple[int, int | None, str]:
    with database.sessionmaker() as session:
        head = session.get(AuditHead, 1)
        return head.entries, head.last_id, head.hash


def plain_sql(database, statement: str, **values) -> None:
    """Change the database around the application, as someone with its password can."""
    with database.engine.begin() as connection:
        connection.execute(sa.text(statement), values)


# --- writing ------------------------------------------------------------------------------


def test_each_commit_extends_the_chain_and_moves_the_head(database):
    open_matters(database, 3)

    with database.sessionmaker() as session:
        rows = session.execute(
            sa.select(AuditEntry.id, AuditEntry.prev_hash, AuditEntry.hash).order_by(AuditEntry.id)
        ).all()
    report = verified(database)

    assert [row.prev_hash for row in rows] == [chain.GENESIS, rows[0].hash, rows[1].hash]
    assert stored_head(database) == (3, rows[-1].id, rows[-1].hash)
    assert report == chain.Report(3, rows[-1].id, rows[-1].hash, None)


def test_entries_are_not_there_before_the_commit(database):
    with database.sessionmaker() as session:
        audit.record_attempt(session, ROBOT, clock.now(), "sign_out", "users", 1)
        session.flush()
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        session.commit()

    assert len(entry_ids(database)) == 1


def test_an_entry_comes_back_with_the_hash_it_was_written_with(database):
    """Whatever the JSON given (keys that are numbers, tuples, nested), the stored row
    hashes as the entry did: `verify` would otherwise call it changed."""
    odd = {1: "one", 10: "ten", 2: ("a", "b"), "nested": {"z": 1.5, "a": None, "é": True}}
    with database.unit_of_work() as session:
        entry = audit.record_attempt(
            session, ROBOT, clock.now(), "sign_in_failed", "users", None, after=odd
        )

    assert verified(database).intact
    assert entry.after == {"1": "one", "10": "ten", "2": ["a", "b"], "nested": odd["nested"]}


def test_a_value_json_cannot_hold_is_refused_where_it_is_recorded(database):
    with database.sessionmaker() as session, pytest.raises(TypeError):
        audit.record_attempt(
            session, ROBOT, clock.now(), "sign_in", "users", 1, after={"at": clock.now()}
        )


# --- rolled back, savepoints --------------------------------------------------------------


def test_entries_of_a_transaction_rolled_back_are_not_written(database):
    with database.sessionmaker() as session:
        matters.create_matter(session, ROBOT, clock.now(), NewMatter.parse({"title": "Gone"}))
        audit.record_attempt(session, ROBOT, clock.now(), "sign_out", "users", 1)
        session.rollback()
        session.commit()

    assert entry_ids(database) == []
    assert verified(database) == chain.Report(0, None, chain.GENESIS, None)


def test_entries_of_a_savepoint_rolled_back_are_not_written(database):
    with database.sessionmaker() as session:
        audit.record_attempt(session, ROBOT, clock.now(), "sign_in", "users", 1)
        savepoint = session.begin_nested()
        audit.record_attempt(session, ROBOT, clock.now(), "sign_in_failed", "users", 2)
        inner = session.begin_nested()
        audit.record_attempt(session, ROBOT, clock.now(), "sign_in_failed", "users", 3)
        inner.commit()
        savepoint.rollback()
        audit.record_attempt(session, ROBOT, clock.now(), "sign_out", "users", 1)
        session.commit()

    with database.sessionmaker() as session:
        written = session.execute(sa.select(AuditEntry.action, AuditEntry.entity_id)).all()
    assert sorted(written) == [("sign_in", 1), ("sign_out", 1)]
    assert verified(database).entries == 2


def test_a_savepoint_released_leaves_its_entries_to_the_outer_commit(database):
    """The head is locked only at the outermost commit, not at each savepoint."""
    with database.sessionmaker() as session:
        with session.begin_nested():
            audit.record_attempt(session, ROBOT, clock.now(), "sign_in", "users", 1)
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        assert session.get(AuditHead, 1) is None or session.get(AuditHead, 1).entries == 0
        session.commit()

    assert verified(database).entries == 1


def test_a_commit_with_a_savepoint_still_open_writes_its_entries(database):
    with database.sessionmaker() as session:
        outer = session.begin()
        session.begin_nested()
        audit.record_attempt(session, ROBOT, clock.now(), "sign_in", "users", 1)
        outer.commit()

    assert verified(database).entries == 1


def test_an_entry_recorded_on_an_idle_session_is_forgotten_with_it(database):
    session = database.sessionmaker()
    audit.record_attempt(session, ROBOT, clock.now(), "sign_in", "users", 1)
    session.close()
    session.commit()  # the session used again: nothing of before
    session.close()

    assert entry_ids(database) == []


# --- many writers at once -----------------------------------------------------------------

WRITERS = 30


def test_a_burst_of_writers_leaves_one_intact_chain(database):
    """30 threads, each its own session, open a matter at the same instant and commit."""
    start, errors = threading.Barrier(WRITERS), []

    def write(n: int) -> None:
        try:
            start.wait()
            with database.unit_of_work() as session:
                command = NewMatter.parse({"title": f"Burst {n}"})
                matters.create_matter(session, ROBOT, clock.now(), command)
                audit.record_attempt(session, ROBOT, clock.now(), "sign_in", "users", n)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    report = verified(database)
    assert errors == []
    assert report.intact, report.broken
    assert report.entries == 2 * WRITERS
    assert stored_head(database) == (2 * WRITERS, report.last_id, report.head)
    with database.sessionmaker() as session:
        pairs = session.execute(
            sa.select(AuditEntry.action, AuditEntry.entity_id).order_by(AuditEntry.id)
        ).all()
    # each writer's two entries are next to each other: a commit's entries are not interleaved
    assert [action for action, _ in pairs] == ["create", "sign_in"] * WRITERS


# --- append-only ----------------------------------------------------------------------------


def test_the_orm_refuses_to_change_an_entry(database):
    open_matters(database, 2)
    with database.sessionmaker() as session:
        entry = session.get(AuditEntry, entry_ids(database)[0])
        entry.after = {"title": "Forged"}
        with pytest.raises(AppendOnlyError, match="may not be changed or removed"):
            session.flush()
        session.rollback()

    assert verified(database).intact


def test_the_orm_refuses_to_delete_an_entry(database):
    open_matters(database, 2)
    with database.sessionmaker() as session:
        session.delete(session.get(AuditEntry, entry_ids(database)[0]))
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()

    assert len(entry_ids(database)) == 2


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(AuditEntry).values(after={"title": "Forged"}),
        sa.update(AuditEntry).where(AuditEntry.id == 1).values(action="delete"),
        sa.delete(AuditEntry),
        sa.delete(AuditEntry).where(AuditEntry.id == 1),
        sa.update(table_of(AuditEntry)).values(actor_label="nobody"),
        sa.delete(table_of(AuditEntry)),
    ],
    ids=["update", "update-one", "delete", "delete-one", "core-update", "core-delete"],
)
def test_bulk_updates_and_deletes_of_entries_are_refused(database, statement):
    open_matters(database, 2)

    with nothing_written(database), database.sessionmaker() as session:
        with pytest.raises(AppendOnlyError):
            session.execute(statement)
        session.rollback()


def test_other_tables_are_still_updated_in_bulk(database):
    (matter_id,) = open_matters(database, 1)

    with database.unit_of_work() as session:
        session.execute(sa.update(Matter).where(Matter.id == matter_id).values(summary="x"))

    with database.sessionmaker() as session:
        assert session.get(Matter, matter_id).summary == "x"


def test_deleting_a_user_or_a_matter_leaves_their_entries_as_written(database):
    """The ids an entry names are not foreign keys that SET NULL would rewrite."""
    user = make_user(database, "staff")
    (matter_id,) = open_matters(database, 1, actor=user)

    plain_sql(database, "DELETE FROM matter_assignees WHERE matter_id = :id", id=matter_id)
    plain_sql(database, "DELETE FROM matters WHERE id = :id", id=matter_id)
    plain_sql(database, "DELETE FROM users WHERE id = :id", id=user.id)

    with database.sessionmaker() as session:
        entry = session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor_id, entry.matter_id) == (user.id, matter_id)
    assert verified(database).intact


# --- tracker audit verify ------------------------------------------------------------------


def test_verify_passes_on_a_fresh_log(tracker, database):
    open_matters(database, 4)
    last = entry_ids(database)[-1]

    result = tracker("audit", "verify")

    assert result.exit_code == 0, result.output
    head = stored_head(database)[2]
    assert result.stdout == (
        f"The audit log's chain is intact: 4 entries, the last is entry {last}.\nHead: {head}\n"
    )


def test_verify_passes_on_an_empty_log(tracker):
    result = tracker("audit", "verify")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"The audit log's chain is intact: 0 entries.\nHead: {chain.GENESIS}\n"


def test_verify_names_an_entry_altered_with_plain_sql(tracker, database):
    open_matters(database, 5)
    altered = entry_ids(database)[2]
    plain_sql(
        database,
        "UPDATE audit_entries SET after = :after WHERE id = :id",
        after=json.dumps({"title": "Nothing to see"}),
        id=altered,
    )

    result = tracker("audit", "verify")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: the audit log was altered: entry {altered} was changed after it was written\n"
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", "2026-11-22 08:00:00"),
        ("actor_label", "someone@else.org"),
        ("action", "delete"),
        ("entity", "hearings"),
        ("entity_id", None),
        ("matter_id", 999),
        ("actor_id", 1),
    ],
)
def test_verify_sees_a_change_to_any_column(tracker, database, column, value):
    open_matters(database, 3)
    altered = entry_ids(database)[1]
    plain_sql(
        database,
        f"UPDATE audit_entries SET {column} = :value WHERE id = :id",
        value=value,
        id=altered,
    )

    result = tracker("audit", "verify")

    assert result.exit_code == 1
    assert f"entry {altered} was changed after it was written" in result.stderr


def test_verify_names_the_successor_of_an_entry_removed_from_the_middle(tracker, database):
    open_matters(database, 5)
    ids = entry_ids(database)
    plain_sql(database, "DELETE FROM audit_entries WHERE id = :id", id=ids[2])

    result = tracker("audit", "verify")

    assert result.exit_code == 1
    assert (
        f"entry {ids[3]} does not follow entry {ids[1]}: an entry between them was removed"
        in result.stderr
    )


def test_verify_sees_entries_cut_from_the_end(tracker, database):
    open_matters(database, 5)
    ids = entry_ids(database)
    plain_sql(database, "DELETE FROM audit_entries WHERE id > :id", id=ids[2])

    result = tracker("audit", "verify")

    assert result.exit_code == 1
    assert (
        f"the log ends at entry {ids[2]} after 3 entries, but the chain's head records 5 "
        f"ending at entry {ids[4]}: entries at the end were removed"
    ) in result.stderr


def test_verify_sees_a_missing_head(tracker, database):
    open_matters(database, 2)
    plain_sql(database, "DELETE FROM audit_head")

    result = tracker("audit", "verify")

    assert result.exit_code == 1
    assert "the chain's head is missing" in result.stderr


def test_verify_json_reports_success_and_failure(tracker, database):
    open_matters(database, 3)
    ids = entry_ids(database)
    head = stored_head(database)[2]

    intact = json.loads(tracker("audit", "verify", "--json").stdout)
    plain_sql(database, "UPDATE audit_entries SET action = 'x' WHERE id = :id", id=ids[0])
    failed = tracker("audit", "verify", "--json")

    assert intact == {
        "intact": True,
        "entries": 3,
        "last_id": ids[-1],
        "head": head,
        "broken": None,
        "expect": None,
    }
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["broken"] == {
        "entry_id": ids[0],
        "reason": f"entry {ids[0]} was changed after it was written",
    }


def test_verify_expect_passes_while_the_hash_written_down_stays_in_the_chain(tracker, database):
    open_matters(database, 2)
    written_down = stored_head(database)[2]
    open_matters(database, 2)

    result = tracker("audit", "verify", "--expect", written_down.upper())

    assert result.exit_code == 0, result.output
    assert f"the hash expected is entry {entry_ids(database)[1]}'s" in result.stdout


def test_verify_expect_fails_once_the_chain_was_rewritten_from_before_it(tracker, database):
    """A forger who rewrote an entry and recomputed every hash after it, head included,
    passes a plain walk: not the hash written down before."""
    open_matters(database, 3)
    written_down = stored_head(database)[2]
    ids = entry_ids(database)
    plain_sql(database, "UPDATE audit_entries SET action = 'forged' WHERE id = :id", id=ids[0])
    rechain(database)
    assert tracker("audit", "verify").exit_code == 0

    result = tracker("audit", "verify", "--expect", written_down)

    assert result.exit_code == 1
    assert f"no entry of the chain has the hash {written_down}" in result.stderr


def rechain(database) -> None:
    """What a forger with write access does: every hash recomputed, the head too."""
    with database.sessionmaker() as session:
        rows = (
            session.execute(
                sa.select(AuditEntry.id, *(getattr(AuditEntry, n) for n in chain.FIELDS)).order_by(
                    AuditEntry.id
                )
            )
            .mappings()
            .all()
        )
    previous = chain.GENESIS
    for row in rows:
        digest = chain.digest(previous, row)
        plain_sql(
            database,
            "UPDATE audit_entries SET prev_hash = :prev, hash = :hash WHERE id = :id",
            prev=previous,
            hash=digest,
            id=row["id"],
        )
        previous = digest
    plain_sql(database, "UPDATE audit_head SET hash = :hash", hash=previous)


@pytest.mark.parametrize("value", ["abc", "g" * 64, "0" * 65])
def test_verify_expect_refuses_what_is_not_a_hash(tracker, value):
    result = tracker("audit", "verify", "--expect", value)

    assert result.exit_code == 2
    assert "is not a hash: 64 hexadecimal digits" in result.stderr


# --- the chain's page -----------------------------------------------------------------------


def test_admins_see_the_head_and_walk_the_chain_on_demand(client, database):
    open_matters(database, 3)
    entries, last_id, head = stored_head(database)
    browser = sign_in(client, database, "admin")

    shown = browser.get("/audit/chain")
    walked = browser.post("/audit/chain")

    assert shown.status_code == 200
    assert f'<dd class="mono">{head}</dd>' in text(shown)
    assert f">Entry {last_id}</a>" in text(shown)
    assert "Walk the chain now" in text(shown)
    assert 'id="walk"' not in text(shown)  # not walked on load
    assert walked.status_code == 200
    assert "intact" in text(walked)
    # the admin's own session's sign-in (none here) aside, every entry was walked
    assert f"Walked {entries} entries up to entry {last_id}" in text(walked)


def test_the_chain_page_names_the_entry_altered(client, database):
    open_matters(database, 3)
    altered = entry_ids(database)[1]
    plain_sql(database, "UPDATE audit_entries SET actor_label = 'x' WHERE id = :id", id=altered)
    browser = sign_in(client, database, "admin")
    browser.get("/audit/chain")

    page = text(browser.post("/audit/chain"))

    assert f"The walk stopped: entry {altered} was changed after it was written." in page
    assert f'href="/audit?before={altered + 1}#entry-{altered}"' in page


def test_walking_the_chain_needs_the_csrf_token(client, database):
    browser = sign_in(client, database, "admin")
    browser.get("/audit/chain")

    assert browser.post("/audit/chain", csrf=False).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_coordinators_read_the_log_but_do_not_check_the_chain(client, database, method):
    browser = sign_in(client, database, "coordinator")
    browser.get("/audit")

    response = getattr(browser, method)("/audit/chain")

    assert response.status_code == 403
    assert "may not check the audit log" in text(response)
    assert "Check the chain" not in text(browser.get("/audit"))


def test_the_audit_page_links_admins_to_the_chain(client, database):
    browser = sign_in(client, database, "admin")

    assert 'href="/audit/chain"' in text(browser.get("/audit"))


def test_showing_or_walking_the_chain_writes_nothing(client, database):
    open_matters(database, 2)
    browser = sign_in(client, database, "admin")
    browser.get("/account")

    with nothing_written(database):
        assert browser.get("/audit/chain").status_code == 200
        assert browser.post("/audit/chain").status_code == 200


def test_the_chain_page_tells_a_missing_head_from_an_empty_log(client, database):
    open_matters(database, 2)
    plain_sql(database, "DELETE FROM audit_head")
    browser = sign_in(client, database, "admin")

    shown = text(browser.get("/audit/chain"))
    walked = text(browser.post("/audit/chain"))

    assert "No head recorded" in shown
    assert "No entries yet" not in shown
    assert "The walk stopped: the chain&#39;s head is missing" in walked
