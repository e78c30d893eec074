"""registry: a child's details held, encrypted, until a guardian consents

A roster or form that gives the details of a child under 14 without a guardian's consent no
longer loses them: ``cb_child_held_details`` keeps them (one encrypted JSON object per child) for
a stated time (``CAREBRIDGE_CONSENT_HOLD_DAYS``), applied when consent arrives and erased when
the time runs out.

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c0e1
Create Date: 2026-12-04 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3e5a7b9d1f2'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cb_child_held_details',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'],
                                name=op.f('fk_cb_child_held_details_child_id_cb_child'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_child_held_details')),
        sa.UniqueConstraint('child_id', name=op.f('uq_cb_child_held_details_child_id')),
    )
    with op.batch_alter_table('cb_child_held_details') as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_child_held_details_expires_on'), ['expires_on'])


def downgrade():
    op.drop_table('cb_child_held_details')
