"""province render jobs: a /tonghop of a province viewer renders the province's communes side by side

Revision ID: 0014_province_render_jobs
Revises: 0011_directory_import
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014_province_render_jobs'
down_revision = '0011_directory_import'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('renderjob') as batch:
        batch.add_column(sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('renderjob') as batch:
        batch.drop_column('province')
