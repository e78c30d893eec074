"""Alembic environment for CareBridge.

Only tables whose names start with ``cb_`` are compared or touched, so the migrations can run
inside a host's database next to the host's own tables. The version table is ``cb_alembic_version``
so it never collides with a host's own Alembic history.
"""
from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from plugin.core.db import TABLE_PREFIX, Base, exists_on
from plugin.extension import import_models

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

VERSION_TABLE = "cb_alembic_version"

import_models()
target_metadata = Base.metadata


def include_name(name, type_, parent_names):
    if type_ == "table":
        return name.startswith(TABLE_PREFIX)
    return True


def include_object(object_, name, type_, reflected, compare_to):
    """Leave out of the comparison what the models create on another database only."""
    return exists_on(object_, context.get_context().dialect.name)


def process_revision_directives(context_, revision, directives):
    """Do not write an empty migration when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        include_name=include_name,
        include_object=include_object,
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
