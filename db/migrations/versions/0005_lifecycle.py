"""lifecycle: supplement, hand-off and work-list columns on the dossier projection

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03

Issue 8. The projection gains what applying the next event needs (the status a supplement
request interrupted, the current hand-off holder and its step due date), the citizen's
deadline to supplement ("quá hạn bổ sung"), the count of supplement requests a supervisor
allowed beyond the first, and two (status, date) indexes for the morning work list.
Existing rows get their defaults; `motcua db rebuild` refills them from the events.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_status', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supplement_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('supplement_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('supplement_overrides', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('step_due_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_dossier_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_dossier_status_supplement_due', ['status', 'supplement_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_status_supplement_due')
        batch_op.drop_index('ix_dossier_status_due')
        batch_op.drop_column('step_due_at')
        batch_op.drop_column('holder')
        batch_op.drop_column('supplement_overrides')
        batch_op.drop_column('supplement_due_at')
        batch_op.drop_column('supplement_requested_at')
        batch_op.drop_column('prior_status')
