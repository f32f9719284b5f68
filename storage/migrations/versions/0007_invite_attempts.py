"""invite attempts: failed /start codes per sender, for rate limiting

Revision ID: 0007_invite_attempts
Revises: 0006_merge_features
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0007_invite_attempts'
down_revision = '0006_merge_features'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inviteattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inviteattempt', schema=None) as batch_op:
        batch_op.create_index('ix_inviteattempt_sender_at', ['channel', 'sender_id', 'attempted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inviteattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_inviteattempt_sender_at')
    op.drop_table('inviteattempt')
