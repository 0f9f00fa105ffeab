"""sync: server sequence, unsent index, rejections, desk roles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Issue 3 (db/sync/engine.py). On every database: `event.seq` with a unique (agency_code, seq)
index, a partial (hlc, id) index of unsent events that push reads from, `sync_rejection`
(events the centre refused, on a desk) and `desk_role` (desk login role -> agency, on a
central PostgreSQL). On PostgreSQL only: the sequence and the BEFORE INSERT trigger that
number every inserted event (whatever a client sent as seq). The trigger takes a per-agency transaction
advisory lock before drawing the number, so one agency's numbers commit in the order they
were drawn and a reader's cursor can never pass a number that commits later.
Roles, grants and row-level security are not schema: db/sync/central.py sets them up.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Keep in step with db/sync/engine.py (PG_SEQ_LOCK_CLASS): the first key of the two-key advisory
# lock, so it can never meet the one-key migration lock of db/migrate.py.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_event_seq() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    -- One numbering transaction per agency at a time, held to commit: see db/sync/engine.py.
    PERFORM pg_advisory_xact_lock(731011, hashtext(NEW.agency_code));
    NEW.seq := nextval('motcua_event_seq');
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table('desk_role',
    sa.Column('role_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('role_name', name=op.f('pk_desk_role'))
    )
    op.create_table('sync_rejection',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rejected_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_sync_rejection'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_event_agency_seq', ['agency_code', 'seq'], unique=True)
        batch_op.create_index('ix_event_unsent', ['hlc', 'id'], unique=False,
                              sqlite_where=sa.text('synced_at IS NULL'),
                              postgresql_where=sa.text('synced_at IS NULL'))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS motcua_event_seq AS bigint")
        op.execute(_PG_FUNCTION)
        op.execute("DROP TRIGGER IF EXISTS trg_event_seq ON event")
        op.execute("CREATE TRIGGER trg_event_seq BEFORE INSERT ON event "
                   "FOR EACH ROW EXECUTE FUNCTION motcua_event_seq()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_event_seq ON event")
        op.execute("DROP FUNCTION IF EXISTS motcua_event_seq()")
        op.execute("DROP SEQUENCE IF EXISTS motcua_event_seq")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_unsent')
        batch_op.drop_index('ix_event_agency_seq')
        batch_op.drop_column('seq')

    op.drop_table('sync_rejection')
    op.drop_table('desk_role')
