"""Privacy: retention and purging — when a worker's, a child's, an aid application's, a risk
report's or a care service's personal data was anonymised by a retention rule

Revision ID: 6f4b8d0e2a54
Revises: 5e3a7c9d1f43
Create Date: 2026-12-05 00:04:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '6f4b8d0e2a54'
down_revision = '5e3a7c9d1f43'
branch_labels = None
depends_on = None

TABLES = ('cb_worker', 'cb_child', 'cb_aid_application', 'cb_risk_report', 'cb_care_service')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('anonymised_at', plugin.core.db.UTCDateTime(timezone=True),
                                          nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('anonymised_at')
