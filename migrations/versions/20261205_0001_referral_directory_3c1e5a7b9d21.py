"""Referral directory: child directors, supervisors, police stations, Civil Affairs offices and hotlines per region

Revision ID: 3c1e5a7b9d21
Revises: fb15565cc15b
Create Date: 2026-12-05 00:01:00
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '3c1e5a7b9d21'
down_revision = 'fb15565cc15b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_referral_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('child_director', 'township_supervisor', 'police_station', 'civil_affairs', 'village_committee', 'school', 'hotline', 'other', name='contactkind', native_enum=False, length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('township', sa.String(length=100), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('person_name', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('match_key', sa.String(length=64), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_referral_contact_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_referral_contact')),
    sa.UniqueConstraint('match_key', name=op.f('uq_cb_referral_contact_match_key'))
    )
    with op.batch_alter_table('cb_referral_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_referral_contact_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_referral_contact_region_code'), ['region_code'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_referral_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_referral_contact_region_code'))
        batch_op.drop_index(batch_op.f('ix_cb_referral_contact_org_unit_id'))

    op.drop_table('cb_referral_contact')
