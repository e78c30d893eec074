"""Alembic environment for the portal's own tables.

Only tables whose names start with ``portal_`` are compared or touched: the plugin's ``cb_*``
tables belong to the plugin's history (``migrations/``), which never sees these. The version
table is ``portal_alembic_version``, next to the plugin's ``cb_alembic_version``.
"""
from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from employer_portal.database import TABLE_PREFIX, VERSION_TABLE, PortalBase, import_models

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

import_models()
target_metadata = PortalBase.metadata


def include_name(name, type_, parent_names):
    if type_ == "table":
        return name.startswith(TABLE_PREFIX)
    return True


def process_revision_directives(context_, revision, directives):
    """Do not write an empty migration when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        include_name=include_name,
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=True,
        process_revision_directives=process_revision_directives,
        **kwargs,
    )


def run_migrations_offline() -> None:
    url = current_app.extensions["sqlalchemy"].engine.url
    _configure(url=url.render_as_string(hide_password=False), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = current_app.extensions["sqlalchemy"].engine
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
