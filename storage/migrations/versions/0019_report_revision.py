"""report revision: bumped by every edit of a report, so a reader's cache of decoded reports can tell a changed one

Revision ID: 0019_report_revision
Revises: 0018_province_rows

Every existing report starts at 0; storage/reports.ReportRepo.update_answers adds one (summaries/report_cache.py).
"""

import sqlalchemy as sa
from alembic import op

revision = '0019_report_revision'
down_revision = '0018_province_rows'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('report', sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    # Not batch mode: on SQLite it copies the table, and dropping the old `report` fails while petitions and
    # stored files refer to it; SQLite ≥ 3.35 drops a column in place.
    op.drop_column('report', 'revision')
