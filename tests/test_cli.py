"""The `tracker` command line: the README's "Command line" contract, on a real database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from datetime import UTC, datetime

import factories
import flask
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tracker import migrate
from tracker.cli import main
from tracker.core.clock import frozen
from tracker.deadlines import catalogue
from tracker.models import ApiToken, AuditEntry, CalendarFeed, DelayFlag, Matter, User
from tracker.users import operations as users

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def environment(tmp_path, db_url: str) -> dict[str, str]:
    return {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "MAIL_BACKEND": "file",
    }


@pytest.fixture
def tracker(tmp_path, db_url):
    """Run `tracker ARGS...` in-process against the test database."""
    runner = CliRunner()
    env = environment(tmp_path, db_url)

    def invoke(*args: str, **extra_env: str):
        return runner.invoke(main, list(args), env=env | extra_env)

    return invoke


@pytest.fixture
def db(database):
    """A session for looking at what a command left in the database."""

    def session():
        return database.sessionmaker()

    return session


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def assert_clean_failure(result, code: int, message: str) -> None:
    """Failed with `code`, said why on stderr, and did not crash."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)  # click's exit, not an uncaught error
    assert message in result.stderr
    assert "Traceback" not in result.output


# --- users ----------------------------------------------------------------------------


def test_user_add_prints_a_working_password_alone_on_the_last_line(tracker, db):
    result = tracker(
        "user", "add", "Ana@Example.org", "--role", "lawyer", "--name", "Ana", "--timezone",
        "Europe/Brussels",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    password = last_line(result.stdout)
    assert password == password.strip()
    assert " " not in password
    assert len(password) >= 12
    with db() as session:
        user = users.get_by_email(session, "ana@example.org")
        assert users.check_password(user, password)
        assert not users.check_password(user, password + "x")
        assert (user.role, user.name, user.timezone) == ("lawyer", "Ana", "Europe/Brussels")
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "users")).one()
        assert (entry.actor_label, entry.action, entry.entity_id) == (
            "system:cli",
            "create",
            user.id,
        )
        assert "password_hash" not in entry.after


def test_user_add_refuses_an_existing_email(tracker, db):
    assert tracker("user", "add", "ana@example.org", "--role", "staff").exit_code == 0

    result = tracker("user", "add", "ana@example.org", "--role", "admin")

    assert_clean_failure(result, 1, "a user with email ana@example.org exists")
    assert result.stdout == ""
    with db() as session:
        assert session.scalars(sa.select(User.role)).all() == ["staff"]


def test_user_add_refuses_an_unknown_role(tracker, db):
    result = tracker("user", "add", "ana@example.org", "--role", "judge")

    assert_clean_failure(result, 2, "Invalid value for '--role'")
    assert "admin" in result.stderr  # the choices are listed
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--role", "staff"], "'not-an-email' is not an email address"),
        (["ana@example.org", "--role", "staff", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
    ],
)
def test_user_add_refuses_bad_values(tracker, db, args, message):
    result = tracker("user", "add", *args)

    assert_clean_failure(result, 2, message)  # bad input: 2 (a failure is 1)
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_user_password_replaces_the_password(tracker, db):
    first = last_line(tracker("user", "add", "ana@example.org", "--role", "staff").stdout)

    result = tracker("user", "password", "ANA@example.org")

    assert result.exit_code == 0, result.output
    second = last_line(result.stdout)
    assert second != first
    with db() as session:
        user = users.get_by_email(session, "ana@example.org")
        assert users.check_password(user, second)
        assert not users.check_password(user, first)


# --- tokens ---------------------------------------------------------------------------


def test_token_create_prints_a_token_the_api_accepts(tracker, db):
    tracker("user", "add", "ana@example.org", "--role", "coordinator")

    result = tracker("token", "create", "ana@example.org", "--name", "laptop")

    assert result.exit_code == 0, result.output
    token = last_line(result.stdout)
    with db() as session:
        holder = users.user_for_token(session, token, NOW)
        assert holder is not None
        assert holder.user.email == "ana@example.org"
        assert holder.scope == "read-write"
        assert users.user_for_token(session, token[:-1], NOW) is None
        stored = session.scalars(sa.select(ApiToken)).one()
        assert stored.name == "laptop"
        assert token not in stored.token_hash  # only the hash is kept


@pytest.mark.parametrize("command", [["token", "create"], ["user", "password"]])
def test_an_unknown_user_is_an_error_not_a_traceback(tracker, db, command):
    result = tracker(*command, "nobody@example.org")

    assert_clean_failure(result, 1, "no user with email nobody@example.org")
    assert result.stdout == ""
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_an_unknown_user_in_a_real_process(tmp_path, db_url):
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "token", "create", "nobody@example.org"],
        env=os.environ | environment(tmp_path, db_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == "Error: no user with email nobody@example.org"
    assert result.stdout == ""


def test_token_create_takes_a_scope_and_a_last_day(tracker, db):
    tracker("user", "add", "ana@example.org", "--role", "lawyer", "--timezone", "Asia/Tokyo")

    result = tracker(
        "token", "create", "ana@example.org", "--scope", "read", "--expires", "2099-12-31"
    )

    assert result.exit_code == 0, result.output
    assert "read, expires 2099-12-31 15:00 UTC" in result.stdout  # midnight in Tokyo
    with db() as session:
        holder = users.user_for_token(session, last_line(result.stdout), NOW)
        assert holder is not None
        assert holder.scope == "read"
        stored = session.scalars(sa.select(ApiToken)).one()
        assert stored.expires_at == datetime(2099, 12, 31, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "admin"], "Invalid value for '--scope'"),
        (["--expires", "2026-02-30"], "Invalid value for --expires: '2026-02-30'"),
        (
            ["--expires", "2001-01-01"],
            "--expires: the last day it works, 2001-01-01, is over",
        ),
    ],
)
def test_token_create_refuses_a_bad_scope_or_day(tracker, db, args, message):
    tracker("user", "add", "ana@example.org", "--role", "lawyer")

    result = tracker("token", "create", "ana@example.org", *args)

    assert_clean_failure(result, 2, message)
    assert result.stdout == ""
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_token_list_shows_each_token_and_its_state(tracker, db):
    tracker("user", "add", "ana@example.org", "--role", "lawyer")
    with frozen(NOW):
        tracker("token", "create", "ana@example.org", "--name", "laptop", "--scope", "read")
        tracker("token", "create", "ana@example.org", "--name", "phone", "--expires", "2026-11-30")
        tracker("token", "create", "ana@example.org", "--name", "old\nscript")
        assert tracker("token", "revoke", "3").exit_code == 0
        token = last_line(tracker("token", "create", "ana@example.org", "--name", "cron").stdout)
        with db() as session:
            users.user_for_token(session, token, NOW)
            session.commit()

    with frozen(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)):
        result = tracker("token", "list", "ANA@example.org")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "id", "name", "scope", "created", "expires", "last", "used", "state"
    ]  # fmt: skip
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == ["4", "2", "1", "3"]  # live and expired ones first, newest first
    assert rows["1"].split()[1:3] == ["laptop", "read"]
    assert rows["1"].endswith("live")
    assert "2026-12-01 00:00 UTC" in rows["2"]
    assert rows["2"].endswith("expired")
    assert rows["3"].split()[1] == "old\\nscript"
    assert rows["3"].endswith("revoked")
    assert "2026-11-22 09:00 UTC" in rows["4"].split("read-write", 1)[1]  # created, last used


def test_token_list_of_a_user_without_tokens(tracker):
    tracker("user", "add", "ana@example.org", "--role", "lawyer")

    result = tracker("token", "list", "ana@example.org")

    assert (result.exit_code, result.stdout) == (0, "ana@example.org has no API token.\n")


def test_token_revoke_stops_the_token_at_once_and_is_audited(tracker, db):
    tracker("user", "add", "ana@example.org", "--role", "lawyer")
    token = last_line(tracker("token", "create", "ana@example.org", "--name", "laptop").stdout)

    with frozen(NOW):
        result = tracker("token", "revoke", "1")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "API token 1 of ana@example.org (laptop) is revoked since 2026-11-22 09:00 UTC.\n"
    )
    with db() as session:
        assert users.user_for_token(session, token, NOW) is None
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "revoke")).one()
        assert (entry.entity, entry.entity_id, entry.actor_label) == (
            "api_tokens",
            1,
            "system:cli",
        )


@pytest.mark.parametrize(("token_id", "code"), [("7", 1), ("0", 2), ("x", 2)])
def test_token_revoke_refuses_an_unknown_id(tracker, db, token_id, code):
    result = tracker("token", "revoke", token_id)

    assert_clean_failure(result, code, "no API token 7" if code == 1 else "Invalid value for 'ID'")


@pytest.mark.parametrize(
    ("command", "what"),
    [(["token", "create"], "a token"), (["feed", "create"], "a feed")],
)
def test_a_deactivated_user_gets_no_token_and_no_feed(tracker, db, command, what):
    tracker("user", "add", "ana@example.org", "--role", "lawyer")
    with db() as session:
        session.scalar(sa.select(User)).active = False
        session.commit()
        entries = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))

    result = tracker(*command, "ana@example.org")

    assert_clean_failure(
        result, 1, f"ana@example.org is deactivated: reactivate them before giving them {what}"
    )
    assert result.stdout == ""
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == entries


# --- database, demo, serve ------------------------------------------------------------


def test_db_upgrade_creates_a_fresh_sqlite_database(tmp_path):
    path = tmp_path / "fresh" / "tracker.db"
    path.parent.mkdir()
    env = environment(tmp_path, f"sqlite:///{path}")

    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    again = CliRunner().invoke(main, ["db", "upgrade"], env=env)

    assert result.exit_code == 0, result.output
    (head,) = migrate.heads()
    assert last_line(result.stdout) == f"database at revision {head}"
    assert again.exit_code == 0
    assert last_line(again.stdout) == last_line(result.stdout)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"matters", "proceedings", "hearings", "users", "audit_entries"} <= tables
    assert migrate.current(f"sqlite:///{path}") == {head}


def test_db_upgrade_uses_the_instance_folder_by_default(tmp_path):
    env = {"TRACKER_INSTANCE": str(tmp_path / "inst"), "DATABASE_URL": "", "SECRET_KEY": "x"}

    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)

    assert result.exit_code == 0, result.output
    assert (tmp_path / "inst" / "tracker.db").is_file()


def test_commands_refuse_a_database_that_is_not_migrated(tmp_path):
    env = environment(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")

    result = CliRunner().invoke(
        main, ["user", "add", "ana@example.org", "--role", "staff"], env=env
    )

    assert_clean_failure(result, 1, "run `tracker db upgrade` first")


def test_a_bad_setting_is_reported(tracker):
    result = tracker("token", "create", "ana@example.org", MAIL_BACKEND="pigeon")

    assert_clean_failure(result, 2, "MAIL_BACKEND must be one of")


def test_demo_loads_the_dossier_once_and_prints_the_new_passwords(tracker, db):
    first = tracker("demo")
    second = tracker("demo")

    assert first.exit_code == 0, first.output
    # the dossier's jurisdictions that `db upgrade` did not store with the rules
    assert "Created 3 jurisdictions, 4 users, 6 matters" in first.stdout
    assert ", 2 deadlines, " in first.stdout
    lines = {line.split()[0]: line.split()[1] for line in first.stdout.splitlines()[-4:]}
    assert set(lines) == {
        f"{who}@demo.example" for who in ("admin", "coordinator", "staff", "lawyer")
    }
    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.stdout
    assert "@demo.example" not in second.stdout
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Matter)) == 6
        # the flags are stored: the pages list them before the first hourly scan
        stored = session.scalar(
            sa.select(sa.func.count()).select_from(DelayFlag).where(DelayFlag.resolved_at.is_(None))
        )
        assert stored > 0
        assert f"Delay flags stored: {stored} open." in first.stdout
        for email, password in lines.items():
            assert users.check_password(users.get_by_email(session, email), password)


def test_serve_runs_the_app_on_the_given_address(tracker, monkeypatch):
    calls = []
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kwargs: calls.append((app, kwargs)))

    result = tracker("serve", "--port", "5001")

    assert result.exit_code == 0, result.output
    ((app, kwargs),) = calls
    assert kwargs == {"host": "127.0.0.1", "port": 5001, "use_reloader": False}
    assert "/api/v1/matters" in {rule.rule for rule in app.url_map.iter_rules()}
    assert "http://127.0.0.1:5001/" in result.stdout
    assert "test-secret" not in result.stdout


def test_serve_runs_the_scheduler_while_the_app_runs(tracker, monkeypatch):
    from tracker import scheduler

    seen = []

    def run(app, **_kwargs):
        jobs = sorted(job.id for job in app_scheduler[0].get_jobs())
        seen.append((app_scheduler[0].running, jobs))

    app_scheduler = []
    build = scheduler.build
    monkeypatch.setattr(
        scheduler, "build", lambda *a, **k: app_scheduler.append(build(*a, **k)) or app_scheduler[0]
    )
    monkeypatch.setattr(flask.Flask, "run", run)

    result = tracker("serve")

    assert result.exit_code == 0, result.output
    assert seen == [(True, sorted(job.name for job in scheduler.JOBS))]
    assert not app_scheduler[0].running  # shut down with the app
    assert f"scheduler: {len(scheduler.JOBS)} jobs" in result.stdout


def test_serve_without_the_scheduler(tracker, monkeypatch):
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kwargs: None)

    result = tracker("serve", "--no-scheduler")

    assert result.exit_code == 0, result.output
    assert "scheduler:" not in result.stdout


def test_the_scheduler_command_lists_and_runs_the_jobs(tracker, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    from tracker import scheduler

    started = []

    def start(self, *args, **kwargs):
        started.append(sorted(job.id for job in self.get_jobs()))
        raise KeyboardInterrupt  # what Ctrl-C does

    monkeypatch.setattr(BlockingScheduler, "start", start)

    result = tracker("scheduler")

    assert result.exit_code == 0, result.output
    assert started == [sorted(job.name for job in scheduler.JOBS)]
    assert "outbox" in result.stdout


def test_serve_refuses_a_bad_port():
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])

    assert_clean_failure(result, 2, "Invalid value for '--port'")


def test_python_m_tracker_help():
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    for command in ("db", "demo", "serve", "token", "user"):
        assert f"\n  {command} " in result.stdout


# --- deadline rules -------------------------------------------------------------------


@pytest.fixture
def upgraded(tracker):
    """The database as `tracker db upgrade` leaves it: migrated, with the rules stored."""
    result = tracker("db", "upgrade")
    assert result.exit_code == 0, result.output
    return tracker


def test_db_upgrade_stores_the_rules_once(tracker, db):
    first = tracker("db", "upgrade")
    second = tracker("db", "upgrade")

    assert "stored" in first.stdout
    assert "stored" not in second.stdout
    with db() as session:
        codes = session.scalars(sa.text("SELECT code FROM deadline_rules ORDER BY code")).all()
    assert codes.count("BE-CRIM-APPEAL") == 2  # changed by statute in 2016: two versions
    assert len(codes) == len(catalogue.RULES)


def test_rules_lists_every_rule_with_its_source(upgraded):
    result = upgraded("rules")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(catalogue.RULES)
    echr = [line for line in lines if line.startswith("ECHR-APPLICATION")]
    assert "6 months" in echr[0]
    assert "before 2022-02-01" in echr[0]
    assert "4 months" in echr[1]
    assert "from 2022-02-01" in echr[1]
    assert any("CPP art. 696-18" in line for line in lines)


def test_deadline_prints_the_steps(upgraded):
    result = upgraded("deadline", "BE-CIV-APPEAL", "--from", "2023-07-05")

    assert result.exit_code == 0, result.output
    assert "judicial vacation (1 July–31 August): extended to Fri 2023-09-15" in result.stdout
    assert last_line(result.stdout) == "Due: Fri 2023-09-15."


def test_deadline_json_is_the_contract(upgraded):
    import json

    result = upgraded("deadline", "be-crim-appeal", "--from", "2023-06-22", "--json")

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {
        "rule",
        "trigger",
        "trigger_at",
        "due_on",
        "due_at",
        "owed_by",
        "met_by",
        "article",
        "source_url",
        "checked_on",
        "steps",
    }
    assert (printed["owed_by"], printed["met_by"], printed["due_at"]) == ("client", [], None)
    assert printed["trigger_at"] is None  # a day given, no time
    assert (printed["rule"], printed["trigger"], printed["due_on"]) == (
        "BE-CRIM-APPEAL",
        "2023-06-22",
        "2023-07-24",
    )
    assert printed["steps"][-1] == "Due: Mon 2023-07-24."


@pytest.fixture
def timed_rule(upgraded, database):
    """FR_TEST_TIMED: the authority decides within 2 months, by 16:00 Paris time."""
    with database.sessionmaker() as session:
        paris = session.scalar(sa.text("SELECT id FROM jurisdictions WHERE code = 'FR'"))
    factories.authority_rule(database, paris, code="FR_TEST_TIMED", due_time=dt.time(16, 0))
    return upgraded


def test_rules_lists_who_must_act_the_article_and_the_address(timed_rule):
    result = timed_rule("rules")

    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("FR_TEST_TIMED")]
    assert "owed by the authority · met by admissibility_decision, decision" in line
    assert "by 16:00 (Europe/Paris) · art. 40(1) · https://example.org/law#art40" in line
    assert line.endswith("checked 2026-11-01")
    appeal = next(line for line in result.stdout.splitlines() if line.startswith("BE-CRIM"))
    assert "owed by our side" in appeal


def test_deadline_json_says_who_owes_it_and_the_hour(timed_rule):
    import json

    result = timed_rule("deadline", "FR_TEST_TIMED", "--from", "2026-03-02", "--json")

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["owed_by"], printed["met_by"]) == (
        "authority",
        ["admissibility_decision", "decision"],
    )
    assert (printed["article"], printed["source_url"], printed["checked_on"]) == (
        "art. 40(1)",
        "https://example.org/law#art40",
        "2026-11-01",
    )
    assert printed["due_on"] == "2026-05-04"
    assert printed["due_at"] == "2026-05-04T16:00:00+02:00"


def test_deadline_from_a_date_time_reads_it_where_the_court_sits(timed_rule):
    import json

    late = timed_rule("deadline", "FR_TEST_TIMED", "--from", "2026-03-01T23:30-05:00")
    early = timed_rule("deadline", "FR_TEST_TIMED", "--from", "2026-03-02T22:30+04:00", "--json")

    assert late.exit_code == 0, late.output
    lines = late.stdout.splitlines()
    assert lines[0] == "Owed by the authority; met by admissibility_decision, decision."
    assert lines[1] == (
        "Trigger given as 2026-03-01 23:30 -05:00 = 05:30 on Mon 2026-03-02 in Europe/Paris"
    )
    assert last_line(late.stdout).startswith("Due: ")
    printed = json.loads(early.stdout)
    assert printed["trigger"] == "2026-03-02"
    assert printed["trigger_at"] == "2026-03-02T19:30:00+01:00"
    assert printed["steps"][0] == (
        "Trigger given as 2026-03-02 22:30 +04:00 = 19:30 on Mon 2026-03-02 in Europe/Paris"
    )


def test_rule_39_counts_back_from_the_time_of_the_removal(upgraded):
    import json

    result = upgraded("deadline", "ECHR-RULE-39", "--from", "2026-05-15T10:00+02:00", "--json")

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["due_on"], printed["due_at"]) == ("2026-05-13", "2026-05-13T10:00:00+02:00")
    assert "Wed 2026-05-13: 6 h back from 16:00 → 10:00." in printed["steps"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NO-SUCH-RULE", "--from", "2023-06-22"], "no deadline rule 'NO-SUCH-RULE'"),
        (["BE-CRIM-APPEAL", "--from", "2023-02-30"], "'2023-02-30' is not a date"),
        (["BE-CRIM-APPEAL", "--from", "22/06/2023"], "is not a date"),
        (["BE-CRIM-APPEAL"], "Missing option '--from'"),
        (["BE-CRIM-APPEAL", "--from", "2026-05-15T22:30"], "has no UTC offset"),
        (["BE-CRIM-APPEAL", "--from", "2026-05-15T25:30+01:00"], "is not a date-time with its"),
        (["NO-SUCH-RULE", "--from", "2026-05-15T22:30+01:00"], "no deadline rule"),
    ],
)
def test_deadline_refuses_bad_input_with_exit_code_2(upgraded, args, message):
    result = upgraded("deadline", *args)

    assert_clean_failure(result, 2, message)


# --- bad input and unexpected errors: one line, never a traceback --------------------------

LONG_NAME = "N" * 300


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["scan", "--as-of", "9999-12-31"], {}, "outside the dates this tracker accepts"),
        (["scan", "--as-of", "0001-01-01"], {}, "outside the dates this tracker accepts"),
        (["deadline", "BE-CRIM-APPEAL", "--from", "9999-12-31"], {}, "outside the dates"),
        (["user", "add", "a@example.org", "--role", "staff", "--timezone", "Europe"], {}, "Europe"),
        (["user", "add", "a@example.org", "--role", "staff", "--name", LONG_NAME], {}, "name"),
        (["outbox", "--limit", "100000000000000000000"], {}, "--limit"),
        (["feed", "create", "a@example.org", "--matter", "99999999999"], {}, "--matter"),
        (["rules"], {"DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        (["rules"], {"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(upgraded, db, args, env, message):
    result = upgraded(*args, **env)

    assert_clean_failure(result, 2, message)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "$scrypt$" not in result.output  # a password hash never leaks from an INSERT
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(upgraded, monkeypatch):
    from tracker.deadlines import operations as deadlines

    def broken(_session):
        raise RuntimeError("the rules table caught fire")

    monkeypatch.setattr(deadlines, "list_rules", broken)

    result = upgraded("rules")
    debugged = upgraded("--debug", "rules")

    assert_clean_failure(result, 1, "unexpected error (RuntimeError): the rules table caught fire")
    assert len(result.stderr.strip().splitlines()) == 1
    assert isinstance(debugged.exception, RuntimeError)  # the traceback, for whoever asked


def test_the_engine_never_shows_bound_values(database):
    """An error from the database names the statement, never the values (a password hash)."""
    with database.sessionmaker() as session:
        session.add(User(email="same@example.org", role="staff", password_hash="$scrypt$X"))
        session.flush()
        session.add(User(email="same@example.org", role="staff", password_hash="$scrypt$X"))
        with pytest.raises(sa.exc.IntegrityError) as caught:
            session.flush()
    assert "$scrypt$X" not in str(caught.value)
    assert "hidden" in str(caught.value)


def test_scan_escapes_control_characters_in_what_people_typed(upgraded, tmp_path, db_url):
    from tracker.core import clock
    from tracker.core.actors import SystemActor
    from tracker.core.db import Database
    from tracker.deadlines import operations as deadlines
    from tracker.deadlines.schemas import NewDeadline
    from tracker.matters import operations as matters
    from tracker.matters.schemas import NewMatter, NewProceeding

    actor, now = SystemActor("system:tests"), clock.now()
    database = Database(db_url)
    with database.unit_of_work() as session:
        matter = matters.create_matter(session, actor, now, NewMatter.parse({"title": "M"}))
        session.flush()
        proceeding = matters.create_proceeding(
            session,
            actor,
            now,
            NewProceeding.parse(
                {
                    "matter_id": matter.id,
                    "jurisdiction": "BE",
                    "kind": "trial",
                    "title": "P",
                    "client_role": "victim",
                }
            ),
        )
        due = (now + dt.timedelta(days=2)).date().isoformat()
        title = "Appeal\r\nwarning   deadline_near  forged line\x1b[2J"
        command = NewDeadline.parse({"title": title, "due_on": due})
        deadlines.create_deadline(session, actor, now, proceeding, command)
    database.dispose()

    result = upgraded("scan")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not any(line.startswith("warning   deadline_near  forged") for line in lines)
    assert "\x1b" not in result.stdout
    assert "Appeal\\r\\nwarning" in result.stdout
