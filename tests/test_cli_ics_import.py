"""`tracker import FILE.ics --proceeding ID [--dry-run]`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from factories import audit_entries, nothing_written
from test_ics_import import BRUSSELS, OUTLOOK, calendar, vevent

from tracker.cli import main
from tracker.hearings.models import Hearing, HearingStatus


@pytest.fixture
def proceeding(client, database, frozen_now) -> int:
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    admin = factories.login(client, database, "admin")
    return factories.dossier(admin)[1]["id"]


@pytest.fixture
def tracker(tmp_path, db_url):
    """Run `tracker ARGS...` in-process against the test database (stderr apart)."""
    runner = CliRunner()
    env = {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }
    return lambda *args: runner.invoke(main, [str(a) for a in args], env=env)


def ics(tmp_path: Path, data: bytes, name: str = "invite.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def hearing_rows(database) -> list[Hearing]:
    with database.sessionmaker() as session:
        rows = list(session.scalars(sa.select(Hearing).order_by(Hearing.id)))
        session.expunge_all()
        return rows


def test_import_creates_the_hearing_and_prints_the_report(tracker, database, proceeding):
    result = tracker("import", OUTLOOK, "--proceeding", proceeding)

    assert result.exit_code == 0, result.output
    [hearing] = hearing_rows(database)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"created   hearing {hearing.id}")
    assert "Zitting uitlevering: New hearing on 2027-03-15 09:30 (Europe/Brussels)" in lines[0]
    assert lines[-1] == "Saved: 1 created."
    assert audit_entries(database, "hearings")[0]["actor"] == "system:cli"


def test_import_twice_changes_nothing(tracker, database, proceeding):
    tracker("import", OUTLOOK, "--proceeding", proceeding)

    with nothing_written(database):
        result = tracker("import", OUTLOOK, "--proceeding", proceeding)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Saved: 1 unchanged."


def test_a_later_invitation_postpones_then_a_cancel_cancels(
    tracker, database, proceeding, tmp_path
):
    first = ics(tmp_path, calendar(vevent()))
    moved = ics(
        tmp_path,
        calendar(vevent(start=dt.datetime(2027, 4, 19, 14, 0, tzinfo=BRUSSELS), sequence=1)),
        "moved.ics",
    )
    cancel = ics(tmp_path, calendar(vevent(sequence=2), method="CANCEL"), "cancel.ics")
    tracker("import", first, "--proceeding", proceeding)

    postponed = tracker("import", moved, "--proceeding", proceeding)
    cancelled = tracker("import", cancel, "--proceeding", proceeding)

    [hearing] = hearing_rows(database)
    assert postponed.stdout.startswith(f"postponed hearing {hearing.id}")
    assert cancelled.stdout.startswith(f"cancelled hearing {hearing.id}")
    assert hearing.status is HearingStatus.cancelled


def test_a_dry_run_reports_and_saves_nothing(tracker, database, proceeding):
    with nothing_written(database):
        result = tracker("import", OUTLOOK, "--proceeding", proceeding, "--dry-run")

    assert result.exit_code == 0
    assert result.stdout.startswith("created   -")
    assert result.stdout.splitlines()[-1] == "Checked only, nothing saved: 1 created."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00B", "not UTF-8"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "no event (VEVENT)"),
        (calendar(vevent(rrule={"freq": "weekly"})), "repeats (RRULE)"),
    ],
    ids=["not utf-8", "no event", "recurring"],
)
def test_a_refused_file_exits_1_with_the_reason_on_stderr(
    tracker, database, proceeding, tmp_path, data, message
):
    with nothing_written(database):
        result = tracker("import", ics(tmp_path, data), "--proceeding", proceeding)

    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_an_unknown_proceeding_exits_1(tracker, database, proceeding):
    result = tracker("import", OUTLOOK, "--proceeding", proceeding + 1)

    assert result.exit_code == 1
    assert f"no proceeding {proceeding + 1}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cases.xlsx", "--proceeding", "1"], "--proceeding is for an invitation (.ics)"),
        (
            ["invite.ics", "cases.xlsx", "--proceeding", "1"],
            "an invitation (.ics) is imported alone",
        ),
        (["invite.ics"], "add --proceeding ID"),
    ],
)
def test_usage_errors(tracker, tmp_path, db_url, args, message):
    for name in ("cases.xlsx", "invite.ics"):
        ics(tmp_path, calendar(vevent()), name)

    result = tracker("import", tmp_path / args[0], *args[1:])

    assert result.exit_code == 2
    assert message in result.stderr
