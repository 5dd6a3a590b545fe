"""outbox claim tokens

Each claim of the outbox gets a random token (one UPDATE renews a whole batch, and a
result is written only under the token that claimed the row); `send_started_at`
marks a request in flight, and `interrupted_at` keeps when one was cut off, so a
mail sent again afterwards shows as possibly sent twice. Existing rows get nulls; a
row left `sending` by the old dispatcher is claimed again after its lease.

Revision ID: 8c3d5e7f9a1b
Revises: 5b1f0c9e7a23
Create Date: 2026-12-04 09:00:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8c3d5e7f9a1b"
down_revision: str | Sequence[str] | None = "5b1f0c9e7a23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("interrupted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("interrupted_at")
        batch_op.drop_column("send_started_at")
        batch_op.drop_column("claim_token")
