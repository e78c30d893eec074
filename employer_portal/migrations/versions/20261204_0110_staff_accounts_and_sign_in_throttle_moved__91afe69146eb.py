"""staff accounts and the sign-in throttle as the portal's own tables, moved with their rows
from the plugin's cb_portal_user and cb_portal_sign_in_throttle

The first migration of the portal's own history (version table ``portal_alembic_version``).
The tables are renamed ``portal_user`` and ``portal_sign_in_throttle``, not adopted under their
old names: the ``cb_`` prefix is how the plugin tells its tables from a host's (its migrations
compare and touch every ``cb_*`` table, and the README promises a host nothing else), so a portal
table left as ``cb_portal_user`` would show up in the plugin's autogenerate as a table to drop.
No table refers to them by a foreign key (role grants and audit entries keep the user id as a
string key), so the ids, kept as they are, go on meaning the same people.

The tables are created here, always, in the portal's naming (``pk_portal_user``, …). Then the
accounts are moved if there are any:

- ``cb_portal_user`` and ``cb_portal_sign_in_throttle`` absent, or both empty (a fresh database,
  a portal never set up): nothing is moved and they are left alone; the plugin's 4735040751d6
  drops them, whenever it runs (before or after this).
- Either holds a row (a portal at the plugin's old head): they are locked (no account can be
  added by an old process meanwhile), every row is copied with its id (PostgreSQL's id sequences
  are set past the highest), and the old tables are dropped, so no second copy of a password
  hash stays behind. The plugin's 4735040751d6, before this, left them alone because of those
  rows; after this, it finds them gone.

Order: ``carebridge db upgrade`` runs the plugin's history first, then this one. Run alone and
first, this migration refuses to move accounts out of a ``cb_portal_user`` older than the plugin's
a3c5e7f9b1d2 (no ``session_version`` column, no throttle table): that migration would then fail
altering a table that is gone. On a fresh database the order does not matter.

The downgrade moves the accounts back into ``cb_portal_user`` and ``cb_portal_sign_in_throttle``
(created in a3c5e7f9b1d2's shape where missing, filled where the plugin's downgrade has put them
back empty; refused where they hold rows already) and drops the portal's tables, so the release
before this change finds its accounts. Downgrade this history before the plugin's.

Offline (``--sql``) the script cannot look at rows: it moves the old tables' rows and drops them
unconditionally, which is right after the plugin's part of the same script (its 4735040751d6
keeps the old tables offline), and fails, harming nothing, where they are gone. The downgrade
is refused offline.

Revision ID: 91afe69146eb
Revises:
Create Date: 2026-12-04 01:10:00
"""
import sqlalchemy as sa
from alembic import context, op

import plugin.core.db

revision = '91afe69146eb'
down_revision = None
branch_labels = None
depends_on = None

USERS = "portal_user"
THROTTLE = "portal_sign_in_throttle"
OLD_USERS = "cb_portal_user"
OLD_THROTTLE = "cb_portal_sign_in_throttle"
#: The plugin's migration after which nothing in its history alters the old tables but
#: 4735040751d6 (which copes with their absence).
PLUGIN_LAST_ALTERING = "a3c5e7f9b1d2"
#: Every column, in both shapes (old and new), as a3c5e7f9b1d2 left the old tables.
USER_COLUMNS = ["id", "username", "display_name", "password_hash", "active", "failed_login_count",
                "locked_until", "last_login_at", "created_at", "session_version"]
THROTTLE_COLUMNS = ["id", "key", "failures", "window_started_at", "locked_until",
                    "last_failure_at"]


def upgrade():
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
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_user')),
        sa.UniqueConstraint('username', name=op.f('uq_portal_user_username')),
    )
    op.create_table(
        THROTTLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_started_at', plugin.core.db.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_sign_in_throttle')),
        sa.UniqueConstraint('key', name=op.f('uq_portal_sign_in_throttle_key')),
    )
    op.create_index(op.f('ix_portal_sign_in_throttle_last_failure_at'), THROTTLE,
                    ['last_failure_at'], unique=False)

    if context.is_offline_mode():
        # The script cannot look: it moves (and drops) what it takes to be there, which is right
        # after the plugin's part of the same script (4735040751d6 keeps the tables offline).
        _move_and_drop()
        return
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    old = [name for name in (OLD_USERS, OLD_THROTTLE) if inspector.has_table(name)]
    if not old:
        return
    _lock(bind, old)
    if not any(_has_rows(bind, name) for name in old):
        return
    if len(old) < 2 or "session_version" not in _columns(inspector, OLD_USERS):
        raise RuntimeError(
            f"{OLD_USERS} holds accounts but is older than the plugin's migration "
            f"{PLUGIN_LAST_ALTERING}, which still alters it: run the plugin's migrations first "
            "(`carebridge db upgrade` runs the plugin's, then the portal's)")
    _move_and_drop()


def _move_and_drop() -> None:
    _move(OLD_USERS, USERS, USER_COLUMNS)
    _move(OLD_THROTTLE, THROTTLE, THROTTLE_COLUMNS)
    op.drop_table(OLD_THROTTLE)
    op.drop_table(OLD_USERS)


def downgrade():
    _refuse_offline()
    bind = op.get_bind()
    if any(_has_rows(bind, name) for name in (USERS, THROTTLE)):
        present = [name for name in (OLD_USERS, OLD_THROTTLE) if sa.inspect(bind).has_table(name)]
        _lock(bind, [USERS, THROTTLE, *present])
        full = [name for name in present if _has_rows(bind, name)]
        if full:
            raise RuntimeError(f"{', '.join(full)} holds rows already: the accounts in {USERS} "
                               "cannot be moved back without mixing two sets of accounts")
        if OLD_USERS not in present:  # the plugin's 4735040751d6 has dropped both
            _create_old_users()
            _create_old_throttle()
        # Put back empty by the plugin's downgrade, the old tables may be older than a3c5e7f9b1d2.
        inspector = sa.inspect(bind)
        _move(USERS, OLD_USERS, [name for name in USER_COLUMNS
                                 if name in _columns(inspector, OLD_USERS)])
        if inspector.has_table(OLD_THROTTLE):
            _move(THROTTLE, OLD_THROTTLE, THROTTLE_COLUMNS)
    op.drop_index(op.f('ix_portal_sign_in_throttle_last_failure_at'), table_name=THROTTLE)
    op.drop_table(THROTTLE)
    op.drop_table(USERS)


def _create_old_users():
    """``cb_portal_user`` as the plugin's a3c5e7f9b1d2 left it."""
    op.create_table(
        OLD_USERS,
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


def _create_old_throttle():
    """``cb_portal_sign_in_throttle`` as the plugin's a3c5e7f9b1d2 created it."""
    op.create_table(
        OLD_THROTTLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_started_at', plugin.core.db.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column('locked_until', plugin.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', plugin.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cb_portal_sign_in_throttle')),
        sa.UniqueConstraint('key', name=op.f('uq_cb_portal_sign_in_throttle_key')),
    )
    op.create_index(op.f('ix_cb_portal_sign_in_throttle_last_failure_at'), OLD_THROTTLE,
                    ['last_failure_at'], unique=False)


def _refuse_offline() -> None:
    if context.is_offline_mode():
        raise RuntimeError("moving the accounts back depends on the tables the plugin's "
                           "downgrade left, which an offline SQL script cannot see: run it "
                           "against the database")


def _columns(inspector, table: str) -> list[str]:
    return [column["name"] for column in inspector.get_columns(table)]


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


def _move(source: str, target: str, names: list[str]) -> None:
    """Copy every row of ``source`` into ``target`` with its id (the columns ``names``; others
    take their defaults), then start ``target``'s ids on PostgreSQL past the highest."""
    rows = sa.select(*(sa.column(name) for name in names)).select_from(sa.table(source))
    op.execute(sa.insert(sa.table(target, *(sa.column(name) for name in names)))
               .from_select(names, rows))
    if op.get_context().dialect.name == "postgresql":
        op.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {target}"))
