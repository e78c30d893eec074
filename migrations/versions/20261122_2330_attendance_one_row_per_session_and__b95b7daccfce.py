"""attendance: one row per session and worker, every scan attempt logged

Revision ID: b95b7daccfce
Revises: 7486cf592d27
Create Date: 2026-11-22 23:30:59.198940
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = 'b95b7daccfce'
down_revision = '7486cf592d27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('worker_scan', 'badge_scan', 'manual', 'paper_sheet', name='checkinmethod', native_enum=False, length=16), nullable=False),
    sa.Column('checked_in_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late_upload', sa.Boolean(), nullable=False),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('device', sa.String(length=120), nullable=True),
    sa.Column('annulled_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('annulled_by', sa.String(length=64), nullable=True),
    sa.Column('annul_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['cb_lecture_session.id'], name=op.f('fk_cb_attendance_session_id_cb_lecture_session')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_attendance_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_attendance')),
    sa.UniqueConstraint('session_id', 'worker_id', name=op.f('uq_cb_attendance_session_id_worker_id'))
    )
    with op.batch_alter_table('cb_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_cb_attendance_worker', ['worker_id'], unique=False)

    op.create_table('cb_check_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.Enum('worker_scan', 'badge_scan', 'manual', 'paper_sheet', name='checkinmethod', native_enum=False, length=16), nullable=False),
    sa.Column('outcome', sa.Enum('accepted', 'already', 'refused', name='attemptoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('attempted_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scanned_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('device', sa.String(length=120), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['cb_lecture_session.id'], name=op.f('fk_cb_check_in_attempt_session_id_cb_lecture_session')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_check_in_attempt_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_check_in_attempt'))
    )
    with op.batch_alter_table('cb_check_in_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_check_in_attempt_nonce'), ['nonce'], unique=False)
        batch_op.create_index('ix_cb_check_in_attempt_session', ['session_id', 'attempted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('cb_check_in_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_check_in_attempt_session')
        batch_op.drop_index(batch_op.f('ix_cb_check_in_attempt_nonce'))

    op.drop_table('cb_check_in_attempt')
    with op.batch_alter_table('cb_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_attendance_worker')

    op.drop_table('cb_attendance')
