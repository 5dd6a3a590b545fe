"""postponement time known

Whether the hour of each date of a move was known: an unknown hour is stored at local
midnight, and a ledger cannot tell it from a hearing set at midnight. Moves recorded
before keep null (the pages then read a local midnight as a day without an hour).

Revision ID: 5b1f0c9e7a23
Revises: c41e7d2b85f3
Create Date: 2026-11-22 06:45:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5b1f0c9e7a23"
down_revision: str | Sequence[str] | None = "c41e7d2b85f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("postponements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_time_known", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("to_time_known", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postponements", schema=None) as batch_op:
        batch_op.drop_column("to_time_known")
        batch_op.drop_column("from_time_known")
