"""fidelity: the run that last saw each record (the full-harvest sweep) and held sweeps per repository

Revision ID: 0f01sweep
Revises: 0a01
"""
import sqlalchemy as sa
from alembic import op

revision = "0f01sweep"
down_revision = "0a01"
branch_labels = ("fidelity",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record") as batch:
        batch.add_column(sa.Column("last_seen_run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_seen_set", sa.String(length=512), nullable=True))
    with op.batch_alter_table("repository_status") as batch:
        batch.add_column(sa.Column("sweep_held", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("sweep_held_run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("repository_status") as batch:
        batch.drop_column("sweep_held_run_id")
        batch.drop_column("sweep_held")
    with op.batch_alter_table("record") as batch:
        batch.drop_column("last_seen_set")
        batch.drop_column("last_seen_run_id")
