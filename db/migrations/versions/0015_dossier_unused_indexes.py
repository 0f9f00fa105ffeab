"""sync speed: four dossier indexes no query reads are dropped

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Issue 11 (sync speed). Every projection a pull writes (and every dossier a desk saves)
went into 17 indexes of `dossier` plus the search index. Four of them serve no query:
`ix_dossier_name_fold` (name_fold, received_at), `ix_dossier_applicant_id_number` and
`ix_dossier_applicant_phone` served the search before the FTS5 index of migration 0004
(db/search.py now reads `dossier_name_fts` and `dossier_key_fts` on a desk, and a
leading-wildcard LIKE, which no B-tree serves, on PostgreSQL); `ix_dossier_status` (status)
is a prefix of `ix_dossier_status_due` (status, due_at), which answers any range on
status alone with the same plan. Writing them was about a fifth of the CPU of inserting
25,641 pulled projections. Dropped on both dialects: PostgreSQL's queries of `dossier`
are the same or plainer. `ix_dossier_received_at` stays, though a prefix of
`ix_dossier_stats`: it is the narrow index of the centre's receipts branch and costs a
desk little.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_INDEXES = (
    ("ix_dossier_name_fold", ["name_fold", "received_at"]),
    ("ix_dossier_applicant_id_number", ["applicant_id_number"]),
    ("ix_dossier_applicant_phone", ["applicant_phone"]),
    ("ix_dossier_status", ["status"]),
)


def upgrade() -> None:
    for name, _columns in _INDEXES:
        op.drop_index(name, table_name='dossier')


def downgrade() -> None:
    for name, columns in _INDEXES:
        op.create_index(name, 'dossier', columns)
