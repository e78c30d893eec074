"""The portal's tables live in the portal's own migration history, not in the plugin's.

A host that runs only the plugin's migrations gets no portal table; a portal at the plugin's old
head (accounts in ``cb_portal_user``) keeps every account, password included, whichever history
runs first; a fresh database gets everything; the downgrades put the accounts back. Each test
migrates a database of its own, so the rolled-back ``db`` fixture steps aside.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    column,
    create_engine,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from employer_portal import create_app
from employer_portal.accounts.models import SignInThrottle, User
from employer_portal.accounts.services import create_user
from employer_portal.database import VERSION_TABLE, alembic_config, upgrade_database
from plugin.core.db import UTCDateTime, session
from plugin.core.host import Actor
from plugin.extension import MIGRATIONS_DIR
from plugin.extension import upgrade_database as upgrade_plugin
from plugin.org.services import create_company

from .conftest import portal_test_config, submit
from .dummy_host import create_host_app
from .dummy_host import db as host_db
from .support import sibling_database_url

pytestmark = pytest.mark.committing

#: The plugin's migration that drops the portal's tables where nobody used them.
PLUGIN_DROP = "4735040751d6"
#: The plugin's migration that last altered the portal's old tables (added the throttle).
PLUGIN_THROTTLE = "a3c5e7f9b1d2"
OLD_PASSWORD = "Old-pass-1"
SYSTEM = Actor.system("tests")
MOMENT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

OLD_USERS = table(
    "cb_portal_user", column("id", Integer), column("username", String),
    column("display_name", String), column("password_hash", String), column("active", Boolean),
    column("failed_login_count", Integer), column("locked_until", UTCDateTime()),
    column("last_login_at", UTCDateTime()), column("created_at", UTCDateTime()),
    column("session_version", Integer))
OLD_THROTTLE = table(
    "cb_portal_sign_in_throttle", column("id", Integer), column("key", String),
    column("failures", Integer), column("window_started_at", UTCDateTime()),
    column("locked_until", UTCDateTime()), column("last_failure_at", UTCDateTime()))
#: Accounts as the old release kept them: ids with a gap, one deactivated, one locked.
ACCOUNTS = [
    {"id": 1, "username": "admin", "display_name": "王管理员", "active": True,
     "failed_login_count": 0, "locked_until": None, "session_version": 4},
    {"id": 2, "username": "hr", "display_name": "李秀英", "active": False,
     "failed_login_count": 0, "locked_until": None, "session_version": 1},
    {"id": 7, "username": "site", "display_name": "张伟", "active": True,
     "failed_login_count": 5, "locked_until": MOMENT + timedelta(days=3650), "session_version": 0},
]


def revision_before(revision: str) -> str:
    """The plugin's revision ``revision`` follows (wherever the history places it)."""
    script = ScriptDirectory.from_config(alembic_config(MIGRATIONS_DIR))
    return script.get_revision(revision).down_revision


@contextmanager
def portal_app(database_url: str, suffix: str, tmp_path):
    """The portal on a fresh, empty database of its own (not migrated), dropped afterwards."""
    url = sibling_database_url(database_url, suffix, tmp_path)
    app = create_app(portal_test_config(url))
    try:
        with app.app_context():
            yield app
    finally:
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(
                    f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            admin.dispose()


def upgrade_portal(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)


def downgrade_portal(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


def engine():
    return session.get_bind()


def tables() -> set[str]:
    with engine().connect() as connection:
        return set(inspect(connection).get_table_names())


def heads(version_table: str) -> set[str]:
    with engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": version_table})
        return set(context.get_current_heads())


def script_heads(directory) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(directory)).get_heads())


def old_portal_with_accounts(*, with_session_version: bool = True) -> None:
    """What the old release left: a company, accounts in ``cb_portal_user`` and a locked
    address in ``cb_portal_sign_in_throttle`` (the plugin is at the revision it left)."""
    create_company("测试建工集团", actor=SYSTEM)
    session.commit()
    rows = [{**account, "password_hash": generate_password_hash(OLD_PASSWORD),
             "created_at": MOMENT, "last_login_at": MOMENT} for account in ACCOUNTS]
    if not with_session_version:
        rows = [{key: value for key, value in row.items() if key != "session_version"}
                for row in rows]
    with engine().begin() as connection:
        connection.execute(insert(OLD_USERS), rows)
        if with_session_version:
            connection.execute(insert(OLD_THROTTLE), [{
                "id": 3, "key": "address:203.0.113.9", "failures": 31,
                "window_started_at": MOMENT, "locked_until": None, "last_failure_at": MOMENT}])


def assert_accounts_kept(app) -> None:
    """Every account, with its id, session version, state and password, is the portal's now."""
    session.remove()
    users = session.execute(select(User).order_by(User.id)).scalars().all()
    assert [(user.id, user.username, user.display_name, user.active, user.failed_login_count,
             user.session_version, user.last_login_at, user.created_at) for user in users] == [
        (account["id"], account["username"], account["display_name"], account["active"],
         account["failed_login_count"], account["session_version"], MOMENT, MOMENT)
        for account in ACCOUNTS]
    assert users[2].locked_until == ACCOUNTS[2]["locked_until"]
    throttle = session.execute(select(SignInThrottle)).scalars().all()
    assert [(row.id, row.key, row.failures) for row in throttle] == [(3, "address:203.0.113.9", 31)]
    # The next account takes the next id (PostgreSQL's sequence was set past the moved ones).
    assert create_user("newcomer", "新同事", "Secret-pass-1", actor=SYSTEM).id == 8
    session.commit()
    session.remove()
    # The old password still signs in; a wrong one is refused as before.
    client = app.test_client()
    refused = submit(client, "/login", {"username": "admin", "password": "Wrong-pass-1"})
    assert refused.status_code != 302 and "用户名或密码错误" in refused.text
    signed_in = submit(client, "/login", {"username": "admin", "password": OLD_PASSWORD})
    assert signed_in.status_code == 302, signed_in.text
    session.remove()


def assert_no_old_tables() -> None:
    assert not {"cb_portal_user", "cb_portal_sign_in_throttle"} & tables()


def test_a_host_running_the_plugins_migrations_gets_no_portal_table(database_url, tmp_path):
    app = create_host_app(sibling_database_url(database_url, "host_no_portal", tmp_path),
                          set_up=False)
    with app.app_context():
        try:
            upgrade_plugin()
            names = set(inspect(host_db.engine).get_table_names())
            assert names and not [name for name in names if "portal" in name]
        finally:
            host_db.session.remove()
            host_db.engine.dispose()


def test_a_host_at_the_old_head_loses_the_unused_portal_tables(database_url, tmp_path):
    with portal_app(database_url, "host_old_head", tmp_path):
        upgrade_plugin(revision_before(PLUGIN_DROP))
        assert {"cb_portal_user", "cb_portal_sign_in_throttle"} <= tables()
        upgrade_plugin()
        assert_no_old_tables()
        assert not [name for name in tables() if "portal" in name]
        assert heads("cb_alembic_version") == script_heads(MIGRATIONS_DIR)


@pytest.mark.parametrize("first", ["plugin", "portal"])
def test_a_fresh_database_gets_everything_in_either_order(database_url, tmp_path, first):
    with portal_app(database_url, f"fresh_{first}", tmp_path) as app:
        if first == "portal":
            upgrade_portal()
            upgrade_plugin()
        else:
            upgrade_database()
        names = tables()
        assert {"portal_user", "portal_sign_in_throttle", VERSION_TABLE,
                "cb_alembic_version", "cb_company"} <= names
        assert_no_old_tables()
        assert heads(VERSION_TABLE) == script_heads(alembic_config().get_main_option(
            "script_location"))
        assert heads("cb_alembic_version") == script_heads(MIGRATIONS_DIR)
        response = app.test_client().get("/login")
        assert response.status_code == 302 and "/setup" in response.location  # not set up yet


def test_carebridge_db_upgrade_runs_both_histories(database_url, tmp_path):
    with portal_app(database_url, "cli_upgrade", tmp_path) as app:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert heads("cb_alembic_version") == script_heads(MIGRATIONS_DIR)
        assert heads(VERSION_TABLE) and {"portal_user", "portal_sign_in_throttle"} <= tables()
        assert_no_old_tables()
        # One history only: the portal's commands, and `db upgrade <revision>` the plugin's.
        result = app.test_cli_runner().invoke(args=["portal-db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        assert not heads(VERSION_TABLE) and "portal_user" not in tables()
        result = app.test_cli_runner().invoke(args=["db", "upgrade", "head"])
        assert result.exit_code == 0, result.output
        assert "portal_user" not in tables()
        result = app.test_cli_runner().invoke(args=["portal-db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "portal_user" in tables()


@pytest.mark.parametrize("first", ["plugin", "portal"])
def test_a_portal_at_the_old_head_keeps_its_accounts_in_either_order(database_url, tmp_path,
                                                                     first):
    with portal_app(database_url, f"old_head_{first}", tmp_path) as app:
        upgrade_plugin(revision_before(PLUGIN_DROP))
        old_portal_with_accounts()
        if first == "portal":
            upgrade_portal()
            assert_no_old_tables()
            upgrade_plugin()
        else:
            upgrade_plugin()
            # The plugin leaves tables holding accounts to the portal's migration.
            assert {"cb_portal_user", "cb_portal_sign_in_throttle"} <= tables()
            upgrade_portal()
        assert_no_old_tables()
        assert_accounts_kept(app)


def test_the_portal_first_refuses_accounts_older_than_the_plugins_throttle(database_url,
                                                                           tmp_path):
    """Moved away first, the accounts' old table would be gone when the plugin's a3c5e7f9b1d2
    alters it: the portal's migration refuses, changing nothing, and in the right order (the
    plugin's first, as ``carebridge db upgrade`` runs them) every account is kept."""
    with portal_app(database_url, "before_throttle", tmp_path):
        upgrade_plugin(revision_before(PLUGIN_THROTTLE))
        old_portal_with_accounts(with_session_version=False)
        with pytest.raises(RuntimeError, match="run the plugin's migrations first"):
            upgrade_portal()
        assert not heads(VERSION_TABLE) and "portal_user" not in tables()
        with engine().connect() as connection:
            assert connection.execute(select(OLD_USERS.c.id)).scalars().all() == [1, 2, 7]
        upgrade_database()
        assert_no_old_tables()
        users = session.execute(select(User.id, User.session_version).order_by(User.id)).all()
        assert users == [(1, 0), (2, 0), (7, 0)]


def test_an_unused_portal_at_the_old_head_ends_like_a_fresh_one(database_url, tmp_path):
    with portal_app(database_url, "old_head_empty", tmp_path):
        upgrade_plugin(revision_before(PLUGIN_DROP))
        upgrade_database()
        assert_no_old_tables()
        assert {"portal_user", "portal_sign_in_throttle"} <= tables()
        assert session.execute(select(User)).first() is None


@pytest.mark.parametrize("first", ["portal", "plugin"])
def test_downgrades_put_the_accounts_back_for_the_old_release(database_url, tmp_path, first):
    """Downgrading both histories (the portal's first, as documented, or the plugin's) leaves
    the accounts in ``cb_portal_user``, where the old release reads them; upgrading again moves
    them back."""
    with portal_app(database_url, f"downgrade_{first}", tmp_path) as app:
        old_head = revision_before(PLUGIN_DROP)
        upgrade_plugin(old_head)
        old_portal_with_accounts()
        upgrade_database()
        if first == "portal":
            downgrade_portal("base")
            command.downgrade(alembic_config(MIGRATIONS_DIR), old_head)
        else:
            command.downgrade(alembic_config(MIGRATIONS_DIR), old_head)
            assert {"cb_portal_user", "portal_user"} <= tables()
            downgrade_portal("base")
        names = tables()
        assert {"cb_portal_user", "cb_portal_sign_in_throttle"} <= names
        assert not [name for name in names if name.startswith("portal_")
                    and name != VERSION_TABLE]
        assert heads("cb_alembic_version") == {old_head} and not heads(VERSION_TABLE)
        with engine().connect() as connection:
            moved = connection.execute(select(OLD_USERS).order_by(OLD_USERS.c.id)).mappings().all()
            throttle = connection.execute(select(OLD_THROTTLE.c.id, OLD_THROTTLE.c.key)).all()
        assert [(row["id"], row["username"], row["session_version"]) for row in moved] == [
            (account["id"], account["username"], account["session_version"])
            for account in ACCOUNTS]
        assert throttle == [(3, "address:203.0.113.9")]

        upgrade_database()
        assert_no_old_tables()
        assert_accounts_kept(app)


def test_downgrading_a_fresh_database_to_the_old_head_and_back(database_url, tmp_path):
    with portal_app(database_url, "downgrade_fresh", tmp_path):
        upgrade_database()
        downgrade_portal("base")
        old_head = revision_before(PLUGIN_DROP)
        command.downgrade(alembic_config(MIGRATIONS_DIR), old_head)
        # The old release's empty tables are back, for its own downgrades and code.
        assert {"cb_portal_user", "cb_portal_sign_in_throttle"} <= tables()
        assert not {"portal_user", "portal_sign_in_throttle"} & tables()
        upgrade_database()
        assert_no_old_tables()
        assert {"portal_user", "portal_sign_in_throttle"} <= tables()
