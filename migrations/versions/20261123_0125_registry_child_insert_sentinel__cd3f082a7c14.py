"""registry: child insert sentinel, so a roster's new children are inserted in real batches

Without a per-row key, SQLAlchemy can only tie RETURNING rows to the parameter rows on SQLite by
inserting one row per statement. The column is nullable and only set by such batch inserts.

Revision ID: cd3f082a7c14
Revises: 821a61600c9f
Create Date: 2026-11-23 01:25:33.174847
"""
from alembic import op
import sqlalchemy as sa


revision = 'cd3f082a7c14'
down_revision = '821a61600c9f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cb_child', schema=None) as batch_op:
        batch_op.add_column(sa.Column('_sentinel', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('cb_child', schema=None) as batch_op:
        batch_op.drop_column('_sentinel')
