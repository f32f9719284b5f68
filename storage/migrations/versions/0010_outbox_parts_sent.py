"""outbox parts_sent: a retry of a split reply sends only the parts an earlier attempt did not deliver

Revision ID: 0010_outbox_parts_sent
Revises: 0009_outbox_queue_index
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_outbox_parts_sent'
down_revision = '0009_outbox_queue_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parts_sent')
