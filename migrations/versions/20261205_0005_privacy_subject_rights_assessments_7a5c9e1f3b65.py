"""Privacy: workers' own-data downloads and correction requests, impact assessments and the
exports of personal data tied to them

Revision ID: 7a5c9e1f3b65
Revises: 6f4b8d0e2a54
Create Date: 2026-12-05 00:05:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '7a5c9e1f3b65'
down_revision = '6f4b8d0e2a54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_privacy_subject_downloads',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('downloads', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_privacy_subject_downloads_worker_id_cb_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'day', name=op.f('pk_cb_privacy_subject_downloads'))
    )

    op.create_table('cb_privacy_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.String(length=200), nullable=False),
    sa.Column('wrong', sa.Text(), nullable=False),
    sa.Column('right', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'made', 'refused', name='correctionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('asked_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('answered_by_name', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_privacy_correction_worker_id_cb_worker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_privacy_correction'))
    )
    with op.batch_alter_table('cb_privacy_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_privacy_correction_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index('ix_cb_privacy_correction_status_asked', ['status', 'asked_at'], unique=False)

    op.create_table('cb_privacy_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('recipient_kind', sa.Enum('union', 'civil_affairs', 'carrier', 'ticket_agent', 'other', name='recipientkind', native_enum=False, length=16), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('data_categories', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('necessity', sa.Text(), nullable=False),
    sa.Column('risks_and_measures', sa.Text(), nullable=False),
    sa.Column('assessed_by', sa.String(length=200), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=300), nullable=True),
    sa.Column('last_used_on', sa.Date(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_privacy_assessment_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_privacy_assessment'))
    )
    with op.batch_alter_table('cb_privacy_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_privacy_assessment_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_privacy_assessment_last_used_on'), ['last_used_on'], unique=False)
        batch_op.create_index('ix_cb_privacy_assessment_kind_valid', ['recipient_kind', 'valid_until'], unique=False)

    op.create_table('cb_privacy_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('file_format', sa.String(length=8), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('exported_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('exported_by', sa.String(length=64), nullable=False),
    sa.Column('exported_by_name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['cb_privacy_assessment.id'], name=op.f('fk_cb_privacy_export_assessment_id_cb_privacy_assessment')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_privacy_export_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_privacy_export'))
    )
    with op.batch_alter_table('cb_privacy_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_privacy_export_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_privacy_export_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_privacy_export_exported_at'), ['exported_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_privacy_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_privacy_export_exported_at'))
        batch_op.drop_index(batch_op.f('ix_cb_privacy_export_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_privacy_export_assessment_id'))
    op.drop_table('cb_privacy_export')

    with op.batch_alter_table('cb_privacy_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_privacy_assessment_kind_valid')
        batch_op.drop_index(batch_op.f('ix_cb_privacy_assessment_last_used_on'))
        batch_op.drop_index(batch_op.f('ix_cb_privacy_assessment_org_unit_id'))
    op.drop_table('cb_privacy_assessment')

    with op.batch_alter_table('cb_privacy_correction', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_privacy_correction_status_asked')
        batch_op.drop_index(batch_op.f('ix_cb_privacy_correction_worker_id'))
    op.drop_table('cb_privacy_correction')

    op.drop_table('cb_privacy_subject_downloads')
