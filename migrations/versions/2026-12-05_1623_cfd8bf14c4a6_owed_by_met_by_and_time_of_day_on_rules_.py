"""who owes a time limit, what meets it, and a time of day

A deadline rule (and each deadline it computes) says who must act: `client`, as every
rule so far, or `authority` (the CCF, a State before the UN, an executing court), whose
time limit is met by recording one of the event kinds in `met_by`; `met_event_id` names
the event that met it. A rule can be counted back from its trigger (`direction`) and
be due at an hour of its last day (`due_time`, in the jurisdiction's zone; the deadline's
`due_at`), or counted in an office's working hours (`opens_at` to `due_time`). A rule
also cites its `article`, the official text's `source_url`, and when that text was
`checked_on`.

Existing rules and deadlines are the client's, counted forwards, with no time of day.
The ECHR's calendar becomes the Court's: Strasbourg's public holidays (France,
Alsace-Moselle), which Rule 39 requests count in working days; its other rule (the
application's time limit) never rolls, so no computed date changes.

Revision ID: cfd8bf14c4a6
Revises: 9394eeb72324
Create Date: 2026-12-05 16:23:07.952574+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "cfd8bf14c4a6"
down_revision: str | Sequence[str] | None = "9394eeb72324"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("article", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("source_url", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("owed_by", sa.String(length=32), nullable=False, server_default="client")
        )
        batch_op.add_column(
            sa.Column("met_by", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("direction", sa.String(length=32), nullable=False, server_default="after")
        )
        batch_op.add_column(sa.Column("due_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("opens_at", sa.Time(), nullable=True))

    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owed_by", sa.String(length=32), nullable=False, server_default="client")
        )
        batch_op.add_column(
            sa.Column("met_by", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("met_event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deadlines_met_event_id_events"),
            "events",
            ["met_event_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.execute(
        "UPDATE jurisdictions SET holiday_country = 'FR', holiday_subdivision = '6AE' "
        "WHERE code = 'ECHR' AND holiday_country IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deadlines_met_event_id_events"), type_="foreignkey")
        batch_op.drop_column("met_event_id")
        batch_op.drop_column("due_at")
        batch_op.drop_column("met_by")
        batch_op.drop_column("owed_by")

    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.drop_column("opens_at")
        batch_op.drop_column("due_time")
        batch_op.drop_column("direction")
        batch_op.drop_column("met_by")
        batch_op.drop_column("owed_by")
        batch_op.drop_column("checked_on")
        batch_op.drop_column("source_url")
        batch_op.drop_column("article")
