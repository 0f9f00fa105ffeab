"""sync speed: a desk keeps no copy of the centre's event indexes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Issue 11 (sync speed). Three indexes of `event` serve only a centre: `ix_event_agency_seq`
(pull by server number), `ix_event_agency_dossier_code` (one code per agency) and
`ix_event_desk_synced` (each desk's last arrival, `central freshness`). On a desk every
row has `seq` NULL, yet each pulled event was added to all three and each push mark moved
its entry in `ix_event_desk_synced` (about 40 % of the cost of marking 100,000 events
sent). As `ix_event_synced_at` in 0012, they become partial on `seq IS NOT NULL` on
SQLite: empty on a desk, whole on a SQLite centre, which numbers every row (the two
unique ones still forbid a repeat among numbered rows, the only rows they ever held one
for). The centre's queries say `seq IS NOT NULL` (or `seq > n`, which implies it), so
SQLite still plans them on these indexes. PostgreSQL is a centre only and keeps them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_NUMBERED = "seq IS NOT NULL"
_INDEXES = (
    ("ix_event_agency_seq", ["agency_code", "seq"], True),
    ("ix_event_agency_dossier_code", ["agency_code", "dossier_code"], True),
    ("ix_event_desk_synced", ["agency_code", "desk_number", "synced_at"], False),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns, unique in _INDEXES:
        op.drop_index(name, table_name='event')
        op.create_index(name, 'event', columns, unique=unique, sqlite_where=sa.text(_NUMBERED))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns, unique in _INDEXES:
        op.drop_index(name, table_name='event')
        op.create_index(name, 'event', columns, unique=unique)
