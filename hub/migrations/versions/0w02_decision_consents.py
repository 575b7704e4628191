"""work decision consents: a split or join touching several members waits for each member's consent

Revision ID: s14w02consent
Revises: 0w01works
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hub.models.base

revision = "s14w02consent"
down_revision = "0w01works"
branch_labels = ("work-consent",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
DT = hub.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "work_decision_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("split", "join", name="decisionkind", native_enum=False, length=16),
                  nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("left", JSON, nullable=False),
        sa.Column("right", JSON, nullable=False),
        sa.Column("institutions", JSON, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum("pending", "applied", "declined", name="requeststate", native_enum=False,
                                   length=16), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.Column("closed_at", DT(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["work_decision.id"],
                                name=op.f("fk_work_decision_request_decision_id_work_decision"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_decision_request")),
    )
    op.create_index(op.f("ix_work_decision_request_work_id"), "work_decision_request", ["work_id"], unique=False)
    op.create_index(op.f("ix_work_decision_request_state"), "work_decision_request", ["state"], unique=False)
    op.create_table(
        "work_decision_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", DT(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["work_decision_request.id"],
                                name=op.f("fk_work_decision_consent_request_id_work_decision_request"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_decision_consent")),
        sa.UniqueConstraint("request_id", "institution_id",
                            name=op.f("uq_work_decision_consent_request_id_institution_id")),
    )
    op.create_index(op.f("ix_work_decision_consent_request_id"), "work_decision_consent", ["request_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_decision_consent_request_id"), table_name="work_decision_consent")
    op.drop_table("work_decision_consent")
    op.drop_index(op.f("ix_work_decision_request_state"), table_name="work_decision_request")
    op.drop_index(op.f("ix_work_decision_request_work_id"), table_name="work_decision_request")
    op.drop_table("work_decision_request")
