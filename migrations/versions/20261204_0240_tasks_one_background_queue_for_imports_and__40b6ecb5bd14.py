"""tasks: one background queue for imports and site zips

Roster imports and pledge site zips each had their own queue: state, progress, heartbeat and
failure columns on their rows, and a chunk table each for their encrypted files. Both now own a
row of ``cb_task`` (``task_id``) and keep their files in ``cb_task_chunk``
(:mod:`plugin.core.tasks`).

Every job and batch gets its task with the values its own columns had: an import job keeps its
id as its task's id, a batch's task comes after them. An import waiting for its column mapping
becomes a held task; a task that had started counts one attempt. File chunks are moved as they
are (still encrypted, under the same contexts: ``import.file``, ``pledge.batch_zip``); an
import's files keep their role as their name, a batch's zip is named ``zip``. The downgrade puts
everything back.

Revision ID: 40b6ecb5bd14
Revises: 4735040751d6
Create Date: 2026-12-04 02:40:00
"""
import sqlalchemy as sa
from alembic import op

import plugin.core.db

revision = '40b6ecb5bd14'
down_revision = '4735040751d6'
branch_labels = None
depends_on = None

IMPORT_KIND = "imports.roster"
ZIP_KIND = "pledges.site_zip"
#: The moved columns, as each feature's table named them and as ``cb_task`` names them.
IMPORT_COLUMNS = {"total_rows": "total", "processed_rows": "processed", "failure": "failure",
                  "started_at": "started_at", "heartbeat_at": "heartbeat_at",
                  "finished_at": "finished_at"}
BATCH_COLUMNS = {"total": "total", "processed": "processed", "failure": "failure",
                 "started_at": "started_at", "heartbeat_at": "heartbeat_at",
                 "finished_at": "finished_at"}

task = sa.table(
    "cb_task", sa.column("id", sa.Integer), sa.column("kind", sa.String),
    sa.column("status", sa.String), sa.column("is_foreground", sa.Boolean),
    sa.column("total", sa.Integer), sa.column("processed", sa.Integer),
    sa.column("failure", sa.JSON), sa.column("attempts", sa.Integer),
    sa.column("runner", sa.String), sa.column("queued_at", sa.DateTime),
    sa.column("started_at", sa.DateTime), sa.column("heartbeat_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime))
task_chunk = sa.table(
    "cb_task_chunk", sa.column("task_id", sa.Integer), sa.column("name", sa.String),
    sa.column("seq", sa.Integer), sa.column("data", sa.LargeBinary))
job = sa.table(
    "cb_import_job", sa.column("id", sa.Integer), sa.column("task_id", sa.Integer),
    sa.column("status", sa.String), sa.column("total_rows", sa.Integer),
    sa.column("processed_rows", sa.Integer), sa.column("failure", sa.JSON),
    sa.column("created_at", sa.DateTime), sa.column("started_at", sa.DateTime),
    sa.column("heartbeat_at", sa.DateTime), sa.column("finished_at", sa.DateTime))
import_file = sa.table(
    "cb_import_file", sa.column("job_id", sa.Integer), sa.column("role", sa.String),
    sa.column("seq", sa.Integer), sa.column("data", sa.LargeBinary))
batch = sa.table(
    "cb_pledge_batch", sa.column("id", sa.Integer), sa.column("task_id", sa.Integer),
    sa.column("status", sa.String), sa.column("total", sa.Integer),
    sa.column("processed", sa.Integer), sa.column("failure", sa.JSON),
    sa.column("created_at", sa.DateTime), sa.column("started_at", sa.DateTime),
    sa.column("heartbeat_at", sa.DateTime), sa.column("finished_at", sa.DateTime))
batch_chunk = sa.table(
    "cb_pledge_batch_chunk", sa.column("batch_id", sa.Integer), sa.column("seq", sa.Integer),
    sa.column("data", sa.LargeBinary))


def _attempts(table):
    """A task that had started counts one attempt."""
    return sa.case((table.c.started_at.is_(None), 0), else_=1)


def upgrade():
    op.create_table('cb_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('held', 'queued', 'running', 'done', 'failed', name='taskstatus', native_enum=False, length=16), nullable=False),
    sa.Column('is_foreground', sa.Boolean(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('failure', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('runner', sa.String(length=200), nullable=True),
    sa.Column('queued_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_task'))
    )
    with op.batch_alter_table('cb_task', schema=None) as batch_op:
        batch_op.create_index('ix_cb_task_kind_status', ['kind', 'status'], unique=False)

    op.create_table('cb_task_chunk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['cb_task.id'], name=op.f('fk_cb_task_chunk_task_id_cb_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_task_chunk')),
    sa.UniqueConstraint('task_id', 'name', 'seq', name=op.f('uq_cb_task_chunk_task_id_name_seq'))
    )
    for table in ('cb_import_job', 'cb_pledge_batch'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))

    _move_rows_to_tasks()

    op.drop_table('cb_import_file')
    op.drop_table('cb_pledge_batch_chunk')
    for table, columns in (('cb_import_job', IMPORT_COLUMNS), ('cb_pledge_batch', BATCH_COLUMNS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('task_id', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_index(batch_op.f(f'ix_{table}_status'))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_task_id'), ['task_id'])
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_task_id_cb_task'), 'cb_task',
                                        ['task_id'], ['id'])
            for column in (*columns, 'status'):
                batch_op.drop_column(column)


def _move_rows_to_tasks() -> None:
    connection = op.get_bind()
    connection.execute(task.insert().from_select(
        ["id", "kind", "status", "is_foreground", "attempts", "runner", "queued_at",
         *IMPORT_COLUMNS.values()],
        sa.select(job.c.id, sa.literal(IMPORT_KIND),
                  sa.case((job.c.status == "mapping", "held"), else_=job.c.status), sa.false(),
                  _attempts(job), sa.null(),
                  sa.case((job.c.status == "mapping", sa.null()), else_=job.c.created_at),
                  *(job.c[name] for name in IMPORT_COLUMNS))))
    connection.execute(job.update().values(task_id=job.c.id))
    offset = connection.execute(sa.select(sa.func.coalesce(sa.func.max(task.c.id), 0))).scalar()
    connection.execute(task.insert().from_select(
        ["id", "kind", "status", "is_foreground", "attempts", "runner", "queued_at",
         *BATCH_COLUMNS.values()],
        sa.select(batch.c.id + offset, sa.literal(ZIP_KIND), batch.c.status, sa.false(),
                  _attempts(batch), sa.null(), batch.c.created_at,
                  *(batch.c[name] for name in BATCH_COLUMNS))))
    connection.execute(batch.update().values(task_id=batch.c.id + offset))
    connection.execute(task_chunk.insert().from_select(
        ["task_id", "name", "seq", "data"],
        sa.select(import_file.c.job_id, import_file.c.role, import_file.c.seq,
                  import_file.c.data)))
    connection.execute(task_chunk.insert().from_select(
        ["task_id", "name", "seq", "data"],
        sa.select(batch_chunk.c.batch_id + offset, sa.literal("zip"), batch_chunk.c.seq,
                  batch_chunk.c.data)))
    if connection.dialect.name == "postgresql":
        # Ids were given, not drawn: the sequence continues after the largest one.
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('cb_task', 'id'), "
            "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM cb_task")


def downgrade():
    with op.batch_alter_table('cb_import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('mapping', 'queued', 'running', 'done', 'failed', name='importstatus', native_enum=False, length=16), nullable=True))
        batch_op.add_column(sa.Column('total_rows', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('processed_rows', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.JSON(), nullable=True))
        for name in ('started_at', 'heartbeat_at', 'finished_at'):
            batch_op.add_column(sa.Column(name, plugin.core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('cb_pledge_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='batchstatus', native_enum=False, length=16), nullable=True))
        batch_op.add_column(sa.Column('total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('processed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.JSON(), nullable=True))
        for name in ('started_at', 'heartbeat_at', 'finished_at'):
            batch_op.add_column(sa.Column(name, plugin.core.db.UTCDateTime(timezone=True), nullable=True))

    _move_tasks_back_to_rows()
    # Which row owned each task, kept aside while task_id goes: the chunk tables are made only
    # after the tables they refer to are rebuilt (on SQLite, rebuilding a table deletes the rows
    # that refer to it, through their ON DELETE CASCADE).
    op.create_table('cb_task_owner_downgrade',
    sa.Column('task_id', sa.Integer(), primary_key=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    )
    owner = sa.table('cb_task_owner_downgrade', sa.column('task_id', sa.Integer),
                     sa.column('job_id', sa.Integer), sa.column('batch_id', sa.Integer))
    connection = op.get_bind()
    connection.execute(owner.insert().from_select(['task_id', 'job_id'],
                                                  sa.select(job.c.task_id, job.c.id)))
    connection.execute(owner.insert().from_select(['task_id', 'batch_id'],
                                                  sa.select(batch.c.task_id, batch.c.id)))

    for table, counted in (('cb_import_job', 'processed_rows'), ('cb_pledge_batch', 'processed')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('status', existing_type=sa.String(length=16), nullable=False)
            batch_op.alter_column(counted, existing_type=sa.Integer(), nullable=False)
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_task_id_cb_task'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_task_id'), type_='unique')
            batch_op.create_index(batch_op.f(f'ix_{table}_status'), ['status'], unique=False)
            batch_op.drop_column('task_id')

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
    op.create_table('cb_pledge_batch_chunk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['cb_pledge_batch.id'], name=op.f('fk_cb_pledge_batch_chunk_batch_id_cb_pledge_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_pledge_batch_chunk')),
    sa.UniqueConstraint('batch_id', 'seq', name=op.f('uq_cb_pledge_batch_chunk_batch_id_seq'))
    )
    connection.execute(import_file.insert().from_select(
        ['job_id', 'role', 'seq', 'data'],
        sa.select(owner.c.job_id, task_chunk.c.name, task_chunk.c.seq, task_chunk.c.data)
        .join(owner, owner.c.task_id == task_chunk.c.task_id)
        .where(owner.c.job_id.is_not(None))))
    connection.execute(batch_chunk.insert().from_select(
        ['batch_id', 'seq', 'data'],
        sa.select(owner.c.batch_id, task_chunk.c.seq, task_chunk.c.data)
        .join(owner, owner.c.task_id == task_chunk.c.task_id)
        .where(owner.c.batch_id.is_not(None), task_chunk.c.name == 'zip')))

    op.drop_table('cb_task_owner_downgrade')
    op.drop_table('cb_task_chunk')
    with op.batch_alter_table('cb_task', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_task_kind_status')
    op.drop_table('cb_task')


def _move_tasks_back_to_rows() -> None:
    connection = op.get_bind()
    for table, columns, held in ((job, IMPORT_COLUMNS, 'mapping'), (batch, BATCH_COLUMNS, 'queued')):
        def of_row(column, table=table):
            return sa.select(column).where(task.c.id == table.c.task_id).scalar_subquery()

        connection.execute(table.update().values(
            status=of_row(sa.case((task.c.status == 'held', held), else_=task.c.status)),
            **{own: of_row(task.c[shared]) for own, shared in columns.items()}))
