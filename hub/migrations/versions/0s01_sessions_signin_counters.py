"""sessions on the server, atomic sign-in counters, required password changes

Revision ID: 0s01sessions
Revises: 0a01

- ``admin_session``: one row per signed-in session (the cookie carries a random token, the row its
  SHA-256); signing out deletes the row, so a cookie copied before sign-out opens nothing;
- ``sign_in_counter``: evaluations reserved per account and per IP address in the current window,
  counted with one conditional UPDATE so parallel attempts never exceed the limit;
- ``user_account.must_change_password``: the admin requires a new password at the next sign-in.
"""
import sqlalchemy as sa
from alembic import op

import hub.models.base

revision = "0s01sessions"
down_revision = "0a01"
branch_labels = ("sessions",)
depends_on = None

DT = hub.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "admin_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("expires_at", DT(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_admin_session_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admin_session_token_hash")),
    )
    op.create_index(op.f("ix_admin_session_user_id"), "admin_session", ["user_id"], unique=False)
    op.create_index(op.f("ix_admin_session_expires_at"), "admin_session", ["expires_at"], unique=False)
    op.create_table(
        "sign_in_counter",
        sa.Column("scope", sa.Enum("account", "ip", name="attemptscope", native_enum=False, length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", DT(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_sign_in_counter")),
    )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
    op.drop_table("sign_in_counter")
    op.drop_index(op.f("ix_admin_session_expires_at"), table_name="admin_session")
    op.drop_index(op.f("ix_admin_session_user_id"), table_name="admin_session")
    op.drop_table("admin_session")
