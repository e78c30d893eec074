"""worker phone sign-in: remembered devices and throttle

Revision ID: cf1479761e54
Revises: 779637a2ffa1
Create Date: 2026-11-22 22:39:00.464972
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = 'cf1479761e54'
down_revision = '779637a2ffa1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_worker_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_worker_device_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_worker_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_cb_worker_device_token_hash'))
    )
    with op.batch_alter_table('cb_worker_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_worker_device_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_worker_sign_in_throttle',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_worker_sign_in_throttle_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_cb_worker_sign_in_throttle'))
    )


def downgrade():
    op.drop_table('cb_worker_sign_in_throttle')
    with op.batch_alter_table('cb_worker_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_worker_device_worker_id'))

    op.drop_table('cb_worker_device')
