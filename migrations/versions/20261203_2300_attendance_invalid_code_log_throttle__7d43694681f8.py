"""attendance: per-client, per-minute counters that bound how many scans of invalid codes are logged

``/c/<code>`` is public; a flood of made-up codes wrote one attempt row each. The counters are
incremented atomically (``INSERT … ON CONFLICT DO UPDATE … RETURNING``); see
``plugin/attendance/throttle.py``. No foreign keys, so no extra index: the primary key serves the
lookups.

Revision ID: 7d43694681f8
Revises: 5b0e2c7d9a41
Create Date: 2026-12-03 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7d43694681f8'
down_revision = '5b0e2c7d9a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_check_in_log_throttle',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('unix_minute', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client', 'unix_minute', name=op.f('pk_cb_check_in_log_throttle'))
    )


def downgrade():
    op.drop_table('cb_check_in_log_throttle')
