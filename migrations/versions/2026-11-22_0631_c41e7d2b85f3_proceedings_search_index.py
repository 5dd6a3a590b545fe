"""proceedings search index

Revision ID: c41e7d2b85f3
Revises: 9a6263022d10
Create Date: 2026-11-22 06:31:12.418302+00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c41e7d2b85f3"
down_revision: str | Sequence[str] | None = "9a6263022d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the matters search (country, kind, open or not -> matter) from the index alone
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proceedings_search",
            ["jurisdiction_id", "kind", "status", "matter_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.drop_index("ix_proceedings_search")
