"""Work near home: the company's workplaces with their location and hiring needs, and transfer requests

Revision ID: 8b6d0f2a4c76
Revises: 7a5c9e1f3b65
Create Date: 2026-12-05 00:06:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '8b6d0f2a4c76'
down_revision = '7a5c9e1f3b65'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'requested'")


def upgrade():
    op.create_table('cb_positions_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_positions_location_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_positions_location')),
    sa.UniqueConstraint('org_unit_id', name=op.f('uq_cb_positions_location_org_unit_id'))
    )
    with op.batch_alter_table('cb_positions_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_positions_location_county_code'), ['county_code'], unique=False)

    op.create_table('cb_positions_opening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('trade', sa.String(length=50), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='openingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.CheckConstraint('headcount > 0', name=op.f('ck_cb_positions_opening_headcount_positive')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_cb_positions_opening_period_ordered')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_positions_opening_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_positions_opening')),
    sa.UniqueConstraint('org_unit_id', 'trade', 'starts_on', name=op.f('uq_cb_positions_opening_org_unit_id_trade_starts_on'))
    )
    with op.batch_alter_table('cb_positions_opening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_positions_opening_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_opening_status'), ['status'], unique=False)

    op.create_table('cb_positions_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('requested', 'approved', 'declined', 'withdrawn', name='transferstatus', native_enum=False, length=16), nullable=False),
    sa.Column('requested_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('decided_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['from_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_positions_transfer_from_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['opening_id'], ['cb_positions_opening.id'], name=op.f('fk_cb_positions_transfer_opening_id_cb_positions_opening')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_positions_transfer_org_unit_id_cb_org_unit')),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_positions_transfer_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_positions_transfer'))
    )
    with op.batch_alter_table('cb_positions_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_requested_on'), ['requested_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_positions_transfer_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index('uq_cb_positions_transfer_open', ['worker_id', 'opening_id'], unique=True, postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    with op.batch_alter_table('cb_positions_transfer', schema=None) as batch_op:
        batch_op.drop_index('uq_cb_positions_transfer_open', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_decided_on'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_requested_on'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_status'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_from_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_opening_id'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_transfer_worker_id'))
    op.drop_table('cb_positions_transfer')
    with op.batch_alter_table('cb_positions_opening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_positions_opening_status'))
        batch_op.drop_index(batch_op.f('ix_cb_positions_opening_org_unit_id'))
    op.drop_table('cb_positions_opening')
    with op.batch_alter_table('cb_positions_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_positions_location_county_code'))
    op.drop_table('cb_positions_location')
