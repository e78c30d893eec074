"""worker phone sign-in: personal PIN, one-time activation codes, atomic throttle per number and
per address, who revoked a phone

The employee number and the last 4 digits of the phone or ID number (both shown to staff) no
longer sign a worker in. A new phone needs a one-time activation code (from HR or by text
message) and the worker's own PIN (``cb_worker_pin``, ``cb_worker_activation_code``). The
throttle counted failures per worker id, so unknown numbers were never limited and a concurrent
first failure hit the primary key: it is now keyed by employee-number digest or client address
and counted in one upsert. Its rows are only counters, so the table is rebuilt empty.

Revision ID: 3f8689c29545
Revises: a3c5e7f9b1d2
Create Date: 2026-12-03 23:20:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '3f8689c29545'
down_revision = 'a3c5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('cb_worker_sign_in_throttle')
    op.create_table('cb_worker_sign_in_throttle',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_cb_worker_sign_in_throttle'))
    )
    with op.batch_alter_table('cb_worker_sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_worker_sign_in_throttle_window_started_at'),
                              ['window_started_at'], unique=False)

    op.create_table('cb_worker_pin',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=False),
    sa.Column('set_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_worker_pin_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_cb_worker_pin'))
    )

    op.create_table('cb_worker_activation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.Enum('hr', 'sms', name='codechannel', native_enum=False, length=8), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_worker_activation_code_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_worker_activation_code'))
    )
    with op.batch_alter_table('cb_worker_activation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_worker_activation_code_worker_id'), ['worker_id'], unique=False)

    with op.batch_alter_table('cb_worker_device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('cb_worker_device', schema=None) as batch_op:
        batch_op.drop_column('revoked_by')

    with op.batch_alter_table('cb_worker_activation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_worker_activation_code_worker_id'))
    op.drop_table('cb_worker_activation_code')
    op.drop_table('cb_worker_pin')

    op.drop_table('cb_worker_sign_in_throttle')
    op.create_table('cb_worker_sign_in_throttle',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_worker_sign_in_throttle_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_cb_worker_sign_in_throttle'))
    )
