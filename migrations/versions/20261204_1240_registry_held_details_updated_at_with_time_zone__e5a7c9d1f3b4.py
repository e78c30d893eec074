"""registry: cb_child_held_details.updated_at with its time zone

``c3e5a7b9d1f2`` made the column a plain ``timestamp``; every other UTC time is ``timestamptz``
on PostgreSQL (``plugin.core.db.UTCDateTime``). SQLite has no time zone type: nothing changes.

Revision ID: e5a7c9d1f3b4
Revises: c3e5a7b9d1f2
Create Date: 2026-12-04 12:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a7c9d1f3b4'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('cb_child_held_details', 'updated_at', type_=sa.DateTime(timezone=True),
                        postgresql_using="updated_at AT TIME ZONE 'UTC'")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('cb_child_held_details', 'updated_at', type_=sa.DateTime(),
                        postgresql_using="updated_at AT TIME ZONE 'UTC'")
