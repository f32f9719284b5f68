"""reminders: the occurrence ledger, snoozes, HĐND session dates and the planner's cursor

Revision ID: 0003_reminders
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0003_reminders'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminderoccurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('reminderoccurrence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminderoccurrence_commune_id'), ['commune_id'], unique=False)

    op.create_table('remindersnooze',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('until', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('base_key')
    )
    with op.batch_alter_table('remindersnooze', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remindersnooze_commune_id'), ['commune_id'], unique=False)

    op.create_table('hdndsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_id', 'day')
    )
    with op.batch_alter_table('hdndsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hdndsession_commune_id'), ['commune_id'], unique=False)

    op.create_table('remindercursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('planned_through', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_id')
    )


def downgrade() -> None:
    op.drop_table('remindercursor')
    with op.batch_alter_table('hdndsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hdndsession_commune_id'))
    op.drop_table('hdndsession')
    with op.batch_alter_table('remindersnooze', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remindersnooze_commune_id'))
    op.drop_table('remindersnooze')
    with op.batch_alter_table('reminderoccurrence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminderoccurrence_commune_id'))
    op.drop_table('reminderoccurrence')
