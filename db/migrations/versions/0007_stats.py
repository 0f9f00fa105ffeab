"""stats: procedure field on the dossier, indexes for period reports and desk freshness

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03

Issue 10 (db/stats.py). `dossier.procedure_field` (lĩnh vực) is filled by the fold from the
receipt's procedure snapshot; existing rows are filled here from the catalogue version they
were received under. Indexes: a covering one of every column a report reads, each end column (with receipt
time), the open dossiers
(carried over), and each desk's last sync at the centre. `supervisor_role` maps a central
supervisor login to the agency it may read (db/stats_central.py).
"""
import json
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept in step with db/models.py (STATS_COLUMNS), as a migration must not import the models.
_STATS_COLUMNS = ("received_at", "status", "channel", "original_due_at", "resolved_at", "returned_at",
                  "closed_at", "supplement_count", "apology_count", "procedure_field", "received_by",
                  "agency_code", "desk_number", "procedure_code")
_NO_RESULT = "resolved_at IS NULL"
_NO_RETURN = "resolved_at IS NULL AND returned_at IS NULL"
_OPEN = "resolved_at IS NULL AND returned_at IS NULL AND closed_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_field', sa.String(), server_default='', nullable=False))
    op.create_index('ix_dossier_stats', 'dossier', list(_STATS_COLUMNS))
    op.create_index('ix_dossier_resolved_at', 'dossier', ['resolved_at', 'received_at'])
    op.create_index('ix_dossier_returned_at', 'dossier', ['returned_at', 'received_at'],
                    sqlite_where=sa.text(_NO_RESULT), postgresql_where=sa.text(_NO_RESULT))
    op.create_index('ix_dossier_closed_at', 'dossier', ['closed_at', 'received_at'],
                    sqlite_where=sa.text(_NO_RETURN), postgresql_where=sa.text(_NO_RETURN))
    op.create_index('ix_dossier_open', 'dossier', ['received_at'],
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
    op.create_index('ix_event_desk_synced', 'event', ['agency_code', 'desk_number', 'synced_at'])
    op.create_table('supervisor_role',
    sa.Column('role_name', sa.String(), nullable=False),
    sa.Column('agency_code', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('role_name', name=op.f('pk_supervisor_role'))
    )
    _fill_fields()


def _fill_fields() -> None:
    conn = op.get_bind()
    fields = {}
    for code, version, content in conn.execute(sa.text("SELECT code, version, content FROM procedure_version")):
        try:
            fields[(code, version)] = json.loads(content).get("field") or ""
        except (ValueError, AttributeError):
            continue
    used = conn.execute(sa.text("SELECT DISTINCT procedure_code, procedure_version FROM dossier")).all()
    for code, version in used:
        field = fields.get((code, version))
        if field:
            conn.execute(sa.text("UPDATE dossier SET procedure_field = :f WHERE procedure_code = :c "
                                 "AND procedure_version = :v"), {"f": field, "c": code, "v": version})


def downgrade() -> None:
    op.drop_table('supervisor_role')
    op.drop_index('ix_event_desk_synced', table_name='event')
    for name in ('ix_dossier_open', 'ix_dossier_closed_at', 'ix_dossier_returned_at',
                 'ix_dossier_resolved_at', 'ix_dossier_stats'):
        op.drop_index(name, table_name='dossier')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('procedure_field')
