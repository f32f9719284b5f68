"""stranger notices: answers to an unregistered sender per business day, so a flood costs two messages

Revision ID: 0013_stranger_notices
Revises: 0012_heartbeat
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013_stranger_notices'
down_revision = '0012_heartbeat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('strangernotice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'sender_id')
    )


def downgrade() -> None:
    op.drop_table('strangernotice')
