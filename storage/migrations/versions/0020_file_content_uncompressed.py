"""stored files' content kept uncompressed on PostgreSQL (STORAGE EXTERNAL)

Revision ID: 0020_file_content_uncompressed
Revises: 0019_report_revision

Every stored file is compressed already (DOCX and XLSX are zip archives, PNG and JPEG photos deflated), yet
PostgreSQL's default (EXTENDED) has pglz try to compress each large value in full before keeping it as it was:
storing a 2,000-village /tonghop's 5.2 MB of files took 70–80 ms, 15 ms without the attempt (docs/benchmarks.md).
Rows already stored are left as they are. SQLite has no such setting.
"""

from alembic import op

revision = '0020_file_content_uncompressed'
down_revision = '0019_report_revision'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE storedfile ALTER COLUMN content SET STORAGE EXTERNAL')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE storedfile ALTER COLUMN content SET STORAGE EXTENDED')
