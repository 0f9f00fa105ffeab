"""ratings: kiosk prompts, key presses, an index of events by kind and time

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-03

Issue 9 (db/ratings.py). `rating_prompt` is the link between the clerk app and the kiosk
on one desk database; `rating_press` keeps every key press at the kiosk (misuse included).
Neither is synced: the ratings themselves are `rated` events of the dossiers.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('rating_prompt',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('clerk_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('clerk_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dossier_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('procedure_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('shown_at', sa.DateTime(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('answer_at', sa.DateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_prompt'))
    )
    with op.batch_alter_table('rating_prompt', schema=None) as batch_op:
        batch_op.create_index('ix_rating_prompt_desk', ['agency_code', 'desk_number', 'opened_at'], unique=False)
        batch_op.create_index('ix_rating_prompt_dossier_id', ['dossier_id'], unique=False)

    op.create_table('rating_press',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('desk_number', sa.Integer(), nullable=False),
    sa.Column('prompt_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_press'))
    )
    with op.batch_alter_table('rating_press', schema=None) as batch_op:
        batch_op.create_index('ix_rating_press_at', ['at'], unique=False)
        batch_op.create_index('ix_rating_press_dossier_id', ['dossier_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_kind_wall_time', ['kind', 'wall_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_kind_wall_time')
    with op.batch_alter_table('rating_press', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_press_dossier_id')
        batch_op.drop_index('ix_rating_press_at')
    op.drop_table('rating_press')
    with op.batch_alter_table('rating_prompt', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_prompt_dossier_id')
        batch_op.drop_index('ix_rating_prompt_desk')
    op.drop_table('rating_prompt')
