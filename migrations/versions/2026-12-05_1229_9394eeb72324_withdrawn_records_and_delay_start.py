"""withdrawn postponements and events, and when a delay began

A postponement or an event recorded by mistake is withdrawn, not erased: it keeps its
row, marked with who withdrew it, when and why, and every count, slip, flag, feed and
computed deadline leaves it out. A delay flag gains `began_on`, the day the delay
itself began as its rule computes it (filled by the next scan; `first_seen` stays the
day a scan first saw it).

Revision ID: 9394eeb72324
Revises: ae277a97f726
Create Date: 2026-12-05 12:29:01.046815+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9394eeb72324"
down_revision: str | Sequence[str] | None = "ae277a97f726"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delay_flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("began_on", sa.Date(), nullable=True))

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("withdrawal_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_events_withdrawn_by_id_users"), "users", ["withdrawn_by_id"], ["id"]
        )

    with op.batch_alter_table("postponements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("withdrawal_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_postponements_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("postponements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_postponements_withdrawn_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_withdrawn_by_id_users"), type_="foreignkey")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")

    with op.batch_alter_table("delay_flags", schema=None) as batch_op:
        batch_op.drop_column("began_on")
