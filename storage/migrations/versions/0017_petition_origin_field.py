"""petition origin field: the report field an item was read from, so editing the report updates its items

Revision ID: 0017_petition_origin_field
Revises: 0016_update_inbox

Items made from a report before this revision are found the way they were made: in the report's own
transaction (same created_at as the report) and with their text inside one of the report's answers.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0017_petition_origin_field'
down_revision = '0016_update_inbox'
branch_labels = None
depends_on = None

_petition = sa.table('petition', sa.column('id', sa.Integer()), sa.column('origin_report_id', sa.Integer()),
                     sa.column('content', sa.String()), sa.column('origin_field', sa.String()),
                     sa.column('created_at', storage.types.UTCDateTime(timezone=True)))
_report = sa.table('report', sa.column('id', sa.Integer()), sa.column('answers', sa.JSON()),
                   sa.column('created_at', storage.types.UTCDateTime(timezone=True)))


def upgrade() -> None:
    with op.batch_alter_table('petition') as batch:
        batch.add_column(sa.Column('origin_field', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    bind = op.get_bind()
    made_with_report = (sa.select(_petition.c.id, _petition.c.content, _report.c.answers)
                        .join(_report, _report.c.id == _petition.c.origin_report_id)
                        .where(_petition.c.created_at == _report.c.created_at))
    for petition_id, content, answers in bind.execute(made_with_report).all():
        field = next((key for key, value in (answers or {}).items()
                      if isinstance(value, str) and content in value), None)
        if field is not None:
            bind.execute(_petition.update().where(_petition.c.id == petition_id).values(origin_field=field))


def downgrade() -> None:
    with op.batch_alter_table('petition') as batch:
        batch.drop_column('origin_field')
