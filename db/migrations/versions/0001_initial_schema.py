"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23

The whole first schema of db/models.py: reference data (agency, desk, account,
procedure_version, holiday_override), the append-only event log, the dossier projection,
daily sequences, print jobs and meta.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_agency'))
    )
    op.create_table('daily_sequence',
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'desk_number', 'day', name=op.f('pk_daily_sequence'))
    )
    op.create_table('dossier',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('procedure_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('procedure_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('procedure_version', sa.Integer(), nullable=False),
    sa.Column('applicant_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name_fold', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('applicant_id_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('applicant_phone', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('original_due_at', sa.DateTime(), nullable=False),
    sa.Column('received_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('supplement_count', sa.Integer(), nullable=False),
    sa.Column('apology_count', sa.Integer(), nullable=False),
    sa.Column('rating', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('conflicts', sa.Text(), nullable=False),
    sa.Column('last_hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier')),
    sa.UniqueConstraint('code', name=op.f('uq_dossier_code'))
    )
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_applicant_id_number', ['applicant_id_number'], unique=False)
        batch_op.create_index('ix_dossier_applicant_phone', ['applicant_phone'], unique=False)
        batch_op.create_index('ix_dossier_name_fold', ['name_fold', 'received_at'], unique=False)
        batch_op.create_index('ix_dossier_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_dossier_status', ['status'], unique=False)

    op.create_table('event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('clerk_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hlc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('wall_time', sa.DateTime(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('synced_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_dossier_hlc', ['dossier_id', 'hlc', 'id'], unique=False)
        batch_op.create_index('ix_event_synced_at', ['synced_at'], unique=False)

    op.create_table('holiday_override',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday_override'))
    )
    op.create_table('meta',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('print_job',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('slip', sa.Text(), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('printer_uri', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job'))
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_dossier_id', ['dossier_id'], unique=False)
        batch_op.create_index('ix_print_job_status', ['status'], unique=False)

    op.create_table('procedure_version',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', 'version', name=op.f('pk_procedure_version'))
    )
    op.create_table('account',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], name=op.f('fk_account_agency_code_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('agency_code', 'username', name='uq_account_agency_username')
    )
    op.create_table('desk',
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], name=op.f('fk_desk_agency_code_agency')),
    sa.PrimaryKeyConstraint('agency_code', 'number', name=op.f('pk_desk'))
    )


def downgrade() -> None:
    op.drop_table('desk')
    op.drop_table('account')
    op.drop_table('procedure_version')
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_status')
        batch_op.drop_index('ix_print_job_dossier_id')

    op.drop_table('print_job')
    op.drop_table('meta')
    op.drop_table('holiday_override')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_synced_at')
        batch_op.drop_index('ix_event_dossier_hlc')

    op.drop_table('event')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_status')
        batch_op.drop_index('ix_dossier_received_at')
        batch_op.drop_index('ix_dossier_name_fold')
        batch_op.drop_index('ix_dossier_applicant_phone')
        batch_op.drop_index('ix_dossier_applicant_id_number')

    op.drop_table('dossier')
    op.drop_table('daily_sequence')
    op.drop_table('agency')
