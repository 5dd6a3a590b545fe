"""Store the flags a scan found (`tracker.delays.scan.run` calls `store`).

A flag is one row per cause (its `key`). A scan creates the rows of new causes
(first_seen = as_of), updates the open rows whose severity, message or details
changed, resolves the open rows whose cause is gone (resolved_at = now), reopens a
resolved row whose cause came back, and moves last_seen of every open row to as_of.
It does so with a constant number of statements (one per kind of change), whatever
the number of flags. A scan limited to some proceedings (`proceeding_ids`: a write's
re-scan) touches the rows of those proceedings only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.db import snapshot, table_of
from tracker.core.errors import Conflict, NotFound
from tracker.deadlines.models import Deadline
from tracker.delays import rules
from tracker.delays.models import DelayFlag
from tracker.delays.schemas import Acknowledge, dump
from tracker.hearings.models import Hearing
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Matter, Proceeding
from tracker.users import access
from tracker.users.models import User

flags_t = table_of(DelayFlag)

#: PostgreSQL advisory lock key: two scans never store at the same time
SCAN_LOCK = 0x7472_6163_6B73_636E


@dataclass(frozen=True)
class StoredFlag:
    """A flag with its row's id (None: computed, never stored) and the day it was first seen."""

    flag: rules.Flag
    id: int | None
    first_seen: dt.date

    def as_dict(self, as_of: dt.date | None = None) -> dict[str, Any]:
        answer = dump(self.flag, id=self.id, first_seen=self.first_seen, as_of=as_of)
        return answer.model_dump(mode="json")


def order(stored: StoredFlag) -> tuple:
    """Most severe first, then by proceeding and rule."""
    flag = stored.flag
    return (-rules.RANK[flag.severity], flag.proceeding_id, flag.rule, flag.key)


@dataclass
class ScanResult:
    """What a scan found and changed. Alerts are for `new`, `reopened` and `escalated`."""

    as_of: dt.date
    #: every flag open after the scan, most severe first
    open: list[StoredFlag] = field(default_factory=list)
    new: list[StoredFlag] = field(default_factory=list)
    #: resolved earlier; the cause came back
    reopened: list[StoredFlag] = field(default_factory=list)
    #: open before; its severity rose
    escalated: list[StoredFlag] = field(default_factory=list)
    #: open before; its message, details or (lower) severity changed
    updated: list[StoredFlag] = field(default_factory=list)
    #: ids of the flags whose cause went away
    resolved: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "open": len(self.open),
            "new": len(self.new),
            "reopened": len(self.reopened),
            "escalated": len(self.escalated),
            "updated": len(self.updated),
            "resolved": len(self.resolved),
        }


# --- storing ----------------------------------------------------------------------------


def store(
    session: so.Session,
    flags: list[rules.Flag],
    as_of: dt.date,
    now: dt.datetime,
    proceeding_ids: Collection[int] | None = None,
) -> ScanResult:
    """Upsert the flags found as of `as_of`: create, update, reopen, resolve (only the
    rows of `proceeding_ids` when given: the flags were computed for those alone)."""
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # held to the end of the transaction: a second scan waits, then sees these rows
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(SCAN_LOCK)))
    scope = (
        sa.true() if proceeding_ids is None else flags_t.c.proceeding_id.in_(sorted(proceeding_ids))
    )
    open_rows, closed_rows = _stored(connection, scope)
    result = ScanResult(as_of)
    plan = _plan({flag.key: flag for flag in flags}, open_rows, closed_rows, result)
    last_id = max((row.id for row in (*open_rows.values(), *closed_rows.values())), default=0)
    _write(connection, plan, as_of, now, scope)
    if plan.inserts:
        ids = _ids_after(connection, last_id)
        result.new = [StoredFlag(flag, ids[flag.key], as_of) for flag in plan.inserts]
    result.open = [*plan.kept, *result.reopened, *result.new]
    for bucket in (result.open, result.new, result.reopened, result.escalated, result.updated):
        bucket.sort(key=order)
    # the ORM must not serve the flag rows that the statements above changed (only those:
    # a write's re-scan runs as it commits, and the page goes on with its objects)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, DelayFlag):
            session.expire(obj)
    return result


def _stored(
    connection: sa.Connection, scope: sa.ColumnElement[bool]
) -> tuple[dict[str, sa.Row], dict[str, sa.Row]]:
    """The open rows with what may change, and the resolved ones (by key)."""
    f = flags_t
    open_rows = connection.execute(
        sa.select(
            f.c.id,
            f.c.key,
            sa.type_coerce(f.c.severity, sa.String).label("severity"),
            f.c.message,
            f.c.details,
            f.c.began_on,
            f.c.first_seen,
        ).where(f.c.resolved_at.is_(None), scope)
    )
    closed_rows = connection.execute(
        sa.select(f.c.id, f.c.key, f.c.first_seen).where(f.c.resolved_at.is_not(None), scope)
    )
    return {row.key: row for row in open_rows.all()}, {row.key: row for row in closed_rows.all()}


@dataclass
class _Plan:
    inserts: list[rules.Flag] = field(default_factory=list)
    #: (row id, flag): content changed, severity did not rise
    updates: list[tuple[int, rules.Flag]] = field(default_factory=list)
    #: (row id, flag): severity rose, or the cause came back
    renewals: list[tuple[int, rules.Flag]] = field(default_factory=list)
    resolves: list[int] = field(default_factory=list)
    #: the open flags that had an open row already
    kept: list[StoredFlag] = field(default_factory=list)


def _plan(
    found: dict[str, rules.Flag],
    open_rows: dict[str, sa.Row],
    closed_rows: dict[str, sa.Row],
    result: ScanResult,
) -> _Plan:
    """Sort every flag into new, reopened, escalated, updated or unchanged; the rest resolve."""
    plan = _Plan()
    for key, flag in found.items():
        row = open_rows.get(key)
        if row is not None:
            stored = StoredFlag(flag, row.id, row.first_seen)
            plan.kept.append(stored)
            if rules.RANK[flag.severity] > rules.RANK[row.severity]:
                result.escalated.append(stored)
                plan.renewals.append((row.id, flag))
            elif (row.severity, row.message, row.details, row.began_on) != (
                flag.severity,
                flag.message,
                flag.details,
                flag.began_on,
            ):
                result.updated.append(stored)
                plan.updates.append((row.id, flag))
        elif key in closed_rows:
            row = closed_rows[key]
            result.reopened.append(StoredFlag(flag, row.id, row.first_seen))
            plan.renewals.append((row.id, flag))
        else:
            plan.inserts.append(flag)
    plan.resolves = result.resolved = sorted(
        row.id for key, row in open_rows.items() if key not in found
    )
    return plan


def _write(
    connection: sa.Connection,
    plan: _Plan,
    as_of: dt.date,
    now: dt.datetime,
    scope: sa.ColumnElement[bool],
) -> None:
    """One statement per kind of change, then last_seen of the other open rows at once."""
    f = flags_t
    # never backwards: a scan of an earlier day does not undo a later one's last_seen
    last_seen = sa.case((f.c.last_seen < as_of, as_of), else_=f.c.last_seen)

    def content(row: Any) -> dict[str, Any]:
        return {
            "severity": row.severity,
            "message": row.message,
            "details": row.details,
            "began_on": row.began_on,
            "last_seen": last_seen,
            "version": f.c.version + 1,
        }

    def renewed(row: Any) -> dict[str, Any]:
        # worse than before, or back again: an earlier acknowledgement no longer holds
        cleared = {"resolved_at": None, "acknowledged_at": None, "acknowledged_by_id": None}
        return content(row) | cleared

    def resolved(_row: Any) -> dict[str, Any]:
        return {"resolved_at": now, "version": f.c.version + 1}

    if plan.inserts:
        _insert(connection, plan.inserts, as_of)
    _update(connection, [_content(i, flag) for i, flag in plan.updates], content)
    _update(connection, [_content(i, flag) for i, flag in plan.renewals], renewed)
    _update(connection, [{"id": flag_id} for flag_id in plan.resolves], resolved)
    connection.execute(
        f.update()
        .where(f.c.resolved_at.is_(None), f.c.last_seen < as_of, scope)
        .values(last_seen=as_of)
    )


# Many rows in one statement, whatever their number: the rows travel as one JSON
# document that the database turns into a table (json_to_recordset on PostgreSQL,
# json_each on SQLite). Twice as fast as executemany on PostgreSQL (psycopg pays a
# round of protocol messages per row) and on SQLite (SQLAlchemy's per-row parameters).

#: the fields a flag row brings, with their SQL types
FLAG_COLUMNS = {
    "id": sa.Integer,
    "key": sa.Text,
    "rule": sa.Text,
    "severity": sa.Text,
    "proceeding_id": sa.Integer,
    "hearing_id": sa.Integer,
    "deadline_id": sa.Integer,
    "message": sa.Text,
    "details": sa.JSON,
    "began_on": sa.Date,
}


def _record(flag: rules.Flag) -> dict[str, Any]:
    return {
        "key": flag.key,
        "rule": flag.rule,
        "severity": flag.severity,
        "proceeding_id": flag.proceeding_id,
        "hearing_id": flag.hearing_id,
        "deadline_id": flag.deadline_id,
        "message": flag.message,
        "details": flag.details,
        "began_on": _day(flag.began_on),
    }


def _day(value: dt.date | None) -> str | None:
    """A date as the JSON rows carry it (the database reads it back as a date)."""
    return value.isoformat() if value is not None else None


def _content(flag_id: int, flag: rules.Flag) -> dict[str, Any]:
    return {
        "id": flag_id,
        "severity": flag.severity,
        "message": flag.message,
        "details": flag.details,
        "began_on": _day(flag.began_on),
    }


def _recordset(connection: sa.Connection, names: Iterable[str]) -> sa.FromClause:
    """The objects of the JSON array bound as :rows, as a table with these columns."""
    rows = sa.bindparam("rows", type_=sa.JSON)
    if connection.dialect.name == "postgresql":
        columns: list[sa.ColumnClause[Any]] = [
            sa.column(name, FLAG_COLUMNS[name]) for name in names
        ]
        return (
            sa.func.json_to_recordset(rows).table_valued(*columns).render_derived(with_types=True)
        )
    each = sa.func.json_each(rows).table_valued("value")
    fields: list[sa.Label[Any]] = [
        sa.func.json_extract(each.c.value, f"$.{name}", type_=FLAG_COLUMNS[name]).label(name)
        for name in names
    ]
    return sa.select(*fields).select_from(each).subquery("rows")


def _insert(connection: sa.Connection, flags: list[rules.Flag], as_of: dt.date) -> None:
    records = [_record(flag) for flag in flags]
    fixed = {"first_seen": as_of, "last_seen": as_of, "version": 1, "acknowledgement": ""}
    rows = _recordset(connection, records[0])
    values = [sa.literal(value, flags_t.c[name].type) for name, value in fixed.items()]
    select = sa.select(*rows.c, *values)
    connection.execute(
        flags_t.insert().from_select([*records[0], *fixed], select), {"rows": records}
    )


def _update(
    connection: sa.Connection, changes: list[dict[str, Any]], values: Callable[[Any], dict]
) -> None:
    """UPDATE delay_flags SET values(row) for each row of `changes` (each with its "id")."""
    if not changes:
        return
    rows = _recordset(connection, changes[0])
    statement = flags_t.update().where(flags_t.c.id == rows.c.id).values(values(rows.c))
    connection.execute(statement, {"rows": changes})


def _ids_after(connection: sa.Connection, last_id: int) -> dict[str, int]:
    """The ids of the rows just inserted (ids only grow; the lock keeps other scans out)."""
    rows = connection.execute(sa.select(flags_t.c.key, flags_t.c.id).where(flags_t.c.id > last_id))
    return dict(rows.all())  # rows are (key, id) pairs


# --- reading and acknowledging (the flags page) -------------------------------------------

#: flags per page of the list
PAGE_SIZE = 50


def get_flag(session: so.Session, actor: Actor, flag_id: int) -> DelayFlag:
    """The flag, or 404 — also when it is about a matter the actor may not see."""
    flag = session.get(DelayFlag, flag_id)
    if flag is not None:
        matter_id = session.scalar(
            sa.select(Proceeding.matter_id).where(Proceeding.id == flag.proceeding_id)
        )
        if matter_id is not None and access.may_see_matter(session, actor, matter_id):
            return flag
    raise NotFound(f"no delay flag {flag_id}")


def acknowledge(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    flag: DelayFlag,
    command: Acknowledge,
) -> DelayFlag:
    """Say that someone has seen an open flag and what is done about it; audited.

    A later scan clears the acknowledgement when the flag gets worse or comes back.
    """
    edits.check_version(flag, command.version)
    if flag.resolved_at is not None:
        raise Conflict(f"delay flag {flag.id} was resolved: its cause went away")
    if flag.acknowledged_at is not None:
        raise Conflict(f"delay flag {flag.id} is acknowledged already")
    before = snapshot(flag, ACK_FIELDS)
    flag.acknowledged_at = now
    flag.acknowledged_by_id = actor.id
    flag.acknowledgement = command.note
    session.flush()
    matter_id = session.scalar(
        sa.select(Proceeding.matter_id).where(Proceeding.id == flag.proceeding_id)
    )
    audit.record(
        session,
        actor,
        now,
        "acknowledge",
        flag,
        matter_id=matter_id,
        before=before,
        after=snapshot(flag, ACK_FIELDS),
    )
    return flag


#: what an acknowledgement changes (and the audit entry shows)
ACK_FIELDS = ["acknowledged_at", "acknowledged_by_id", "acknowledgement"]


@dataclass(frozen=True)
class FlagPage:
    rows: Sequence[sa.Row]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def open_flags(
    session: so.Session,
    actor: Actor,
    *,
    rule: str | None = None,
    country: str | None = None,
    acknowledged: bool | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> FlagPage:
    """One page of the open flags the actor may see, critical first: two queries.

    The page's flags are picked from delay_flags alone, one LIMITed part per severity
    read in the order of the primary key (ids grow as flags are found: the oldest
    first), so that no query sorts every open flag; only those are joined to what the
    page shows of them. A second query counts every match.
    """
    page_size = page_size or PAGE_SIZE
    f = DelayFlag
    wanted: list[sa.ColumnElement[bool]] = [f.resolved_at.is_(None)]
    proceedings = sa.select(Proceeding.id).where(access.matter_filter(actor, Proceeding.matter_id))
    if country:
        proceedings = proceedings.join(Jurisdiction).where(Jurisdiction.code == country)
    if country or not access.sees_all_matters(actor):
        wanted.append(f.proceeding_id.in_(proceedings))
    if rule:
        wanted.append(f.rule == rule)
    if acknowledged is not None:
        wanted.append(
            f.acknowledged_at.is_not(None) if acknowledged else f.acknowledged_at.is_(None)
        )
    end = page * page_size
    by_rank = sorted(rules.RANK, key=rules.RANK.__getitem__, reverse=True)
    parts = [
        sa.select(f.id, sa.literal(rank).label("severity_order"))
        .where(*wanted, f.severity == severity)
        .order_by(f.id)
        .limit(end)
        for rank, severity in enumerate(by_rank)
    ]
    # each part in a subquery of its own: SQLite takes no ORDER BY or LIMIT in a UNION's parts
    ranked = sa.union_all(*(sa.select(part.subquery()) for part in parts)).subquery("ranked")
    first = (
        sa.select(ranked.c.id, ranked.c.severity_order)
        .order_by(ranked.c.severity_order, ranked.c.id)
        .offset(end - page_size)
        .limit(page_size)
        .subquery("first")
    )
    query = (
        sa.select(
            f.id,
            f.rule,
            f.severity,
            f.message,
            f.began_on,
            f.first_seen,
            f.last_seen,
            f.version,
            f.proceeding_id,
            f.hearing_id,
            f.deadline_id,
            f.acknowledged_at,
            f.acknowledgement,
            User.email.label("acknowledged_by_email"),
            User.name.label("acknowledged_by_name"),
            Proceeding.title.label("proceeding_title"),
            Matter.id.label("matter_id"),
            Matter.title.label("matter_title"),
            Jurisdiction.code.label("jurisdiction_code"),
            Hearing.title.label("hearing_title"),
            Deadline.title.label("deadline_title"),
        )
        .join(first, first.c.id == f.id)
        .join(Proceeding, Proceeding.id == f.proceeding_id)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
        .outerjoin(Hearing, Hearing.id == f.hearing_id)
        .outerjoin(Deadline, Deadline.id == f.deadline_id)
        .outerjoin(User, User.id == f.acknowledged_by_id)
        .order_by(first.c.severity_order, first.c.id)
    )
    rows = session.execute(query).all()
    total = session.scalar(sa.select(sa.func.count()).select_from(f).where(*wanted)) or 0
    return FlagPage(rows, total, page, page_size)
