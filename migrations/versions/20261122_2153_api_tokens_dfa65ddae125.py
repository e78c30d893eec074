"""api tokens: per-integration HR API tokens (hashed secret, subtree scope, revocable)

Revision ID: dfa65ddae125
Revises: 171a2406c1e1
Create Date: 2026-11-22 21:53:05.099421
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = 'dfa65ddae125'
down_revision = '171a2406c1e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('read_only', 'read_write', name='tokenscope', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('last_used_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_api_token_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_api_token')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_cb_api_token_secret_hash'))
    )
    with op.batch_alter_table('cb_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_api_token_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_api_token_prefix'), ['prefix'], unique=False)


def downgrade():
    with op.batch_alter_table('cb_api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_api_token_prefix'))
        batch_op.drop_index(batch_op.f('ix_cb_api_token_org_unit_id'))

    op.drop_table('cb_api_token')
