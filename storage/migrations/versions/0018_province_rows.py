"""province rows: the province page's row of each commune and period, kept across restarts by data version

Revision ID: 0018_province_rows
Revises: 0017_petition_origin_field
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0018_province_rows'
down_revision = '0017_petition_origin_field'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provincerow',
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('columns', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('row', sa.JSON(), nullable=False),
    sa.Column('made_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('commune_id', 'period_key', 'columns')
    )


def downgrade() -> None:
    op.drop_table('provincerow')
