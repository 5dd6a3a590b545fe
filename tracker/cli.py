"""The `tracker` command: each command opens one unit of work and calls operations.

Every failure is one line on stderr, never a traceback: bad input (an option, a
value, a setting) exits with 2; a failure (an unknown user, a conflict, a database
that is down or not migrated yet) with 1, as does an unexpected error, whose
traceback `tracker --debug …` shows. A secret (password, token) is printed alone on
the last line of stdout, after the unit of work has committed. What people typed is
printed with its control characters escaped, so a title cannot fake lines of output.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pydantic
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so
from sqlalchemy.engine import make_url

import tracker.models  # noqa: F401  (every mapper, so relationships resolve)
from tracker import config, migrate, scheduler
from tracker import demo as demo_dossier
from tracker.app import create_app
from tracker.archive import export as archive_export
from tracker.archive import format as archive_format
from tracker.archive import restore as archive_restore
from tracker.audit import chain
from tracker.audit import operations as audit_log
from tracker.calendar import operations as feeds
from tracker.calendar.schemas import FeedsOf, NewFeed
from tracker.chronology import operations as chronologies
from tracker.chronology.schemas import ChronologyQuery, Format, Privacy
from tracker.core import clock, limits, spreadsheet
from tracker.core.actors import CLI
from tracker.core.commands import refusal
from tracker.core.dates import in_range, parse_date, zone
from tracker.core.db import Database
from tracker.core.errors import TrackerError
from tracker.core.limits import MAX_ID
from tracker.deadlines import operations as deadlines
from tracker.deadlines import rules
from tracker.deadlines.enums import Party
from tracker.delays import scan as delays
from tracker.delays.operations import ScanResult
from tracker.hearings import imports as invitations
from tracker.imports import operations as imports
from tracker.imports.sheets import Upload
from tracker.matters import operations as matters
from tracker.notifications import alerts, senders
from tracker.notifications import outbox as mail
from tracker.reports import queries as report_queries
from tracker.reports.schemas import DelaysQuery, GroupBy
from tracker.users import factors
from tracker.users import operations as users
from tracker.users.enums import TokenScope
from tracker.users.models import ApiToken, Role
from tracker.users.schemas import NewToken, NewUser

log = logging.getLogger(__name__)


class BadInput(click.ClickException):
    """A value given on the command line or in the environment is wrong: exit 2."""

    exit_code = 2


class TrackerGroup(click.Group):
    """Every error becomes one line on stderr; `--debug` lets the traceback through."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # one line, without the usage text above it
            raise BadInput(exc.format_message()) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise _one_line(exc) from None


def _one_line(exc: Exception) -> click.ClickException:
    """The message for an error that reached the top of a command."""
    if isinstance(exc, TrackerError):
        bad_input = exc.status in (400, 422)
        return (BadInput if bad_input else click.ClickException)(printable(exc.message))
    if isinstance(exc, sa_exc.SQLAlchemyError):
        # the engine hides bound values (hide_parameters): the line never shows a hash
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return click.ClickException(f"database error: {printable(detail)}")
    log.debug("unexpected error", exc_info=exc)
    name = type(exc).__name__
    return click.ClickException(
        f"unexpected error ({name}): {printable(str(exc))} — `tracker --debug …` shows where"
    )


#: bidirectional controls, which reorder what a terminal shows ("Trojan source")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """`text` for a terminal: control characters (CR, LF, ESC, NUL, bidi…) escaped."""
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")
        else char
        for char in text
    )


def _settings() -> config.Settings:
    try:
        return config.load()
    except ValueError as exc:  # a bad setting in the environment
        raise BadInput(str(exc)) from None


@contextmanager
def unit_of_work() -> Iterator[so.Session]:
    """One session for the whole command; commits when the block ends."""
    database = Database(_settings().database_url)
    try:
        _require_migrated(database.url)
        with database.unit_of_work() as session:
            yield session
    finally:
        database.dispose()


def _require_migrated(url: str) -> None:
    if migrate.pending(url):
        raise click.ClickException(
            "the database is not at the latest revision: run `tracker db upgrade` first"
        )


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
def main(debug: bool) -> None:
    """Proceedings, hearings and deadlines across jurisdictions.

    Settings come from the environment: TRACKER_INSTANCE, DATABASE_URL, SECRET_KEY...
    """


# --- database -------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create or migrate the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database or migrate it to the latest revision."""

    url = _settings().database_url
    migrate.upgrade(url)
    with unit_of_work() as session:
        added = deadlines.seed_rules(session, CLI, clock.now())
        _scan_now(session)  # the data already there: its flags are stored when it starts
    if added:
        click.echo(
            f"stored {added} rows of the shipped deadline rules (rules, vacations, jurisdictions)"
        )
    click.echo(f"database at revision {', '.join(sorted(migrate.current(url)))}")


# --- export and restore ---------------------------------------------------------------


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Also write password hashes, second factors, sessions, API tokens and feeds.",
)
def export(file: str, with_secrets: bool) -> None:
    """Write every record of the installation to FILE as one JSON document (- for stdout)."""
    database = Database(_settings().database_url)
    try:
        _require_migrated(database.url)
        opened = click.open_file("-", "wb") if file == "-" else archive_export.private_file(file)
        with archive_export.snapshot(database.engine) as connection, opened as out:
            counts = archive_export.export(connection, out, secrets=with_secrets, now=clock.now())
    finally:
        database.dispose()
    left_out = "" if with_secrets else "; without secrets (users have no password)"
    click.echo(
        f"Exported {sum(counts.values()):,} rows of {len(counts)} tables{left_out}.", err=True
    )


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
def restore(file: str) -> None:
    """Load a document written by `tracker export` into an empty database (migrated here
    if it has no tables yet); refuses a database that holds anything."""
    url = _settings().database_url
    with click.open_file(file, "rb") as source:
        restored = archive_restore.restore(url, source)
    rows, header = sum(restored.counts.values()), restored.header
    click.echo(
        f"Restored {rows:,} rows of {len(restored.counts)} tables, exported at "
        + printable(f"{header.exported_at} (revision {header.schema}).")
    )
    if not header.secrets:
        left_out = ", ".join(sorted(archive_format.CREDENTIAL_TABLES))
        click.echo(
            f"The document held no secrets: users have no password ({left_out} are empty). "
            "Give each a new one with `tracker user password EMAIL`."
        )
    with unit_of_work() as session:  # an edited document shows here, as on the old server
        report = audit_log.verify(session)
    if report.broken is not None:
        raise click.ClickException(f"the audit log restored is altered: {report.broken.reason}")
    click.echo(_audit_summary(report, None, None))
    click.echo(f"Head: {report.head}")


# --- import -----------------------------------------------------------------------------


@main.command("import")
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False)
)
@click.option(
    "--proceeding",
    "proceeding_id",
    type=click.IntRange(1, MAX_ID),
    help="The proceeding a court's invitation (.ics) is for.",
)
@click.option("--dry-run", is_flag=True, help="Check and report what it would do; write nothing.")
def import_(files: tuple[str, ...], proceeding_id: int | None, dry_run: bool) -> None:
    """Import records: spreadsheets (CSV files named for what they hold — matters.csv,
    proceedings.csv, events.csv, deadlines.csv, hearings.csv — or an XLSX workbook with a
    sheet for each), or a court's invitation (.ics) into a proceeding. Nothing is written
    unless all of it is valid."""
    if any(Path(file).suffix.lower() == ".ics" for file in files):
        if len(files) > 1:
            raise click.UsageError("an invitation (.ics) is imported alone")
        if proceeding_id is None:
            raise click.UsageError(
                "an invitation (.ics) goes into a proceeding: add --proceeding ID"
            )
        import_invitation(Path(files[0]), proceeding_id, dry_run)
        return
    if proceeding_id is not None:
        raise click.UsageError(
            "--proceeding is for an invitation (.ics): a spreadsheet names its own"
        )
    _import_sheets(files, dry_run)


def _import_sheets(files: tuple[str, ...], dry_run: bool) -> None:
    batch = imports.read([_upload(path) for path in files])
    with (
        unit_of_work() as session,
        click.progressbar(length=batch.rows, label="Checking rows", file=sys.stderr) as bar,
    ):
        report = imports.run(session, CLI, clock.now(), batch, dry_run=dry_run, progress=bar.update)
    for problem in report.problems:
        click.echo(printable(str(problem)), err=True)
    if report.problem_count > len(report.problems):
        click.echo(f"… and {report.problem_count - len(report.problems)} more.", err=True)
    for note in report.notes:
        click.echo(printable(f"note: {note}"))
    click.echo(report.summary())
    if not report.valid:
        raise click.exceptions.Exit(1)


def _upload(path: str) -> Upload:
    try:
        with open(path, "rb") as source:
            data = source.read(limits.IMPORT_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}") from None
    return Upload(os.path.basename(path), data)


def import_invitation(path: Path, proceeding_id: int, dry_run: bool) -> None:
    """Apply an .ics to a proceeding and print what each event did; a refusal exits with 1
    and its message on stderr, nothing saved."""
    try:
        with path.open("rb") as source:
            data = source.read(limits.INVITE_BYTES + 1)  # one byte more: the reader says too large
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}") from None
    try:
        with unit_of_work() as session:
            proceeding = matters.get_proceeding(session, CLI, proceeding_id)
            report = invitations.import_invitation(
                session, CLI, clock.now(), proceeding, data, _settings(), dry_run=dry_run
            )
    except TrackerError as exc:  # refused: exit 1 (not 2), as any failure of the file
        raise click.ClickException(printable(exc.message)) from None
    for applied in report.events:
        hearing = f"hearing {applied.hearing_id}" if applied.hearing_id else "-"
        named = applied.summary or f"UID {applied.uid}"
        click.echo(
            printable(f"{applied.action.value:<9} {hearing:<13} {named}: {applied.sentence}")
        )
    saved = "Checked only, nothing saved" if dry_run else "Saved"
    click.echo(f"{saved}: {report.summary}.")


# --- demo -----------------------------------------------------------------------------


@main.command()
def demo() -> None:
    """Load the demo dossier shipped with the package (safe to run again)."""
    dossier = demo_dossier.read_dossier()
    with (
        unit_of_work() as session,
        click.progressbar(length=len(dossier["matters"]), label="Loading matters") as bar,
    ):
        summary = demo_dossier.load(
            session, clock.now(), progress=lambda _key: bar.update(1), dossier=dossier
        )
    kinds = ("jurisdictions", "users", "matters", "proceedings", "events", "deadlines", "hearings")
    if summary.created.total():
        created = ", ".join(f"{summary.created[kind]} {kind}" for kind in kinds)
        click.echo(f"Created {created}, {summary.created['postponements']} postponements.")
    else:
        click.echo("Nothing to do: the demo dossier is loaded already.")
    if summary.skipped.total():
        skipped = ", ".join(f"{summary.skipped[kind]} {kind}" for kind in kinds[:3])
        click.echo(f"Left as they were: {skipped}.")
    with unit_of_work() as session:
        flags = _scan_now(session)
    click.echo(f"Delay flags stored: {len(flags.open)} open.")
    if summary.passwords:
        click.echo("Demo users; their passwords are shown this once (`tracker user password`):")
        for email, password in summary.passwords.items():
            click.echo(f"  {email:<26} {password}")


def _scan_now(session: so.Session) -> ScanResult:
    """Store the flags as of today, so that pages show them before the first hourly scan."""
    return delays.run(session, clock.now(), clock.today(), _settings().delays)


# --- deadlines ------------------------------------------------------------------------


@main.command("rules")
def list_rules() -> None:
    """List the deadline rules: code, jurisdiction, offset, validity, title and source; who
    must act, the article and the official text's address."""
    with unit_of_work() as session:
        for row in deadlines.list_rules(session):
            rule = deadlines.as_rule(row)
            window = _window(rule.valid_from, rule.valid_to)
            click.echo(
                f"{row.code:<20} {row.jurisdiction.code:<5} {rule.offset:<14} {window:<24} "
                + printable(f"{row.title} — {row.source}" + _provenance(row))
            )


def _provenance(row: Any) -> str:
    """ " · owed by the authority · art. 40(1) · https://..." (only what is known)."""
    parts = [f"owed by {'the authority' if row.owed_by == Party.authority else 'our side'}"]
    if row.met_by:
        parts.append("met by " + ", ".join(row.met_by))
    if row.opens_at is not None and row.due_time is not None:
        hours = f"{row.opens_at:%H:%M}–{row.due_time:%H:%M}"
        parts.append(f"office hours {hours} ({row.jurisdiction.timezone})")
    elif row.due_time is not None:
        parts.append(f"by {row.due_time:%H:%M} ({row.jurisdiction.timezone})")
    parts += [text for text in (row.article, row.source_url) if text]
    if row.checked_on is not None:
        parts.append(f"checked {row.checked_on}")
    return "".join(f" · {part}" for part in parts)


def _window(valid_from, valid_to) -> str:
    if valid_from and valid_to:
        return f"{valid_from} – {valid_to}"
    if valid_from:
        return f"from {valid_from}"
    return f"before {valid_to}" if valid_to else "always"


def _trigger(session: so.Session, rule: str, text: str) -> tuple[dt.date | dt.datetime, str | None]:
    """The trigger: a date as given, or a date-time with its UTC offset read where the
    rule's court sits (a removal scheduled at 22:30 in Dubai is the same day in Paris, or
    not), with a step saying so; a rule counted in hours (Rule 39) uses its time."""
    if "T" not in text.upper():
        try:
            return parse_date(text), None
        except ValueError as exc:
            raise click.BadParameter(
                f"{exc}; or a date-time with its UTC offset (2026-05-15T22:30+04:00)",
                param_hint="--from",
            ) from None
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date-time with its UTC offset (2026-05-15T22:30+04:00)",
            param_hint="--from",
        ) from None
    if instant.tzinfo is None:
        raise click.BadParameter(
            f"{text!r} has no UTC offset: give it as it was written where it happens, "
            "e.g. 2026-05-15T22:30+04:00",
            param_hint="--from",
        )
    try:
        zone_name = deadlines.versions(session, rule)[0].jurisdiction.timezone
    except TrackerError as error:
        raise click.BadParameter(error.message, param_hint="RULE") from None
    local = instant.astimezone(zone(zone_name))
    try:
        in_range(local.date())
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--from") from None
    given = f"{instant:%Y-%m-%d %H:%M} {_offset(instant)}"
    step = f"Trigger given as {given} = {local:%H:%M} on {rules.day(local.date())} in {zone_name}"
    return local, step


def _day_of(trigger: dt.date | dt.datetime) -> dt.date:
    return trigger.date() if isinstance(trigger, dt.datetime) else trigger


def _offset(instant: dt.datetime) -> str:
    """ "+04:00", "-03:30", "+00:00"."""
    text = f"{instant:%z}"
    return f"{text[:3]}:{text[3:5]}"


@main.command("deadline")
@click.argument("rule")
@click.option(
    "--from",
    "trigger",
    required=True,
    metavar="DATE",
    help="The day of the trigger event (YYYY-MM-DD), or its date-time with a UTC offset "
    "(2026-05-15T22:30+04:00): read as a day where the rule's court sits.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def deadline(rule: str, trigger: str, as_json: bool) -> None:
    """Compute a deadline without storing it, and show each step."""

    with unit_of_work() as session:
        trigger_at, given = _trigger(session, rule, trigger)
        try:
            row, computation = deadlines.compute(session, rule, trigger_at)
        except TrackerError as exc:
            raise click.BadParameter(exc.message, param_hint="RULE") from None
        steps = ([given] if given else []) + list(computation.steps)
        due_at = computation.due_at
        if as_json:
            answer = {
                "rule": row.code,
                "trigger": _day_of(trigger_at).isoformat(),
                "trigger_at": trigger_at.isoformat() if given else None,
                "due_on": computation.due_on.isoformat(),
                "due_at": due_at.isoformat() if due_at is not None else None,
                "owed_by": row.owed_by.value,
                "met_by": list(row.met_by),
                "article": row.article,
                "source_url": row.source_url,
                "checked_on": row.checked_on.isoformat() if row.checked_on else None,
                "steps": steps,
            }
            click.echo(json.dumps(answer, ensure_ascii=False))
            return
        if row.owed_by == Party.authority:
            met_by = ", ".join(row.met_by) or "—"
            click.echo(printable(f"Owed by the authority; met by {met_by}."))
    for step in steps:
        click.echo(printable(step))


# --- delays ---------------------------------------------------------------------------


@main.command()
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Scan as of this day (YYYY-MM-DD; default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the open flags as a JSON list.")
@click.option(
    "--notify",
    is_flag=True,
    help="Queue the alerts: outcome prompts to staff, the digest to coordinators now.",
)
def scan(as_of: str | None, as_json: bool, notify: bool) -> None:
    """Run the delay rules, store the flags, and print the open ones."""

    try:
        day = parse_date(as_of) if as_of is not None else clock.today()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    thresholds = _settings().delays
    with unit_of_work() as session:
        result = delays.run(session, clock.now(), day, thresholds)
    if as_json:
        flags = [stored.as_dict(day) for stored in result.open]
        click.echo(json.dumps(flags, ensure_ascii=False))
        if notify:
            _notify(quiet_stdout=True)
        return
    for stored in result.open:
        flag = stored.flag
        subject = flag.key.split(":", 1)[1].replace(":", " ")
        click.echo(f"{flag.severity:<8}  {flag.rule:<21}  {subject:<16}  {printable(flag.message)}")
    counts = result.summary()
    plural = "" if counts["open"] == 1 else "s"
    click.echo(
        f"{counts['open']} open flag{plural} as of {day}: {counts['new']} new, "
        f"{counts['reopened']} reopened, {counts['escalated']} escalated, "
        f"{counts['updated']} updated; {counts['resolved']} resolved."
    )
    if notify:
        _notify(quiet_stdout=False)


def _notify(quiet_stdout: bool) -> None:
    """Queue what the scan's flags call for; the outbox sends it (`tracker outbox --send`)."""
    settings, now = _settings(), clock.now()
    with unit_of_work() as session:
        prompts = alerts.outcome_prompts(session, now, settings)
        digests = alerts.digests(session, now, settings, any_hour=True)
    click.echo(f"alerts: {prompts}; {digests}", err=quiet_stdout)


# --- mail -----------------------------------------------------------------------------


@main.command()
@click.option("--send", is_flag=True, help="Send what is due now and print a summary.")
@click.option(
    "--status",
    type=click.Choice(["queued", "sending", "sent", "failed", "unknown"]),
    help="Only rows with this status.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def outbox(send: bool, status: str | None, limit: int) -> None:
    """List the mail outbox (newest first), or send what is due."""

    if send:
        settings = _settings()
        sender = senders.sender_for(settings)
        database = Database(settings.database_url)
        try:
            _require_migrated(database.url)
            click.echo(mail.send_due(database, sender, settings))
        finally:
            database.dispose()
        return
    with unit_of_work() as session:
        rows = mail.listing(session, status=mail.Status(status) if status else None, limit=limit)
    if not rows:
        click.echo("No mail in the outbox." if status is None else f"No {status} mail.")
    for row in rows:
        click.echo(_outbox_line(row))


_OUTBOX_WHEN = {"queued": "next_attempt_at", "sending": "lease_until", "sent": "sent_at"}
POSSIBLY_SENT_TWICE = "possibly sent twice"


def _outbox_line(row) -> str:
    """id, status, attempts, next attempt / lease end / sent at (UTC), to, subject; error.

    A mail sent after an interrupted send says so on a line of its own.
    """
    field = _OUTBOX_WHEN.get(row.status.value)
    when = getattr(row, field) if field else None
    stamp = f"{when:%Y-%m-%d %H:%M}" if when else "-"
    line = f"{row.id:>6}  {row.status.value:<7} {row.attempts:>2}  {stamp:<16}  " + printable(
        f"{row.to_address}  {row.subject}"
    )
    if row.last_error and row.status.value != "sent":
        line += "\n        " + printable(row.last_error.splitlines()[0])
    if row.possibly_sent_twice:
        line += (
            f"\n        {POSSIBLY_SENT_TWICE}: a send at {row.interrupted_at:%Y-%m-%d %H:%M:%S} UTC"
            " was cut off before its answer"
        )
    return line


# --- web ------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-scheduler", is_flag=True, help="Do not run the periodic jobs in-process.")
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Run the web app and the JSON API, with the scheduler in the same process.

    One process only: with several web workers (gunicorn), run `tracker scheduler` apart.
    """

    settings = _settings()
    _require_migrated(settings.database_url)
    app = create_app(settings)
    click.echo(f"tracker: http://{host}:{port}/  (API under /api/v1, Ctrl-C to stop)")
    click.echo(f"database: {_redacted(settings.database_url)}; mail: {settings.mail_backend}")
    jobs = None if no_scheduler else scheduler.build(app.extensions["tracker"], settings)
    if jobs is not None:
        _log_jobs()
        jobs.start()
        click.echo(f"scheduler: {len(scheduler.JOBS)} jobs running in this process")
    try:
        app.run(host=host, port=port, use_reloader=False)
    finally:
        if jobs is not None:
            jobs.shutdown(wait=False)


@main.command("scheduler")
def run_scheduler() -> None:
    """Run the periodic jobs alone (delay scan, alerts, reminders, the outbox)."""
    settings = _settings()
    _require_migrated(settings.database_url)
    database = Database(settings.database_url)
    _log_jobs()
    for job in scheduler.JOBS:
        click.echo(f"{job.name:<20} {job.description}")
    click.echo("scheduler running; Ctrl-C to stop")
    try:
        scheduler.build(database, settings, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        database.dispose()


def _log_jobs() -> None:
    """Show what the jobs do on stderr (a deployment's process manager keeps it)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- users and tokens -----------------------------------------------------------------


@main.group()
def user() -> None:
    """Create users, set their passwords, reset their second factors."""


@user.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="The user's full name.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of the user.")
def user_add(email: str, role: str, name: str, timezone: str) -> None:
    """Create a user and print a one-time password."""

    with unit_of_work() as session:
        command = NewUser.parse({"email": email, "role": role, "name": name, "timezone": timezone})
        created, password = users.create_user(session, CLI, clock.now(), command)
    click.echo(f"Created {created.email} ({created.role.value}). One-time password:")
    click.echo(password)


@user.command("password")
@click.argument("email")
def user_password(email: str) -> None:
    """Set a new password for a user and print it."""
    with unit_of_work() as session:
        found = users.get_by_email(session, email)
        password = users.set_password(session, CLI, clock.now(), found)
    click.echo(f"New password for {found.email}:")
    click.echo(password)


@user.command("reset-factors")
@click.argument("email")
def user_reset_factors(email: str) -> None:
    """Remove a user's second factors and recovery codes (a lost phone and lost codes);
    their sessions end. Check who is asking before you do it."""
    with unit_of_work() as session:
        found = users.get_by_email(session, email)
        removed = factors.reset(session, CLI, clock.now(), found)
    click.echo(
        f"Removed {removed} second factor{'s' if removed != 1 else ''} and the recovery codes "
        f"of {found.email}; their sessions are ended."
    )


@main.group()
def token() -> None:
    """API tokens (sent as 'Authorization: Bearer <token>')."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in lists).")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    default=TokenScope.read_write.value,
    show_default=True,
    help="read: GET only; read-write: also writes.",
)
@click.option(
    "--expires",
    metavar="DATE",
    help="Last day it works (YYYY-MM-DD), to its end in the user's time zone.",
)
def token_create(email: str, name: str, scope: str, expires: str | None) -> None:
    """Create an API token for a user and print it (it is shown only once)."""

    with unit_of_work() as session, _option_at_fault("expires_on", "--expires"):
        command = NewToken.parse({"name": name, "scope": scope, "expires_on": expires})
        found = users.get_by_email(session, email)
        made, new_token = users.create_token(session, CLI, clock.now(), found, command)
        label = f"API token {made.id} for {found.email} ({found.role.value}), {_token_terms(made)}:"
    click.echo(label)
    click.echo(new_token)


@token.command("list")
@click.argument("email")
def token_list(email: str) -> None:
    """List a user's API tokens: id, name, scope, created, expires, last used, state."""
    now = clock.now()
    with unit_of_work() as session:
        found = users.get_by_email(session, email)
        rows = users.list_tokens(session, CLI, found)
        if not rows:
            click.echo(f"{found.email} has no API token.")
            return
        click.echo(
            f"{'id':>6}  {'name':<24} {'scope':<10} {'created':<20} {'expires':<20} "
            f"{'last used':<20} state"
        )
        for row in rows:
            click.echo(_token_line(row, now))


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=click.IntRange(1, MAX_ID))
def token_revoke(token_id: int) -> None:
    """Revoke an API token at once, given its id (`tracker token list EMAIL`)."""
    with unit_of_work() as session:
        revoked = users.revoke_token(session, CLI, clock.now(), token_id)
        label = (
            f"API token {revoked.id} of {revoked.user.email} ({printable(revoked.name)}) "
            f"is revoked since {_stamp(revoked.revoked_at)}."
        )
    click.echo(label)


@contextmanager
def _option_at_fault(field: str, option: str) -> Iterator[None]:
    """A refusal of the command's `field` names the option that gave it."""
    try:
        yield
    except TrackerError as exc:
        if exc.field != field:
            raise
        raise click.BadParameter(exc.message, param_hint=option) from None


def _stamp(when: dt.datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC" if when else "-"


def _token_terms(row: ApiToken) -> str:
    expires = f"expires {_stamp(row.expires_at)}" if row.expires_at else "no expiry"
    return f"{row.scope.value}, {expires}"


def _token_line(row: ApiToken, now: dt.datetime) -> str:
    """id, name, scope, created, expires, last used (UTC), state."""
    name = printable(row.name) or "-"
    return (
        f"{row.id:>6}  {name:<24} {row.scope.value:<10} {_stamp(row.created_at):<20} "
        f"{_stamp(row.expires_at):<20} {_stamp(row.last_used_at):<20} {row.state(now)}"
    )


# --- calendar feeds -------------------------------------------------------------------


@main.group()
def feed() -> None:
    """Calendar feeds: subscription URLs for calendar apps, and revoking them."""


@feed.command("create")
@click.argument("email")
@click.option("--matter", "matter_id", type=click.IntRange(1, MAX_ID), help="Only this matter.")
@click.option("--jurisdiction", metavar="CODE", help="Only proceedings in this jurisdiction.")
@click.option(
    "--privacy", type=click.Choice(["full", "minimal"]), default="full", show_default=True
)
@click.option("--alarms", is_flag=True, help="Add reminders (off: the calendar app decides).")
@click.option("--name", default="", help="The calendar's name in the app.")
def feed_create(
    email: str,
    matter_id: int | None,
    jurisdiction: str | None,
    privacy: str,
    alarms: bool,
    name: str,
) -> None:
    """Make a feed for a user and print its URL (it is shown only once)."""

    if matter_id is not None and jurisdiction is not None:
        raise click.UsageError("give --matter or --jurisdiction, not both")
    scope = "matter" if matter_id is not None else "jurisdiction" if jurisdiction else "mine"
    command = NewFeed.parse(
        {
            "scope": scope,
            "matter_id": matter_id,
            "jurisdiction": jurisdiction,
            "privacy": privacy,
            "alarms": alarms,
            "name": name,
        }
    )
    settings = _settings()
    with unit_of_work() as session:
        owner = users.get_by_email(session, email)
        made, secret = feeds.create_feed(session, CLI, clock.now(), owner, command)
        label = f"Feed {made.id} for {owner.email}: {printable(made.name)} ({made.privacy.value})"
    url, webcal = feeds.urls(settings.base_url, secret)
    click.echo(label)
    click.echo(webcal)
    click.echo(url)


@feed.command("revoke")
@click.argument("url_or_token")
def feed_revoke(url_or_token: str) -> None:
    """Revoke a feed at once, given its URL (https or webcal) or its token."""
    with unit_of_work() as session:
        revoked = feeds.revoke_token(session, CLI, clock.now(), url_or_token)
        label = f"Revoked feed {revoked.id} of {revoked.owner.email} ({printable(revoked.name)})."
    click.echo(label)


@feed.command("revoke-all")
@click.argument("email")
def feed_revoke_all(email: str) -> None:
    """Revoke every live feed of a user (someone left, a device was lost)."""

    command = FeedsOf.parse({"email": email})
    with unit_of_work() as session:
        owner, revoked = feeds.revoke_feeds_of(session, CLI, clock.now(), command)
    click.echo(f"Revoked {len(revoked)} feed{'' if len(revoked) == 1 else 's'} of {owner.email}.")


# --- the audit log --------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The audit log: prove that it was not edited."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as a JSON object.")
@click.option(
    "--expect",
    metavar="HASH",
    help="Fail unless an entry of the chain has this hash (a head written down earlier).",
)
def audit_verify(as_json: bool, expect: str | None) -> None:
    """Walk the audit log's hash chain from its start; exit 1 naming the first entry that
    was changed or removed. The head printed last pins every entry before it: write it
    down elsewhere, and check it later with --expect."""
    if expect is not None and not chain.is_hash(expect):
        raise BadInput(f"--expect {printable(expect)!r} is not a hash: 64 hexadecimal digits")
    with unit_of_work() as session:
        report = audit_log.verify(session)
        anchor = audit_log.holding(session, expect.lower()) if expect else None
    failure = _audit_failure(report, expect, anchor)
    if as_json:
        click.echo(json.dumps(_audit_json(report, expect, anchor)))
    elif failure is None:
        click.echo(_audit_summary(report, expect, anchor))
        click.echo(f"Head: {report.head}")
    if failure is not None:
        raise click.ClickException(failure)


def _audit_failure(report: chain.Report, expect: str | None, anchor: int | None) -> str | None:
    if report.broken is not None:
        return f"the audit log was altered: {report.broken.reason}"
    if expect is not None and anchor is None:
        return (
            f"no entry of the chain has the hash {expect.lower()}: the log was rewritten "
            "after it was written down (or it is another log's)"
        )
    return None


def _audit_summary(report: chain.Report, expect: str | None, anchor: int | None) -> str:
    entries = f"{report.entries:,} entr{'y' if report.entries == 1 else 'ies'}"
    last = f", the last is entry {report.last_id}" if report.last_id is not None else ""
    pinned = f"; the hash expected is entry {anchor}'s" if expect else ""
    return f"The audit log's chain is intact: {entries}{last}{pinned}."


def _audit_json(report: chain.Report, expect: str | None, anchor: int | None) -> dict[str, Any]:
    broken = report.broken
    found = {"expected": expect.lower(), "entry_id": anchor} if expect else None
    return {
        "intact": report.intact,
        "entries": report.entries,
        "last_id": report.last_id,
        "head": report.head,
        "broken": {"entry_id": broken.entry_id, "reason": broken.reason} if broken else None,
        "expect": found,
    }


# --- reports --------------------------------------------------------------------------------


@main.group()
def report() -> None:
    """Statistics over the proceedings."""


@report.command("delays")
@click.option(
    "--from", "start", metavar="YYYY-MM-DD", help="First day (default: 1 January of --to's year)."
)
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day, included (default: today).")
@click.option(
    "--group-by",
    default="jurisdiction",
    type=click.Choice([choice.value for choice in GroupBy]),
    help="One row per country, per kind of proceeding, or per both.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (the page's download).")
def report_delays(start: str | None, end: str | None, group_by: str, as_csv: bool) -> None:
    """Delay statistics (CEPEJ, CourTools) of every proceeding over a period."""
    query = DelaysQuery.read({"from": start, "to": end, "group_by": group_by})
    with unit_of_work() as session:
        answer = report_queries.delays(session, CLI, query).answer
    table = report_queries.table(answer)
    if as_csv:
        click.echo(spreadsheet.text(report_queries.COLUMNS, table), nl=False)
        return
    click.echo(f"Delay statistics, {answer.from_} to {answer.to} ({answer.days} days)")
    shown = [("group", 18), *((name, len(name) + 1) for name in REPORT_COLUMNS)]
    click.echo("".join(name.ljust(width) for name, width in shown).rstrip())
    for row in table:
        values = dict(zip(report_queries.COLUMNS, row, strict=True))
        group = "/".join(str(v) for v in (values["jurisdiction"], values["kind"]) if v) or "all"
        cells = [printable(group).ljust(18)]
        cells += [_cell(values[name]).ljust(width) for name, width in shown[1:]]
        click.echo("".join(cells).rstrip())


#: the columns the terminal shows (the CSV has them all)
REPORT_COLUMNS = (
    "incoming",
    "resolved",
    "pending_end",
    "clearance_rate",
    "disposition_time_days",
    "age_pending_median_days",
    "postponements",
    "hearing_dates_mean",
)


def _cell(value: Any) -> str:
    return "n/a" if value is None else str(value)


# --- chronology -----------------------------------------------------------------------


@main.command("chronology")
@click.argument("matter_id", metavar="MATTER_ID", type=click.IntRange(1, MAX_ID))
@click.option(
    "--format", "format_", type=click.Choice([f.value for f in Format]), default="docx",
    show_default=True, help="pdf needs Pango (libpango-1.0-0, libpangoft2-1.0-0).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
    help="The file to write (- for standard output).",
)  # fmt: skip
@click.option(
    "--proceeding", "proceedings", type=click.IntRange(1, MAX_ID), multiple=True,
    help="Only this proceeding of the matter (repeat for more; default: all).",
)  # fmt: skip
@click.option("--from", "from_", metavar="YYYY-MM-DD", help="Leave out what happened before.")
@click.option("--to", metavar="YYYY-MM-DD", help="Leave out what happened after.")
@click.option(
    "--privacy", type=click.Choice([p.value for p in Privacy]), default="full", show_default=True,
    help="pseudonymised: people's names as initials, references kept.",
)  # fmt: skip
def chronology(
    matter_id: int,
    format_: str,
    output: str,
    proceedings: tuple[int, ...],
    from_: str | None,
    to: str | None,
    privacy: str,
) -> None:
    """Write a matter's chronology as a document (DOCX, PDF, Markdown or CSV)."""
    values: dict[str, Any] = {"format": format_, "from": from_, "to": to, "privacy": privacy}
    if proceedings:
        values["proceedings"] = list(proceedings)
    with _option_at_fault("from", "--from"), _option_at_fault("to", "--to"):
        try:
            options = ChronologyQuery.model_validate(values)
        except pydantic.ValidationError as exc:
            raise refusal(exc) from None
    with unit_of_work() as session, _option_at_fault("proceedings", "--proceeding"):
        found = chronologies.export(session, CLI, matter_id, options, clock.today())
    with click.open_file(output, "wb") as out:
        out.write(found.body)
    if output != "-":
        click.echo(f"Wrote the chronology of matter {matter_id} to {printable(output)}")
