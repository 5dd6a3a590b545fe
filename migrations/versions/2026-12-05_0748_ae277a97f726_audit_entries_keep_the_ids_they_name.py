"""audit entries keep the ids they name: no foreign keys from the log

An audit entry's `actor_id` and `matter_id` are covered by its hash. As foreign keys
with ON DELETE SET NULL, deleting a user or a matter made the database rewrite the
entries naming them, and `tracker audit verify` then reported them changed. They stay
indexed plain numbers: the log keeps what it recorded.

Downgrading restores the foreign keys; an id naming a row that is gone is set to NULL
first (as SET NULL would have done), which the chain then reports as a change.

Revision ID: ae277a97f726
Revises: 7472b0325dfb
Create Date: 2026-12-05 07:48:22.623798+00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "ae277a97f726"
down_revision: str | Sequence[str] | None = "7472b0325dfb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_entries_matter_id_matters"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_audit_entries_actor_id_users"), type_="foreignkey")


def downgrade() -> None:
    op.execute(
        "UPDATE audit_entries SET actor_id = NULL "
        "WHERE actor_id IS NOT NULL AND actor_id NOT IN (SELECT id FROM users)"
    )
    op.execute(
        "UPDATE audit_entries SET matter_id = NULL "
        "WHERE matter_id IS NOT NULL AND matter_id NOT IN (SELECT id FROM matters)"
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_actor_id_users"),
            "users",
            ["actor_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_matter_id_matters"),
            "matters",
            ["matter_id"],
            ["id"],
            ondelete="SET NULL",
        )
