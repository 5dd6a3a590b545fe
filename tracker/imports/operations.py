"""Import records from spreadsheets, all or nothing.

Every row goes through the typed command and the operation a form uses, so it is
checked, written and audited the same way. The whole import runs in a savepoint, each
row in its own: a refused row is undone alone and reported (file, line, column, why),
and the next rows are still checked; the import is kept only when no row was refused,
otherwise (and for a dry run) it is undone whole. One audit entry records the import
itself: its files and their SHA-256.

The rows are written `batched` (`tracker.audit.operations`): a kind's rows are
flushed together, so each table gets a few multi-row INSERTs, not one per row; what
needs a new row's id (a link, a trigger, a move of a new hearing) waits for that flush.

Rows are matched on a stable key, so a file imported twice changes nothing: a matter
on its number, a proceeding on its jurisdiction and reference, an event on its
proceeding, kind, date and summary, a deadline on its proceeding and title and day (or
rule and trigger), a hearing on its proceeding and the time it was first set for. A
matched record is kept as the tracker has it; where the file says otherwise the report
notes it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import exc as sa_exc

from tracker.audit import operations as audit
from tracker.core import collector, limits
from tracker.core.actors import Actor
from tracker.core.commands import Command
from tracker.core.errors import Invalid, TrackerError
from tracker.deadlines import operations as deadlines
from tracker.deadlines.models import DeadlineStatus
from tracker.deadlines.schemas import DeadlineChanges, NewDeadline
from tracker.hearings import operations as hearings
from tracker.hearings.models import Hearing
from tracker.hearings.schemas import NewHearing, Outcome, Postpone
from tracker.imports import queries, sheets
from tracker.imports.columns import KINDS
from tracker.imports.queries import ProceedingKey
from tracker.imports.sheets import Row, Table, Upload
from tracker.matters import events
from tracker.matters import operations as matters
from tracker.matters.models import Proceeding
from tracker.matters.schemas import NewEvent, NewMatter, NewProceeding
from tracker.users import access
from tracker.users.models import Role

IMPORTERS = (Role.admin, Role.coordinator)
#: what a report counts, in this order
COUNTED = (*KINDS, "postponements", "outcomes")
#: PostgreSQL advisory lock: two imports never match keys against each other's rows
IMPORT_LOCK = 0x1A9047


@dataclass(frozen=True)
class Problem:
    where: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{self.where} line {self.line}{column}: {self.message}"


@dataclass
class Report:
    files: list[tuple[str, str]]  # (name, SHA-256)
    dry_run: bool
    rows: int = 0
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    #: rows that match a record the tracker holds otherwise: the record is kept
    notes: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    written: bool = False

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    def refuse(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < limits.IMPORT_PROBLEMS:
            self.problems.append(problem)

    def summary(self) -> str:
        def counted(counter: Counter[str]) -> str:
            counts = [(counter[k], k if counter[k] > 1 else k[:-1]) for k in COUNTED if counter[k]]
            return ", ".join(f"{n} {what}" for n, what in counts) or "nothing"

        if not self.valid:
            return (
                f"{self.problem_count} of {self.rows} rows refused: nothing was written."
                if not self.dry_run
                else f"{self.problem_count} of {self.rows} rows refused."
            )
        done = "would create" if self.dry_run else "created"
        return (
            f"{self.rows} rows checked: {done} {counted(self.created)}; "
            f"already in the tracker: {counted(self.unchanged)}."
        )


class Refused(Exception):
    """A row cannot be imported: the column at fault (or None) and why; `row` is set
    where a record spans several rows (a hearing and its moves)."""

    def __init__(self, column: str | None, message: str, row: Row | None = None):
        super().__init__(message)
        self.column, self.message, self.row = column, message, row


@dataclass(frozen=True)
class Batch:
    """The files of one import, read and checked for shape."""

    files: list[tuple[str, str]]  # (name, SHA-256)
    tables: list[Table]

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables)


def read(uploads: list[Upload]) -> Batch:
    """Read the files; one that cannot be read, or holds no rows, raises `Invalid`."""
    batch = Batch([(u.name, u.sha256) for u in uploads], sheets.read(uploads))
    if not batch.rows:
        raise Invalid("no rows to import: each file has its header only")
    return batch


def run(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    batch: Batch,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every row and, unless one is refused or this is a dry run, write them all;
    the caller commits. `progress` is told how many rows each step has done."""
    access.require_role(actor, *IMPORTERS, doing="import records")
    _lock(session)
    told = _Told(progress or (lambda _n: None))
    with collector.held_off():
        try:
            report, outer = _attempt(session, actor, now, batch, dry_run, told, careful=False)
        except _Restart:
            told.again()
            report, outer = _attempt(session, actor, now, batch, dry_run, told, careful=True)
    if dry_run or not report.valid:
        outer.rollback()
        return report
    outer.commit()
    audit.record_attempt(session, actor, now, "import", "import", None, after=_entry(report))
    report.written = True
    return report


class _Restart(Exception):
    """An operation refused a row in the fast pass: its writes may be half done."""


class _Told:
    """Progress told once per row, though a refused import checks its rows twice."""

    def __init__(self, progress: Callable[[int], None]):
        self.progress, self.told, self.skip = progress, 0, 0

    def __call__(self, rows: int) -> None:
        skipped = min(self.skip, rows)
        self.skip -= skipped
        if rows > skipped:
            self.told += rows - skipped
            self.progress(rows - skipped)

    def again(self) -> None:
        self.skip = self.told


def _attempt(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    batch: Batch,
    dry_run: bool,
    progress: Callable[[int], None],
    *,
    careful: bool,
) -> tuple[Report, Any]:
    """Every row, in a savepoint the caller keeps or undoes. The fast pass writes rows
    without savepoints of their own and gives up at the first row an operation refuses
    (`_Restart`); the careful pass puts each row in a savepoint, to undo it alone and go
    on checking the others."""
    report = Report(batch.files, dry_run, rows=batch.rows)
    outer = session.begin_nested()
    try:
        _Import(session, actor, now, report, progress, careful=careful).run(batch.tables)
    except BaseException:
        outer.rollback()
        raise
    return report, outer


def _lock(session: so.Session) -> None:
    """One import at a time: two matching keys against each other's unwritten rows would
    both create the same records. PostgreSQL: an advisory lock to the end of the
    transaction. SQLite: the database's write lock, taken now by a write that changes
    nothing (held to the commit)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(IMPORT_LOCK)))
    else:
        connection.execute(sa.text("UPDATE matters SET id = id WHERE 1 = 0"))


def _entry(report: Report) -> dict[str, Any]:
    return {
        "files": [{"name": name, "sha256": sha} for name, sha in report.files],
        "rows": report.rows,
        "created": dict(report.created),
        "unchanged": dict(report.unchanged),
    }


# --- the rows ----------------------------------------------------------------------------


def _cells(row: Row, names: Iterable[str], renamed: dict[str, str] | None = None) -> dict[str, Any]:
    """The row's non-empty cells among `names`, as a command's fields."""
    renamed = renamed or {}
    return {renamed.get(name, name): row[name] for name in names if row[name]}


def _parse(command: type[Command], data: dict[str, Any], columns: dict[str, str]) -> Any:
    """The command, or `Refused` naming the column of the field at fault."""
    try:
        return command.parse(data)
    except TrackerError as exc:
        raise Refused(columns.get(exc.field or "", exc.field), exc.message) from None


class _Import:
    def __init__(
        self,
        session: so.Session,
        actor: Actor,
        now: dt.datetime,
        report: Report,
        progress: Callable[[int], None],
        *,
        careful: bool,
    ):
        self.session, self.actor, self.now, self.careful = session, actor, now, careful
        self.report, self.progress = report, progress
        self.matters: dict[str, int] = {}
        self.matter_titles: dict[str, str] = {}
        self.found: dict[ProceedingKey, queries.ProceedingFound] = {}
        self.proceedings: dict[ProceedingKey, int] = {}
        self.twins: set[ProceedingKey] = set()
        #: the keys of matters and proceedings the file has named so far: where
        self.seen: dict[object, str] = {}
        #: what a refused row would have created: the rows that name it say so
        self.failed: dict[object, str] = {}
        self.events: dict[queries.EventKey, int] = {}
        self.deadlines: dict[tuple[int, str, object], str] = {}
        self.hearings: dict[tuple[int, dt.datetime], queries.HearingFound] = {}
        #: proceedings whose new events may meet an authority's time limit
        self.followed: set[int] = set()
        #: the matters, proceedings and new hearings named: held here, as the session
        #: holds them weakly
        self.held: dict[object, object] = {}
        #: new rows whose ids go into these dicts once flushed: (dict, key, row)
        self.unflushed: list[tuple[dict[Any, Any], object, Any]] = []
        #: what waits for the next flush: (the row it is for, the work)
        self.later: list[tuple[Row, Callable[[], None]]] = []

    def run(self, tables: list[Table]) -> None:
        by_kind = {
            kind: [row for t in tables if t.kind == kind for row in t.rows] for kind in KINDS
        }
        with audit.batched(self.session):
            self._find(by_kind)
            self._rows(by_kind["matters"], "matters", self._matter)
            self._settle()
            for level in _linked_levels(by_kind["proceedings"]):
                self._rows(level, "proceedings", self._proceeding)
                self._settle()
            self._find_contents()
            self._rows(by_kind["events"], "events", self._event)
            self._settle()
            # what the events meet, once for them all (as `create_event` does for one)
            with self._writing():
                deadlines.meet_authority_deadlines(
                    self.session, self.actor, self.now, self.followed
                )
            self._rows(by_kind["deadlines"], "deadlines", self._deadline)
            self._settle()
            for rows in _hearings(by_kind["hearings"]):
                self._hearing(rows)
            self._settle()
        # in the order they were written: a refused proceeding before the rows naming it
        rank = {t.where: (KINDS.index(t.kind), i) for i, t in enumerate(tables)}
        self.report.problems.sort(key=lambda p: (rank[p.where], p.line))

    # -- what the tracker holds

    def _find(self, by_kind: dict[str, list[Row]]) -> None:
        numbers = {r["number"] for r in by_kind["matters"]} | {
            r["matter"] for r in by_kind["proceedings"]
        }
        found = queries.matters(self.session, numbers - {""})
        self.matters = {number: matter.id for number, matter in found.items()}
        self.matter_titles = {number: matter.title for number, matter in found.items()}
        references = {r["reference"] for rows in by_kind.values() for r in rows} | {
            r[c] for r in by_kind["proceedings"] for c in ("parent_reference", "origin_reference")
        }
        self.found = queries.proceedings(self.session, references - {""})
        for key, proceeding in self.found.items():
            self.proceedings[key] = proceeding.ids[0]
            if len(proceeding.ids) > 1:
                self.twins.add(key)

    def _find_contents(self) -> None:
        ids = set(self.proceedings.values())
        self.held.update((p.id, p) for p in queries.load_proceedings(self.session, ids))
        self.events = queries.events(self.session, ids)
        self.deadlines = queries.deadlines(self.session, ids)
        self.hearings = queries.hearings(self.session, ids)

    # -- one row at a time

    def _rows(self, rows: Iterable[Row], kind: str, handle: Callable[[Row], bool]) -> None:
        for row in rows:
            try:
                created = handle(row)
            except Refused as exc:
                self.report.refuse(Problem(row.where, row.line, exc.column, exc.message))
            else:
                (self.report.created if created else self.report.unchanged)[kind] += 1
            self.progress(1)

    @contextmanager
    def _writing(self, columns: dict[str, str] | None = None) -> Iterator[None]:
        """A row's writes: undone alone if an operation refuses them (careful pass), or
        ending the fast pass."""
        if not self.careful:
            try:
                yield
            except (TrackerError, sa_exc.IntegrityError, Refused):
                raise _Restart from None
            return
        try:
            with self.session.begin_nested():
                yield
        except TrackerError as exc:
            column = (columns or {}).get(exc.field or "", exc.field)
            raise Refused(column, exc.message) from None
        except sa_exc.IntegrityError:
            raise Refused(None, "someone wrote the same record meanwhile: import again") from None

    def _settle(self) -> None:
        """Write the rows added so far (a flush), give their ids to the dicts that await
        them, then do the work that waited for them (and write it too)."""
        with self._writing():
            self.session.flush()
        for where, key, row in self.unflushed:
            where[key] = row.id
        self.unflushed.clear()
        later, self.later = self.later, []
        for row, work in later:
            try:
                with _blaming(row), self._writing(_HEARING_COLUMNS):
                    work()
            except Refused as exc:
                at = exc.row or row
                self.report.refuse(Problem(at.where, at.line, exc.column, exc.message))
        if later:
            with self._writing():
                self.session.flush()

    def _created(self, where: dict[Any, Any], key: object, row: object) -> None:
        """`row`, new, is `where[key]` once flushed (`_settle`)."""
        self.held[key] = row
        self.unflushed.append((where, key, row))

    def _note(self, row: Row, column: str, message: str) -> None:
        self.report.notes.append(Problem(row.where, row.line, column, message))

    # -- matters

    def _matter(self, row: Row) -> bool:
        number = row["number"]
        with self._keyed(number, row, "number"):
            if len(number) > limits.MATTER_NUMBER:
                raise Refused("number", f"at most {limits.MATTER_NUMBER} characters")
            command = _parse(NewMatter, _matter_fields(row), {})
            if number in self.matters:
                title = self.matter_titles.get(number, command.title)
                if title != command.title:
                    self._note(row, "title", f"the tracker's title is kept: {title!r}")
                return False
            with self._writing():
                matter = matters.create_matter(
                    self.session, self.actor, self.now, command, key=number
                )
            self._created(self.matters, number, matter)
            self.matter_titles[number] = command.title
            return True

    @contextmanager
    def _keyed(self, key: object, row: Row, column: str) -> Iterator[None]:
        """A row that names a record by its key: refused if another row of the file
        names it too; if refused, the rows that name it later say so."""
        if key in self.seen:
            raise Refused(column, f"this {column} is also on {self.seen[key]}")
        self.seen[key] = f"{row.where} line {row.line}"
        try:
            yield
        except Refused:
            self.failed[key] = self.seen[key]
            raise

    # -- proceedings

    def _proceeding(self, row: Row) -> bool:
        key = _key(row)
        with self._keyed(key, row, "reference"):
            data = _cells(row, _PROCEEDING_FIELDS)
            data["matter_id"] = self._matter_id(row["matter"])
            for link, column in (("parent", "parent_reference"), ("origin", "origin_reference")):
                if row[column]:
                    target = (row[f"{link}_jurisdiction"] or row["jurisdiction"], row[column])
                    data[f"{link}_id"] = self._proceeding_id(target, column)
            command = _parse(NewProceeding, data, {"matter_id": "matter"} | _LINK_COLUMNS)
            if key in self.twins:
                raise Refused("reference", self._twins(key))
            if key in self.proceedings:
                self._compare(row, key, command)
                return False
            with self._writing(_LINK_COLUMNS):
                created = matters.create_proceeding(self.session, self.actor, self.now, command)
            self._created(self.proceedings, key, created)
            return True

    def _compare(self, row: Row, key: ProceedingKey, command: NewProceeding) -> None:
        found = self.found.get(key)
        if found is None:
            return
        if found.matter_id != command.matter_id:
            raise Refused("matter", f"{key[0]} {key[1]} belongs to another matter in the tracker")
        for name in ("kind", "status"):
            if str(getattr(found, name)) != str(getattr(command, name)):
                self._note(row, name, f"the tracker's {name} is kept: {getattr(found, name)}")

    def _matter_id(self, number: str) -> int:
        if number in self.matters:
            return self.matters[number]
        if number in self.failed:
            raise Refused("matter", f"matter {number} was refused ({self.failed[number]})")
        raise Refused("matter", f"no matter numbered {number!r} in the tracker or in this import")

    def _proceeding_id(self, key: ProceedingKey, column: str = "reference") -> int:
        if key in self.twins:
            raise Refused(column, self._twins(key))
        if key in self.proceedings:
            return self.proceedings[key]
        if key in self.failed:
            raise Refused(column, f"proceeding {key[0]} {key[1]} was refused ({self.failed[key]})")
        raise Refused(column, f"no proceeding {key[0]} {key[1]} in the tracker or in this import")

    def _twins(self, key: ProceedingKey) -> str:
        return (
            f"the tracker holds {len(self.found[key].ids)} proceedings {key[0]} {key[1]}: "
            "give them distinct references first"
        )

    def _proceeding_of(self, row: Row) -> Proceeding:
        key = _key(row)
        proceeding = self.session.get_one(Proceeding, self._proceeding_id(key))
        self.held[key] = proceeding
        return proceeding

    # -- events

    def _event(self, row: Row) -> bool:
        proceeding = self._proceeding_of(row)
        command = _parse(NewEvent, _cells(row, ("kind", "occurred_on", "summary", "source")), {})
        day = command.occurred_on
        key = (proceeding.id, command.kind, day.value, day.precision, command.summary)
        if key in self.events:
            return False
        with self._writing():
            event = events.create_event(
                self.session, self.actor, self.now, proceeding, command, follow=False
            )
        self.unflushed.append((self.events, key, event))
        self.followed.add(proceeding.id)
        return True

    # -- deadlines

    def _deadline(self, row: Row) -> bool:
        proceeding = self._proceeding_of(row)
        data = _cells(row, ("title", "due_on", "explanation", "owed_by", "rule"))
        if row["rule"]:
            data["trigger_event_id"] = self._trigger(row, proceeding)
        command = _parse(NewDeadline, data, _DEADLINE_COLUMNS)
        key: tuple[int, str, object] = (
            (proceeding.id, command.rule, command.trigger_event_id)
            if command.rule
            else (proceeding.id, command.title or "", command.due_on)
        )
        # the status as a form marks it, checked as that change is
        marked = _parse(DeadlineChanges, {"status": row["status"] or "open", "version": 1}, {})
        status = marked.status or DeadlineStatus.open
        if key in self.deadlines:
            found = self.deadlines[key]
            if found != str(status):
                self._note(row, "status", f"the tracker's status is kept: {found}")
            return False
        with self._writing(_DEADLINE_COLUMNS):
            deadlines.create_deadline(
                self.session, self.actor, self.now, proceeding, command, status=status
            )
        self.deadlines[key] = str(status)
        return True

    def _trigger(self, row: Row, proceeding: Proceeding) -> int:
        for column in ("trigger_kind", "trigger_on"):
            if not row[column]:
                raise Refused(column, "required with a rule: the event the rule counts from")
        command = _parse(
            NewEvent, {"kind": row["trigger_kind"], "occurred_on": row["trigger_on"]}, _TRIGGER
        )
        day = command.occurred_on
        found = [
            event_id
            for (pid, kind, value, precision, _summary), event_id in self.events.items()
            if (pid, kind, value, precision)
            == (proceeding.id, command.kind, day.value, day.precision)
        ]
        if not found:
            raise Refused(
                "trigger_on",
                f"no {command.kind} event on {day} in this proceeding: add it to the events",
            )
        if len(found) > 1:
            raise Refused("trigger_on", f"{len(found)} {command.kind} events on {day}: which one?")
        return found[0]

    # -- hearings: the rows of one hearing, its first setting then each move

    def _hearing(self, rows: list[Row]) -> None:
        try:
            self._one_hearing(rows)
        except Refused as exc:
            row = exc.row or rows[0]
            self.report.refuse(Problem(row.where, row.line, exc.column, exc.message))
        self.progress(len(rows))

    def _one_hearing(self, rows: list[Row]) -> None:
        """Set the hearing unless the tracker holds it; its moves and outcome wait for
        its flush (`_follow`)."""
        first = rows[0]
        with _blaming(first):
            proceeding = self._proceeding_of(first)
            zone = first["timezone"] or proceeding.jurisdiction.timezone
            start = first["first_starts_at"]
            if first["starts_at"] and first["starts_at"] != start:
                raise Refused("starts_at", "a hearing's first row sets it for first_starts_at")
            command = _parse(NewHearing, _hearing_fields(first, zone), _HEARING_COLUMNS)
            instant = command.starts_at.instant(zone, "first_starts_at")
        moves = [(row, self._move(row)) for row in rows[1:]]
        outcome = self._outcome(rows)
        key = (proceeding.id, instant)
        found = self.hearings.get(key)
        if found is None:
            with _blaming(first), self._writing(_HEARING_COLUMNS):
                hearing = hearings.schedule_hearing(
                    self.session, self.actor, self.now, proceeding, command
                )
            found = self.hearings[key] = queries.HearingFound(None, zone)
            self.held["hearing", key] = hearing
        follow = functools.partial(self._follow, key, found, moves, outcome)
        self.later.append((first, follow))

    def _follow(
        self,
        key: tuple[int, dt.datetime],
        found: queries.HearingFound,
        moves: list[tuple[Row, Postpone]],
        outcome: tuple[Row, Outcome] | None,
    ) -> None:
        """A hearing's moves and outcome, once it is written; what it wrote is counted
        (nothing: the tracker held it all)."""
        hearing = self.held.get(("hearing", key))
        done: Counter[str] = Counter(hearings=int(hearing is not None))
        if not isinstance(hearing, Hearing):
            hearing = self.session.get_one(Hearing, found.id)
        done["postponements"] += self._replay(hearing, found, moves)
        if outcome is not None and found.outcome is None:
            row, result = outcome
            with _blaming(row):
                hearings.record_outcome(self.session, self.actor, self.now, hearing, result)
            found.outcome = str(result.result)
            done["outcomes"] += 1
        self.report.created.update(+done)
        if not +done:
            self.report.unchanged["hearings"] += 1

    def _move(self, row: Row) -> Postpone:
        with _blaming(row):
            data: dict[str, Any] = {"reason": row["reason"], "to": row["starts_at"] or None}
            if row["decided_on"]:
                data["decided_on"] = row["decided_on"]
            if row["starts_at"]:
                data["time_known"] = "T" in row["starts_at"]
            return _parse(Postpone, data, _HEARING_COLUMNS)

    def _outcome(self, rows: list[Row]) -> tuple[Row, Outcome] | None:
        given = [row for row in rows if row["outcome"]]
        if len(given) > 1:
            raise Refused(
                "outcome", f"the hearing's outcome is also on line {given[0].line}", given[1]
            )
        if not given:
            return None
        row = given[0]
        with _blaming(row):
            data = {"result": row["outcome"], "summary": row["outcome_summary"]}
            return row, _parse(Outcome, data, {"result": "outcome", "summary": "outcome_summary"})

    def _replay(
        self, hearing: Hearing, found: queries.HearingFound, moves: list[tuple[Row, Postpone]]
    ) -> int:
        """Apply the moves the tracker does not hold yet (how many); the ones it holds must
        agree."""
        written = 0
        for index, (row, move) in enumerate(moves):
            with _blaming(row):
                to = None if move.to is None else move.to.instant(hearing.timezone, "to")
                if index < len(found.moves):
                    if found.moves[index] != to:
                        raise Refused(
                            "starts_at",
                            f"the tracker has this hearing's move {index + 1} otherwise: "
                            "correct one of them",
                        )
                    continue
                hearings.postpone(self.session, self.actor, self.now, hearing, move)
                found.moves.append(to)
                written += 1
        return written


@contextmanager
def _blaming(row: Row) -> Iterator[None]:
    """A refusal inside names this row, unless an inner one named its own (a hearing
    spans several rows)."""
    try:
        yield
    except Refused as exc:
        exc.row = exc.row or row
        raise
    except TrackerError as exc:
        column = _HEARING_COLUMNS.get(exc.field or "", exc.field)
        raise Refused(column, exc.message, row) from None


# --- the shape of the rows ---------------------------------------------------------------

_PROCEEDING_FIELDS = (
    "jurisdiction", "reference", "kind", "title", "client_role", "authority", "status",
    "opened_on", "closed_on",
)  # fmt: skip
_LINK_COLUMNS = {"parent_id": "parent_reference", "origin_id": "origin_reference"}
_DEADLINE_COLUMNS = {"trigger_event_id": "trigger_on"}
_TRIGGER = {"kind": "trigger_kind", "occurred_on": "trigger_on"}
_HEARING_COLUMNS = {"to": "starts_at", "result": "outcome", "summary": "outcome_summary"}


def _key(row: Row) -> ProceedingKey:
    return (row["jurisdiction"], row["reference"])


def _matter_fields(row: Row) -> dict[str, Any]:
    data = _cells(row, ("title", "subject", "summary"))
    data["assignees"] = [e.strip() for e in row["assignees"].split(";") if e.strip()]
    return data


def _hearing_fields(row: Row, zone: str) -> dict[str, Any]:
    data = _cells(row, ("location", "title"))
    start = row["first_starts_at"]
    data.update(starts_at=start, timezone=zone, time_known="T" in start)
    return data


def _linked_levels(rows: list[Row]) -> Iterator[list[Row]]:
    """The proceedings in levels, each after the ones it names of this file (in the
    file's order within a level; a circle of links is one level, left to be refused)."""
    keys = {_key(row) for row in rows}
    done: set[ProceedingKey] = set()
    waiting = list(rows)
    while waiting:
        ready = [row for row in waiting if _links(row) & keys <= done]
        if not ready:  # a circle: each will name a proceeding not created yet
            ready = waiting
        yield ready
        done |= {_key(row) for row in ready}
        waiting = [row for row in waiting if _key(row) not in done]


def _links(row: Row) -> set[ProceedingKey]:
    return {
        (row[f"{link}_jurisdiction"] or row["jurisdiction"], row[f"{link}_reference"])
        for link in ("parent", "origin")
        if row[f"{link}_reference"]
    }


def _hearings(rows: list[Row]) -> list[list[Row]]:
    """The rows of each hearing, in the file's order."""
    grouped: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((*_key(row), row["first_starts_at"]), []).append(row)
    return list(grouped.values())
