"""notifications: an outbox for channels, links stored as endpoint and arguments

Channels (SMS, WeCom…) used to be called inside the request's transaction, so an action rolled
back afterwards had sent its messages anyway. ``notify`` now writes one ``cb_notification_delivery``
row per notification and channel in the same transaction, and a scheduled job delivers them
after the commit, retrying failures with a growing wait. Notifications written before had their
chance at the channels already: they get no outbox rows.

Links were URL paths built from the host's URL prefix of the day (``/care/lectures/5``); they are
now an endpoint and its arguments (``link_endpoint``, ``link_args``), made a URL when shown. The
paths the product wrote are recognised whatever prefix precedes them and converted; any other
path stays in ``legacy_link`` (the old column, renamed), still shown, never written again.
Downgrading turns the converted links back into paths without a prefix (the standalone portal's)
and drops the outbox.

Revision ID: 608c1a6bccad
Revises: 40b6ecb5bd14
Create Date: 2026-12-04 02:50:00
"""
import re

import sqlalchemy as sa
from alembic import op

import plugin.core.db

revision = '608c1a6bccad'
down_revision = '40b6ecb5bd14'
branch_labels = None
depends_on = None

_PREFIX = r"(?:/[^?#]*)?"
#: (path the product wrote, with any URL prefix in front; endpoint; path again, for downgrade).
KNOWN_LINKS = (
    (re.compile(_PREFIX + r"/lectures/(?P<session_id>\d+)"), "carebridge.lectures.detail",
     "/lectures/{session_id}"),
    (re.compile(_PREFIX + r"/pledges/batches/(?P<batch_id>\d+)"), "carebridge.pledges.batch",
     "/pledges/batches/{batch_id}"),
    (re.compile(_PREFIX + r"/pledges/\?unit=(?P<unit>\d+)&status=(?P<status>expiring)"),
     "carebridge.pledges.index", "/pledges/?unit={unit}&status={status}"),
    (re.compile(_PREFIX + r"/guardianship/follow-up"), "carebridge.guardianship.follow_up",
     "/guardianship/follow-up"),
    (re.compile(_PREFIX + r"/imports/(?P<job_id>\d+)"), "carebridge.imports.job",
     "/imports/{job_id}"),
)

notification = sa.table(
    "cb_notification", sa.column("id", sa.Integer), sa.column("link", sa.String),
    sa.column("legacy_link", sa.String), sa.column("link_endpoint", sa.String),
    sa.column("link_args", sa.JSON))


def endpoint_of(path: str):
    """(endpoint, arguments) the product's ``path`` names, or None."""
    for pattern, endpoint, _path in KNOWN_LINKS:
        match = pattern.fullmatch(path)
        if match:
            arguments = {name: int(value) if value.isdigit() else value
                         for name, value in match.groupdict().items()}
            return endpoint, arguments or None
    return None


def path_of(endpoint: str, arguments):
    for _pattern, known, path in KNOWN_LINKS:
        if known == endpoint:
            try:
                return path.format(**(arguments or {}))
            except (KeyError, IndexError):
                return None
    return None


def upgrade():
    with op.batch_alter_table('cb_notification', schema=None) as batch_op:
        batch_op.alter_column('link', new_column_name='legacy_link',
                              existing_type=sa.String(length=500), existing_nullable=True)
        batch_op.add_column(sa.Column('link_endpoint', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('link_args', sa.JSON(), nullable=True))

    connection = op.get_bind()
    converted = []
    for row in connection.execute(sa.select(notification.c.id, notification.c.legacy_link)
                                  .where(notification.c.legacy_link.is_not(None))):
        named = endpoint_of(row.legacy_link)
        if named is not None:
            converted.append({"row_id": row.id, "endpoint": named[0], "arguments": named[1]})
    if converted:
        connection.execute(
            notification.update().where(notification.c.id == sa.bindparam("row_id"))
            .values(link_endpoint=sa.bindparam("endpoint"),
                    link_args=sa.bindparam("arguments", type_=sa.JSON()), legacy_link=None),
            converted)

    op.create_table('cb_notification_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='deliverystatus',
                                native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_attempt_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ['notification_id'], ['cb_notification.id'], ondelete='CASCADE',
        name=op.f('fk_cb_notification_delivery_notification_id_cb_notification')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_notification_delivery')),
    sa.UniqueConstraint('notification_id', 'channel',
                        name=op.f('uq_cb_notification_delivery_notification_id_channel'))
    )
    with op.batch_alter_table('cb_notification_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_cb_notification_delivery_status_due', ['status', 'due_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cb_notification_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_cb_notification_delivery_status_due')
    op.drop_table('cb_notification_delivery')

    connection = op.get_bind()
    restored = []
    for row in connection.execute(
            sa.select(notification.c.id, notification.c.link_endpoint, notification.c.link_args)
            .where(notification.c.link_endpoint.is_not(None))):
        restored.append({"row_id": row.id,
                         "path": path_of(row.link_endpoint, row.link_args)})
    if restored:
        connection.execute(
            notification.update().where(notification.c.id == sa.bindparam("row_id"))
            .values(legacy_link=sa.bindparam("path")),
            restored)
    with op.batch_alter_table('cb_notification', schema=None) as batch_op:
        batch_op.drop_column('link_args')
        batch_op.drop_column('link_endpoint')
        batch_op.alter_column('legacy_link', new_column_name='link',
                              existing_type=sa.String(length=500), existing_nullable=True)
