"""portal user employee number: a staff account may name its holder's employee number (工号)

``portal_user.employee_number`` links a staff account to its holder's record on the roster
(``cb_worker.employee_number``), so that nobody approves their own hardship-aid application. It
is optional (existing accounts have none) and unique when set: both databases let any number of
rows leave it empty.

Revision ID: 92ef7894b00a
Revises: 91afe69146eb
Create Date: 2026-12-04 20:12:35.075651
"""
import sqlalchemy as sa
from alembic import op

revision = '92ef7894b00a'
down_revision = '91afe69146eb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('portal_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employee_number', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_portal_user_employee_number'),
                                          ['employee_number'])


def downgrade():
    with op.batch_alter_table('portal_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_portal_user_employee_number'), type_='unique')
        batch_op.drop_column('employee_number')
