"""stats speed: receipt day, end day and class stored on the dossier projection

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

Issue 10 (speed). `dossier.received_day`, `ended_day` (yyyymmdd integers) and `stat_class`
(core.stats.SC_* bits) are what core.stats.stored_facts computes from the row's other
columns; db/rows.py writes them with every projection. Existing rows are filled here by
one UPDATE, so a desk that upgrades keeps exact figures. Two covering indexes serve the
desk's report: the receipts per (day, field, clerk, class) and the results per end day.
The columns are calendar-free (no working days), so a holiday calendar change never
makes them stale.

On SQLite, `rated_fact` (db/rated_facts.py): the fields a ratings summary reads of each
`rated` event, kept by triggers on `event` and filled here from the existing events.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from db import rated_facts


revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept in step with db/models.py (RECEIPT_COLUMNS, RESULT_COLUMNS), as a migration must not
# import the models.
_RECEIPT_COLUMNS = ("received_day", "procedure_field", "received_by", "stat_class", "ended_day", "original_due_at",
                    "agency_code")
_RESULT_COLUMNS = ("ended_day", "procedure_field", "received_by", "received_day", "stat_class", "agency_code")


def _fill_sql(dialect: str) -> str:
    """The stored facts of every row (a copy of db/stats_sql.py's stored_facts_sql as of this
    revision; tests/db/test_migrations.py holds both to core.stats.stored_facts)."""
    if dialect == "sqlite":
        def dn(col: str) -> str:
            return f"CAST(substr({col}, 1, 4) || substr({col}, 6, 2) || substr({col}, 9, 2) AS INTEGER)"
        later = "max"
    else:
        def dn(col: str) -> str:
            return f"CAST(to_char({col}, 'YYYYMMDD') AS INTEGER)"
        later = "GREATEST"
    end = "COALESCE(resolved_at, returned_at, closed_at)"
    rday, due = dn("received_at"), dn("original_due_at")
    eday = f"(CASE WHEN {end} IS NULL THEN NULL ELSE {later}({dn(end)}, {rday}) END)"
    cls = ("(CASE WHEN status = 3 THEN 1 ELSE 0 END)"
           " + (CASE WHEN channel = 2 THEN 2 WHEN channel = 3 THEN 4 ELSE 0 END)"
           " + (CASE WHEN resolved_at IS NOT NULL OR returned_at IS NOT NULL THEN 8"
           f" + (CASE WHEN {eday} < {due} THEN 0 WHEN {eday} = {due} THEN 32 ELSE 64 END)"
           f" + (CASE WHEN {eday} = {rday} THEN 128 ELSE 0 END)"
           " WHEN closed_at IS NOT NULL THEN 16 ELSE 0 END)"
           " + (CASE WHEN apology_count > 0 THEN 256 ELSE 0 END)"
           " + (CASE WHEN supplement_count > 1 THEN 512 ELSE 0 END)"
           " + (CASE WHEN status = 5 THEN 1024 ELSE 0 END)")
    return f"UPDATE dossier SET received_day = {rday}, ended_day = {eday}, stat_class = {cls}"


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_day', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('ended_day', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stat_class', sa.Integer(), server_default='0', nullable=False))
    conn = op.get_bind()
    conn.execute(sa.text(_fill_sql(conn.dialect.name)))
    op.create_index('ix_dossier_receipts', 'dossier', list(_RECEIPT_COLUMNS))
    op.create_index('ix_dossier_results', 'dossier', list(_RESULT_COLUMNS))
    rated_facts.install(conn)


def downgrade() -> None:
    rated_facts.uninstall(op.get_bind())
    op.drop_index('ix_dossier_results', table_name='dossier')
    op.drop_index('ix_dossier_receipts', table_name='dossier')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('stat_class')
        batch_op.drop_column('ended_day')
        batch_op.drop_column('received_day')
