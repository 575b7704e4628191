"""people and showcase: researchers linked from authorships with their evidence and decisions, and the
showcase's aggregates (record facts, disciplines by member and year, researchers and subjects per
discipline, collaboration between members, disciplines meeting in one work)

Revision ID: 0x01showcase
Revises: 0w01works
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hub.models.base

revision = "0x01showcase"
down_revision = "0w01works"
branch_labels = ("showcase",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
DT = hub.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table('collaboration',
    sa.Column('institution_a', sa.Integer(), nullable=False),
    sa.Column('institution_b', sa.Integer(), nullable=False),
    sa.Column('works', sa.Integer(), nullable=False),
    sa.Column('researchers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('institution_a', 'institution_b', name=op.f('pk_collaboration'))
    )
    op.create_index(op.f('ix_collaboration_institution_b'), 'collaboration', ['institution_b'], unique=False)
    op.create_table('discipline_pair',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('discipline_a', sa.String(length=4), nullable=False),
    sa.Column('discipline_b', sa.String(length=4), nullable=False),
    sa.Column('works', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('institution_id', 'discipline_a', 'discipline_b', name=op.f('pk_discipline_pair'))
    )
    op.create_table('discipline_subject',
    sa.Column('discipline', sa.String(length=4), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('discipline', 'subject', name=op.f('pk_discipline_subject'))
    )
    op.create_index('ix_discipline_subject_rank', 'discipline_subject', ['discipline', 'records'], unique=False)
    op.create_table('discipline_year',
    sa.Column('discipline', sa.String(length=4), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('open_access', sa.Integer(), nullable=False),
    sa.Column('fulltext', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('discipline', 'institution_id', 'year', name=op.f('pk_discipline_year'))
    )
    op.create_table('researcher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_zh', sa.String(length=255), nullable=False),
    sa.Column('name_latin', sa.String(length=255), nullable=False),
    sa.Column('search_names', sa.Text(), nullable=False),
    sa.Column('orcid', sa.String(length=19), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('institutions', JSON, nullable=False),
    sa.Column('disciplines', JSON, nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('works', sa.Integer(), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('created_at', DT(), nullable=False),
    sa.Column('updated_at', DT(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_researcher'))
    )
    op.create_index('ix_researcher_institution_records', 'researcher', ['institution_id', 'records'], unique=False)
    op.create_index('ix_researcher_records', 'researcher', ['records'], unique=False)
    op.create_index(op.f('ix_researcher_orcid'), 'researcher', ['orcid'], unique=False)
    op.create_table('researcher_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('split', 'join', name='decisionkind', native_enum=False, length=16), nullable=False),
    sa.Column('left', JSON, nullable=False),
    sa.Column('right', JSON, nullable=False),
    sa.Column('institutions', JSON, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', DT(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_researcher_decision'))
    )
    op.create_table('discipline_researcher',
    sa.Column('discipline', sa.String(length=4), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['researcher_id'], ['researcher.id'], name=op.f('fk_discipline_researcher_researcher_id_researcher'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('discipline', 'researcher_id', name=op.f('pk_discipline_researcher'))
    )
    op.create_index('ix_discipline_researcher_rank', 'discipline_researcher', ['discipline', 'records'], unique=False)
    op.create_table('authorship',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=True),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('orcid', sa.String(length=19), nullable=False),
    sa.Column('features', JSON, nullable=False),
    sa.Column('evidence', JSON, nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('linked_at', DT(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_authorship_record_id_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['researcher_id'], ['researcher.id'], name=op.f('fk_authorship_researcher_id_researcher'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('record_id', 'position', name=op.f('pk_authorship'))
    )
    op.create_index(op.f('ix_authorship_institution_id'), 'authorship', ['institution_id'], unique=False)
    op.create_index(op.f('ix_authorship_key'), 'authorship', ['key'], unique=False)
    op.create_index(op.f('ix_authorship_orcid'), 'authorship', ['orcid'], unique=False)
    op.create_index(op.f('ix_authorship_repository_id'), 'authorship', ['repository_id'], unique=False)
    op.create_index(op.f('ix_authorship_researcher_id'), 'authorship', ['researcher_id'], unique=False)
    op.create_table('authorship_key',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_authorship_key_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'record_id', 'position', name=op.f('pk_authorship_key'))
    )
    op.create_index(op.f('ix_authorship_key_record_id'), 'authorship_key', ['record_id'], unique=False)
    op.create_table('record_facts',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('disciplines', JSON, nullable=False),
    sa.Column('breadth', sa.Integer(), nullable=False),
    sa.Column('subjects', JSON, nullable=False),
    sa.Column('open_access', sa.Boolean(), nullable=False),
    sa.Column('fulltext', sa.Boolean(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=True),
    sa.Column('researchers', JSON, nullable=False),
    sa.Column('extra', JSON, nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_record_facts_record_id_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_record_facts'))
    )
    op.create_index(op.f('ix_record_facts_breadth'), 'record_facts', ['breadth'], unique=False)
    op.create_index('ix_record_facts_institution_breadth', 'record_facts', ['institution_id', 'breadth'], unique=False)
    op.create_index(op.f('ix_record_facts_institution_id'), 'record_facts', ['institution_id'], unique=False)
    op.create_index(op.f('ix_record_facts_work_id'), 'record_facts', ['work_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_record_facts_work_id'), table_name='record_facts')
    op.drop_index(op.f('ix_record_facts_institution_id'), table_name='record_facts')
    op.drop_index('ix_record_facts_institution_breadth', table_name='record_facts')
    op.drop_index(op.f('ix_record_facts_breadth'), table_name='record_facts')
    op.drop_table('record_facts')
    op.drop_index(op.f('ix_authorship_key_record_id'), table_name='authorship_key')
    op.drop_table('authorship_key')
    op.drop_index(op.f('ix_authorship_researcher_id'), table_name='authorship')
    op.drop_index(op.f('ix_authorship_repository_id'), table_name='authorship')
    op.drop_index(op.f('ix_authorship_orcid'), table_name='authorship')
    op.drop_index(op.f('ix_authorship_key'), table_name='authorship')
    op.drop_index(op.f('ix_authorship_institution_id'), table_name='authorship')
    op.drop_table('authorship')
    op.drop_index('ix_discipline_researcher_rank', table_name='discipline_researcher')
    op.drop_table('discipline_researcher')
    op.drop_table('researcher_decision')
    op.drop_index(op.f('ix_researcher_orcid'), table_name='researcher')
    op.drop_index('ix_researcher_institution_records', table_name='researcher')
    op.drop_index('ix_researcher_records', table_name='researcher')
    op.drop_table('researcher')
    op.drop_table('discipline_year')
    op.drop_index('ix_discipline_subject_rank', table_name='discipline_subject')
    op.drop_table('discipline_subject')
    op.drop_table('discipline_pair')
    op.drop_index(op.f('ix_collaboration_institution_b'), table_name='collaboration')
    op.drop_table('collaboration')
