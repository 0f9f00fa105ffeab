"""central identity: lock-free numbering, desk registration, dossier codes unique per agency

Revision ID: 0003
Revises: 0010
Create Date: 2026-12-03

Issue 7. Migration 0002 numbered events under a per-agency advisory lock, and advisory locks
are open to every role: a desk login could take another commune's lock and hold it. Now:
- `event_numbering`: one row per agency. The numbering trigger locks its agency's row
  (SELECT ... FOR UPDATE, held to commit, so an agency's numbers still commit in the order
  they were drawn) and draws from the sequence. No desk role has any right on the table,
  so none can lock a row of it; the trigger refuses, before it locks anything, a row whose
  agency is not the inserting login's, and refuses a row that brings its own `seq`.
- `desk_registration`: (agency, desk number) -> desk UUID, written on a desk's first sync
  (db/sync/store.py); a second desk claiming a taken number is refused.
- `event.dossier_code`: the code of a `received` event (filled by the centre), unique per
  agency, so two desks can never give one code to two dossiers.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_event_seq() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET lock_timeout = '10s' AS $$
DECLARE
    mine text;
BEGIN
    IF NEW.seq IS NOT NULL THEN
        RAISE EXCEPTION 'event.seq is drawn by the centre' USING ERRCODE = '42501';
    END IF;
    -- session_user: inside this SECURITY DEFINER function current_user is the owner.
    SELECT agency_code INTO mine FROM desk_role WHERE role_name = session_user;
    IF mine IS NULL THEN
        IF to_regrole('motcua_desk') IS NOT NULL THEN
            IF pg_has_role(session_user, 'motcua_desk', 'MEMBER') AND NOT (
                    SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user) THEN
                RAISE EXCEPTION 'desk role without agency' USING ERRCODE = '42501';
            END IF;
        END IF;
    ELSIF mine <> NEW.agency_code THEN
        -- Before any lock: RLS checks only after BEFORE triggers ran.
        RAISE EXCEPTION 'event of another agency' USING ERRCODE = '42501';
    END IF;
    PERFORM 1 FROM event_numbering WHERE agency_code = NEW.agency_code FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO event_numbering (agency_code) VALUES (NEW.agency_code) ON CONFLICT DO NOTHING;
        PERFORM 1 FROM event_numbering WHERE agency_code = NEW.agency_code FOR UPDATE;
    END IF;
    NEW.seq := nextval('motcua_event_seq');
    IF NEW.kind = 'received' THEN
        NEW.dossier_code := NEW.payload::jsonb ->> 'code';
    END IF;
    RETURN NEW;
END
$$
"""

_PG_FUNCTION_0002 = """
CREATE OR REPLACE FUNCTION motcua_event_seq() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(731011, hashtext(NEW.agency_code));
    NEW.seq := nextval('motcua_event_seq');
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table('event_numbering',
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', name=op.f('pk_event_numbering'))
    )
    op.create_table('desk_registration',
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('desk_uuid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'desk_number', name=op.f('pk_desk_registration'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dossier_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index('ix_event_agency_dossier_code', ['agency_code', 'dossier_code'], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE event SET dossier_code = payload::jsonb ->> 'code' "
                   "WHERE kind = 'received' AND seq IS NOT NULL")
        op.execute("INSERT INTO event_numbering (agency_code) SELECT DISTINCT agency_code FROM event "
                   "ON CONFLICT DO NOTHING")
        op.execute(_PG_FUNCTION)
    else:
        op.execute("UPDATE event SET dossier_code = json_extract(payload, '$.code') "
                   "WHERE kind = 'received' AND seq IS NOT NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION_0002)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_agency_dossier_code')
        batch_op.drop_column('dossier_code')
    op.drop_table('desk_registration')
    op.drop_table('event_numbering')
