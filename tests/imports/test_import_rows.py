"""Spreadsheet import: every row through its typed command, all or nothing, idempotent.

On both databases: a valid dossier as CSV files and as one workbook, the same files
twice, one bad row among 1,000 (nothing written, the row named), refusals that only
the operations know, hearings with their postponements as rows, and the audit entry of
the import itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from datetime import UTC, datetime
from pathlib import Path

import factories
import pytest
import sample_files
import sqlalchemy as sa
from factories import nothing_written, row_counts

from tracker.core import clock, limits
from tracker.core.actors import CLI
from tracker.core.errors import Forbidden, Invalid
from tracker.imports import operations as imports
from tracker.imports.columns import SHEETS
from tracker.imports.sheets import Upload
from tracker.models import AuditEntry, Deadline, Hearing, Matter, Postponement, Proceeding
from tracker.users.models import User

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def countries(database):
    for code, zone in (("UA", "Europe/Kyiv"), ("KZ", "Asia/Almaty"), ("BE", "Europe/Brussels")):
        factories.jurisdiction(database, code, timezone=zone)


def run(database, uploads, *, dry_run=False, actor=CLI):
    with clock.frozen(NOW), database.unit_of_work() as session:
        return imports.run(session, actor, NOW, imports.read(uploads), dry_run=dry_run)


def records(database) -> dict[str, int]:
    counts = row_counts(database)
    kinds = ("matters", "proceedings", "events", "deadlines", "hearings", "postponements")
    return {kind: counts[kind] for kind in kinds}


DOSSIER = {
    "matters": 2,
    "proceedings": 4,
    "events": 3,
    "deadlines": 2,
    "hearings": 2,
    "postponements": 2,
}


def test_a_valid_dossier_is_written_through_the_commands(database, countries):
    report = run(database, sample_files.csv_uploads())
    assert report.valid, report.problems
    assert report.written, report.problems
    assert records(database) == DOSSIER
    assert report.created["outcomes"] == 1
    with database.sessionmaker() as session:
        matter = session.scalar(sa.select(Matter).where(Matter.key == "2019-014"))
        assert matter.subject.name == "Anna Doe"
        by_ref = {p.reference: p for p in session.scalars(sa.select(Proceeding))}
        request, case, appeal = by_ref["E-1/2019"], by_ref["170000131000099"], by_ref["A-7/2020"]
        # links by reference, the origin named before it is created in the file
        assert request.origin_id == case.id
        assert appeal.parent_id == request.id
        assert (case.opened_on, str(case.opened_precision)) == (dt.date(2016, 11, 1), "month")
        assert appeal.closed_on == dt.date(2020, 3, 2)
        assert request.authority.name == "Prosecutor General"
        done = session.scalar(sa.select(Deadline).where(Deadline.title == "Submit observations"))
        assert str(done.status) == "done"
        assert done.completed_at == NOW
        hearing = session.scalar(sa.select(Hearing).where(Hearing.proceeding_id == request.id))
        # one hearing moved twice (Kyiv is UTC+3 in summer), then held
        assert hearing.starts_at == datetime(2024, 9, 2, 8, 30, tzinfo=UTC)
        assert [p.reason for p in hearing.postponements] == [
            "Prosecutor absent",
            "Interpreter missing",
        ]
        assert str(hearing.outcome) == "held"
        assert hearing.dates_set == 3
        day_only = session.scalar(
            sa.select(Hearing).where(Hearing.proceeding_id == by_ref["20/123/A"].id)
        )
        assert day_only.time_known is False
    # a deadline done already is created so, as one entry of the audit log
    history = [
        e for e in factories.audit_entries(database, "deadlines") if e["entity_id"] == done.id
    ]
    assert [(e["action"], e["after"]["status"]) for e in history] == [("create", "done")]


def test_the_same_files_twice_change_nothing(database, countries):
    run(database, sample_files.csv_uploads())
    before = factories.table_rows(database)
    again = run(database, sample_files.csv_uploads())
    assert again.valid, again.created
    assert not +again.created, again.created
    assert again.unchanged["matters"] == 2
    assert again.unchanged["hearings"] == 2
    after = factories.table_rows(database)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["audit_entries", "audit_head"]  # the second import's own entry alone
    assert [e.action for e in _entries(database)][-1:] == ["import"]


def test_a_workbook_gives_the_same_records(database, countries):
    report = run(database, [Upload("dossier.xlsx", sample_files.workbook())])
    assert report.valid, report.problems
    assert records(database) == DOSSIER


def test_the_import_is_audited_once_with_its_files_and_checksums(database, countries):
    uploads = sample_files.csv_uploads()
    run(database, uploads)
    entries = _entries(database)
    (entry,) = [e for e in entries if e.action == "import"]
    assert entry.actor_label == "system:cli"
    assert entry.after["files"] == [{"name": u.name, "sha256": u.sha256} for u in uploads]
    assert entry.after["created"]["proceedings"] == 4
    # and every record it wrote has its own entry, as if typed in a form
    created = {e.entity for e in entries if e.action == "create"}
    assert {"matters", "proceedings", "events", "deadlines", "hearings"} <= created


def _entries(database) -> list[AuditEntry]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


def test_one_bad_row_among_a_thousand_writes_nothing_and_is_named(database, countries):
    lines = ["jurisdiction,reference,kind,occurred_on,summary"]
    lines += [
        f"BE,20/123/A,filing,2020-{1 + n % 12:02d}-{1 + n % 28:02d},Filing {n}" for n in range(1000)
    ]
    lines[733] = "BE,20/123/A,filing,2019-02-30,A day February never has"
    files = dict(sample_files.FILES, **{"events.csv": "\n".join(lines) + "\n"})
    with nothing_written(database):
        report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert not report.valid
    assert not report.written
    (problem,) = report.problems
    assert (problem.where, problem.line, problem.column) == ("events.csv", 734, "occurred_on")
    assert str(problem).startswith("events.csv line 734, column occurred_on: ")
    assert "2019-02-30" in problem.message


def test_a_dry_run_reports_and_writes_nothing(database, countries):
    with nothing_written(database):
        report = run(database, sample_files.csv_uploads(), dry_run=True)
    assert report.valid
    assert not report.written
    assert report.created["proceedings"] == 4
    assert "would create 2 matters, 4 proceedings" in report.summary()


@pytest.mark.parametrize(
    ("sheet", "line", "replace", "column", "message"),
    [
        # refused by the command
        ("proceedings.csv", 2, ("extradition_request", "extradition"), "kind", "extradition"),
        ("proceedings.csv", 3, ("2016-11", "2016-13"), "opened_on", "2016-13"),
        ("hearings.csv", 3, ("2024-06-18T10:00", "2024-06-18 soon"), "starts_at", "soon"),
        ("matters.csv", 2, ("Extradition of A. Doe", ""), "title", "title"),
        # refused by the operation
        ("proceedings.csv", 4, ("2020-03-02,E-1", ",E-1"), "closed_on", "closing date"),
        ("proceedings.csv", 2, (",UA,E-1", ",XX,E-1"), "jurisdiction", "XX"),
        ("matters.csv", 2, ("UA,\n", "UA,nobody@example.org\n"), "assignees", "nobody@example.org"),
        ("hearings.csv", 4, ("2024-06-18,held", "2024-06-18,"), None, None),
        # refused for what another row says
        ("proceedings.csv", 5, ("2020-003,BE", "2099-999,BE"), "matter", "2099-999"),
        ("events.csv", 3, ("UA,A-7/2020", "UA,A-8/2020"), "reference", "A-8/2020"),
        (
            "deadlines.csv",
            2,
            ("Submit observations,2019-03-15", "Submit observations,"),
            "due_on",
            "due_on",
        ),
    ],
)
def test_each_refusal_names_its_row_and_column(
    database, countries, sheet, line, replace, column, message
):
    files = dict(sample_files.FILES)
    if message is None:  # the control case: the edit is harmless
        files[sheet] = files[sheet].replace(*replace)
        assert run(database, [Upload(n, t.encode()) for n, t in files.items()]).valid
        return
    lines = files[sheet].splitlines(keepends=True)
    assert replace[0] in lines[line - 1], "the test edits the row it means"
    lines[line - 1] = lines[line - 1].replace(*replace, 1)
    files[sheet] = "".join(lines)
    with nothing_written(database):
        report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert report.problems, "the edit was refused"
    # rows naming the refused one are refused too, each in its place
    problem = next(p for p in report.problems if (p.where, p.line) == (sheet, line))
    assert problem.column == column, str(problem)
    assert message in problem.message


def test_rows_that_depend_on_a_refused_row_say_so(database, countries):
    files = dict(sample_files.FILES)
    files["proceedings.csv"] = files["proceedings.csv"].replace("criminal_case", "crime")
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    where = {(p.where, p.line): p.message for p in report.problems}
    assert "crime" in where[("proceedings.csv", 3)]
    # the request names the case as its origin: it is refused for that, not for itself
    assert "refused (proceedings.csv line 3)" in where[("proceedings.csv", 2)]


def test_a_record_changed_in_the_tracker_is_kept_and_noted(database, countries):
    run(database, sample_files.csv_uploads())
    with database.unit_of_work() as session:
        session.scalar(sa.select(Matter).where(Matter.key == "2019-014")).title = "Renamed"
    report = run(database, sample_files.csv_uploads())
    assert report.valid
    assert not +report.created
    assert [(n.where, n.line, n.column) for n in report.notes] == [("matters.csv", 2, "title")]
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(Matter.title).where(Matter.key == "2019-014")) == "Renamed"


def test_a_later_file_adds_the_postponements_since(database, countries):
    first = dict(sample_files.FILES)
    first["hearings.csv"] = "\n".join(sample_files.HEARINGS.splitlines()[:3]) + "\n"
    run(database, [Upload(n, t.encode()) for n, t in first.items()])
    assert records(database)["postponements"] == 1
    report = run(database, sample_files.csv_uploads())
    assert report.valid, report.problems
    assert (report.created["postponements"], report.created["outcomes"]) == (1, 1)
    assert report.created["hearings"] == 1  # the BE hearing, new in this file
    with database.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Hearing)) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(Postponement)) == 2


def test_a_move_the_tracker_records_otherwise_is_refused(database, countries):
    run(database, sample_files.csv_uploads())
    files = dict(sample_files.FILES)
    files["hearings.csv"] = files["hearings.csv"].replace("2024-06-18T10:00", "2024-06-19T10:00")
    with nothing_written(database):
        report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    (problem,) = report.problems
    assert (problem.line, problem.column) == (3, "starts_at")
    assert "otherwise" in problem.message


def test_twins_in_the_file_are_refused(database, countries):
    files = dict(sample_files.FILES)
    files["matters.csv"] += "2019-014,Another title,,,\n"
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    (problem,) = report.problems
    assert (problem.line, problem.column) == (4, "number")


def test_a_deadline_computed_by_a_rule_from_an_imported_event(database, countries):
    with database.sessionmaker() as session:
        be = session.scalar(sa.text("SELECT id FROM jurisdictions WHERE code = 'BE'"))
    factories.appeal_rule(database, be)
    with database.sessionmaker() as session:
        rule = session.scalar(sa.text("SELECT code FROM deadline_rules"))
    files = dict(sample_files.FILES)
    files["events.csv"] += "BE,20/123/A,judgment,2026-11-02,First-instance judgment,\n"
    files["deadlines.csv"] += f"BE,20/123/A,,,,,{rule},judgment,2026-11-02,\n"
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert report.valid, report.problems
    again = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert again.unchanged["deadlines"] == 3
    assert not +again.created
    with database.sessionmaker() as session:
        computed = session.scalar(sa.select(Deadline).where(Deadline.rule_id.is_not(None)))
        assert computed.trigger_event.summary == "First-instance judgment"


def test_an_authoritys_time_limit_is_met_by_an_event_of_the_same_import(database, countries):
    """The deadline is computed before it is written (rows are flushed together): the
    decision the file records must still meet it."""
    with database.sessionmaker() as session:
        ua = session.scalar(sa.text("SELECT id FROM jurisdictions WHERE code = 'UA'"))
    factories.authority_rule(database, ua)
    files = dict(sample_files.FILES)
    files["events.csv"] += "UA,E-1/2019,decision,2019-03-20,Admissibility decided,\n"
    files["deadlines.csv"] += "UA,E-1/2019,,,,,BE_TEST_DECISION,request_received,2019-02-11,\n"
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert report.valid, report.problems
    with database.sessionmaker() as session:
        computed = session.scalar(sa.select(Deadline).where(Deadline.rule_id.is_not(None)))
        assert str(computed.status) == "done"
        assert computed.met_event.summary == "Admissibility decided"


def test_proceedings_naming_one_new_authority_share_it(database, countries):
    files = dict(sample_files.FILES)
    files["proceedings.csv"] += (
        "2020-003,BE,20/124/A,civil_complaint,Second suit,respondent,"
        "Tribunal de première instance,pending,2021,,,,,\n"
    )
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert report.valid, report.problems
    with database.sessionmaker() as session:
        first, second = session.scalars(
            sa.select(Proceeding.authority_id).where(Proceeding.reference.like("20/12%"))
        )
        assert first is not None
        assert second == first
    assert len(factories.audit_entries(database, "authorities")) == 3


def test_only_coordinators_and_admins_import(database, countries):
    with database.unit_of_work() as session:
        lawyer = User(email="l@example.org", role="lawyer", active=True)
        session.add(lawyer)
    batch = imports.read(sample_files.csv_uploads())
    with database.sessionmaker() as session:
        lawyer = session.scalar(sa.select(User))
        with pytest.raises(Forbidden):
            imports.run(session, lawyer, NOW, batch)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "not a spreadsheet"),
        ("stuff.csv", b"a,b\n1,2\n", "its name does not say"),
        (
            "events.csv",
            "jurisdiction,reference,kind,occurred_on\nBE,é,x,2020\n".encode("cp1252"),
            "UTF-8",
        ),
        (
            "events.csv",
            b"jurisdiction,reference,colour,kind,occurred_on\n",
            "unknown column 'colour'",
        ),
        ("events.csv", b"jurisdiction,reference,kind\nBE,1,x\n", "'occurred_on' is missing"),
        ("events.csv", b"jurisdiction,reference,kind,occurred_on\n", "no rows"),
        ("events.csv", b"", "empty"),
        ("events.csv", b"jurisdiction,\x00reference\n", "NUL"),
        ("dossier.xlsx", b"PK\x03\x04 not really", "not a readable XLSX"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(name, data, message):
    with pytest.raises(Invalid) as refused:
        imports.read([Upload(name, data)])
    assert message in refused.value.message


def test_semicolons_and_a_byte_order_mark_as_excel_writes_them(database, countries):
    files = {n: t.replace(",", ";") for n, t in sample_files.FILES.items()}
    uploads = [Upload(n, b"\xef\xbb\xbf" + t.encode()) for n, t in files.items()]
    assert run(database, uploads).valid
    assert records(database) == DOSSIER


def test_two_imports_of_the_same_files_at_once_create_each_record_once(database, countries):
    """The second waits for the first to commit, then finds every record there."""
    barrier = threading.Barrier(2)
    reports: list[imports.Report] = []

    def one() -> None:
        batch = imports.read(sample_files.csv_uploads())
        with database.unit_of_work() as session:
            barrier.wait()
            reports.append(imports.run(session, CLI, NOW, batch))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert records(database) == DOSSIER
    assert sorted(report.created["matters"] for report in reports) == [0, 2]
    assert sorted(report.unchanged["proceedings"] for report in reports) == [0, 4]


def test_the_collector_is_held_off_while_rows_are_checked_and_back_after(database, countries):
    """Python's cycle collector would walk the import's objects again and again (a third
    of its time): it is off while the rows are checked, on again after, refused or not."""
    seen: list[bool] = []

    def progress(_rows: int) -> None:
        seen.append(gc.isenabled())

    bad = dict(sample_files.FILES, **{"events.csv": "jurisdiction,reference,kind,occurred_on\n"
                                       "BE,20/123/A,filing,2020-13\n"})  # fmt: skip
    for files in (sample_files.FILES, bad):
        seen.clear()
        batch = imports.read([Upload(n, t.encode()) for n, t in files.items()])
        with clock.frozen(NOW), database.unit_of_work() as session:
            imports.run(session, CLI, NOW, batch, progress=progress, dry_run=True)
        assert seen
        assert not any(seen)
        assert gc.isenabled()


def test_a_report_lists_the_first_refusals_and_counts_them_all(database, countries):
    lines = ["jurisdiction,reference,kind,occurred_on"]
    lines += ["BE,20/123/A,filing,2020-13" for _ in range(limits.IMPORT_PROBLEMS + 100)]
    files = dict(sample_files.FILES, **{"events.csv": "\n".join(lines) + "\n"})
    report = run(database, [Upload(n, t.encode()) for n, t in files.items()])
    assert len(report.problems) == limits.IMPORT_PROBLEMS
    assert report.problem_count == limits.IMPORT_PROBLEMS + 100
    assert report.summary().startswith(f"{limits.IMPORT_PROBLEMS + 100} of ")


def test_the_readme_lists_every_column():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Importing records", 1)[1].split("\n## ", 1)[0]
    for kind, columns in SHEETS.items():
        for column in columns:
            name = f"**`{column.name}`**" if column.required else f"`{column.name}`"
            assert f"| {kind} | {name} |" in section


def test_a_reference_the_tracker_holds_twice_is_refused_where_it_is_named(database, countries):
    run(database, sample_files.csv_uploads())
    with database.unit_of_work() as session:
        case = session.scalar(
            sa.select(Proceeding).where(Proceeding.reference == "170000131000099")
        )
        twin = Proceeding(
            matter_id=case.matter_id,
            jurisdiction_id=case.jurisdiction_id,
            kind=case.kind,
            title="The same case typed in again",
            reference=case.reference,
            client_role=case.client_role,
        )
        session.add(twin)
    with nothing_written(database):
        report = run(database, sample_files.csv_uploads())
    where = {(p.where, p.line): (p.column, p.message) for p in report.problems}
    assert where[("proceedings.csv", 3)][0] == "reference"  # the twin itself
    assert where[("proceedings.csv", 2)][0] == "origin_reference"  # a row naming it
    assert "2 proceedings KZ 170000131000099" in where[("proceedings.csv", 3)][1]
