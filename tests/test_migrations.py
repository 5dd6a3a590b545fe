"""The Alembic migrations, run from an empty database on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tracker import migrate
from tracker.audit import chain
from tracker.audit import operations as audit
from tracker.core import resources
from tracker.core.actors import CLI
from tracker.core.db import Database, make_engine
from tracker.models import AuditEntry, Base

#: every table the models define; a model missing from tracker.models shows up here
TABLES = {
    "api_tokens",
    "audit_entries",
    "audit_head",
    "authorities",
    "calendar_feeds",
    "deadline_rules",
    "deadlines",
    "delay_flags",
    "delivery_events",
    "events",
    "feed_fetches",
    "flag_alerts",
    "hearings",
    "judicial_vacations",
    "login_buckets",
    "jurisdictions",
    "matter_assignees",
    "matters",
    "notifications",
    "persons",
    "postponements",
    "proceedings",
    "recovery_codes",
    "second_factors",
    "site_settings",
    "user_sessions",
    "users",
}


#: alembic.ini's file_template: 2026-11-22_0931_3f2a1c9d8e7b_initial_schema.py
FILE_NAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<time>\d{4})_(?P<rev>[0-9a-f]{12})_(?P<slug>[a-z0-9_]+)\.py$"
)


def _autocommit(url: str, sql: str) -> None:
    engine = make_engine(url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _scratch_postgresql(postgresql_url: str) -> Iterator[str]:
    """A database of its own on the test server, so the suite's one stays migrated; named
    after it, so that suites sharing a server each have theirs."""
    name = f"{sa.make_url(postgresql_url).database}_migrations"
    scratch = sa.make_url(postgresql_url).set(database=name)
    _autocommit(postgresql_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _autocommit(postgresql_url, f'CREATE DATABASE "{name}"')
    yield scratch.render_as_string(hide_password=False)
    _autocommit(postgresql_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all (not the suite's migrated template)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = request.getfixturevalue("_scratch_postgresql")
    _autocommit(url, "DROP SCHEMA IF EXISTS public CASCADE")
    _autocommit(url, "CREATE SCHEMA public")
    return url


def table_names(url: str) -> set[str]:
    engine = make_engine(url, poolclass=sa.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_every_table(empty_db_url):
    assert table_names(empty_db_url) == set()
    assert migrate.pending(empty_db_url)

    migrate.upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == TABLES
    assert migrate.current(empty_db_url) == migrate.heads()
    assert not migrate.pending(empty_db_url)


def test_no_drift_between_models_and_migrations(empty_db_url):
    migrate.upgrade(empty_db_url)

    assert migrate.drift(empty_db_url) == []


def test_downgrade_to_base_then_upgrade_again(empty_db_url):
    migrate.upgrade(empty_db_url)

    migrate.downgrade(empty_db_url)

    assert table_names(empty_db_url) == {"alembic_version"}
    assert migrate.current(empty_db_url) == set()
    assert migrate.pending(empty_db_url)
    # drift() sees the difference: it is not empty just because it compares nothing
    assert "add_table" in {diff[0] for diff in migrate.drift(empty_db_url)}

    migrate.upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES | {"alembic_version"}
    assert migrate.drift(empty_db_url) == []


def test_constraint_names_follow_the_naming_convention(empty_db_url):
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        inspector = sa.inspect(engine)
        for table in TABLES:
            assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
            for fk in inspector.get_foreign_keys(table):
                column, referred = fk["constrained_columns"][0], fk["referred_table"]
                assert fk["name"] == f"fk_{table}_{column}_{referred}"
            for uq in inspector.get_unique_constraints(table):
                assert uq["name"] == f"uq_{table}_{'_'.join(uq['column_names'])}"
            for index in inspector.get_indexes(table):
                # PostgreSQL also lists the index behind each unique constraint
                if not index.get("duplicates_constraint"):
                    assert index["name"].startswith(f"ix_{table}_")
    finally:
        engine.dispose()


def test_upgrade_on_an_open_connection(tmp_path):
    """Given a connection, the migration runs in the caller's transaction."""
    engine = make_engine(f"sqlite:///{tmp_path / 'conn.db'}", poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
            assert not migrate.pending(connection)
        assert set(sa.inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_works_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"

    migrate.upgrade(url)

    assert not migrate.pending(url)


def test_exactly_one_head():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))

    assert len(script.get_heads()) == 1


def test_file_names_follow_the_date_template():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    files = sorted(p.name for p in (resources.migrations_dir() / "versions").glob("*.py"))

    assert revisions
    assert len(files) == len(revisions)
    for revision in revisions:
        match = FILE_NAME.match(Path(revision.path).name)
        assert match, f"{revision.path} does not follow alembic.ini's file_template"
        assert match["rev"] == revision.revision
        assert f"Create Date: {match['date']} {match['time'][:2]}:{match['time'][2:]}" in (
            Path(revision.path).read_text()
        )


# --- the audit chain ----------------------------------------------------------------------

#: the revision before the audit log became a chain
UNCHAINED = "a0f1c6fa0612"


def test_the_entries_written_before_the_chain_are_chained_in_the_order_of_their_ids(
    empty_db_url,
):
    migrate.upgrade(empty_db_url, UNCHAINED)
    entries = sa.table(
        "audit_entries",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor_label", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    at = dt.datetime(2026, 11, 1, 12, 30, 15, 250000, tzinfo=dt.UTC)
    written = [
        {"at": at, "actor_label": "system:demo", "action": "create", "entity": "matters",
         "entity_id": 1, "before": None, "after": {"title": "Dossier A.", "é": [1, 2.5]}},
        {"at": at, "actor_label": "a@example.org", "action": "update", "entity": "matters",
         "entity_id": 1, "before": {"title": "Dossier A."}, "after": {"title": "Dossier B."}},
        {"at": at, "actor_label": "system:cli", "action": "create", "entity": "users",
         "entity_id": 2, "before": None, "after": {}},
    ]  # fmt: skip
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(entries.insert(), written)

        migrate.upgrade(empty_db_url)

        database = Database(empty_db_url)
        with database.sessionmaker() as session:
            report = audit.verify(session)
            rows = session.execute(
                sa.select(AuditEntry.id, AuditEntry.prev_hash, AuditEntry.hash).order_by(
                    AuditEntry.id
                )
            ).all()
        with database.unit_of_work() as session:
            audit.record_attempt(session, CLI, at, "sign_in", "users", 2)
        with database.sessionmaker() as session:
            after_one_more = audit.verify(session)
        database.dispose()
    finally:
        engine.dispose()

    previous, expected = chain.GENESIS, []
    for entry_id, row in enumerate(written, start=1):
        digest = chain.digest(previous, row | {"actor_id": None, "matter_id": None})
        expected.append((entry_id, previous, digest))
        previous = digest
    assert [tuple(row) for row in rows] == expected
    assert report == chain.Report(3, 3, previous, None)
    assert after_one_more.intact
    assert after_one_more.entries == 4


def test_existing_rules_and_deadlines_become_the_client_s_and_the_echr_gets_strasbourg(
    empty_db_url,
):
    """cfd8bf14c4a6: every rule so far is a time limit for our side, counted forwards;
    the ECHR's calendar becomes the Court's unless an admin had set one."""
    migrate.upgrade(empty_db_url, "9394eeb72324")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    try:
        with engine.begin() as connection:
            for code, country in (("ECHR", None), ("XECHR", None), ("BE", "BE")):
                connection.execute(
                    sa.text(
                        "INSERT INTO jurisdictions (code, name, timezone, holiday_country, "
                        "version, created_at, updated_at) VALUES (:code, :code, "
                        "'Europe/Paris', :country, :version, :created_at, :updated_at)"
                    ),
                    {"code": code, "country": country} | stamps,
                )
            connection.execute(
                sa.text(
                    "INSERT INTO deadline_rules (code, jurisdiction_id, title, trigger_kind, "
                    "amount, unit, end_shift, blocking_days, vacation_policy, source, version, "
                    "created_at, updated_at) VALUES ('BE-X', 3, 'Appeal', 'judgment', 30, "
                    "'days', 'next_working_day', 'weekends_and_holidays', 'ignore', '', "
                    ":version, :created_at, :updated_at)"
                ),
                stamps,
            )

        migrate.upgrade(empty_db_url)

        with engine.connect() as connection:
            rule = connection.execute(
                sa.text("SELECT owed_by, met_by, direction, due_time, article FROM deadline_rules")
            ).one()
            calendars = dict(
                connection.execute(
                    sa.text(
                        "SELECT code, holiday_country || '/' || COALESCE(holiday_subdivision, '')"
                        " FROM jurisdictions"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    met_by = rule.met_by if isinstance(rule.met_by, list) else json.loads(rule.met_by)
    assert (rule.owed_by, met_by, rule.direction, rule.due_time, rule.article) == (
        "client",
        [],
        "after",
        None,
        "",
    )
    assert calendars == {"ECHR": "FR/6AE", "XECHR": None, "BE": "BE/"}


def test_closed_proceedings_get_a_closing_date_from_their_decision_or_their_history(
    empty_db_url,
):
    """51402a812c5c: each proceeding no longer open gets a closing date, by the order of
    trust its docstring gives; an open one loses its closing date; each change is in the
    audit chain, which stays intact; the database then refuses a closed one without."""
    migrate.upgrade(empty_db_url, "cfd8bf14c4a6")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    # (id, status, opened_on, opened precision, closed_on)
    proceedings = [
        (1, "decided", "2014-01-01", "year", None),  # a decision known to the month
        (2, "closed", "2019-01-01", "day", None),  # its status change in the audit log
        (3, "withdrawn", "2019-01-01", "day", None),  # only a search: its last event
        (4, "closed", "2016-11-01", "month", None),  # nothing: its opening
        (5, "decided", None, "day", None),  # nothing at all: its last change
        (6, "pending", "2020-01-01", "day", "2021-05-05"),  # open: loses it
        (7, "decided", "2020-01-01", "day", "2022-02-02"),  # already right: untouched
        (8, "closed", "2020-06-01", "day", None),  # a decision before its opening
    ]
    # (proceeding, kind, occurred_on, precision, withdrawn)
    facts = [
        (1, "judgment", "2016-03-01", "month", False),
        (1, "extradition_decision", "2017-09-01", "month", False),
        (1, "judgment", "2018-01-01", "day", True),  # withdrawn: never happened
        (1, "filing", "2019-01-01", "day", False),  # later, but not a decision
        (3, "search", "2019-10-01", "day", False),
        (8, "decision", "2020-01-01", "day", False),
    ]
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            insert = sa.text
            connection.execute(
                insert(
                    "INSERT INTO jurisdictions (code, name, timezone, version, created_at, "
                    "updated_at) VALUES ('BE', 'Belgium', 'Europe/Brussels', :version, "
                    ":created_at, :updated_at)"
                ),
                stamps,
            )
            connection.execute(
                insert(
                    "INSERT INTO matters (title, summary, version, created_at, updated_at) "
                    "VALUES ('M', '', :version, :created_at, :updated_at)"
                ),
                stamps,
            )
            for pid, status, opened, precision, closed in proceedings:
                connection.execute(
                    insert(
                        "INSERT INTO proceedings (id, matter_id, jurisdiction_id, kind, title, "
                        "client_role, status, opened_on, opened_precision, closed_on, version, "
                        "created_at, updated_at) VALUES (:id, 1, 1, 'trial', 'P', 'accused', "
                        ":status, :opened, :precision, :closed, :version, :created_at, "
                        ":updated_at)"
                    ),
                    {"id": pid, "status": status, "opened": opened, "precision": precision}
                    | {"closed": closed}
                    | stamps
                    | {"updated_at": dt.datetime(2025, 7, 8, 23, 30, tzinfo=dt.UTC)},
                )
            for pid, kind, on, precision, withdrawn in facts:
                connection.execute(
                    insert(
                        "INSERT INTO events (proceeding_id, kind, occurred_on, precision, "
                        "summary, withdrawn_at, withdrawal_reason, version, created_at, "
                        "updated_at) VALUES (:pid, :kind, :on, :precision, '', :withdrawn, '', "
                        ":version, :created_at, :updated_at)"
                    ),
                    {"pid": pid, "kind": kind, "on": on, "precision": precision}
                    | {"withdrawn": now if withdrawn else None}
                    | stamps,
                )
        database = Database(empty_db_url)
        changed = dt.datetime(2024, 3, 9, 22, 0, tzinfo=dt.UTC)
        with database.unit_of_work() as session:
            audit.record_attempt(session, CLI, changed, "update", "proceedings", 2, after={
                "status": "closed"})  # fmt: skip
            # an older change to another status does not date the closing
            audit.record_attempt(session, CLI, now, "update", "proceedings", 3, after={
                "status": "decided"})  # fmt: skip
        database.dispose()

        migrate.upgrade(empty_db_url)

        with engine.connect() as connection:
            closing = {
                row.id: (row.closed_on and str(row.closed_on)[:10], row.closed_precision)
                for row in connection.execute(
                    sa.text("SELECT id, closed_on, closed_precision FROM proceedings")
                )
            }
        database = Database(empty_db_url)
        with database.sessionmaker() as session:
            report = audit.verify(session)
            written = session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.actor_label == "system:migration")
                .order_by(AuditEntry.id)
            ).all()
            logged = {e.entity_id: (e.before, e.after) for e in written}
        refused = None
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE proceedings SET closed_on = NULL WHERE id = 7"))
        except sa.exc.IntegrityError as exc:
            refused = exc
        database.dispose()
    finally:
        engine.dispose()

    assert closing == {
        1: ("2017-09-01", "month"),
        2: ("2024-03-09", "day"),
        3: ("2019-10-01", "day"),
        4: ("2016-11-01", "month"),
        5: ("2025-07-08", "day"),
        6: (None, "day"),
        7: ("2022-02-02", "day"),
        8: ("2020-06-01", "day"),
    }
    assert report.intact
    assert report.entries == 2 + 7
    assert logged[1] == (
        {"closed_on": None},
        {
            "closed_on": "2017-09-01",
            "closed_precision": "month",
            "why": "closing date from its last decision (extradition_decision)",
        },
    )
    assert logged[2][1]["why"] == "closing date from the day its status became closed"
    reopened = {"closed_on": None, "closed_precision": "day"}
    assert logged[6] == (
        {"closed_on": "2021-05-05"},
        reopened | {"why": "an open proceeding has no closing date"},
    )
    assert logged[8][1]["why"] == "closing date from its opening"
    assert 7 not in logged
    assert refused is not None


def test_court_days_are_filled_in_by_the_hearing_s_zone_and_its_moves(empty_db_url):
    """4d471a76869a: each hearing's court day, dates set and first day, and each
    postponement's day in the statistics, as `settle` derives them."""
    migrate.upgrade(empty_db_url, "51402a812c5c")
    utc = dt.UTC
    stamps = {"version": 1, "created_at": dt.datetime(2024, 1, 1, tzinfo=utc)}
    stamps["updated_at"] = stamps["created_at"]

    def at(day: str, hour: int) -> dt.datetime:
        return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=utc)

    rows = sa.MetaData()
    table = {
        name: sa.Table(name, rows, *(sa.Column(c) for c in columns))
        for name, columns in {
            "jurisdictions": ("id", "code", "name", "timezone", *stamps),
            "matters": ("id", "title", "summary", *stamps),
            "proceedings": (
                "id", "matter_id", "jurisdiction_id", "kind", "title", "client_role", "status",
                "opened_precision", *stamps,
            ),
            "hearings": (
                "id", "proceeding_id", "title", "starts_at", "timezone", "time_known",
                "location", "status", "outcome_summary", "sequence", *stamps,
            ),
            "postponements": (
                "id", "hearing_id", "from_starts_at", "to_starts_at", "reason", "decided_on",
                "recorded_at", "withdrawn_at", "withdrawal_reason",
            ),
        }.items()
    }  # fmt: skip
    for column in ("starts_at", "from_starts_at", "to_starts_at", "recorded_at", "withdrawn_at"):
        for name in ("hearings", "postponements"):
            if column in table[name].c:
                table[name].c[column].type = sa.DateTime(timezone=True)
    table["postponements"].c.decided_on.type = sa.Date()
    hearing = {"title": "H", "time_known": True, "location": "", "outcome_summary": ""}
    hearing |= {"proceeding_id": 1, "sequence": 0, "status": "held"} | stamps
    move = {"reason": "", "recorded_at": at("2024-01-01", 9), "withdrawal_reason": ""}
    move |= {"decided_on": None, "withdrawn_at": None}  # every row names every column
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            for name, values in (
                ("jurisdictions", {"code": "KI", "name": "K", "timezone": "Pacific/Kiritimati"}),
                ("matters", {"title": "M", "summary": ""}),
                ("proceedings", {"matter_id": 1, "jurisdiction_id": 1, "kind": "trial",
                                 "title": "P", "client_role": "accused", "status": "pending",
                                 "opened_precision": "day"}),
            ):  # fmt: skip
                connection.execute(table[name].insert().values(id=1, **values, **stamps))
            connection.execute(
                table["hearings"].insert(),
                [  # UTC+14: noon UTC is the next day in court
                    hearing | {"id": 1, "starts_at": at("2024-06-18", 12),
                               "timezone": "Pacific/Kiritimati"},
                    # 03:00 UTC is the evening before in New York
                    hearing | {"id": 2, "starts_at": at("2024-03-10", 3),
                               "timezone": "America/New_York"},
                ],
            )  # fmt: skip
            connection.execute(
                table["postponements"].insert(),
                [
                    move | {"id": 1, "hearing_id": 1, "from_starts_at": at("2024-04-15", 11),
                            "to_starts_at": at("2024-05-20", 11)},
                    move | {"id": 2, "hearing_id": 1, "from_starts_at": at("2024-05-20", 11),
                            "to_starts_at": at("2024-07-01", 11),
                            "withdrawn_at": at("2024-05-03", 9)},  # withdrawn
                    move | {"id": 3, "hearing_id": 1, "from_starts_at": at("2024-05-20", 11),
                            "to_starts_at": at("2024-05-10", 11),
                            "decided_on": dt.date(2024, 5, 2)},  # brought forward
                    move | {"id": 4, "hearing_id": 1, "from_starts_at": at("2024-05-10", 11),
                            "to_starts_at": at("2024-06-18", 12),
                            "decided_on": dt.date(2024, 5, 9)},
                ],
            )  # fmt: skip

        migrate.upgrade(empty_db_url)

        with engine.connect() as connection:
            hearings = connection.execute(
                sa.text("SELECT id, court_day, dates_set, first_set_on FROM hearings ORDER BY id")
            ).all()
            moves = connection.execute(
                sa.text("SELECT id, counted_on FROM postponements ORDER BY id")
            ).all()
    finally:
        engine.dispose()

    def day(value: object) -> str | None:
        return None if value is None else str(value)[:10]

    assert [(h.id, day(h.court_day), h.dates_set, day(h.first_set_on)) for h in hearings] == [
        (1, "2024-06-19", 3, "2024-04-16"),  # two moves count; first set for 16 April there
        (2, "2024-03-09", 1, "2024-03-09"),
    ]
    assert [(m.id, day(m.counted_on)) for m in moves] == [
        (1, "2024-04-16"),  # undecided: the court's day it moved from
        (2, None),  # withdrawn
        (3, None),  # brought forward
        (4, "2024-05-09"),  # the day decided
    ]


def test_hearings_remember_their_invitation_one_uid_per_proceeding(empty_db_url):
    """af85c8b19943: hearings already there have no source; a UID names one hearing of a
    proceeding (any number without one); the downgrade takes the columns away."""
    migrate.upgrade(empty_db_url, "76ae95c1cb2e")
    at = dt.datetime(2027, 3, 15, 8, 30, tzinfo=dt.UTC)
    stamps = {"version": 1, "created_at": at, "updated_at": at}
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        rows = sa.MetaData()
        rows.reflect(engine, only=["jurisdictions", "matters", "proceedings", "hearings"])
        hearing = {"proceeding_id": 1, "title": "H", "starts_at": at, "timezone": "UTC"}
        hearing |= {"time_known": True, "location": "", "status": "scheduled", "sequence": 0}
        hearing |= {"outcome_summary": "", "court_day": at.date(), "dates_set": 1}
        hearing |= {"first_set_on": at.date(), **stamps}
        with engine.begin() as connection:
            for name, values in (
                ("jurisdictions", {"code": "BE", "name": "B", "timezone": "Europe/Brussels"}),
                ("matters", {"title": "M", "summary": ""}),
                ("proceedings", {"matter_id": 1, "jurisdiction_id": 1, "kind": "trial",
                                 "title": "P", "client_role": "accused", "status": "pending",
                                 "opened_precision": "day"}),
            ):  # fmt: skip
                connection.execute(rows.tables[name].insert().values(id=1, **values, **stamps))
            connection.execute(rows.tables["hearings"].insert().values(**hearing))

        migrate.upgrade(empty_db_url, "af85c8b19943")

        insert = sa.text(
            "INSERT INTO hearings (proceeding_id, title, starts_at, timezone, time_known, "
            "location, status, outcome_summary, sequence, court_day, dates_set, first_set_on, "
            "version, created_at, updated_at, source_uid, source_sequence) VALUES (:proceeding_id, "
            ":title, :starts_at, :timezone, :time_known, :location, :status, :outcome_summary, "
            ":sequence, :court_day, :dates_set, :first_set_on, :version, :created_at, "
            ":updated_at, :source_uid, :source_sequence)"
        )
        with engine.begin() as connection:
            assert connection.execute(
                sa.text("SELECT source_uid, source_sequence FROM hearings")
            ).all() == [(None, None)]
            for uid in (None, "court-1", "court-2"):
                connection.execute(insert, hearing | {"source_uid": uid, "source_sequence": 0})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(insert, hearing | {"source_uid": "court-1", "source_sequence": 1})

        migrate.downgrade(empty_db_url, "76ae95c1cb2e")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("hearings")}
        assert not {"source_uid", "source_sequence"} & columns
    finally:
        engine.dispose()


def test_hearings_and_moves_get_their_proceeding_s_country_kind_matter_and_slip(empty_db_url):
    """cb883001730a: the copies of each hearing's proceeding, on it and on its moves, and
    the slip of a hearing postponed; hearing 7001 is in the backfill's second chunk."""
    migrate.upgrade(empty_db_url, "76ae95c1cb2e")
    utc = dt.UTC
    stamps = {"version": 1, "created_at": dt.datetime(2024, 1, 1, tzinfo=utc)}
    stamps["updated_at"] = stamps["created_at"]
    at = dt.datetime(2024, 5, 1, 9, tzinfo=utc)
    rows = sa.MetaData()
    table = {
        name: sa.Table(name, rows, *(sa.Column(c) for c in columns))
        for name, columns in {
            "jurisdictions": ("id", "code", "name", "timezone", *stamps),
            "matters": ("id", "title", "summary", *stamps),
            "proceedings": (
                "id", "matter_id", "jurisdiction_id", "kind", "title", "client_role", "status",
                "opened_precision", *stamps,
            ),
            "hearings": (
                "id", "proceeding_id", "title", "starts_at", "timezone", "time_known",
                "location", "status", "outcome_summary", "sequence", "court_day", "dates_set",
                "first_set_on", *stamps,
            ),
            "postponements": (
                "id", "hearing_id", "from_starts_at", "to_starts_at", "reason", "recorded_at",
                "withdrawal_reason", "counted_on",
            ),
        }.items()
    }  # fmt: skip
    for name, column in (
        ("hearings", "starts_at"),
        ("postponements", "from_starts_at"),
        ("postponements", "to_starts_at"),
        ("postponements", "recorded_at"),
    ):
        table[name].c[column].type = sa.DateTime(timezone=True)
    for name, column in (
        ("hearings", "court_day"),
        ("hearings", "first_set_on"),
        ("postponements", "counted_on"),
    ):
        table[name].c[column].type = sa.Date()
    hearing = {"title": "H", "starts_at": at, "timezone": "UTC", "time_known": True}
    hearing |= {"location": "", "status": "held", "outcome_summary": "", "sequence": 0}
    move = {"from_starts_at": at, "to_starts_at": at, "reason": "", "recorded_at": at}
    move |= {"withdrawal_reason": "", "counted_on": dt.date(2024, 4, 1)}
    engine = make_engine(empty_db_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                table["jurisdictions"].insert(),
                [
                    {"id": n, "code": code, "name": code, "timezone": "UTC", **stamps}
                    for n, code in ((1, "BE"), (2, "US"))
                ],
            )
            connection.execute(
                table["matters"].insert(),
                [{"id": n, "title": "M", "summary": "", **stamps} for n in (1, 2)],
            )
            connection.execute(
                table["proceedings"].insert(),
                [
                    {"id": pid, "matter_id": matter, "jurisdiction_id": country, "kind": kind,
                     "title": "P", "client_role": "accused", "status": "pending",
                     "opened_precision": "day", **stamps}
                    for pid, matter, country, kind in ((1, 1, 1, "trial"), (2, 2, 2, "appeal"))
                ],
            )  # fmt: skip
            connection.execute(
                table["hearings"].insert(),
                [
                    hearing | stamps | {"id": hid, "proceeding_id": pid, "court_day": held,
                                        "dates_set": dates, "first_set_on": first}
                    for hid, pid, held, dates, first in (
                        (1, 1, dt.date(2024, 6, 19), 3, dt.date(2024, 4, 16)),  # 64 days
                        (2, 1, dt.date(2024, 3, 9), 1, dt.date(2024, 3, 9)),
                        (7001, 2, dt.date(2025, 1, 2), 2, dt.date(2024, 12, 30)),  # 3 days
                    )
                ],
            )  # fmt: skip
            connection.execute(
                table["postponements"].insert(),
                [move | {"id": 1, "hearing_id": 1}, move | {"id": 2, "hearing_id": 7001}],
            )

        migrate.upgrade(empty_db_url)

        with engine.connect() as connection:
            hearings = connection.execute(
                sa.text(
                    "SELECT id, jurisdiction_id, proceeding_kind, matter_id, slip_days "
                    "FROM hearings ORDER BY id"
                )
            ).all()
            moves = connection.execute(
                sa.text(
                    "SELECT id, jurisdiction_id, proceeding_kind, matter_id "
                    "FROM postponements ORDER BY id"
                )
            ).all()
    finally:
        engine.dispose()

    assert [tuple(h) for h in hearings] == [
        (1, 1, "trial", 1, 64),
        (2, 1, "trial", 1, None),  # never postponed: no slip
        (7001, 2, "appeal", 2, 3),
    ]
    assert [tuple(m) for m in moves] == [(1, 1, "trial", 1), (2, 2, "appeal", 2)]
