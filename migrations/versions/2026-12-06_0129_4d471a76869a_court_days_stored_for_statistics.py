"""court days stored for the delay statistics, and indexes that answer them alone

Statistics over years of hearings read the court's day of each hearing, how many dates
it was set for and the day it was first set for, and the day each postponement counted
is dated on (null for a move withdrawn or brought forward). Computing these from
instants and zones for hundreds of thousands of rows took seconds (and, on SQLite, a
Python function per row); they are now columns, derived by the application on every
flush (`tracker.hearings.models.settle`) and filled here for the rows already stored,
by the same rules. They are not in the audit log: the changes they derive from are.

Revision ID: 4d471a76869a
Revises: 51402a812c5c
Create Date: 2026-12-06 01:29:46.964852+00:00

"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4d471a76869a"
down_revision: str | Sequence[str] | None = "51402a812c5c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: rows read and written at a time
CHUNK = 5000

hearings = sa.table(
    "hearings",
    sa.column("id", sa.Integer),
    sa.column("starts_at", sa.DateTime(timezone=True)),
    sa.column("timezone", sa.String),
    sa.column("court_day", sa.Date),
    sa.column("dates_set", sa.Integer),
    sa.column("first_set_on", sa.Date),
)
postponements = sa.table(
    "postponements",
    sa.column("id", sa.Integer),
    sa.column("hearing_id", sa.Integer),
    sa.column("from_starts_at", sa.DateTime(timezone=True)),
    sa.column("to_starts_at", sa.DateTime(timezone=True)),
    sa.column("decided_on", sa.Date),
    sa.column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.column("counted_on", sa.Date),
)


def upgrade() -> None:
    with op.batch_alter_table("hearings") as batch:
        batch.add_column(sa.Column("court_day", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("dates_set", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("first_set_on", sa.Date(), nullable=True))
    with op.batch_alter_table("postponements") as batch:
        batch.add_column(sa.Column("counted_on", sa.Date(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("hearings") as batch:
        batch.alter_column("court_day", existing_type=sa.Date(), nullable=False)
        batch.alter_column("first_set_on", existing_type=sa.Date(), nullable=False)
        batch.drop_index("ix_hearings_proceeding_id")
        batch.create_index(
            "ix_hearings_proceeding_days",
            ["proceeding_id", "status", "court_day", "dates_set", "first_set_on"],
        )
    with op.batch_alter_table("postponements") as batch:
        batch.create_index("ix_postponements_counted_on", ["counted_on", "hearing_id"])
    with op.batch_alter_table("proceedings") as batch:
        batch.drop_index("ix_proceedings_search")
        batch.create_index(
            "ix_proceedings_search",
            ["jurisdiction_id", "kind", "status", "matter_id", "opened_on", "closed_on"],
        )


def downgrade() -> None:
    with op.batch_alter_table("proceedings") as batch:
        batch.drop_index("ix_proceedings_search")
        batch.create_index(
            "ix_proceedings_search", ["jurisdiction_id", "kind", "status", "matter_id"]
        )
    with op.batch_alter_table("postponements") as batch:
        batch.drop_index("ix_postponements_counted_on")
        batch.drop_column("counted_on")
    with op.batch_alter_table("hearings") as batch:
        batch.drop_index("ix_hearings_proceeding_days")
        batch.create_index("ix_hearings_proceeding_id", ["proceeding_id"])
        batch.drop_column("first_set_on")
        batch.drop_column("dates_set")
        batch.drop_column("court_day")


def _backfill(connection: sa.Connection) -> None:
    """Hearings in chunks of ids, each with its moves: the rules of `settle`."""
    last = 0
    while True:
        chunk = connection.execute(
            sa.select(hearings.c.id, hearings.c.starts_at, hearings.c.timezone)
            .where(hearings.c.id > last)
            .order_by(hearings.c.id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            return
        last = chunk[-1].id
        moves = _moves(connection, chunk[0].id, last)
        days, dated = [], []
        for hearing in chunk:
            zone = zoneinfo.ZoneInfo(hearing.timezone)
            standing = [move for move in moves[hearing.id] if move.withdrawn_at is None]
            delays = [m for m in standing if m.to_starts_at is None or _later(m)]
            first = standing[0].from_starts_at if standing else hearing.starts_at
            days.append(
                {
                    "hid": hearing.id,
                    "court_day": _day(hearing.starts_at, zone),
                    "dates_set": 1 + len(delays),
                    "first_set_on": _day(first, zone),
                }
            )
            dated += (
                {"pid": move.id, "counted_on": move.decided_on or _day(move.from_starts_at, zone)}
                for move in delays
            )
        _write(connection, hearings, "hid", days)
        _write(connection, postponements, "pid", dated)


def _moves(connection: sa.Connection, first: int, last: int) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    rows = connection.execute(
        sa.select(postponements)
        .where(postponements.c.hearing_id.between(first, last))
        .order_by(postponements.c.id)
    )
    for row in rows:
        found[row.hearing_id].append(row)
    return found


def _write(connection: sa.Connection, table: Any, key: str, rows: list[dict]) -> None:
    if rows:
        names = [name for name in rows[0] if name != key]
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam(key))
            .values({name: sa.bindparam(name) for name in names}),
            rows,
        )


def _utc(value: Any) -> dt.datetime:
    """A stored instant (SQLite gives its UTC wall time, as text or naive)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _day(value: Any, zone: zoneinfo.ZoneInfo) -> dt.date:
    return _utc(value).astimezone(zone).date()


def _later(move: Any) -> bool:
    return _utc(move.to_starts_at) > _utc(move.from_starts_at)
