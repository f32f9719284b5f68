"""heartbeat: the row /healthz and start-up write to prove the database accepts writes

Revision ID: 0012_heartbeat
Revises: 0011_web_sessions
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0012_heartbeat'
down_revision = '0011_web_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beat_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{'id': 1, 'beat_at': datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table('heartbeat')
