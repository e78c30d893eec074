"""imports: jobs, files, column mappings

Revision ID: 779637a2ffa1
Revises: dfa65ddae125
Create Date: 2026-11-22 21:54:50.585852
"""
from alembic import op
import sqlalchemy as sa
import plugin.core.db


revision = '779637a2ffa1'
down_revision = 'dfa65ddae125'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cb_import_column_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('workers', 'children', name='importkind', native_enum=False, length=16), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_import_column_mapping')),
    sa.UniqueConstraint('source', 'kind', name=op.f('uq_cb_import_column_mapping_source_kind'))
    )
    op.create_table('cb_import_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('workers', 'children', name='importkind', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('mapping', 'queued', 'running', 'done', 'failed', name='importstatus', native_enum=False, length=16), nullable=False),
    sa.Column('is_dry_run', sa.Boolean(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format_name', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.Column('withheld_count', sa.Integer(), nullable=False),
    sa.Column('created_units', sa.JSON(), nullable=True),
    sa.Column('unknown_columns', sa.JSON(), nullable=True),
    sa.Column('column_check', sa.JSON(), nullable=True),
    sa.Column('sample_errors', sa.JSON(), nullable=True),
    sa.Column('failure', sa.JSON(), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['cb_org_unit.id'], name=op.f('fk_cb_import_job_org_unit_id_cb_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_import_job'))
    )
    with op.batch_alter_table('cb_import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cb_import_job_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_import_job_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cb_import_job_status'), ['status'], unique=False)

    op.create_table('cb_import_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('upload', 'errors', name='filerole', native_enum=False, length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['cb_import_job.id'], name=op.f('fk_cb_import_file_job_id_cb_import_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_import_file')),
    sa.UniqueConstraint('job_id', 'role', 'seq', name=op.f('uq_cb_import_file_job_id_role_seq'))
    )


def downgrade():
    op.drop_table('cb_import_file')
    with op.batch_alter_table('cb_import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cb_import_job_status'))
        batch_op.drop_index(batch_op.f('ix_cb_import_job_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cb_import_job_created_by'))

    op.drop_table('cb_import_job')
    op.drop_table('cb_import_column_mapping')
