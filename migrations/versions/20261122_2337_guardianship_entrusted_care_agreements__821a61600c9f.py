"""guardianship: entrusted-care agreements, contact logs, integrity record

Revision ID: 821a61600c9f
Revises: 412b2f500a66
Create Date: 2026-11-22 23:37:41.231028
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '821a61600c9f'
down_revision = '412b2f500a66'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_contact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.Enum('child', 'carer', name='contactparty', native_enum=False, length=8), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'video', 'visit', name='contactkind', native_enum=False, length=8), nullable=False),
    sa.Column('contact_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('logged_by', sa.String(length=64), nullable=False),
    sa.Column('logged_by_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_contact_log_child_id_cb_child'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_contact_log_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_contact_log'))
    )
    with op.batch_alter_table('cb_contact_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_contact_log_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_cb_contact_log_worker_day', ['worker_id', 'contact_on'], unique=False)

    op.create_table('cb_entrustment_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('other_parent_worker_id', sa.Integer(), nullable=True),
    sa.Column('other_parent_name', sa.String(length=100), nullable=True),
    sa.Column('carer_name', sa.String(length=100), nullable=False),
    sa.Column('carer_relation', sa.String(length=32), nullable=False),
    sa.Column('carer_phone', sa.Text(), nullable=False),
    sa.Column('carer_id_number', sa.Text(), nullable=True),
    sa.Column('carer_birth_date', sa.Date(), nullable=True),
    sa.Column('carer_address', sa.Text(), nullable=True),
    sa.Column('carer_capable_adult', sa.Boolean(), nullable=False),
    sa.Column('no_bars_declared', sa.Boolean(), nullable=False),
    sa.Column('declared_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('declaration_version', sa.String(length=16), nullable=False),
    sa.Column('duties', sa.Text(), nullable=False),
    sa.Column('child_contacts_per_week', sa.Integer(), nullable=False),
    sa.Column('carer_contacts_per_week', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('paper', 'phone', name='agreementsigning', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'ended', 'revoked', name='agreementstatus', native_enum=False, length=16), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('witness', sa.String(length=100), nullable=True),
    sa.Column('scan', sa.LargeBinary(), nullable=True),
    sa.Column('scan_content_type', sa.String(length=64), nullable=True),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['other_parent_worker_id'], ['cb_worker.id'], name=op.f('fk_cb_entrustment_agreement_other_parent_worker_id_cb_worker')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_entrustment_agreement_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_entrustment_agreement')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_cb_entrustment_agreement_verification_code'))
    )
    with op.batch_alter_table('cb_entrustment_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_entrustment_agreement_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_entrustment_agreement_worker_id'), ['worker_id'], unique=False)

    op.create_table('cb_integrity_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pledge_signed', 'pledge_renewed', 'pledge_expired', 'pledge_revoked', 'agreement_signed', 'agreement_ended', 'commendation', 'admonition', name='integritykind', native_enum=False, length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('issued_by_name', sa.String(length=200), nullable=True),
    sa.Column('reference_type', sa.String(length=32), nullable=True),
    sa.Column('reference_id', sa.Integer(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_integrity_entry_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_integrity_entry'))
    )
    with op.batch_alter_table('cb_integrity_entry', schema=None) as batch_op:
        batch_op.create_index('ix_cb_integrity_entry_reference', ['reference_type', 'reference_id'], unique=False)
        batch_op.create_index('ix_cb_integrity_entry_worker_day', ['worker_id', 'occurred_on'], unique=False)

    op.create_table('cb_entrustment_child',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['cb_entrustment_agreement.id'], name=op.f('fk_cb_entrustment_child_agreement_id_cb_entrustment_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_entrustment_child_child_id_cb_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'child_id', name=op.f('pk_cb_entrustment_child'))
    )
    with op.batch_alter_table('cb_entrustment_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_entrustment_child_child_id'), ['child_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_entrustment_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_entrustment_child_child_id'))

    op.drop_table('cb_entrustment_child')
    with op.batch_alter_table('cb_integrity_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_integrity_entry_worker_day')
        batch_op.drop_index('ix_cb_integrity_entry_reference')

    op.drop_table('cb_integrity_entry')
    with op.batch_alter_table('cb_entrustment_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_entrustment_agreement_worker_id'))
        batch_op.drop_index(batch_op.f('ix_cb_entrustment_agreement_status'))

    op.drop_table('cb_entrustment_agreement')
    with op.batch_alter_table('cb_contact_log', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_contact_log_worker_day')
        batch_op.drop_index(batch_op.f('ix_cb_contact_log_child_id'))

    op.drop_table('cb_contact_log')
