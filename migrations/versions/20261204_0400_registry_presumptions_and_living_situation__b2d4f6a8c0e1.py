"""registry: presumptions behind a child's categories, and the living situation in words

``cb_child.categories_presumed`` records, per decided category, the presumed facts it rests on
(DOMAIN §3, "Presumptions"): ``left_behind=mother.since,father.since in_difficulty=…``.
``cb_child.living_situation`` keeps what a roster said about the child's situation
("与祖父母同住", "父母均外出"), the text the categories' facts were read from.

Every child's categories are due for recomputing (the presumptions change them): the daily job
recomputes children whose ``categories_next_change`` has come, so it is set in the past.

Revision ID: b2d4f6a8c0e1
Revises: 608c1a6bccad
Create Date: 2026-12-04 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b2d4f6a8c0e1'
down_revision = '608c1a6bccad'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cb_child') as batch_op:
        batch_op.add_column(sa.Column('categories_presumed', sa.String(length=600),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('living_situation', sa.String(length=200), nullable=True))
    with op.batch_alter_table('cb_child') as batch_op:
        batch_op.alter_column('categories_presumed', server_default=None)
    op.execute("UPDATE cb_child SET categories_next_change = DATE '2000-01-01'"
               if op.get_bind().dialect.name == 'postgresql'
               else "UPDATE cb_child SET categories_next_change = '2000-01-01'")


def downgrade():
    with op.batch_alter_table('cb_child') as batch_op:
        batch_op.drop_column('living_situation')
        batch_op.drop_column('categories_presumed')
