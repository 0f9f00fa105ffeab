"""shell: the process printing a job

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-03

Issue 12 (shell). `print_job.owner` = "host:pid" of the process that marked the job
printing, so start-up recovers only jobs whose process is gone (a CLI command run beside
the app no longer fails the job the app is printing). Additive only.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('owner')
