"""directory import: unit codes, people's phones, invites bound to an imported person

Revision ID: 0011_directory_import
Revises: 0013_stranger_notices
"""

import sqlalchemy as sa
from alembic import op

revision = '0011_directory_import'
down_revision = '0013_stranger_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint('uq_unit_commune_code', ['commune_id', 'code'])
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_invite_person_id', 'person', ['person_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invite_person_id', type_='foreignkey')
        batch_op.drop_column('person_id')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_unit_commune_code', type_='unique')
        batch_op.drop_column('code')
