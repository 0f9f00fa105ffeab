"""stats speed: a covering index of the dossiers not handed back (today at a glance)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03

Issue 10 (speed). The dashboard's "today" counts (due today, overdue, waiting for a
supplement, results not handed back) are all of dossiers without `returned_at`: a partial
index of those rows holding every column the counts read, so they are counted from the
index instead of a scan of every dossier. Additive only.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept in step with db/models.py (TODAY_COLUMNS), as a migration must not import the models.
_TODAY_COLUMNS = ("status", "due_at", "original_due_at", "resolved_at", "returned_at", "closed_at", "received_at",
                  "agency_code")
_NOT_RETURNED = "returned_at IS NULL"


def upgrade() -> None:
    op.create_index('ix_dossier_not_returned', 'dossier', list(_TODAY_COLUMNS),
                    sqlite_where=sa.text(_NOT_RETURNED), postgresql_where=sa.text(_NOT_RETURNED))


def downgrade() -> None:
    op.drop_index('ix_dossier_not_returned', table_name='dossier')
