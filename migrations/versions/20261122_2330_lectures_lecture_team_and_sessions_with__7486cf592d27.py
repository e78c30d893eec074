"""lectures: lecture team and sessions with topics

Revision ID: 7486cf592d27
Revises: cf1479761e54
Create Date: 2026-11-22 23:30:57.354008
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '7486cf592d27'
down_revision = 'cf1479761e54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_lecture_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('format', sa.Enum('parents_school', 'talk', 'discussion', 'video', 'brochure', 'expert_course', 'online', name='lectureformat', native_enum=False, length=24), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('starts_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('check_in_opens_minutes', sa.Integer(), nullable=False),
    sa.Column('check_in_closes_minutes', sa.Integer(), nullable=False),
    sa.Column('brochures_handed_out', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='sessionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('cancelled_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.Column('rescheduled_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('previous_starts_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reschedule_reason', sa.String(length=300), nullable=True),
    sa.Column('code_key', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_lecture_session_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_lecture_session'))
    )
    with op.batch_alter_table('cb_lecture_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_lecture_session_status'), ['status'], unique=False)
        batch_op.create_index('ix_cb_lecture_session_unit_start', ['org_unit_id', 'starts_at'], unique=False)

    op.create_table('cb_lecturer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('cadre', 'worker', 'volunteer', 'expert', 'social_worker', name='lecturerkind', native_enum=False, length=16), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_lecturer_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_lecturer'))
    )
    with op.batch_alter_table('cb_lecturer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_lecturer_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('cb_lecture_session_lecturer',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('lecturer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lecturer_id'], ['cb_lecturer.id'], name=op.f('fk_cb_lecture_session_lecturer_lecturer_id_cb_lecturer')),
    sa.ForeignKeyConstraint(['session_id'], ['cb_lecture_session.id'], name=op.f('fk_cb_lecture_session_lecturer_session_id_cb_lecture_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'lecturer_id', name=op.f('pk_cb_lecture_session_lecturer'))
    )
    op.create_table('cb_lecture_session_topic',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('guardianship_law', 'child_first', 'proper_guardianship', 'parent_child_communication', 'family_virtues', 'drowning', 'bullying', 'sexual_assault', 'traffic_safety', name='lecturetopic', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['cb_lecture_session.id'], name=op.f('fk_cb_lecture_session_topic_session_id_cb_lecture_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'topic', name=op.f('pk_cb_lecture_session_topic'))
    )


def downgrade():
    op.drop_table('cb_lecture_session_topic')
    op.drop_table('cb_lecture_session_lecturer')
    with op.batch_alter_table('cb_lecturer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_lecturer_org_unit_id'))

    op.drop_table('cb_lecturer')
    with op.batch_alter_table('cb_lecture_session', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_lecture_session_unit_start')
        batch_op.drop_index(batch_op.f('ix_cb_lecture_session_status'))

    op.drop_table('cb_lecture_session')
