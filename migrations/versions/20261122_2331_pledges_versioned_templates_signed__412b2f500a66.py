"""pledges: versioned templates, signed pledges and the children they cover; site batches of PDFs

Revision ID: 412b2f500a66
Revises: b95b7daccfce
Create Date: 2026-11-22 23:31:01.077009
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '412b2f500a66'
down_revision = 'b95b7daccfce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_pledge_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_pledge_template')),
    sa.UniqueConstraint('version', name=op.f('uq_cb_pledge_template_version'))
    )
    op.create_table('cb_pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('method', sa.Enum('paper', 'phone', name='signingmethod', native_enum=False, length=16), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('witness', sa.String(length=100), nullable=True),
    sa.Column('scan', sa.LargeBinary(), nullable=True),
    sa.Column('scan_content_type', sa.String(length=64), nullable=True),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('renews_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expiry_reminded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('revoke_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['renews_id'], ['cb_pledge.id'], name=op.f('fk_cb_pledge_renews_id_cb_pledge')),
    sa.ForeignKeyConstraint(['template_id'], ['cb_pledge_template.id'], name=op.f('fk_cb_pledge_template_id_cb_pledge_template')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_pledge_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_pledge')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_cb_pledge_verification_code'))
    )
    with op.batch_alter_table('cb_pledge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_pledge_valid_until'), ['valid_until'], unique=False)
        batch_op.create_index('ix_cb_pledge_worker_valid', ['worker_id', 'valid_until'], unique=False)

    op.create_table('cb_pledge_child',
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_pledge_child_child_id_cb_child'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pledge_id'], ['cb_pledge.id'], name=op.f('fk_cb_pledge_child_pledge_id_cb_pledge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pledge_id', 'child_id', name=op.f('pk_cb_pledge_child'))
    )
    with op.batch_alter_table('cb_pledge_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_pledge_child_child_id'), ['child_id'], unique=False)

    op.create_table('cb_pledge_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='batchstatus', native_enum=False, length=16), nullable=False),
    sa.Column('only_valid', sa.Boolean(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('verify_url_base', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('failure', sa.JSON(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purged_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_pledge_batch_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_pledge_batch'))
    )
    with op.batch_alter_table('cb_pledge_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_pledge_batch_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_pledge_batch_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_pledge_batch_status'), ['status'], unique=False)

    op.create_table('cb_pledge_batch_chunk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['cb_pledge_batch.id'], name=op.f('fk_cb_pledge_batch_chunk_batch_id_cb_pledge_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_pledge_batch_chunk')),
    sa.UniqueConstraint('batch_id', 'seq', name=op.f('uq_cb_pledge_batch_chunk_batch_id_seq'))
    )



def downgrade():
    op.drop_table('cb_pledge_batch_chunk')
    with op.batch_alter_table('cb_pledge_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_pledge_batch_status'))
        batch_op.drop_index(batch_op.f('ix_cb_pledge_batch_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_pledge_batch_created_by'))

    op.drop_table('cb_pledge_batch')
    with op.batch_alter_table('cb_pledge_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_pledge_child_child_id'))

    op.drop_table('cb_pledge_child')
    with op.batch_alter_table('cb_pledge', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_pledge_worker_valid')
        batch_op.drop_index(batch_op.f('ix_cb_pledge_valid_until'))

    op.drop_table('cb_pledge')
    op.drop_table('cb_pledge_template')
