"""The audit log: who changed what, when; append-only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, intpk, timestamp


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: so.Mapped[intpk]
    at: so.Mapped[timestamp] = so.mapped_column(index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the actor as it was then: an email, or "system:scheduler", "system:demo"...
    actor_label: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: create, update, postpone, outcome...
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the table of the changed row, and its id
    entity: so.Mapped[str] = so.mapped_column(sa.String(40))
    entity_id: so.Mapped[int]
    #: the matter the row belongs to, so a dossier's history is one query
    matter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("matters.id", ondelete="SET NULL"), index=True
    )
    before: so.Mapped[dict[str, Any] | None]
    after: so.Mapped[dict[str, Any] | None]
