"""full text: stored files and record files

Revision ID: ft0005files
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""
import sqlalchemy as sa
from alembic import op

import hub.models.base

revision = "ft0005files"
down_revision = "0001"
branch_labels = ("fulltext",)
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(), nullable=False),
        sa.Column("extract_state", _enum("extractstate", "pending", "extracted", "failed", "unextractable",
                                         "quarantined"), nullable=False),
        sa.Column("extract_attempts", sa.Integer(), nullable=False),
        sa.Column("extract_error_kind", sa.String(length=32), nullable=False),
        sa.Column("extract_error", sa.Text(), nullable=False),
        sa.Column("extracted_at", hub.models.base.UTCDateTime(), nullable=True),
        sa.Column("extractor", sa.String(length=32), nullable=False),
        sa.Column("text_chars", sa.Integer(), nullable=False),
        sa.Column("text_language", sa.String(length=8), nullable=False),
        sa.Column("text_quality", sa.Float(), nullable=False),
        sa.Column("needs_ocr", sa.Boolean(), nullable=False),
        sa.Column("ocr", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_file_extract_state"), ["extract_state"], unique=False)

    op.create_table(
        "record_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("label", sa.String(length=512), nullable=False),
        sa.Column("access", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("etag", sa.String(length=512), nullable=False),
        sa.Column("last_modified", sa.String(length=64), nullable=False),
        sa.Column("state", _enum("filestate", "pending", "stored", "skipped", "failed"), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fetched_at", hub.models.base.UTCDateTime(), nullable=True),
        sa.Column("checked_at", hub.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_record_file_record_id_record"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_file")),
        sa.UniqueConstraint("record_id", "url", name=op.f("uq_record_file_record_id_url")),
    )
    with op.batch_alter_table("record_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_file_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_file_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_file_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("record_file")
    op.drop_table("stored_file")
