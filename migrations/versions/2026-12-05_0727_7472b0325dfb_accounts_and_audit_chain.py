"""accounts: server-side sessions, second factors, token scopes, the audit chain

Sessions live in `user_sessions` (the cookie carries a random id, its hash is kept);
`second_factors` holds TOTP secrets and WebAuthn credentials, `recovery_codes` their
hashed fallbacks, `site_settings` who must use two factors. API tokens get an expiry
and a scope (existing ones stay read-write). The audit log becomes a hash chain: the
entries written so far are chained here in the order of their ids, and `audit_head`
records the chain's end.

Revision ID: 7472b0325dfb
Revises: a0f1c6fa0612
Create Date: 2026-12-05 07:27:41.770014+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.audit import chain

# revision identifiers, used by Alembic.
revision: str = "7472b0325dfb"
down_revision: str | Sequence[str] | None = "a0f1c6fa0612"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_settings")),
        sa.UniqueConstraint("key", name=op.f("uq_site_settings_key")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "second_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("credential_id", sa.String(length=1400), nullable=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_second_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_factors")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_second_factors_credential_id")),
    )
    with op.batch_alter_table("second_factors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_second_factors_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending_factor", sa.Boolean(), nullable=False),
        sa.Column("proof", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("scope", sa.String(length=32), server_default="read-write", nullable=False)
        )

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.alter_column("entity_id", existing_type=sa.INTEGER(), nullable=True)
    entries, last_id, head = _chain_existing_entries()
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer),
            sa.column("entries", sa.BigInteger),
            sa.column("last_id", sa.Integer),
            sa.column("hash", sa.String),
        ),
        [{"id": 1, "entries": entries, "last_id": last_id, "hash": head}],
    )


def _chain_existing_entries() -> tuple[int, int | None, str]:
    """Chain the entries written so far, in the order of their ids; the chain's end."""
    connection = op.get_bind()
    entries = sa.table(
        "audit_entries",
        *(sa.column(name) for name in ("id", "prev_hash", "hash")),
        sa.column("at", sa.DateTime(timezone=True)),
        *(sa.column(name) for name in chain.FIELDS[1:-2]),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    rows = connection.execute(
        sa.select(entries.c.id, *(entries.c[name] for name in chain.FIELDS)).order_by(entries.c.id)
    ).mappings()
    previous, count, last_id, links = chain.GENESIS, 0, None, []
    for row in rows.all():
        digest = chain.digest(previous, row)
        links.append({"row_id": row["id"], "prev": previous, "digest": digest})
        previous, count, last_id = digest, count + 1, row["id"]
    if links:
        connection.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")),
            links,
        )
    return count, last_id, previous


def downgrade() -> None:
    # attempts that named no row (failed sign-ins of unknown emails) cannot stay
    op.execute("DELETE FROM audit_entries WHERE entity_id IS NULL")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("entity_id", existing_type=sa.INTEGER(), nullable=False)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scope")
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_sessions_expires_at"))

    op.drop_table("user_sessions")
    with op.batch_alter_table("second_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_second_factors_user_id"))

    op.drop_table("second_factors")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))

    op.drop_table("recovery_codes")
    op.drop_table("site_settings")
    op.drop_table("audit_head")
