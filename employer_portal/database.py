"""The portal's own tables: their declarative base and their migration history.

The portal is one host of the plugin, and like any host it keeps its tables out of the plugin's
metadata and history: staff accounts (``portal_user``) and the sign-in throttle live on
:class:`PortalBase` (names start with ``portal_``) and are migrated by
``employer_portal/migrations`` with its own version table, ``portal_alembic_version``. The
plugin's history sees only ``cb_*`` tables, so a host that mounts the plugin gets no portal table.

``carebridge db upgrade`` runs both histories, the plugin's first (:func:`upgrade_database`):
older plugin migrations created and altered the accounts' old tables (``cb_portal_*``), and the
portal's first migration moves the accounts out of them only once those have run.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from plugin.core.db import NAMING_CONVENTION, UTCDateTime
from plugin.extension import upgrade_database as upgrade_plugin_database

TABLE_PREFIX = "portal_"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "portal_alembic_version"


class PortalBase(DeclarativeBase):
    """Declarative base of the portal's tables (names start with ``portal_``); the plugin's
    naming convention and UTC datetimes, on a metadata of their own."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def import_models() -> None:
    """Import every portal model so :attr:`PortalBase.metadata` is complete."""
    from .accounts import models as _accounts  # noqa: F401


def alembic_config(directory: Path | str = MIGRATIONS_DIR) -> Config:
    """Alembic's configuration of a migration history (the portal's by default)."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    return config


def upgrade_database(plugin_revision: str = "head") -> None:
    """The plugin's history up to ``plugin_revision``, then the portal's up to its head.

    The plugin goes first so that its migrations that still create or alter ``cb_portal_user``
    (the accounts' old home) have run before the portal's first migration looks at it; see
    that migration for both orders. Runs in the current app context, on the app's database.
    """
    upgrade_plugin_database(plugin_revision)
    command.upgrade(alembic_config(), "head")


def needs_upgrade() -> bool:
    """Whether either history, the plugin's or the portal's, is behind its head on the app's
    database (a database never migrated is behind both)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection

    from plugin.core.db import session
    from plugin.extension import MIGRATIONS_DIR as PLUGIN_MIGRATIONS_DIR

    histories = ((PLUGIN_MIGRATIONS_DIR, "cb_alembic_version"), (MIGRATIONS_DIR, VERSION_TABLE))

    def behind(connection: Connection) -> bool:
        for directory, version_table in histories:
            heads = ScriptDirectory.from_config(alembic_config(directory)).get_heads()
            context = MigrationContext.configure(connection, opts={"version_table": version_table})
            if set(context.get_current_heads()) != set(heads):
                return True
        return False

    bind = session.get_bind()
    if isinstance(bind, Connection):  # a connection the caller holds (tests)
        return behind(bind)
    with bind.connect() as connection:
        return behind(connection)
