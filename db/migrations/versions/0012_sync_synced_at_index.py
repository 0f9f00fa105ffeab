"""sync speed: the desk no longer keeps an index of every event's synced_at

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Issue 11 (sync speed). `ix_event_synced_at` (synced_at) changed with every push mark on a
desk (its entry moved from NULL to the time) and grew with every pulled event, and no desk
query reads it: what waits to be pushed is counted and read off the partial
`ix_event_unsent`, a dossier's events by `ix_event_dossier_hlc`, a desk's last sync at the
centre by `ix_event_desk_synced`. On SQLite (desks, and a SQLite centre) it becomes partial
on `seq IS NOT NULL`: a desk never numbers events, so its index stays empty and costs
nothing, while a SQLite centre (every row numbered) keeps it whole. PostgreSQL is a centre
only and keeps the index as it is.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_NUMBERED = "seq IS NOT NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index('ix_event_synced_at', table_name='event')
    op.create_index('ix_event_synced_at', 'event', ['synced_at'], sqlite_where=sa.text(_NUMBERED))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index('ix_event_synced_at', table_name='event')
    op.create_index('ix_event_synced_at', 'event', ['synced_at'])
