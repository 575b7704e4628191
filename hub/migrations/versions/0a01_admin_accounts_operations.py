"""admin area: accounts, sign-in attempts, audit log, repository status, snapshots, completeness, usage

Revision ID: 0a01
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import hub.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0a01'
down_revision = '0001'
branch_labels = ('admin',)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
DT = hub.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('hub-admin', 'member-admin', 'viewer', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', DT(), nullable=False),
    sa.Column('last_sign_in_at', DT(), nullable=True),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_user_account_institution_id_institution'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_index(op.f('ix_user_account_institution_id'), 'user_account', ['institution_id'], unique=False)
    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('account', 'ip', name='attemptscope', native_enum=False, length=16), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', DT(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt'))
    )
    op.create_index('ix_sign_in_attempt_scope_key_at', 'sign_in_attempt', ['scope', 'key', 'at'], unique=False)
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('before', JSON, nullable=True),
    sa.Column('after', JSON, nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', DT(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    op.create_index(op.f('ix_audit_entry_user_id'), 'audit_entry', ['user_id'], unique=False)
    op.create_index(op.f('ix_audit_entry_institution_id'), 'audit_entry', ['institution_id'], unique=False)
    op.create_index(op.f('ix_audit_entry_at'), 'audit_entry', ['at'], unique=False)
    op.create_table('repository_status',
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('health', sa.Enum('unknown', 'ok', 'failing', name='health', native_enum=False, length=16), nullable=False),
    sa.Column('health_since', DT(), nullable=True),
    sa.Column('last_enqueued_at', DT(), nullable=True),
    sa.Column('last_notice_at', DT(), nullable=True),
    sa.Column('last_notice', sa.Text(), nullable=False),
    sa.Column('last_completeness_at', DT(), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_repository_status_repository_id_repository'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('repository_id', name=op.f('pk_repository_status'))
    )
    op.create_table('count_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('fulltexts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_count_snapshot_repository_id_repository'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_snapshot')),
    sa.UniqueConstraint('repository_id', 'day', name=op.f('uq_count_snapshot_repository_id_day'))
    )
    op.create_index(op.f('ix_count_snapshot_repository_id'), 'count_snapshot', ['repository_id'], unique=False)
    op.create_table('completeness_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('created_at', DT(), nullable=False),
    sa.Column('source_count', sa.Integer(), nullable=False),
    sa.Column('hub_count', sa.Integer(), nullable=False),
    sa.Column('missing', JSON, nullable=False),
    sa.Column('extra', JSON, nullable=False),
    sa.Column('stale', JSON, nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('repaired_at', DT(), nullable=True),
    sa.Column('repair_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], name=op.f('fk_completeness_report_repository_id_repository'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completeness_report'))
    )
    op.create_index(op.f('ix_completeness_report_repository_id'), 'completeness_report', ['repository_id'], unique=False)
    op.create_table('usage_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('view', 'download', name='usagekind', native_enum=False, length=16), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('visitor', sa.String(length=16), nullable=False),
    sa.Column('at', DT(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_event'))
    )
    op.create_index(op.f('ix_usage_event_record_id'), 'usage_event', ['record_id'], unique=False)
    op.create_index('ix_usage_event_institution_at', 'usage_event', ['institution_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_table('usage_event')
    op.drop_table('completeness_report')
    op.drop_table('count_snapshot')
    op.drop_table('repository_status')
    op.drop_table('audit_entry')
    op.drop_table('sign_in_attempt')
    op.drop_table('user_account')
