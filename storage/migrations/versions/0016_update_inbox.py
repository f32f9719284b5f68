"""update inbox: polled Zalo updates recorded before they are handled (several in flight, none lost on a crash)

Revision ID: 0016_update_inbox
Revises: 0015_plan_versions
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0016_update_inbox'
down_revision = '0015_plan_versions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inboxupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id')
    )


def downgrade() -> None:
    op.drop_table('inboxupdate')
