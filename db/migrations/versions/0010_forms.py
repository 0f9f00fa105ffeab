"""forms: the reason a print job is a reprint

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-03

Issue 8 (forms). `print_job.reprint_reason`: empty for a first print; for a reprint, the
reason the clerk gave (the slip itself carries "BẢN IN LẠI" and the time). Additive only.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reprint_reason', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('reprint_reason')
