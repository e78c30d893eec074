"""worker_notices: reminders on workers' phones, once per worker and key

``cb_worker_notice``: a notice on a worker's phone home page (kind, parameters, link as endpoint
and arguments), unique per worker and ``dedupe_key`` so the same reminder is stored once a day.

Revision ID: 325f15015658
Revises: e5a7c9d1f3b4
Create Date: 2026-12-04 13:00:00
"""
import sqlalchemy as sa
from alembic import op

import plugin.core.db

revision = '325f15015658'
down_revision = 'e5a7c9d1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cb_worker_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('params', sa.JSON(), nullable=True),
        sa.Column('link_endpoint', sa.String(length=200), nullable=True),
        sa.Column('link_args', sa.JSON(), nullable=True),
        sa.Column('dedupe_key', sa.String(length=120), nullable=False),
        sa.Column('sent_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'],
                                name=op.f('fk_cb_worker_notice_worker_id_cb_worker'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_worker_notice')),
        sa.UniqueConstraint('worker_id', 'dedupe_key',
                            name=op.f('uq_cb_worker_notice_worker_id_dedupe_key')),
    )
    with op.batch_alter_table('cb_worker_notice') as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_worker_notice_worker_id'), ['worker_id'])
        batch_op.create_index('ix_cb_worker_notice_worker_unread', ['worker_id', 'read_at'])


def downgrade():
    op.drop_table('cb_worker_notice')
