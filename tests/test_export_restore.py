"""`tracker export` and `tracker restore`: the whole installation as one JSON document.

The source is the benchmarks' synthetic dossiers plus what real operations leave
(users signed in, tokens, a second factor, a feed fetched, audit entries, delay flags,
a digest queued). It goes SQLite → PostgreSQL → SQLite and comes out the same bytes.
"""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import factories
import pages
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tracker import config, migrate
from tracker.app import create_app
from tracker.archive import export as archive_export
from tracker.archive import format
from tracker.audit import operations as audit_log
from tracker.calendar import operations as feeds
from tracker.calendar.schemas import NewFeed
from tracker.cli import main
from tracker.core import clock
from tracker.core.actors import CLI
from tracker.core.db import Database, make_engine, normalize_url
from tracker.deadlines import operations as deadline_rules
from tracker.delays import scan
from tracker.hearings import imports
from tracker.models import Base, Notification, Proceeding, SecondFactor, User
from tracker.notifications import alerts, deliveries
from tracker.users import factors, policy
from tracker.users import operations as users
from tracker.users.enums import FactorKind, Role

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import _data  # bench/ is not a package

# --- databases ----------------------------------------------------------------------------


def _environment(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }


@pytest.fixture
def tracker(tmp_path: Path):
    """Run `tracker ARGS...` in-process against the database at `url`."""
    runner = CliRunner()

    def invoke(url: str, *args: str, stdin: bytes | None = None):
        return runner.invoke(main, list(args), env=_environment(tmp_path, url), input=stdin)

    return invoke


@pytest.fixture
def blank_postgresql(postgresql_url: str) -> str:
    """A PostgreSQL database beside the suite's with no tables at all (a new server's)."""
    url = sa.make_url(normalize_url(postgresql_url))
    url = url.set(database=f"{url.database}_restore")
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        poolclass=sa.NullPool,
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        found = "SELECT 1 FROM pg_database WHERE datname = :name"
        if not connection.scalar(sa.text(found), {"name": url.database}):
            connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()
    text = url.render_as_string(hide_password=False)
    engine = make_engine(text, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return text


def _sqlite(path: Path, *, migrated: bool = True) -> str:
    url = f"sqlite:///{path}"
    if migrated:
        migrate.upgrade(url)
    return url


def _populate(url: str, tmp_path: Path, proceedings: int = 200) -> dict[str, Any]:
    """Bench dossiers, then what real operations write; returns the secrets made."""
    database = Database(url)
    _data.generate(database, _data.Sizes(proceedings=proceedings))
    settings = config.load(_environment(tmp_path, url))
    app = create_app(settings, database)
    app.config["TESTING"] = True
    now = clock.now()
    with database.unit_of_work() as session:
        deadline_rules.seed_rules(session, CLI, now)
    admin = pages.make_user(database, "admin", name="Ada Admin")
    pages.Browser(app.test_client()).log_in(admin.email)  # a session, a login bucket
    api = factories.login(app.test_client(), database, "coordinator")
    made = factories.matter(api, subject="Client Ä", assignees=[api.email])
    proceeding = factories.proceeding(api, made["id"], authority="Cour d'appel")
    factories.postpone(api, factories.hearing(api, proceeding["id"])["id"], "2026-12-08T09:00")
    factories.event(api, proceeding["id"], summary="Request received — «Ünïcode»\nline two")
    factories.deadline(api, proceeding["id"], due_on="2026-11-25")
    with database.unit_of_work() as session:  # a hearing from a court's invitation (.ics)
        into = session.get(Proceeding, proceeding["id"])
        imports.import_invitation(session, CLI, now, into, INVITATION, settings)
    with database.unit_of_work() as session:
        owner = session.get(User, admin.id)
        session.add(
            SecondFactor(user_id=owner.id, kind=FactorKind.webauthn, name="key", created_at=now,
                         credential_id="cred-1", public_key=b"\x00\x01cose", transports=["usb"])
        )  # fmt: skip
        totp = factors.new_secret()
        session.add(SecondFactor(user_id=owner.id, kind=FactorKind.totp, created_at=now,
                                 totp_secret=totp, totp_last_step=1))  # fmt: skip
        factors.new_recovery_codes(session, owner, now)
        _feed, feed_token = feeds.create_feed(
            session, CLI, now, owner, NewFeed.parse({"scope": "mine", "name": "Mine"})
        )
        scan.run(session, now, now.date(), settings.delays)
        alerts.digests(session, now, settings, any_hour=True)
        mail = session.scalars(sa.select(Notification.id).order_by(Notification.id)).first()
        deliveries.record(session, [{"notification_id": str(mail), "sg_event_id": "sg-1",
                                     "event": "bounce", "reason": "550 «gone»",
                                     "timestamp": int(now.timestamp())}], now)  # fmt: skip
        policy.set_two_factor_roles(session, owner, now, frozenset({Role.admin}))
    assert app.test_client().get(f"/feeds/{feed_token}.ics").status_code == 200
    database.dispose()
    return {"password_hash": pages.password_hash(), "totp": totp, "token": api.token}


#: a court's invitation: its hearing carries the UID and SEQUENCE it came from
INVITATION = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Court//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:listing-7@court.example\r\nSEQUENCE:3\r\n"
    b"DTSTAMP:20261120T090000Z\r\nDTSTART;TZID=Europe/Paris:20270112T093000\r\n"
    b"SUMMARY:Hearing\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _secret_values(url: str) -> list[str]:
    """Every stored secret: hashes of passwords, tokens, sessions, codes; TOTP secrets."""
    columns = {
        "users": "password_hash",
        "api_tokens": "token_hash",
        "user_sessions": "token_hash",
        "recovery_codes": "code_hash",
        "second_factors": "totp_secret",
        "calendar_feeds": "token_hash",
    }
    engine = make_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        found = [
            value
            for table, column in columns.items()
            for value in connection.scalars(sa.text(f"SELECT {column} FROM {table}"))
            if value
        ]
    engine.dispose()
    return found


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        counts = {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def _nothing_but_the_head(url: str) -> bool:
    """Whether the database holds at most the audit chain's head (the suite's PostgreSQL
    tables are emptied of it too)."""
    return {name: n for name, n in _counts(url).items() if n} in ({}, {"audit_head": 1})


def _export(tracker, url: str, path: Path, *secrets: str) -> bytes:
    result = tracker(url, "export", str(path), *secrets)
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _restore(tracker, url: str, path: Path):
    result = tracker(url, "restore", str(path))
    assert result.exit_code == 0, result.output
    return result


def _verify(url: str) -> Any:
    database = Database(url)
    with database.sessionmaker() as session:
        report = audit_log.verify(session)
    database.dispose()
    return report


# --- the round trip -----------------------------------------------------------------------


def test_sqlite_to_postgresql_to_sqlite_gives_the_same_document(
    tracker, tmp_path, blank_postgresql, frozen_now
):
    source = _sqlite(tmp_path / "source.db")
    _populate(source, tmp_path)
    first = _export(tracker, source, tmp_path / "first.json", "--with-secrets")
    document = json.loads(first)  # the whole file is one JSON text
    assert [document[key] for key in ("format", "version", "secrets")] == [
        "tracker-export", 1, True,
    ]  # fmt: skip
    assert document["schema"] == ",".join(migrate.heads())
    assert document["exported_at"] == "2026-11-22T09:00:00.000000+00:00"
    assert list(document["tables"]) == [table.name for table in Base.metadata.sorted_tables]
    empty = {name for name, rows in document["tables"].items() if not rows}
    assert not empty, f"the source should fill every table: {empty}"
    imported = [row for row in document["tables"]["hearings"] if row["source_uid"]]
    assert [(r["source_uid"], r["source_sequence"]) for r in imported] == [
        ("listing-7@court.example", 3)
    ]
    # the copies the statistics read travel with the rows (and come back equal below)
    proceedings = {row["id"]: row for row in document["tables"]["proceedings"]}
    hearings = {row["id"]: row for row in document["tables"]["hearings"]}
    for move in document["tables"]["postponements"]:
        hearing = hearings[move["hearing_id"]]
        owner = proceedings[hearing["proceeding_id"]]
        copies = (owner["jurisdiction_id"], owner["kind"], owner["matter_id"])
        for row in (hearing, move):
            assert (row["jurisdiction_id"], row["proceeding_kind"], row["matter_id"]) == copies

    restored = _restore(tracker, blank_postgresql, tmp_path / "first.json")
    assert "Restored" in restored.output
    assert restored.output.endswith(f"Head: {_verify(source).head}\n")
    second = _export(tracker, blank_postgresql, tmp_path / "second.json", "--with-secrets")
    target = _sqlite(tmp_path / "target.db", migrated=False)
    _restore(tracker, target, tmp_path / "second.json")
    third = _export(tracker, target, tmp_path / "third.json", "--with-secrets")

    assert second == first
    assert third == first
    assert _counts(target) == _counts(source) == _counts(blank_postgresql)
    for url in (source, blank_postgresql, target):
        report = _verify(url)
        assert report.intact
        assert report.entries == _counts(source)["audit_entries"]
    assert _verify(target).head == _verify(source).head


def test_without_secrets_no_hash_or_secret_is_written_and_users_have_no_password(
    tracker, tmp_path, db_url, frozen_now
):
    source = _sqlite(tmp_path / "source.db")
    made = _populate(source, tmp_path, proceedings=20)
    secrets = _secret_values(source)
    assert made["password_hash"] in secrets
    assert made["totp"] in secrets
    with_secrets = _export(tracker, source, tmp_path / "all.json", "--with-secrets")
    assert all(value.encode() in with_secrets for value in secrets)

    without = _export(tracker, source, tmp_path / "plain.json")
    assert (tmp_path / "plain.json").stat().st_mode & 0o777 == 0o600  # every dossier is in it
    leaked = [value for value in secrets if value.encode() in without]
    assert not leaked
    assert made["token"].encode() not in without
    document = json.loads(without)
    assert document["secrets"] is False
    assert not set(document["tables"]) & (format.CREDENTIAL_TABLES | {"feed_fetches"})
    assert {row["password_hash"] for row in document["tables"]["users"]} == {None}

    result = _restore(tracker, db_url, tmp_path / "plain.json")
    assert "tracker user password EMAIL" in result.output
    assert _secret_values(db_url) == []
    again = _export(tracker, db_url, tmp_path / "again.json")
    assert again == without


def test_with_secrets_a_restored_user_signs_in_with_the_same_password(
    tracker, tmp_path, db_url, frozen_now
):
    source = _sqlite(tmp_path / "source.db")
    migrate.upgrade(source)
    admin = pages.make_user(Database(source), "admin")
    _export(tracker, source, tmp_path / "all.json", "--with-secrets")
    _restore(tracker, db_url, tmp_path / "all.json")
    database = Database(db_url)
    with database.sessionmaker() as session:
        user = session.scalar(sa.select(User).where(User.email == admin.email))
        assert users.check_password(user, pages.PASSWORD)
        assert not users.check_password(user, pages.PASSWORD + "x")
    database.dispose()


def test_after_a_restore_new_rows_get_higher_ids(tracker, tmp_path, db_url, frozen_now):
    source = _sqlite(tmp_path / "source.db")
    _populate(source, tmp_path, proceedings=20)
    _export(tracker, source, tmp_path / "all.json", "--with-secrets")
    _restore(tracker, db_url, tmp_path / "all.json")
    before = _highest_ids(db_url)

    database = Database(db_url)
    app = create_app(config.load(_environment(tmp_path, db_url)), database)
    api = factories.login(app.test_client(), database, "coordinator")
    made = factories.matter(api)
    database.dispose()

    after = _highest_ids(db_url)
    assert made["id"] == before["matters"] + 1
    assert after["users"] == before["users"] + 1
    assert after["audit_entries"] > before["audit_entries"]
    assert _verify(db_url).intact


def _highest_ids(url: str) -> dict[str, int]:
    engine = make_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        found = {
            name: connection.scalar(sa.text(f"SELECT max(id) FROM {name}"))
            for name in ("matters", "users", "audit_entries")
        }
    engine.dispose()
    return found


# --- refusals -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_document(tmp_path_factory) -> bytes:
    """A valid document of a small installation (rules, a user, a dossier's audit trail)."""
    folder = tmp_path_factory.mktemp("small")
    url = _sqlite(folder / "small.db")
    database = Database(url)
    with database.unit_of_work() as session:
        deadline_rules.seed_rules(session, CLI, clock.now())
    pages.make_user(database, "admin")
    out = io.BytesIO()
    with archive_export.snapshot(database.engine) as connection:
        archive_export.export(connection, out, secrets=False, now=clock.now())
    database.dispose()
    return out.getvalue()


def _refused(tracker, url: str, path: Path, document: bytes, *expected: str) -> None:
    path.write_bytes(document)
    result = tracker(url, "restore", str(path))
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output
    for words in expected:
        assert words in result.output


def test_a_database_that_holds_anything_is_refused_and_left_as_it_was(
    tracker, tmp_path, database, db_url, small_document
):
    pages.make_user(database, "staff")
    with factories.nothing_written(database):
        _refused(tracker, db_url, tmp_path / "doc.json", small_document, "not empty", "users")


def test_a_database_made_by_db_upgrade_is_refused(tracker, tmp_path, db_url, small_document):
    assert tracker(db_url, "db", "upgrade").exit_code == 0
    _refused(tracker, db_url, tmp_path / "doc.json", small_document, "deadline_rules")


def _header(document: bytes, **changes: Any) -> bytes:
    first, rest = document.split(b"\n", 1)
    line = first.decode()
    fields = json.loads(line[: -len(format.TABLES_KEY)] + "}") | changes
    return (format.dumps(fields)[:-1] + format.TABLES_KEY).encode() + b"\n" + rest


def test_another_version_or_schema_is_refused(tracker, tmp_path, db_url, small_document):
    _refused(tracker, db_url, tmp_path / "v2.json", _header(small_document, version=2),
             "version 2", "reads version 1")  # fmt: skip
    _refused(tracker, db_url, tmp_path / "old.json", _header(small_document, schema="ed18884616ff"),
             "revision ed18884616ff", migrate.heads().pop())  # fmt: skip
    _refused(tracker, db_url, tmp_path / "other.json", b'{"rows": []}\n', "not a tracker-export")
    assert _nothing_but_the_head(db_url)


def test_a_truncated_or_malformed_document_writes_nothing(
    tracker, tmp_path, db_url, small_document
):
    lines = small_document.splitlines(keepends=True)
    cut = b"".join(lines[:-1])  # every row is there, the closing "}}" is not
    _refused(tracker, db_url, tmp_path / "cut.json", cut, "truncated")
    half = small_document[: len(small_document) // 2]
    _refused(tracker, db_url, tmp_path / "half.json", half, "malformed")
    broken = b"".join([*lines[:-3], b'{"id": 1, "oops"\n', *lines[-2:]])
    _refused(tracker, db_url, tmp_path / "broken.json", broken, f"line {len(lines) - 2}")
    assert _nothing_but_the_head(db_url)


def test_an_audit_entry_edited_in_the_document_is_named_after_the_restore(
    tracker, tmp_path, db_url, small_document
):
    lines = small_document.splitlines(keepends=True)
    assert lines[1] == b'"audit_entries":[\n'
    lines[2] = lines[2].replace(b'"action":"create"', b'"action":"delete"', 1)
    (tmp_path / "edited.json").write_bytes(b"".join(lines))
    result = tracker(db_url, "restore", str(tmp_path / "edited.json"))
    assert result.exit_code == 1
    assert "the audit log restored is altered: entry 1 was changed" in result.output


def test_a_schema_less_database_is_migrated_then_loaded(tracker, tmp_path, small_document):
    target = _sqlite(tmp_path / "new.db", migrated=False)
    (tmp_path / "doc.json").write_bytes(small_document)
    _restore(tracker, target, tmp_path / "doc.json")
    assert not migrate.pending(target)
    assert _counts(target)["deadline_rules"] > 0


def test_export_to_stdout_and_restore_from_stdin(tracker, tmp_path, small_document):
    source = _sqlite(tmp_path / "source.db")
    (tmp_path / "doc.json").write_bytes(small_document)
    _restore(tracker, source, tmp_path / "doc.json")
    written = tracker(source, "export", "-")
    assert written.exit_code == 0
    assert written.stdout_bytes.split(b"\n", 1)[1] == small_document.split(b"\n", 1)[1]
    target = _sqlite(tmp_path / "target.db", migrated=False)
    loaded = tracker(target, "restore", "-", stdin=written.stdout_bytes)
    assert loaded.exit_code == 0, loaded.output
    assert _counts(target) == _counts(source)


# --- memory -----------------------------------------------------------------------------------


class _Counter(io.RawIOBase):
    """A file that counts the bytes written to it and keeps none."""

    size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def _peak_export(url: str, *, traced: bool = True) -> tuple[int, int, set[str]]:
    """The peak of Python's allocations while exporting, the bytes written, and the kinds
    of cursor the tables were read with."""
    database = Database(url)
    out, cursors = _Counter(), set()

    def note(_connection, cursor, statement: str, *_args) -> None:
        if "ORDER BY" in statement:
            cursors.add(type(cursor).__name__)

    sa.event.listen(database.engine, "before_cursor_execute", note)
    if traced:
        tracemalloc.start()
    try:
        with archive_export.snapshot(database.engine) as connection:
            archive_export.export(connection, out, secrets=True, now=clock.now())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        database.dispose()
    return peak, out.size, cursors


def _empty(url: str) -> None:
    engine = make_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "audit_head":
                connection.execute(table.delete())
    engine.dispose()


def test_an_export_holds_one_batch_in_memory_whatever_the_size(db_url, frozen_now):
    database = Database(db_url)
    _data.generate(database, _data.Sizes(proceedings=500))
    database.dispose()
    _peak_export(db_url, traced=False)  # compiles and caches each table's query once
    small_peak, small_size, _cursors = _peak_export(db_url)
    _empty(db_url)
    database = Database(db_url)
    _data.generate(database, _data.Sizes(proceedings=2_500))
    database.dispose()
    large_peak, large_size, cursors = _peak_export(db_url)

    assert large_size > 4.5 * small_size
    assert large_peak < 1.25 * small_peak + 256 * 1024, (small_peak, large_peak)
    assert large_peak < 8 * 1024 * 1024
    if db_url.startswith("postgresql"):
        # libpq's buffers are not Python's allocations: what keeps them to one batch is
        # reading every table through a server-side cursor (SQLite's steps row by row)
        assert cursors == {"ServerCursor"}


def test_an_export_into_a_missing_folder_is_one_line_and_exit_2(tracker, tmp_path, db_url):
    result = tracker(db_url, "export", str(tmp_path / "missing" / "doc.json"))
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: cannot write a file in {tmp_path / 'missing'}: No such file or directory\n"
    )
