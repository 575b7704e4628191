"""federated sign-in: identity providers, federation sources, role rules, external identities, the SAML
replay cache, API tokens; how each admin session was signed in; accounts waiting for approval

Revision ID: 0u01sso
Revises: 0s01sessions
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hub.models.base

revision = "0u01sso"
down_revision = "0s01sessions"
branch_labels = ("sso",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
DT = hub.models.base.UTCDateTime


def _enum(name: str, *values: str, length: int = 16) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade() -> None:
    op.create_table(
        "federation_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("location", sa.String(length=1024), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("refresh_hours", sa.Integer(), nullable=False),
        sa.Column("fetched_at", DT(), nullable=True),
        sa.Column("valid_until", DT(), nullable=True),
        sa.Column("provider_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_source")),
        sa.UniqueConstraint("name", name=op.f("uq_federation_source_name")),
    )
    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("protocol", _enum("protocol", "oidc", "saml"), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("provisioning", _enum("provisioning", "active", "pending"), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("updated_at", DT(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"],
                                name=op.f("fk_identity_provider_institution_id_institution"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["federation_source.id"],
                                name=op.f("fk_identity_provider_source_id_federation_source"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider")),
        sa.UniqueConstraint("key", name=op.f("uq_identity_provider_key")),
        sa.UniqueConstraint("slug", name=op.f("uq_identity_provider_slug")),
    )
    op.create_index(op.f("ix_identity_provider_institution_id"), "identity_provider", ["institution_id"], unique=False)
    op.create_index(op.f("ix_identity_provider_source_id"), "identity_provider", ["source_id"], unique=False)
    op.create_table(
        "role_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("source", _enum("rulesource", "eduPersonScopedAffiliation", "eduPersonEntitlement",
                                  "email-domain", "group", length=32), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("role", _enum("role", "hub-admin", "member-admin", "viewer"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"],
                                name=op.f("fk_role_rule_institution_id_institution"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_rule")),
    )
    op.create_index(op.f("ix_role_rule_institution_id"), "role_rule", ["institution_id"], unique=False)
    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("last_seen_at", DT(), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["identity_provider.id"],
                                name=op.f("fk_external_identity_provider_id_identity_provider"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_external_identity_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint("provider_id", "subject", name=op.f("uq_external_identity_provider_id_subject")),
    )
    op.create_index(op.f("ix_external_identity_provider_id"), "external_identity", ["provider_id"], unique=False)
    op.create_index(op.f("ix_external_identity_user_id"), "external_identity", ["user_id"], unique=False)
    op.create_table(
        "used_assertion",
        sa.Column("assertion_id", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", DT(), nullable=False),
        sa.PrimaryKeyConstraint("assertion_id", name=op.f("pk_used_assertion")),
    )
    op.create_index(op.f("ix_used_assertion_expires_at"), "used_assertion", ["expires_at"], unique=False)
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("expires_at", DT(), nullable=True),
        sa.Column("last_used_at", DT(), nullable=True),
        sa.Column("revoked_at", DT(), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"],
                                name=op.f("fk_api_token_institution_id_institution"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_api_token_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_institution_id"), "api_token", ["institution_id"], unique=False)
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"], unique=False)
    with op.batch_alter_table("admin_session") as batch:
        batch.add_column(sa.Column("method", _enum("signinmethod", "local", "oidc", "saml"), nullable=False,
                                   server_default="local"))
        batch.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=512), nullable=False, server_default=""))
        batch.add_column(sa.Column("logout", JSON, nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("approval_pending", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("approval_pending")
    with op.batch_alter_table("admin_session") as batch:
        batch.drop_column("logout")
        batch.drop_column("subject")
        batch.drop_column("provider_id")
        batch.drop_column("method")
    for table in ("api_token", "used_assertion", "external_identity", "role_rule", "identity_provider",
                  "federation_source"):
        op.drop_table(table)
