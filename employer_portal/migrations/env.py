"""Alembic environment for the portal's own tables.

Only tables whose names start with ``portal_`` are compared or touched: the plugin's ``cb_*``
tables belong to the plugin's history (``migrations/``), which never sees these. The version
table is ``portal_alembic_version``, next to the plugin's ``cb_alembic_version``.
"""
from __future__ import annotations

from employer_portal.database import TABLE_PREFIX, VERSION_TABLE, PortalBase, import_models
from plugin.core.alembic_env import run_environment

import_models()
run_environment(PortalBase.metadata, table_prefix=TABLE_PREFIX, version_table=VERSION_TABLE)
