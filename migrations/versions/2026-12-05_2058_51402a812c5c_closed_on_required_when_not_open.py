"""a proceeding not open says when it ended: closed_on required, and its precision

The delay statistics count what was resolved in a period by `closed_on`, so a
proceeding whose status is not `pending` or `suspended` must have one, and an open one
none (a CHECK constraint). `closed_precision` says how precisely it is known, as
`opened_precision` does for the opening ("decided in 2014").

The backfill gives each closed proceeding without a date, in this order of trust:
the date of its last standing decision (an event kind with a word such as decision,
judgment, dismissal), as precisely as that event's date is known; else the day its
status was last set to what it is now, read in the audit log; else its last standing
event; else its opening; else the day its row was last changed. Never a day before its
opening. An open proceeding that had a closing date loses it. Each row changed gets an
entry in the audit log (actor `system:migration`) that says where the date came from,
chained like every other.

Revision ID: 51402a812c5c
Revises: cfd8bf14c4a6
Create Date: 2026-12-05 20:58:59.449189+00:00

"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from tracker.audit import chain

# revision identifiers, used by Alembic.
revision: str = "51402a812c5c"
down_revision: str | Sequence[str] | None = "cfd8bf14c4a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = ("pending", "suspended")
#: the words of an event kind that make it a decision (as the timeline read them then)
DECISION_WORDS = frozenset(
    {
        "judgment",
        "judgement",
        "decision",
        "dismissal",
        "ruling",
        "verdict",
        "acquittal",
        "conviction",
        "annulment",
        "refusal",
    }
)

proceedings = sa.table(
    "proceedings",
    sa.column("id", sa.Integer),
    sa.column("matter_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("opened_on", sa.Date),
    sa.column("opened_precision", sa.String),
    sa.column("closed_on", sa.Date),
    sa.column("closed_precision", sa.String),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("proceeding_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("occurred_on", sa.Date),
    sa.column("precision", sa.String),
    sa.column("withdrawn_at", sa.DateTime(timezone=True)),
)
entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer),
    *(sa.column(name) for name in chain.FIELDS[1:-2]),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("entries", sa.BigInteger),
    sa.column("last_id", sa.Integer),
    sa.column("hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closed_precision", sa.String(length=32), nullable=False, server_default="day"
            )
        )
    _backfill(op.get_bind())
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_proceedings_closed_on_when_not_open"),
            "(status IN ('pending', 'suspended')) = (closed_on IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_proceedings_closed_on_when_not_open"), type_="check")
        batch_op.drop_column("closed_precision")


def _backfill(bind: sa.Connection) -> None:
    is_open = proceedings.c.status.in_(OPEN)
    wrong = list(
        bind.execute(
            sa.select(proceedings).where(
                sa.or_(
                    sa.and_(~is_open, proceedings.c.closed_on.is_(None)),
                    sa.and_(is_open, proceedings.c.closed_on.is_not(None)),
                )
            )
        ).mappings()
    )
    if not wrong:
        return
    to_date = [row["id"] for row in wrong if row["status"] not in OPEN]
    facts = _events(bind, to_date)
    changes = _status_changes(bind, to_date)
    now = dt.datetime.now(dt.UTC)
    audited = []
    for row in wrong:
        if row["status"] in OPEN:
            day, precision, why = None, "day", "an open proceeding has no closing date"
        else:
            day, precision, why = _closing(row, facts.get(row["id"], []), changes.get(row["id"]))
        bind.execute(
            proceedings.update()
            .where(proceedings.c.id == row["id"])
            .values(closed_on=day, closed_precision=precision)
        )
        audited.append(
            {
                "at": now,
                "actor_id": None,
                "actor_label": "system:migration",
                "action": "update",
                "entity": "proceedings",
                "entity_id": row["id"],
                "matter_id": row["matter_id"],
                "before": {"closed_on": _iso(row["closed_on"])},
                "after": {"closed_on": _iso(day), "closed_precision": precision, "why": why},
            }
        )
    _append_to_chain(bind, audited)


def _events(bind: sa.Connection, ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    query = (
        sa.select(events.c.proceeding_id, events.c.kind, events.c.occurred_on, events.c.precision)
        .where(events.c.withdrawn_at.is_(None))
        .order_by(events.c.occurred_on, events.c.id)
    )
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for row in bind.execute(query.where(events.c.proceeding_id.in_(batch))):
            found.setdefault(row.proceeding_id, []).append(row)
    return found


def _status_changes(bind: sa.Connection, ids: list[int]) -> dict[int, tuple[dt.date, str]]:
    """The last time each proceeding's status was set, by the audit log: (day, status)."""
    found: dict[int, tuple[dt.date, str]] = {}
    query = (
        sa.select(entries.c.entity_id, entries.c.at, entries.c.after)
        .where(entries.c.entity == "proceedings", entries.c.action.in_(("create", "update")))
        .order_by(entries.c.id)
    )
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for row in bind.execute(query.where(entries.c.entity_id.in_(batch))):
            status = (row.after or {}).get("status")
            if status is not None:
                found[row.entity_id] = (_utc(row.at).date(), status)
    return found


def _closing(
    row: Any, facts: list[Any], change: tuple[dt.date, str] | None
) -> tuple[dt.date, str, str]:
    decisions = [e for e in facts if any(w in DECISION_WORDS for w in e.kind.split("_"))]
    if decisions:
        last = decisions[-1]
        day, precision, why = last.occurred_on, last.precision, f"its last decision ({last.kind})"
    elif change is not None and change[1] == row["status"]:
        day, precision, why = change[0], "day", f"the day its status became {row['status']}"
    elif facts:
        last = facts[-1]
        day, precision, why = last.occurred_on, last.precision, f"its last event ({last.kind})"
    elif row["opened_on"] is not None:
        day, precision, why = row["opened_on"], row["opened_precision"], "its opening"
    else:
        day, precision, why = _utc(row["updated_at"]).date(), "day", "its last change"
    if row["opened_on"] is not None and day < row["opened_on"]:
        day, precision, why = row["opened_on"], row["opened_precision"], "its opening"
    return day, precision, f"closing date from {why}"


def _append_to_chain(bind: sa.Connection, audited: list[dict[str, Any]]) -> None:
    end = bind.execute(sa.select(head).where(head.c.id == 1)).mappings().first()
    if end is None:
        bind.execute(head.insert().values(id=1, entries=0, last_id=None, hash=chain.GENESIS))
        end = {"entries": 0, "hash": chain.GENESIS}
    previous, last_id = end["hash"], None
    sqlite = bind.dialect.name == "sqlite"
    for entry in audited:
        digest = chain.digest(previous, entry)
        # SQLite holds UTC wall times (as tracker.core.db.UTCDateTime writes them)
        at = entry["at"].replace(tzinfo=None) if sqlite else entry["at"]
        row = {**entry, "at": at, "prev_hash": previous, "hash": digest}
        last_id = bind.execute(entries.insert().values(row).returning(entries.c.id)).scalar_one()
        previous = digest
    bind.execute(
        head.update()
        .where(head.c.id == 1)
        .values(entries=end["entries"] + len(audited), last_id=last_id, hash=previous)
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
