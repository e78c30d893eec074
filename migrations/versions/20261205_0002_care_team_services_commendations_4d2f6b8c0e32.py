"""Care team: members, service records and commendations

Revision ID: 4d2f6b8c0e32
Revises: 3c1e5a7b9d21
Create Date: 2026-12-05 00:02:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '4d2f6b8c0e32'
down_revision = '3c1e5a7b9d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_care_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('staff', 'volunteer', 'social_worker', name='memberkind', native_enum=False, length=16), nullable=False),
    sa.Column('engagement', sa.Enum('in_house', 'purchased', name='engagement', native_enum=False, length=16), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('specialties', sa.String(length=300), nullable=True),
    sa.Column('available_days', sa.String(length=20), nullable=False),
    sa.Column('availability_note', sa.String(length=200), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind = 'social_worker' OR engagement IS NULL", name=op.f('ck_cb_care_member_engagement_only_for_social_workers')),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_cb_care_member_left_after_joining')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_care_member_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_care_member_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_care_member'))
    )
    with op.batch_alter_table('cb_care_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_member_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_cb_care_member_unit_kind', ['org_unit_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_care_member_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_care_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('counselling', 'tutoring', 'ability_building', 'social_integration', 'other', name='servicekind', native_enum=False, length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_care_service_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_care_service_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_care_service'))
    )
    with op.batch_alter_table('cb_care_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_service_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_cb_care_service_unit_day', ['org_unit_id', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_care_service_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_care_commendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('model_guardian', 'outstanding_volunteer', 'outstanding_collective', name='commendationcategory', native_enum=False, length=24), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('collective_name', sa.String(length=200), nullable=True),
    sa.Column('awarding_body', sa.String(length=200), nullable=False),
    sa.Column('nominated_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('nominated', 'awarded', 'not_awarded', name='commendationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('nominated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nominated_by', sa.String(length=100), nullable=False),
    sa.Column('decided_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.CheckConstraint("(status = 'nominated') = (decided_on IS NULL)", name=op.f('ck_cb_care_commendation_decided_has_day')),
    sa.ForeignKeyConstraint(['member_id'], ['cb_care_member.id'], name=op.f('fk_cb_care_commendation_member_id_cb_care_member')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_care_commendation_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_care_commendation_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_care_commendation'))
    )
    with op.batch_alter_table('cb_care_commendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_commendation_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_care_commendation_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_care_commendation_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_cb_care_commendation_status_unit', ['status', 'org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_care_commendation_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_care_service_child',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_care_service_child_child_id_cb_child')),
    sa.ForeignKeyConstraint(['service_id'], ['cb_care_service.id'], name=op.f('fk_cb_care_service_child_service_id_cb_care_service')),
    sa.PrimaryKeyConstraint('service_id', 'child_id', name=op.f('pk_cb_care_service_child'))
    )
    with op.batch_alter_table('cb_care_service_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_service_child_child_id'), ['child_id'], unique=False)

    op.create_table('cb_care_service_member',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['cb_care_member.id'], name=op.f('fk_cb_care_service_member_member_id_cb_care_member')),
    sa.ForeignKeyConstraint(['service_id'], ['cb_care_service.id'], name=op.f('fk_cb_care_service_member_service_id_cb_care_service')),
    sa.PrimaryKeyConstraint('service_id', 'member_id', name=op.f('pk_cb_care_service_member'))
    )
    with op.batch_alter_table('cb_care_service_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_service_member_member_id'), ['member_id'], unique=False)

    op.create_table('cb_care_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_cb_care_training_minutes_positive')),
    sa.ForeignKeyConstraint(['member_id'], ['cb_care_member.id'], name=op.f('fk_cb_care_training_member_id_cb_care_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_care_training'))
    )
    with op.batch_alter_table('cb_care_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_care_training_held_on'), ['held_on'], unique=False)
        batch_op.create_index('ix_cb_care_training_member_held', ['member_id', 'held_on'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_care_training', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_training_member_held')
        batch_op.drop_index('ix_cb_care_training_held_on')

    op.drop_table('cb_care_training')
    with op.batch_alter_table('cb_care_service_member', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_service_member_member_id')

    op.drop_table('cb_care_service_member')
    with op.batch_alter_table('cb_care_service_child', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_service_child_child_id')

    op.drop_table('cb_care_service_child')
    with op.batch_alter_table('cb_care_commendation', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_commendation_worker_id')
        batch_op.drop_index('ix_cb_care_commendation_status_unit')
        batch_op.drop_index('ix_cb_care_commendation_org_unit_id')
        batch_op.drop_index('ix_cb_care_commendation_member_id')
        batch_op.drop_index('ix_cb_care_commendation_decided_on')

    op.drop_table('cb_care_commendation')
    with op.batch_alter_table('cb_care_service', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_service_worker_id')
        batch_op.drop_index('ix_cb_care_service_unit_day')
        batch_op.drop_index('ix_cb_care_service_org_unit_id')

    op.drop_table('cb_care_service')
    with op.batch_alter_table('cb_care_member', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_care_member_worker_id')
        batch_op.drop_index('ix_cb_care_member_unit_kind')
        batch_op.drop_index('ix_cb_care_member_org_unit_id')

    op.drop_table('cb_care_member')
