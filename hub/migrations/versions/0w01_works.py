"""works: records grouped into works, their blocking keys and the split/join decisions

Revision ID: 0w01works
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hub.models.base

revision = "0w01works"
down_revision = "0001"
branch_labels = ("works",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
DT = hub.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("doi", sa.String(length=255), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("updated_at", DT(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work")),
    )
    op.create_table(
        "work_member",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("features", JSON, nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grouped_at", DT(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_work_member_record_id_record"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_work_member_work_id_work"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_work_member")),
    )
    op.create_index(op.f("ix_work_member_work_id"), "work_member", ["work_id"], unique=False)
    op.create_index(op.f("ix_work_member_repository_id"), "work_member", ["repository_id"], unique=False)
    op.create_table(
        "work_key",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_work_key_record_id_record"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "record_id", name=op.f("pk_work_key")),
    )
    op.create_index(op.f("ix_work_key_record_id"), "work_key", ["record_id"], unique=False)
    op.create_table(
        "work_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("split", "join", name="decisionkind", native_enum=False, length=16),
                  nullable=False),
        sa.Column("left", JSON, nullable=False),
        sa.Column("right", JSON, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_decision")),
    )


def downgrade() -> None:
    op.drop_table("work_decision")
    op.drop_index(op.f("ix_work_key_record_id"), table_name="work_key")
    op.drop_table("work_key")
    op.drop_index(op.f("ix_work_member_repository_id"), table_name="work_member")
    op.drop_index(op.f("ix_work_member_work_id"), table_name="work_member")
    op.drop_table("work_member")
    op.drop_table("work")
