"""Alembic environment for CareBridge.

Only tables whose names start with ``cb_`` are compared or touched, so the migrations can run
inside a host's database next to the host's own tables. The version table is ``cb_alembic_version``
so it never collides with a host's own Alembic history.
"""
from __future__ import annotations

from alembic import context

from plugin.core.alembic_env import run_environment
from plugin.core.db import TABLE_PREFIX, exists_on
from plugin.extension import import_models

VERSION_TABLE = "cb_alembic_version"


def include_object(object_, name, type_, reflected, compare_to):
    """Leave out of the comparison what the models create on another database only."""
    return exists_on(object_, context.get_context().dialect.name)


run_environment(import_models(), table_prefix=TABLE_PREFIX, version_table=VERSION_TABLE,
                include_object=include_object)
