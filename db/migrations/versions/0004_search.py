"""search: dossier.search_keys and the desk's FTS5 search index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Issue 12 (db/search.py, db/search_index.py). On every database: `dossier.search_keys`, the
digits of code, phone and ID number reversed (a "last digits" search is a prefix of them),
filled for the dossiers already there. On SQLite only: the FTS5 table `dossier_fts` over
the folded name and those keys, with the triggers that keep it in step with `dossier`.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from db import search_index


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_PG_REVERSED = "reverse(regexp_replace(coalesce({}, ''), '[^0-9]', '', 'g'))"


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_keys', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        parts = [_PG_REVERSED.format(c) for c in ("code", "applicant_phone", "applicant_id_number")]
        op.execute(f"UPDATE dossier SET search_keys = btrim(concat_ws(' ', "
                   f"{', '.join(f'nullif({p}, {chr(39) * 2})' for p in parts)}))")
        return
    raw = bind.connection.driver_connection
    raw.create_function("motcua_search_keys", 3, search_index.search_keys, deterministic=True)
    op.execute("UPDATE dossier SET search_keys = "
               "motcua_search_keys(code, applicant_phone, applicant_id_number)")
    search_index.install(bind)


def downgrade() -> None:
    search_index.uninstall(op.get_bind())
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('search_keys')
