"""registry: workers, children, parent links, consent

Revision ID: 171a2406c1e1
Revises: 3220079d9d64
Create Date: 2026-11-22 21:42:17.444051
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '171a2406c1e1'
down_revision = '3220079d9d64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_child',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_initials', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.Enum('male', 'female', name='sex', native_enum=False, length=8), nullable=True),
    sa.Column('ethnicity', sa.String(length=32), nullable=True),
    sa.Column('id_number', sa.Text(), nullable=True),
    sa.Column('id_number_index', sa.String(length=32), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('hukou_region_code', sa.String(length=6), nullable=True),
    sa.Column('hukou_rural', sa.Boolean(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('lives_with', sa.Enum('both_parents', 'mother', 'father', 'grandparents', 'other_relatives', 'entrusted_carer', 'institution', 'alone', name='liveswith', native_enum=False, length=24), nullable=True),
    sa.Column('lives_in_home_area', sa.Boolean(), nullable=True),
    sa.Column('outside_hukou_county_since', sa.Date(), nullable=True),
    sa.Column('school', sa.String(length=200), nullable=True),
    sa.Column('grade', sa.String(length=32), nullable=True),
    sa.Column('boarding', sa.Boolean(), nullable=True),
    sa.Column('health_note', sa.Text(), nullable=True),
    sa.Column('has_disability', sa.Boolean(), nullable=True),
    sa.Column('family_poverty', sa.Enum('none', 'subsistence_allowance', 'extreme_poverty', 'low_income', name='povertystatus', native_enum=False, length=32), nullable=True),
    sa.Column('guardianship_lacking_with_harm', sa.Boolean(), nullable=True),
    sa.Column('wandering', sa.Boolean(), nullable=False),
    sa.Column('psychological_anomaly', sa.Boolean(), nullable=False),
    sa.Column('asked_for_help', sa.Boolean(), nullable=False),
    sa.Column('carer_name', sa.String(length=100), nullable=True),
    sa.Column('carer_relation', sa.String(length=32), nullable=True),
    sa.Column('carer_phone', sa.Text(), nullable=True),
    sa.Column('village_committee_contact', sa.String(length=200), nullable=True),
    sa.Column('village_child_director', sa.String(length=200), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('left_behind', sa.Boolean(), nullable=True),
    sa.Column('migrant', sa.Boolean(), nullable=True),
    sa.Column('in_difficulty', sa.Boolean(), nullable=True),
    sa.Column('de_facto_unsupported', sa.Boolean(), nullable=True),
    sa.Column('orphan', sa.Boolean(), nullable=True),
    sa.Column('in_three_areas', sa.Boolean(), nullable=True),
    sa.Column('focus_flags', sa.String(length=200), nullable=False),
    sa.Column('categories_missing', sa.String(length=400), nullable=False),
    sa.Column('categories_as_of', sa.Date(), nullable=True),
    sa.Column('categories_next_change', sa.Date(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_child_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_child')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_cb_child_id_number_index'))
    )
    with op.batch_alter_table('cb_child', schema=None) as batch_op:
        batch_op.create_index('ix_cb_child_categories', ['left_behind', 'in_difficulty', 'migrant'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_child_categories_next_change'), ['categories_next_change'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_child_name_initials'), ['name_initials'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_child_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('cb_worker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_number', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_initials', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.Enum('male', 'female', name='sex', native_enum=False, length=8), nullable=True),
    sa.Column('id_number', sa.Text(), nullable=True),
    sa.Column('id_number_index', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('hukou_region_code', sa.String(length=6), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('subcontractor', sa.String(length=200), nullable=True),
    sa.Column('entry_date', sa.Date(), nullable=True),
    sa.Column('employment_status', sa.Enum('active', 'left', name='employmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('works_away_since', sa.Date(), nullable=True),
    sa.Column('other_parent_status', sa.Enum('works_away', 'at_home', 'deceased', 'out_of_contact', 'imprisoned', 'in_rehabilitation', 'unknown', name='parentstatus', native_enum=False, length=24), nullable=True),
    sa.Column('other_parent_since', sa.Date(), nullable=True),
    sa.Column('other_parent_capable', sa.Boolean(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_worker_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_worker')),
    sa.UniqueConstraint('employee_number', name=op.f('uq_cb_worker_employee_number')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_cb_worker_id_number_index'))
    )
    with op.batch_alter_table('cb_worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_worker_employment_status'), ['employment_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_worker_name_initials'), ['name_initials'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_worker_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_worker_phone'), ['phone'], unique=False)

    op.create_table('cb_child_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('guardian_name', sa.String(length=100), nullable=False),
    sa.Column('guardian_worker_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.Enum('paper', 'phone_signature', 'in_person', name='consentmethod', native_enum=False, length=24), nullable=False),
    sa.Column('notice_version', sa.String(length=32), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_child_consent_child_id_cb_child'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_worker_id'], ['cb_worker.id'], name=op.f('fk_cb_child_consent_guardian_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_child_consent'))
    )
    with op.batch_alter_table('cb_child_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_child_consent_child_id'), ['child_id'], unique=False)

    op.create_table('cb_child_parent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mother', 'father', name='parentrole', native_enum=False, length=8), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['cb_child.id'], name=op.f('fk_cb_child_parent_child_id_cb_child'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['cb_worker.id'], name=op.f('fk_cb_child_parent_worker_id_cb_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_child_parent')),
    sa.UniqueConstraint('child_id', 'role', name=op.f('uq_cb_child_parent_child_id_role')),
    sa.UniqueConstraint('child_id', 'worker_id', name=op.f('uq_cb_child_parent_child_id_worker_id'))
    )
    with op.batch_alter_table('cb_child_parent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_child_parent_worker_id'), ['worker_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cb_child_parent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_child_parent_worker_id'))

    op.drop_table('cb_child_parent')
    with op.batch_alter_table('cb_child_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_child_consent_child_id'))

    op.drop_table('cb_child_consent')
    with op.batch_alter_table('cb_worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_worker_phone'))
        batch_op.drop_index(batch_op.f('ix_cb_worker_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_worker_name_initials'))
        batch_op.drop_index(batch_op.f('ix_cb_worker_employment_status'))

    op.drop_table('cb_worker')
    with op.batch_alter_table('cb_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_child_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_child_name_initials'))
        batch_op.drop_index(batch_op.f('ix_cb_child_categories_next_change'))
        batch_op.drop_index('ix_cb_child_categories')

    op.drop_table('cb_child')
