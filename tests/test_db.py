"""The shared column types and optimistic locking, on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.exc import StaleDataError

from tracker.core.db import Database, UTCDateTime
from tracker.matters.models import ClientRole, ProceedingKind, ProceedingStatus
from tracker.models import Jurisdiction, LoginBucket, Matter, Person, Proceeding

_keys = itertools.count(1)


def bucket(at: datetime) -> LoginBucket:
    """A row of a table with a timestamp and nothing else to fill in."""
    return LoginBucket(key=f"test:{next(_keys)}", opened_at=at, attempts=1)


# --- UTCDateTime -----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_utc_datetime_refuses_naive_values(dialect):
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 11, 22, 9, 0), dialect)


def test_a_naive_datetime_is_never_stored(session):
    session.add(bucket(datetime(2026, 11, 22, 9, 0)))

    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginBucket)) == 0


def test_an_aware_datetime_comes_back_as_the_same_instant_in_utc(database):
    # 10:30:15.25 in São Paulo (UTC-3) is 13:30:15.25 UTC
    local = datetime(2026, 11, 22, 10, 30, 15, 250000, tzinfo=ZoneInfo("America/Sao_Paulo"))
    with database.unit_of_work() as session:
        session.add(row := bucket(local))
        session.flush()
        key = row.key

    with database.sessionmaker() as session:
        loaded = session.get(LoginBucket, key).opened_at
        # and a query by an instant in another zone finds it
        found = session.scalar(
            sa.select(LoginBucket.key).where(
                LoginBucket.opened_at
                == datetime(2026, 11, 22, 14, 30, 15, 250000, tzinfo=ZoneInfo("CET"))
            )
        )

    assert loaded == local
    assert loaded.tzinfo is UTC
    assert (loaded.hour, loaded.minute, loaded.second, loaded.microsecond) == (13, 30, 15, 250000)
    assert found == key


def test_utc_datetimes_sort_by_instant(database):
    """SQLite stores UTC wall time; the order must be the instants', not the offsets'."""
    tokyo = datetime(2026, 11, 22, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:00 UTC the day before
    lisbon = datetime(2026, 11, 21, 22, 0, tzinfo=ZoneInfo("Europe/Lisbon"))  # 22:00 UTC
    with database.unit_of_work() as session:
        session.add_all([bucket(tokyo), bucket(lisbon)])

    with database.sessionmaker() as session:
        ordered = session.scalars(
            sa.select(LoginBucket.opened_at).order_by(LoginBucket.opened_at)
        ).all()

    assert ordered == [lisbon, tokyo]


# --- optimistic locking ----------------------------------------------------------------


def test_every_update_bumps_the_version(session):
    person = Person(name="A. Client")
    session.add(person)
    session.commit()
    assert person.version == 1

    person.notes = "arrested"
    session.commit()
    assert person.version == 2

    person.name = "A. B. Client"
    session.commit()
    assert person.version == 3
    assert session.scalar(sa.text("SELECT version FROM persons")) == 3


def test_a_stale_concurrent_update_is_refused(database):
    with database.unit_of_work() as session:
        session.add(person := Person(name="A. Client"))
        session.flush()
        person_id = person.id

    with database.sessionmaker() as first, database.sessionmaker() as second:
        mine = first.get(Person, person_id)
        theirs = second.get(Person, person_id)
        mine.notes = "written first"
        theirs.notes = "written second, from a stale copy"
        first.commit()

        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()

    with database.sessionmaker() as session:
        stored = session.get(Person, person_id)
        assert (stored.notes, stored.version) == ("written first", 2)


# --- enums -----------------------------------------------------------------------------


def make_proceeding(session) -> Proceeding:
    proceeding = Proceeding(
        matter=Matter(title="Extradition of A. Client"),
        jurisdiction=Jurisdiction(code="ES", name="Spain", timezone="Europe/Madrid"),
        kind=ProceedingKind.extradition_request,
        client_role=ClientRole.requested_person,
        title="Extradition request",
    )
    session.add(proceeding)
    session.commit()
    return proceeding


def test_enums_are_stored_by_value(session):
    make_proceeding(session)

    row = session.execute(sa.text("SELECT kind, client_role, status FROM proceedings")).one()

    assert tuple(row) == ("extradition_request", "requested_person", "pending")


def test_stored_values_load_as_enum_members(session):
    proceeding = make_proceeding(session)
    session.execute(sa.text("UPDATE proceedings SET status = 'suspended'"))
    session.commit()

    session.refresh(proceeding)

    assert proceeding.status is ProceedingStatus.suspended


def test_an_unknown_enum_value_is_refused(session):
    proceeding = make_proceeding(session)
    proceeding.kind = "rendition"

    with pytest.raises(sa.exc.StatementError, match="rendition"):
        session.flush()
    session.rollback()


# --- closing a session: COMMIT after reading only, ROLLBACK after writing ----------------


def jurisdiction_codes(database) -> list[str]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(Jurisdiction.code).order_by(Jurisdiction.code)))


def test_closing_rolls_back_what_a_session_wrote_and_did_not_commit(database):
    session = database.sessionmaker()
    session.add(Jurisdiction(code="BE", name="Belgium", timezone="Europe/Brussels"))
    session.flush()

    database.close(session)

    assert jurisdiction_codes(database) == []


def test_closing_rolls_back_a_write_made_by_a_statement(database):
    session = database.sessionmaker()
    session.execute(
        sa.insert(Jurisdiction).values(code="FR", name="France", timezone="Europe/Paris")
    )

    database.close(session)

    assert jurisdiction_codes(database) == []


def test_closing_never_flushes_what_is_pending(database):
    session = database.sessionmaker()
    session.scalars(sa.select(Jurisdiction)).all()  # the transaction only read...
    session.add(Jurisdiction(code="IT", name="Italy", timezone="Europe/Rome"))  # ...unflushed

    database.close(session)

    assert jurisdiction_codes(database) == []


def test_closing_after_a_failed_statement_rolls_back(database):
    session = database.sessionmaker()
    with pytest.raises(sa.exc.DBAPIError):
        session.execute(sa.text("SELECT * FROM no_such_table"))

    database.close(session)  # no error: the aborted transaction is rolled back

    assert jurisdiction_codes(database) == []


@pytest.mark.usefixtures("_postgresql_migrated")
def test_a_session_that_only_read_keeps_postgresqls_prepared_statements(postgresql_url):
    """psycopg forgets its prepared statements at ROLLBACK: a read-only page ends in COMMIT."""
    database = Database(postgresql_url, poolclass=sa.pool.StaticPool)  # one connection
    query = sa.select(Jurisdiction.code).where(Jurisdiction.code == "BE")
    try:
        for _ in range(6):  # psycopg prepares a statement at its 5th run
            session = database.sessionmaker()
            session.execute(query).all()
            database.close(session)
        with database.engine.connect() as connection:
            prepared = connection.exec_driver_sql(
                "SELECT statement FROM pg_prepared_statements"
            ).scalars()
            assert any("jurisdictions.code" in statement for statement in prepared)
    finally:
        database.dispose()


# --- savepoints ------------------------------------------------------------------------


@pytest.mark.parametrize("read_first", [False, True], ids=["idle", "read"])
def test_a_savepoint_released_before_any_write_does_not_commit(database, read_first):
    """pysqlite opens a transaction at the first write only: a SAVEPOINT before it opened
    one of its own, which its RELEASE committed, and a rollback after kept the row."""
    with database.sessionmaker() as session:
        if read_first:
            session.scalar(sa.select(sa.func.count()).select_from(LoginBucket))
        with session.begin_nested():
            session.add(bucket(datetime(2026, 11, 22, 9, 0, tzinfo=UTC)))
        session.rollback()

    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginBucket)) == 0
