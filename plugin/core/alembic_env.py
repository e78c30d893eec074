"""What an Alembic ``env.py`` of CareBridge does, shared by the plugin's history and the portal's.

Each history touches only the tables whose names start with its prefix, so it can run inside a
host's database next to the host's tables and next to the other history, and keeps its own
version table. Both run on the Flask app's engine (``flask db`` / ``carebridge db``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import MetaData

log = logging.getLogger("alembic.env")


def run_environment(metadata: MetaData, *, table_prefix: str, version_table: str,
                    include_object: Callable | None = None) -> None:
    """Run the migrations of one history, offline (``--sql``) or online."""
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)

    def include_name(name, type_, parent_names):
        return name.startswith(table_prefix) if type_ == "table" else True

    def process_revision_directives(context_, revision, directives):
        """Do not write an empty migration when autogenerate finds no change."""
        if getattr(config.cmd_opts, "autogenerate", False) and \
                directives[0].upgrade_ops.is_empty():
            directives[:] = []
            log.info("No changes in schema detected.")

    def configure(**kwargs):
        context.configure(
            target_metadata=metadata,
            include_name=include_name,
            include_object=include_object,
            version_table=version_table,
            compare_type=True,
            render_as_batch=True,
            process_revision_directives=process_revision_directives,
            **kwargs,
        )

    engine = current_app.extensions["sqlalchemy"].engine
    if context.is_offline_mode():
        configure(url=engine.url.render_as_string(hide_password=False), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine.connect() as connection:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
