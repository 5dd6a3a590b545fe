"""hearings remember the court invitation they came from

The UID and SEQUENCE of the invitation (.ics) a hearing was imported from, so that a
later invitation with the same UID moves, corrects or cancels that hearing instead of
adding another. Null for the hearings typed in; one UID per proceeding.

Revision ID: af85c8b19943
Revises: 76ae95c1cb2e
Create Date: 2026-12-06 04:31:52.808636+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "af85c8b19943"
down_revision: str | Sequence[str] | None = "76ae95c1cb2e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_uid", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("source_sequence", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_hearings_proceeding_id_source_uid"), ["proceeding_id", "source_uid"]
        )


def downgrade() -> None:
    with op.batch_alter_table("hearings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_hearings_proceeding_id_source_uid"), type_="unique")
        batch_op.drop_column("source_sequence")
        batch_op.drop_column("source_uid")
