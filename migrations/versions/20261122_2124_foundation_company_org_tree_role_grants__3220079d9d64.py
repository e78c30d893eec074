"""foundation: company, org tree, role grants, audit log, notifications, scheduler lease, portal users

Revision ID: 3220079d9d64
Revises: 
Create Date: 2026-11-22 21:24:26.695117
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '3220079d9d64'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('actor_key', sa.String(length=64), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_audit_event'))
    )
    with op.batch_alter_table('cb_audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_audit_event_actor_key'), ['actor_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_audit_event_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_audit_event_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_cb_audit_event_target', ['target_type', 'target_id'], unique=False)

    op.create_table('cb_company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_company'))
    )
    op.create_table('cb_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_key', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('title_msgid', sa.String(length=300), nullable=False),
    sa.Column('body_msgid', sa.Text(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_notification'))
    )
    with op.batch_alter_table('cb_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_cb_notification_recipient_unread', ['recipient_key', 'read_at'], unique=False)

    op.create_table('cb_org_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('group', 'subsidiary', 'site', 'team', name='orgkind', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('responsible_department', sa.String(length=200), nullable=True),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('responsible_phone', sa.String(length=30), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['cb_org_unit.id'], name=op.f('fk_cb_org_unit_parent_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_org_unit')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_cb_org_unit_parent_id_name'))
    )
    with op.batch_alter_table('cb_org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_org_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_org_unit_path'), ['path'], unique=False)

    op.create_table('cb_portal_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_login_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_portal_user')),
    sa.UniqueConstraint('username', name=op.f('uq_cb_portal_user_username'))
    )
    op.create_table('cb_scheduler_lease',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cb_scheduler_lease'))
    )
    op.create_table('cb_role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_key', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('admin', 'hr_officer', 'site_manager', 'union_officer', 'care_worker', 'report_officer', 'auditor', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_role_grant_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_role_grant')),
    sa.UniqueConstraint('user_key', 'role', 'org_unit_id', name=op.f('uq_cb_role_grant_user_key_role_org_unit_id'))
    )
    with op.batch_alter_table('cb_role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_role_grant_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_role_grant_user_key'), ['user_key'], unique=False)



def downgrade():
    with op.batch_alter_table('cb_role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_role_grant_user_key'))
        batch_op.drop_index(batch_op.f('ix_cb_role_grant_org_unit_id'))

    op.drop_table('cb_role_grant')
    op.drop_table('cb_scheduler_lease')
    op.drop_table('cb_portal_user')
    with op.batch_alter_table('cb_org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_org_unit_path'))
        batch_op.drop_index(batch_op.f('ix_cb_org_unit_parent_id'))

    op.drop_table('cb_org_unit')
    with op.batch_alter_table('cb_notification', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_notification_recipient_unread')
        batch_op.drop_index(batch_op.f('ix_cb_notification_created_at'))

    op.drop_table('cb_notification')
    op.drop_table('cb_company')
    with op.batch_alter_table('cb_audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_audit_event_target')
        batch_op.drop_index(batch_op.f('ix_cb_audit_event_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_cb_audit_event_actor_key'))
        batch_op.drop_index(batch_op.f('ix_cb_audit_event_action'))

    op.drop_table('cb_audit_event')
