"""resourcesync: the md5 of each stored full text, computed once for the ResourceSync lists

Revision ID: 0r01filemd5
Revises: ft0005files
"""
import sqlalchemy as sa
from alembic import op

revision = "0r01filemd5"
down_revision = "ft0005files"
branch_labels = ("resourcesync",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resourcesync_file_md5",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_resourcesync_file_md5")),
    )


def downgrade() -> None:
    op.drop_table("resourcesync_file_md5")
