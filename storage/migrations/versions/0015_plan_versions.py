"""plan versions: each commune's yearly plans as loaded (`mttq-bot plan load`), with year and content hash

Revision ID: 0015_plan_versions
Revises: 0014_province_render_jobs
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0015_plan_versions'
down_revision = '0014_province_render_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('loaded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_planversion_commune_year', 'planversion', ['commune_id', 'year'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_planversion_commune_year', table_name='planversion')
    op.drop_table('planversion')
