"""login buckets

Sign-in attempts are counted per bucket (an account, an address, a device) with one
upsert that returns the new count, instead of one row per failure counted by a
separate query: guesses sent at the same instant could all pass that check. The
failures recorded so far are not carried over (they only slowed guessing down for
15 minutes).

Revision ID: a0f1c6fa0612
Revises: 8c3d5e7f9a1b
Create Date: 2026-12-04 10:15:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a0f1c6fa0612"
down_revision: str | Sequence[str] | None = "8c3d5e7f9a1b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_buckets",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_buckets")),
    )
    with op.batch_alter_table("login_buckets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_buckets_opened_at"), ["opened_at"], unique=False)

    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_email"))
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))
        batch_op.drop_index(batch_op.f("ix_login_failures_address"))
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_email"), ["email"], unique=False)

    with op.batch_alter_table("login_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_buckets_opened_at"))
    op.drop_table("login_buckets")
