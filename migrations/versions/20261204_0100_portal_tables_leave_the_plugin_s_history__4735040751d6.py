"""portal tables leave the plugin's history: the empty cb_portal_user and
cb_portal_sign_in_throttle are dropped, tables holding rows are left to the portal

The standalone portal's staff accounts and sign-in throttle used to be plugin tables
(``cb_portal_user``, created by the foundation; ``cb_portal_sign_in_throttle`` and
``session_version`` by a3c5e7f9b1d2), so every host app got them, unused. They are now the
portal's own (``portal_user``, ``portal_sign_in_throttle``), migrated by the portal's history
(``employer_portal/migrations``, version table ``portal_alembic_version``), whose first
migration (91afe69146eb) moves the accounts out of the old tables.

This migration cannot tell a host from the portal, so it decides by the rows, never destroying
an account:

- Both tables empty, or absent: dropped (absent: nothing to do). That is every host app, a fresh
  database (the foundation has just created them), and a portal whose accounts the portal's
  migration has already moved (it drops the old tables itself: then they are absent).
- Either holds a row: left as they are, for the portal's migration to move. That is a portal
  database whose plugin history runs first (``carebridge db upgrade`` runs the plugin's, then the
  portal's). A throttle row alone counts too: it can only come from the portal's sign-in.

Both orders end alike. Plugin first: here the tables are kept (accounts) or dropped (none), then
the portal moves the accounts or creates empty tables. Portal first (``carebridge portal-db
upgrade`` before ``carebridge upgrade-db``): the portal moves the accounts and drops the old
tables (it refuses to while the plugin is before a3c5e7f9b1d2, which still alters them), or, with
none, creates its tables and leaves the empty old ones, which this migration then drops.

The check and the drop are one step: the tables are locked first (PostgreSQL: ``LOCK TABLE``;
SQLite: the write lock, see ``plugin.core.db.configure_sqlite``), so an old portal process still
running cannot add an account in between. Both databases drop a table's indexes with it.

Offline (``--sql``) the rows cannot be seen, so nothing is dropped. The downgrade puts back empty
tables in a3c5e7f9b1d2's shape where they are missing, for the older downgrades that drop them;
to go back to a release from before this change, first downgrade the portal's history to
``base`` (``carebridge portal-db downgrade base``), which moves the accounts back.

Revision ID: 4735040751d6
Revises: 9c1e5a7b3d20
Create Date: 2026-12-04 01:00:00
"""
import logging

import sqlalchemy as sa
from alembic import context, op

import plugin.core.db


revision = '4735040751d6'
down_revision = '9c1e5a7b3d20'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

USERS = "cb_portal_user"
THROTTLE = "cb_portal_sign_in_throttle"


def upgrade():
    if context.is_offline_mode():
        log.warning("%s and %s kept: offline, this migration cannot see whether they hold rows",
                    USERS, THROTTLE)
        return
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    present = [name for name in (USERS, THROTTLE) if inspector.has_table(name)]
    if not present:
        return
    _lock(bind, present)
    if any(_has_rows(bind, name) for name in present):
        log.warning("%s kept: it holds the portal's accounts, which the portal's migrations move",
                    ", ".join(present))
        return
    for name in present:
        op.drop_table(name)


def downgrade():
    inspector = None if context.is_offline_mode() else sa.inspect(op.get_bind())
    if inspector is None or not inspector.has_table(USERS):
        op.create_table(
            USERS,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('username', sa.String(length=64), nullable=False),
            sa.Column('display_name', sa.String(length=100), nullable=False),
            sa.Column('password_hash', sa.String(length=255), nullable=False),
            sa.Column('active', sa.Boolean(), nullable=False),
            sa.Column('failed_login_count', sa.Integer(), nullable=False),
            sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
            sa.Column('last_login_at', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
            sa.Column('created_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_portal_user')),
            sa.UniqueConstraint('username', name=op.f('uq_cb_portal_user_username')),
        )
    if inspector is None or not inspector.has_table(THROTTLE):
        op.create_table(
            THROTTLE,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('key', sa.String(length=100), nullable=False),
            sa.Column('failures', sa.Integer(), nullable=False),
            sa.Column('window_started_at', plugin.core.db.UTCDateTime(timezone=True),
                      nullable=False),
            sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
            sa.Column('last_failure_at', plugin.core.db.UTCDateTime(timezone=True),
                      nullable=False),
            sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_portal_sign_in_throttle')),
            sa.UniqueConstraint('key', name=op.f('uq_cb_portal_sign_in_throttle_key')),
        )
        op.create_index(op.f('ix_cb_portal_sign_in_throttle_last_failure_at'), THROTTLE,
                        ['last_failure_at'], unique=False)


def _lock(bind, names) -> None:
    """Hold ``names`` until the migration's transaction ends: no row can appear meanwhile."""
    if bind.dialect.name == "postgresql":
        op.execute(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")
    elif bind.dialect.name == "sqlite":
        # As plugin.core.db.take_write_lock: the engine's listener takes the write lock.
        bind.execute(sa.select(sa.literal(1)).with_for_update()).all()


def _has_rows(bind, name: str) -> bool:
    row = bind.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()
    return row is not None
