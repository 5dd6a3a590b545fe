"""delivery events from SendGrid

What SendGrid's signed Event Webhook tells of each mail (delivered, deferred, bounce,
dropped, spamreport), one row per SendGrid event id, so a batch posted twice records
nothing new. A new table only: no row of the outbox changes.

Revision ID: 76ae95c1cb2e
Revises: 4d471a76869a
Create Date: 2026-12-06 01:48:49.553984+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "76ae95c1cb2e"
down_revision: str | Sequence[str] | None = "4d471a76869a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("sg_event_id", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_delivery_events_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_events")),
        sa.UniqueConstraint("sg_event_id", name=op.f("uq_delivery_events_sg_event_id")),
    )
    with op.batch_alter_table("delivery_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_events_latest", ["notification_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_events_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_events_received_at"))
        batch_op.drop_index("ix_delivery_events_latest")

    op.drop_table("delivery_events")
