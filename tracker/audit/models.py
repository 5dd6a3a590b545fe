"""The audit log: who changed what, when; append-only and hash-chained
(`tracker.audit.chain`).

Append-only is kept twice: the ORM refuses to update or delete an entry (one at a
time or in bulk, below), and the chain shows any change made around the ORM. The ids
of the actor and of the matter are plain numbers, not foreign keys: deleting a user
or a matter must not rewrite (SET NULL) the entries that name them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, intpk, timestamp


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: so.Mapped[intpk]
    at: so.Mapped[timestamp] = so.mapped_column(index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(index=True)
    #: the actor as it was then: an email, or "system:scheduler", "system:demo"...
    actor_label: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: create, update, postpone, outcome...
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the table of the changed row, and its id
    entity: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: None for an attempt that names no row (a failed sign-in with an unknown email)
    entity_id: so.Mapped[int | None]
    #: the matter the row belongs to, so a dossier's history is one query
    matter_id: so.Mapped[int | None] = so.mapped_column(index=True)
    before: so.Mapped[dict[str, Any] | None]
    after: so.Mapped[dict[str, Any] | None]
    #: the hash of the entry before this one (the chain's start: 64 zeros), and this
    #: entry's own: SHA-256 of the previous hash and this entry's fields
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class AuditHead(Base):
    """The chain's end as last written: one row, locked while entries are added.

    Taking its row lock (an UPDATE) serialises the writers of the chain on both
    databases; it also tells `verify` how many entries there should be, so entries
    cut from the end are seen too (unless the head was rewritten with them).
    """

    __tablename__ = "audit_head"

    id: so.Mapped[intpk]
    #: entries in the chain, the last one's id and hash
    entries: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    last_id: so.Mapped[int | None]
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


# --- append-only ------------------------------------------------------------------------


class AppendOnlyError(RuntimeError):
    """Something tried to change or remove an audit entry."""


@sa.event.listens_for(AuditEntry, "before_update")
@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, entry: AuditEntry) -> None:
    raise AppendOnlyError(f"audit entry {entry.id} may not be changed or removed")


@sa.event.listens_for(so.Session, "do_orm_execute")
def _refuse_bulk_change(state: so.ORMExecuteState) -> None:
    """UPDATE and DELETE statements on the log, through a session, are refused too."""
    if (state.is_update or state.is_delete) and _names_log(state):
        raise AppendOnlyError("audit entries may not be changed or removed")


def _names_log(state: so.ORMExecuteState) -> bool:
    table = getattr(state.statement, "table", None)
    named = getattr(table, "name", None) == AuditEntry.__tablename__
    return named or any(mapper.class_ is AuditEntry for mapper in state.all_mappers)
