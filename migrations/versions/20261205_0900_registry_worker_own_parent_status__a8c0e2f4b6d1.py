"""registry: what HR records of a worker's own situation as a parent

A worker who died at work, is detained, went home or cannot care any more changes the categories
of the worker's children (de facto unsupported, orphan, in difficulty); until now a worker was
always "working away, capable" or, once left, "unknown".

Revision ID: a8c0e2f4b6d1
Revises: 325f15015658
Create Date: 2026-12-05 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a8c0e2f4b6d1'
down_revision = '325f15015658'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cb_worker') as batch:
        batch.add_column(sa.Column('own_parent_status', sa.Enum(
            'works_away', 'at_home', 'deceased', 'out_of_contact', 'imprisoned', 'in_rehabilitation',
            'unknown', name='parentstatus', native_enum=False, length=24), nullable=True))
        batch.add_column(sa.Column('own_parent_status_since', sa.Date(), nullable=True))
        batch.add_column(sa.Column('own_parent_capable', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('cb_worker') as batch:
        batch.drop_column('own_parent_capable')
        batch.drop_column('own_parent_status_since')
        batch.drop_column('own_parent_status')
