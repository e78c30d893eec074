"""Holiday safety campaigns: drafts per site, checklists confirmed on the phone

Revision ID: 9c7e1a3b5d87
Revises: 8b6d0f2a4c76
Create Date: 2026-12-05 00:07:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '9c7e1a3b5d87'
down_revision = '8b6d0f2a4c76'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_holiday_safety_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('summer', 'spring_festival', name='holidaykind', native_enum=False, length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_holiday_safety_dates')),
    sa.UniqueConstraint('kind', 'year', name=op.f('uq_cb_holiday_safety_dates_kind_year'))
    )

    op.create_table('cb_holiday_safety_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('summer', 'spring_festival', name='holidaykind', native_enum=False, length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('holiday_starts_on', sa.Date(), nullable=False),
    sa.Column('topics', sa.String(length=200), nullable=False),
    sa.Column('checklist', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'closed', name='campaignstatus', native_enum=False, length=16), nullable=False),
    sa.Column('lecture_session_id', sa.Integer(), nullable=True),
    sa.Column('lecture_on', sa.Date(), nullable=True),
    sa.Column('drafted_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scheduled_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_by', sa.String(length=100), nullable=True),
    sa.Column('notified_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_holiday_safety_campaign_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_holiday_safety_campaign')),
    sa.UniqueConstraint('org_unit_id', 'kind', 'year', name=op.f('uq_cb_holiday_safety_campaign_org_unit_id_kind_year'))
    )
    with op.batch_alter_table('cb_holiday_safety_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_holiday_safety_campaign_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_holiday_safety_campaign_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_holiday_safety_campaign_lecture_session_id'), ['lecture_session_id'], unique=False)
        batch_op.create_index('ix_cb_holiday_safety_campaign_lecture_on', ['lecture_on'], unique=False)

    op.create_table('cb_holiday_safety_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('notified_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('confirmed_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('carer', sa.Text(), nullable=True),
    sa.Column('swimming_rules_explained', sa.Boolean(), nullable=True),
    sa.Column('travel_plan', sa.Enum('staying', 'going_home', 'child_visiting', name='travelplan', native_enum=False, length=16), nullable=True),
    sa.Column('travel_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['cb_holiday_safety_campaign.id'], name=op.f('fk_cb_holiday_safety_recipient_campaign_id_cb_holiday_safety_campaign')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_holiday_safety_recipient_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_holiday_safety_recipient')),
    sa.UniqueConstraint('campaign_id', 'worker_id', name=op.f('uq_cb_holiday_safety_recipient_campaign_id_worker_id'))
    )
    with op.batch_alter_table('cb_holiday_safety_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_holiday_safety_recipient_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_holiday_safety_recipient_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('ix_cb_holiday_safety_recipient_pending', ['campaign_id', 'confirmed_at'], unique=False)


def downgrade():
    op.drop_table('cb_holiday_safety_recipient')
    op.drop_table('cb_holiday_safety_campaign')
    op.drop_table('cb_holiday_safety_dates')
