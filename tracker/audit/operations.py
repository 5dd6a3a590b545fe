"""Write the audit log: every change to a matter's data goes through `record`.

Entries are chained (`tracker.audit.chain`) when their transaction commits: the
writer takes the chain head's row lock, links the entries after the last one and
inserts them, last of all its statements. Writers thus take their turn only for the
moment of their commit, and never hold the head while waiting for another row (a
savepoint released does not seal: its entries wait for the outermost commit).
Nothing here updates or deletes an entry (and `tracker.audit.models` refuses it).

A bulk writer (an import) records `batched`: `record` does not flush for each row,
and the unit of work inserts many rows of a table at once; an entry whose row is not
written yet is completed by the flush that writes it (its id, its defaults).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit import chain
from tracker.audit.models import AuditEntry, AuditHead
from tracker.core.actors import Actor
from tracker.core.db import Base, row_id, snapshot, table_of
from tracker.core.limits import MAX_ID
from tracker.matters.models import Matter


def record(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    action: str,
    obj: Base,
    *,
    matter_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ids: dict[str, Base] | None = None,
) -> AuditEntry:
    """Add an audit entry to the caller's transaction, written (chained) when it commits.

    Flushes first to learn the row's id, unless `batched`: then the flush that writes
    the row completes the entry. A new row's entry takes the values its INSERT gave
    (its id, its defaults); a Matter's own entry, its id as `matter_id`; `ids` names
    other rows whose ids go into `after` (a postponement's, with its hearing's move).
    """
    new = sa.inspect(obj).key is None
    if not batching(session):
        session.flush()
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity=obj.__tablename__,
        matter_id=matter_id,
        before=_as_stored(before),
        after=_as_stored(after if after is not None else snapshot(obj)),
    )
    awaited = _Awaited(entry, obj, new, ids or {})
    if not awaited.complete():
        if not batching(session):
            raise ValueError(f"{type(obj).__name__} has no id: it was not flushed")
        session.info.setdefault(_AWAITED, []).append(awaited)
    _pending(session).append((entry, _innermost(session)))
    return entry


@contextmanager
def batched(session: so.Session) -> Iterator[None]:
    """Record without a flush per row (see the module's docstring); nests."""
    session.info[_BATCHED] = session.info.get(_BATCHED, 0) + 1
    try:
        yield
    finally:
        session.info[_BATCHED] -= 1


def batching(session: so.Session) -> bool:
    """Whether writes are `batched`: an operation then leaves the flush to the caller
    (the version check of an edit runs at that flush)."""
    return session.info.get(_BATCHED, 0) > 0


@dataclass
class _Awaited:
    """An entry and the rows whose ids (and, new, defaults) it takes when written."""

    entry: AuditEntry
    obj: Base
    new: bool
    ids: dict[str, Base]

    def complete(self) -> bool:
        """Fill in what the rows' flush gave, if they are all written (else False)."""
        rows = [self.obj, *self.ids.values()]
        if any(sa.inspect(row).key is None for row in rows):
            return False
        entry = self.entry
        entry.entity_id = row_id(self.obj)
        after = dict(entry.after or {})
        if self.new:  # the values the INSERT gave (the id, the defaults)
            written = snapshot(self.obj, [k for k, v in after.items() if v is None])
            after.update((k, v) for k, v in written.items() if v is not None)
            if entry.matter_id is None and isinstance(self.obj, Matter):
                entry.matter_id = entry.entity_id
        for name, row in self.ids.items():
            after[name] = row_id(row)
        entry.after = _as_stored(after)
        return True


@sa.event.listens_for(so.Session, "after_flush_postexec")
def _flushed(session: so.Session, _context: Any) -> None:
    """Complete the entries whose rows this flush wrote."""
    awaited = session.info.get(_AWAITED)
    if awaited:
        session.info[_AWAITED] = [a for a in awaited if not a.complete()]


def record_attempt(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry about an attempt rather than a row's change: a failed sign-in (maybe for
    an email that has no account: no row), a sign-out, a recovery code used..."""
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        matter_id=None,
        before=None,
        after=_as_stored(after),
    )
    _pending(session).append((entry, _innermost(session)))
    return entry


# --- the chain --------------------------------------------------------------------------

_PENDING = "tracker.audit.pending"
#: entries waiting for their rows' flush (`batched`)
_AWAITED = "tracker.audit.awaited"
_BATCHED = "tracker.audit.batched"
#: the savepoint current when a commit was announced (see `_seal`)
_ANNOUNCED = "tracker.audit.announced"


def _as_stored(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON value as the database will give it back (keys as text, tuples as lists...),
    so that the hash computed now is the one `verify` computes from the stored row.
    A value JSON cannot hold fails here, at the call, not at the commit."""
    return None if value is None else json.loads(json.dumps(value))


def _pending(session: so.Session) -> list[tuple[AuditEntry, Any]]:
    return session.info.setdefault(_PENDING, [])


def _innermost(session: so.Session) -> Any:
    """The transaction an entry belongs to, begun now if none is: an entry recorded on an
    idle session must not wait for whichever transaction comes next."""
    if not session.in_transaction():
        session.connection()
    return session.get_nested_transaction() or session.get_transaction()


@sa.event.listens_for(so.Session, "before_commit")
def _seal(session: so.Session) -> None:
    """Chain and insert the transaction's entries: the last statements before COMMIT.

    SQLAlchemy calls this for a savepoint's release too: those entries wait for the
    outermost commit (the head stays unlocked meanwhile). It also announces the
    outermost commit while savepoints are still open, before it releases them: a second
    call with the same savepoint current is that commit under way, and seals.
    """
    if not session.info.get(_PENDING):
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None and session.info.get(_ANNOUNCED) is not savepoint:
        session.info[_ANNOUNCED] = savepoint
        return
    pending = session.info.pop(_PENDING)
    session.flush()  # every other change first: the head's lock is the last one taken
    if session.info.get(_AWAITED):
        raise RuntimeError("audit entries wait for rows that were never written")
    head = _locked_head(session)
    previous = head.hash
    rows = []
    for entry, _tx in pending:
        entry.prev_hash = previous
        entry.hash = previous = chain.digest(previous, _fields(entry))
        rows.append({name: getattr(entry, name) for name in _STORED})
    # One statement (executemany): the ids follow the order of the rows, so the chain's.
    table = table_of(AuditEntry)
    session.execute(sa.insert(table), rows)
    head.entries += len(pending)
    # the highest id is this transaction's last entry: the head's lock keeps others out
    head.last_id = session.scalar(sa.select(sa.func.max(table.c.id)))
    head.hash = previous


def _locked_head(session: so.Session) -> AuditHead:
    """The chain's head, its row locked until the commit (made if it is missing: the
    migration makes it, but a truncated table loses it)."""
    lock = sa.update(AuditHead).where(AuditHead.id == 1).values(id=AuditHead.id)
    if cast(sa.CursorResult[Any], session.execute(lock)).rowcount == 0:  # an UPDATE's
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(AuditHead)
            .values(id=1, entries=0, last_id=None, hash=chain.GENESIS)
            .on_conflict_do_nothing(index_elements=[AuditHead.id])
        )
        session.execute(lock)
    head = session.get(AuditHead, 1, populate_existing=True)
    assert head is not None
    return head


#: the columns an entry is inserted with (the id comes from the database)
_STORED = (*chain.FIELDS, "prev_hash", "hash")


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in chain.FIELDS}


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget(session: so.Session, previous: Any) -> None:
    """Entries recorded in a transaction (or savepoint) rolled back are not written."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    session.info[_PENDING] = kept = [(e, tx) for e, tx in pending if not _within(tx, previous)]
    if _AWAITED in session.info:
        entries = {id(e) for e, _tx in kept}
        session.info[_AWAITED] = [a for a in session.info[_AWAITED] if id(a.entry) in entries]


@sa.event.listens_for(so.Session, "after_transaction_end")
def _end(session: so.Session, transaction: Any) -> None:
    """Nothing outlives the outermost transaction: not entries left by a session closed
    without a rollback (a session may be used again), not the savepoint announced."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_ANNOUNCED, None)
        session.info.pop(_AWAITED, None)


def _within(tx: Any, ended: Any) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Keep only the fields that changed (version and timestamps aside)."""
    ignored = {"version", "updated_at"}
    changed = [k for k in after if before.get(k) != after[k] and k not in ignored]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


# --- reading (the audit page) -------------------------------------------------------------


#: entries per page of the audit page
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    """Up to `size` entries older than `before` (newest first), and where the next page starts."""

    rows: Sequence[sa.Row]
    #: the id to pass as `before` for the next (older) page; None on the last page
    next_before: int | None


def entries(
    session: so.Session,
    *,
    matter: str | None = None,
    actor_id: int | None = None,
    entity: str | None = None,
    action: str | None = None,
    before: int | None = None,
    size: int | None = None,
) -> AuditPage:
    """One page of the log, newest first; one query (keyset on the id).

    `matter` is a matter's id, or words of its title (every matter whose title has them).
    """
    size = size or PAGE_SIZE
    query = (
        sa.select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.actor_label,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.matter_id,
            AuditEntry.before,
            AuditEntry.after,
            Matter.title.label("matter_title"),
        )
        .outerjoin(Matter, Matter.id == AuditEntry.matter_id)
        .order_by(AuditEntry.id.desc())
        .limit(size + 1)
    )
    matter = (matter or "").strip()
    if matter.isascii() and matter.isdigit():  # "²" is a digit, not a number
        number = int(matter)
        query = query.where(AuditEntry.matter_id == (number if number <= MAX_ID else -1))
    elif matter:
        titled = sa.select(Matter.id).where(
            sa.func.lower(Matter.title).contains(matter.lower(), autoescape=True)
        )
        query = query.where(AuditEntry.matter_id.in_(titled))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if action:
        query = query.where(AuditEntry.action == action)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.execute(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(rows, rows[-1].id if more else None)


# --- verifying the chain --------------------------------------------------------------


def head(session: so.Session) -> sa.Row | None:
    """The chain's end as last written (`entries`, `last_id`, `hash`), None if missing."""
    return session.execute(
        sa.select(AuditHead.entries, AuditHead.last_id, AuditHead.hash).where(AuditHead.id == 1)
    ).first()


def verify(session: so.Session, *, batch: int = 1_000) -> chain.Report:
    """Walk the whole chain in the order of ids, streamed in batches (memory stays flat).

    The head is read first: entries committed meanwhile follow it and are walked too.
    """
    recorded = head(session)
    table = table_of(AuditEntry)
    columns = [table.c.id, table.c.prev_hash, table.c.hash, *(table.c[n] for n in chain.FIELDS)]
    statement = sa.select(*columns).order_by(table.c.id).execution_options(yield_per=batch)
    rows = session.connection().execute(statement).mappings()  # Core rows: twice as fast
    report = chain.walk(rows, recorded._asdict() if recorded is not None else None)
    if recorded is None and report.intact and report.entries:
        missing = chain.Break(
            None, "the chain's head is missing: entries cut from the end would not be seen"
        )
        return dataclasses.replace(report, broken=missing)
    return report


def holding(session: so.Session, digest: str) -> int | None:
    """The id of the entry whose hash is `digest` (a head written down earlier), if any."""
    return session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.hash == digest).order_by(AuditEntry.id).limit(1)
    )
