"""calendar feed content key

What a feed's last body was made from, its ETag and when its bytes last changed:
a feed that has not changed answers 304 without being built again, from any worker.

Revision ID: 24882efb8427
Revises: ed18884616ff
Create Date: 2026-11-22 03:31:17.247419+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "24882efb8427"
down_revision: str | Sequence[str] | None = "ed18884616ff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("content_etag", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("content_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_column("content_changed_at")
        batch_op.drop_column("content_etag")
        batch_op.drop_column("content_key")
