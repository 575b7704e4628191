"""showcase contributions: the units (records, works, researchers) counted under each key of each figure,
so that the showcase stage recomputes an aggregate row with one GROUP BY over an index range; a
researcher's discipline rows found by its id

Revision ID: 0x02contributions
Revises: 0x01showcase
"""
import sqlalchemy as sa
from alembic import op

revision = "0x02contributions"
down_revision = "0x01showcase"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('showcase_contribution',
    sa.Column('figure', sa.Enum('year', 'subject', 'researcher', 'member', 'co-researcher', 'co-work', 'pair',
                                name='figure', native_enum=False, length=16), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.Integer(), nullable=False),
    sa.Column('member', sa.Integer(), nullable=False),
    sa.Column('open_access', sa.SmallInteger(), nullable=False),
    sa.Column('fulltext', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('figure', 'key', 'unit', name=op.f('pk_showcase_contribution')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_showcase_contribution_unit', 'showcase_contribution', ['unit', 'figure'], unique=False)
    op.create_index(op.f('ix_discipline_researcher_researcher_id'), 'discipline_researcher', ['researcher_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_discipline_researcher_researcher_id'), table_name='discipline_researcher')
    op.drop_index('ix_showcase_contribution_unit', table_name='showcase_contribution')
    op.drop_table('showcase_contribution')
