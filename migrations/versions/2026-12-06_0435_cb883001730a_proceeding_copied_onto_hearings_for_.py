"""the proceeding's country, kind and matter copied onto hearings and postponements

The delay statistics over five years read some 362,000 hearings held and their
postponements; joining each to its proceeding for its country, kind and matter (the
lawyer's filter) took most of a second. Hearings and postponements now carry copies of
those three columns, with each hearing's slip in days (from the first date set to the
court day, when it was postponed), so that each statement is answered from one index,
in the order it groups by. The application keeps the copies on every flush
(`tracker.hearings.models`), including when a proceeding's country, kind or matter
changes; they are filled here for the rows already stored, in chunks of hearings.
They are not in the audit log: the changes they derive from are.

The statistics no longer read `ix_hearings_proceeding_days` or
`ix_postponements_counted_on`: a hearing's proceeding is found by a plain index again.

Revision ID: cb883001730a
Revises: af85c8b19943
Create Date: 2026-12-06 04:35:48.889669+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "cb883001730a"
down_revision: str | Sequence[str] | None = "af85c8b19943"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: hearings (ids) filled at a time, with their postponements
CHUNK = 5000
#: the copied columns, in hearings and postponements alike
COPIED = (
    ("jurisdiction_id", sa.Integer(), "jurisdiction_id"),
    ("proceeding_kind", sa.String(length=32), "kind"),
    ("matter_id", sa.Integer(), "matter_id"),
)

proceedings = sa.table(
    "proceedings",
    sa.column("id", sa.Integer),
    *(sa.column(source, kind) for _, kind, source in COPIED),
)
hearings = sa.table(
    "hearings",
    sa.column("id", sa.Integer),
    sa.column("proceeding_id", sa.Integer),
    sa.column("court_day", sa.Date),
    sa.column("dates_set", sa.Integer),
    sa.column("first_set_on", sa.Date),
    sa.column("slip_days", sa.Integer),
    *(sa.column(name, kind) for name, kind, _ in COPIED),
)
postponements = sa.table(
    "postponements",
    sa.column("hearing_id", sa.Integer),
    *(sa.column(name, kind) for name, kind, _ in COPIED),
)


def upgrade() -> None:
    with op.batch_alter_table("hearings") as batch:
        batch.add_column(sa.Column("slip_days", sa.Integer(), nullable=True))
        for name, kind, _ in COPIED:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("postponements") as batch:
        for name, kind, _ in COPIED:
            batch.add_column(sa.Column(name, kind, nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("hearings") as batch:
        for name, kind, _ in COPIED:
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.drop_index("ix_hearings_proceeding_days")
        batch.create_index("ix_hearings_proceeding_id", ["proceeding_id"])
        batch.create_index(
            "ix_hearings_statistics",
            [
                "status",
                "jurisdiction_id",
                "proceeding_kind",
                "dates_set",
                "slip_days",
                "court_day",
                "matter_id",
            ],
        )
    with op.batch_alter_table("postponements") as batch:
        for name, kind, _ in COPIED:
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.drop_index("ix_postponements_counted_on")
        batch.create_index(
            "ix_postponements_statistics",
            ["counted_on", "jurisdiction_id", "proceeding_kind", "matter_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("postponements") as batch:
        batch.drop_index("ix_postponements_statistics")
        batch.create_index("ix_postponements_counted_on", ["counted_on", "hearing_id"])
        for name, _, _ in reversed(COPIED):
            batch.drop_column(name)
    with op.batch_alter_table("hearings") as batch:
        batch.drop_index("ix_hearings_statistics")
        batch.drop_index("ix_hearings_proceeding_id")
        batch.create_index(
            "ix_hearings_proceeding_days",
            ["proceeding_id", "status", "court_day", "dates_set", "first_set_on"],
        )
        for name, _, _ in reversed(COPIED):
            batch.drop_column(name)
        batch.drop_column("slip_days")


def _backfill(connection: sa.Connection) -> None:
    """Hearings in chunks of ids, then their postponements, by the rules of `settle`."""
    of_proceeding = proceedings.c.id == hearings.c.proceeding_id
    from_proceeding = {
        name: sa.select(proceedings.c[column]).where(of_proceeding).scalar_subquery()
        for name, _, column in COPIED
    }
    of_hearing = hearings.c.id == postponements.c.hearing_id
    from_hearing = {
        name: sa.select(hearings.c[name]).where(of_hearing).scalar_subquery()
        for name, _, _ in COPIED
    }
    slip = _days_between(connection.dialect.name, hearings.c.court_day, hearings.c.first_set_on)
    last = connection.scalar(sa.select(sa.func.max(hearings.c.id))) or 0
    for first in range(1, last + 1, CHUNK):
        chunk = hearings.c.id.between(first, first + CHUNK - 1)
        connection.execute(hearings.update().where(chunk).values(from_proceeding))
        postponed = sa.and_(chunk, hearings.c.dates_set > 1)
        connection.execute(hearings.update().where(postponed).values(slip_days=slip))
        moves = postponements.c.hearing_id.between(first, first + CHUNK - 1)
        connection.execute(postponements.update().where(moves).values(from_hearing))


def _days_between(
    dialect: str, later: sa.ColumnClause, earlier: sa.ColumnClause
) -> sa.ColumnElement:
    """Whole days from the date `earlier` to the date `later`."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
    return sa.type_coerce(later - earlier, sa.Integer)
