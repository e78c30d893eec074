"""Risk reports: cases, the statutory police report, notices, escalations, follow-ups and closure

Revision ID: 5e3a7c9d1f43
Revises: 4d2f6b8c0e32
Create Date: 2026-12-05 00:03:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '5e3a7c9d1f43'
down_revision = '4d2f6b8c0e32'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_risk_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('described_child', sa.Text(), nullable=True),
    sa.Column('described_parent', sa.Text(), nullable=True),
    sa.Column('child_location', sa.Text(), nullable=True),
    sa.Column('hukou_region_code', sa.String(length=6), nullable=True),
    sa.Column('situation', sa.Enum('alone', 'missing', 'abandoned', 'abuse', 'injury', 'self_harm', 'other_danger', name='situation', native_enum=False, length=16), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('learned_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('learned_how', sa.Enum('saw', 'child', 'family', 'others', 'call', 'other', name='learnedhow', native_enum=False, length=16), nullable=False),
    sa.Column('learned_how_text', sa.Text(), nullable=True),
    sa.Column('raised_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('police_due_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('reporter_kind', sa.Enum('staff', 'worker', name='reporterkind', native_enum=False, length=8), nullable=False),
    sa.Column('reporter_key', sa.Text(), nullable=True),
    sa.Column('reporter_name', sa.Text(), nullable=True),
    sa.Column('reporter_contact', sa.Text(), nullable=True),
    sa.Column('reporter_index', sa.String(length=32), nullable=True),
    sa.Column('reported_to_police_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('police_station', sa.String(length=200), nullable=True),
    sa.Column('police_officer', sa.String(length=100), nullable=True),
    sa.Column('police_receipt', sa.String(length=100), nullable=True),
    sa.Column('police_recorded_by', sa.String(length=100), nullable=True),
    sa.Column('police_recorded_by_name', sa.String(length=100), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='reportstatus', native_enum=False, length=8), nullable=False),
    sa.Column('closed_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_by_name', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.Enum('parent_returned', 'new_carer', 'civil_affairs', 'police_court', 'unfounded', 'other', name='outcome', native_enum=False, length=16), nullable=True),
    sa.Column('closure_summary', sa.Text(), nullable=True),
    sa.Column('guardianship_neglected', sa.Boolean(), nullable=False),
    sa.Column('admonition', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_risk_report_child_id_cb_child')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_risk_report_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_risk_report_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_risk_report'))
    )
    with op.batch_alter_table('cb_risk_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_risk_report_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_risk_report_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_risk_report_police_due_at'), ['police_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_risk_report_reporter_index'), ['reporter_index'], unique=False)
        batch_op.create_index('ix_cb_risk_report_status_unit', ['status', 'org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_risk_report_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_risk_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('police_overdue', 'follow_up_overdue', name='escalationreason', native_enum=False, length=24), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('lapse_started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_risk_escalation_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['report_id'], ['cb_risk_report.id'], name=op.f('fk_cb_risk_escalation_report_id_cb_risk_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_risk_escalation')),
    sa.UniqueConstraint('report_id', 'reason', 'lapse_started_at', 'level', name=op.f('uq_cb_risk_escalation_report_id_reason_lapse_started_at_level'))
    )
    with op.batch_alter_table('cb_risk_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_risk_escalation_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_risk_escalation_report_id'), ['report_id'], unique=False)

    op.create_table('cb_risk_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('safety', sa.Enum('safe', 'at_risk', 'unsafe', name='safety', native_enum=False, length=16), nullable=False),
    sa.Column('care', sa.Enum('adequate', 'inadequate', 'none', name='care', native_enum=False, length=16), nullable=False),
    sa.Column('actions', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('aid_application_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['cb_risk_report.id'], name=op.f('fk_cb_risk_follow_up_report_id_cb_risk_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_risk_follow_up'))
    )
    with op.batch_alter_table('cb_risk_follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_cb_risk_follow_up_report_occurred', ['report_id', 'occurred_at'], unique=False)

    op.create_table('cb_risk_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.Enum('civil_affairs', 'school', 'village_committee', 'child_director', 'other', name='noticerecipient', native_enum=False, length=24), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('person', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('notified_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('method', sa.Enum('phone', 'in_person', 'written', 'online', name='noticemethod', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['cb_risk_report.id'], name=op.f('fk_cb_risk_notice_report_id_cb_risk_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_risk_notice'))
    )
    with op.batch_alter_table('cb_risk_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_risk_notice_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_risk_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_risk_notice_report_id'))

    op.drop_table('cb_risk_notice')
    with op.batch_alter_table('cb_risk_follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_risk_follow_up_report_occurred')

    op.drop_table('cb_risk_follow_up')
    with op.batch_alter_table('cb_risk_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_risk_escalation_report_id'))
        batch_op.drop_index(batch_op.f('ix_cb_risk_escalation_org_unit_id'))

    op.drop_table('cb_risk_escalation')
    with op.batch_alter_table('cb_risk_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_risk_report_worker_id'))
        batch_op.drop_index('ix_cb_risk_report_status_unit')
        batch_op.drop_index(batch_op.f('ix_cb_risk_report_reporter_index'))
        batch_op.drop_index(batch_op.f('ix_cb_risk_report_police_due_at'))
        batch_op.drop_index(batch_op.f('ix_cb_risk_report_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_risk_report_child_id'))

    op.drop_table('cb_risk_report')
