"""print_job: reason code and bytes sent

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03

Issues 11 and 12 (printing). `reason_code` keeps the short code of a failed job beside the
Vietnamese reason ("not-configured", "partial", "paper-out", ...), so the app can tell a
job that never reached a printer from one that broke off part-way; `sent_bytes` is how far
a partial job got, so its retry can finish the command the printer was left in and start
with a cut (printers.service.retry_separator).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sent_bytes', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_column('sent_bytes')
        batch_op.drop_column('reason_code')
