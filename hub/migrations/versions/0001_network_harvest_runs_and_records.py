"""network, harvest runs and records

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 07:53:32.608626
"""
from alembic import op
import sqlalchemy as sa
import hub.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('institution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=255), nullable=False),
    sa.Column('name_zh', sa.String(length=255), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('website', sa.String(length=512), nullable=False),
    sa.Column('contact_email', sa.String(length=255), nullable=False),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution')),
    sa.UniqueConstraint('slug', name=op.f('uq_institution_slug'))
    )
    op.create_table('repository',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('platform', sa.String(length=64), nullable=False),
    sa.Column('base_url', sa.String(length=1024), nullable=False),
    sa.Column('metadata_prefix', sa.String(length=64), nullable=False),
    sa.Column('sets_include', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('sets_exclude', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('schedule', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('active', 'paused', name='repositorystate', native_enum=False, length=16), nullable=False),
    sa.Column('high_water_mark', sa.String(length=40), nullable=False),
    sa.Column('granularity', sa.String(length=32), nullable=False),
    sa.Column('check_report', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('checked_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_repository_institution_id_institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repository'))
    )
    with op.batch_alter_table('repository', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repository_institution_id'), ['institution_id'], unique=False)

    op.create_table('harvest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('full', 'incremental', name='runkind', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'succeeded', 'partial', 'failed', 'interrupted', name='runstate', native_enum=False, length=16), nullable=False),
    sa.Column('from_date', sa.String(length=40), nullable=False),
    sa.Column('until_date', sa.String(length=40), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('checkpoint', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('worker', sa.String(length=255), nullable=False),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('started_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.Column('finished_at', hub.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_harvest_run_repository_id_repository'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_run'))
    )
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_run_repository_id'), ['repository_id'], unique=False)

    op.create_table('record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('source_identifier', sa.String(length=512), nullable=False),
    sa.Column('source_datestamp', sa.String(length=40), nullable=False),
    sa.Column('hub_datestamp', hub.models.base.UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('metadata_format', sa.String(length=64), nullable=False),
    sa.Column('raw_metadata', sa.Text(), nullable=False),
    sa.Column('metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('sets', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('fulltext_links', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('fulltext_state', sa.Enum('none', 'found', 'stored', 'extracted', 'failed', 'quarantined', name='fulltextstate', native_enum=False, length=16), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_record_repository_id_repository'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record')),
    sa.UniqueConstraint('repository_id', 'source_identifier', name=op.f('uq_record_repository_id_source_identifier'))
    )
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.create_index('ix_record_hub_datestamp_id', ['hub_datestamp', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_repository_id'), ['repository_id'], unique=False)

    op.create_table('item_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum('check', 'gather', 'import', 'files', 'extract', 'index', name='stage', native_enum=False, length=16), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('source_identifier', sa.String(length=1024), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', hub.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_item_error_repository_id_repository'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['harvest_run.id'], name=op.f('fk_item_error_run_id_harvest_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_error'))
    )
    with op.batch_alter_table('item_error', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_error_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_error_repository_id'), ['repository_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_error_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_error', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_error_run_id'))
        batch_op.drop_index(batch_op.f('ix_item_error_repository_id'))
        batch_op.drop_index(batch_op.f('ix_item_error_record_id'))

    op.drop_table('item_error')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_repository_id'))
        batch_op.drop_index('ix_record_hub_datestamp_id')

    op.drop_table('record')
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_run_repository_id'))

    op.drop_table('harvest_run')
    with op.batch_alter_table('repository', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repository_institution_id'))

    op.drop_table('repository')
    op.drop_table('institution')
