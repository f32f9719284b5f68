"""outbox queue index: the claim walks unsent rows in (priority, id) order instead of sorting every due row

It replaces ix_outbox_due (status, next_attempt_at), which SQLite kept choosing over it.

Revision ID: 0009_outbox_queue_index
Revises: 0008_render_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_outbox_queue_index'
down_revision = '0008_render_jobs'
branch_labels = None
depends_on = None

QUEUED = "status IN ('pending', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_queue', ['priority', 'id'], unique=False,
                              sqlite_where=sa.text(QUEUED), postgresql_where=sa.text(QUEUED))
        batch_op.drop_index('ix_outbox_due')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.drop_index('ix_outbox_queue', sqlite_where=sa.text(QUEUED), postgresql_where=sa.text(QUEUED))
