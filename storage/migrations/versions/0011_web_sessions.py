"""web dashboard: single-use login links (weblogin) and sessions (websession), both stored hashed

Revision ID: 0011_web_sessions
Revises: 0010_outbox_parts_sent
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = '0011_web_sessions'
down_revision = '0010_outbox_parts_sent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'weblogin',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('person.id'), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_weblogin_person_id', 'weblogin', ['person_id'])
    op.create_table(
        'websession',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('session_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('person.id'), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_websession_person_id', 'websession', ['person_id'])


def downgrade() -> None:
    op.drop_index('ix_websession_person_id', 'websession')
    op.drop_table('websession')
    op.drop_index('ix_weblogin_person_id', 'weblogin')
    op.drop_table('weblogin')
