"""portal: session versions (sign-out and a new password end every session) and the sign-in
throttle (failures per client address, and per username nobody holds)

``cb_portal_user.session_version`` is part of the id in the session cookie; existing accounts
start at 0, and sessions signed in before the upgrade (whose cookie holds the bare id) end.
``cb_portal_sign_in_throttle`` holds one counter row per key (``address:<ip>`` or
``username:<name>``), counted by an atomic upsert on its unique key.

Revision ID: a3c5e7f9b1d2
Revises: 7d43694681f8
Create Date: 2026-12-03 23:10:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = 'a3c5e7f9b1d2'
down_revision = '7d43694681f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cb_portal_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))

    op.create_table('cb_portal_sign_in_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_portal_sign_in_throttle')),
    sa.UniqueConstraint('key', name=op.f('uq_cb_portal_sign_in_throttle_key'))
    )
    with op.batch_alter_table('cb_portal_sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_portal_sign_in_throttle_last_failure_at'),
                              ['last_failure_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_portal_sign_in_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_portal_sign_in_throttle_last_failure_at'))

    op.drop_table('cb_portal_sign_in_throttle')
    with op.batch_alter_table('cb_portal_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
