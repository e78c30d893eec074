"""The ``carebridge`` command: the portal's Flask CLI plus the portal's own commands.

``carebridge run``, ``carebridge db upgrade`` (both migration histories, the plugin's first),
``carebridge db …`` (Flask-Migrate on the plugin's history), ``carebridge portal-db …`` (the
same on the portal's own history), ``carebridge scheduler`` (from the plugin), ``carebridge
create-admin``, ``carebridge seed-demo``, and ``carebridge backup`` / ``restore``
(:mod:`employer_portal.operations`).
"""
from __future__ import annotations

import click
from flask import Flask, g
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as flask_migrate_group

from plugin.core.db import session
from plugin.core.errors import CareBridgeError
from plugin.core.host import Actor

from .database import MIGRATIONS_DIR as PORTAL_MIGRATIONS_DIR


def _cli_actor() -> Actor:
    import getpass

    return Actor(key="cli", name=f"shell:{getpass.getuser()}")


@click.command("create-admin")
@click.option("--company", "company_name",
              help="Company name (only when the portal is not set up yet).")
@click.option("--username", prompt=True)
@click.option("--name", "display_name", prompt=True, help="The administrator's full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin_command(company_name, username, display_name, password):
    """Create an administrator of the whole company (and the company on a fresh database)."""
    from .setup.services import create_admin, is_set_up, set_up_company

    try:
        if is_set_up():
            user = create_admin(username, display_name, password, actor=_cli_actor())
        else:
            if not company_name:
                company_name = click.prompt("Company name / 公司名称")
            user = set_up_company(company_name, username, display_name, password,
                                  actor=_cli_actor())
        session.commit()
    except CareBridgeError as error:
        session.rollback()
        raise click.ClickException(error.bilingual()) from None
    click.echo(f"Administrator {user.username} created.")


@click.command("seed-demo")
@click.option("--password", default="Demo-2026", show_default=True,
              help="Password of every demo account.")
@with_appcontext
def seed_demo_command(password):
    """Load the demo company (sites, accounts of every role, workers, children, lectures,
    pledges…) into an empty database, migrating it first if it has not been."""
    import time

    from .database import needs_upgrade, upgrade_database
    from .demo import seed_demo
    from .setup.services import is_set_up

    started = time.monotonic()
    if needs_upgrade():
        click.echo("Migrating the database first / 先升级数据库结构…")
        upgrade_database()
    if is_set_up():
        raise click.ClickException(
            "数据库中已有公司，演示数据只能载入空数据库 / The database already has a company: "
            "the demo company loads into an empty database only (see README, \"Demo company\").")
    try:
        accounts = seed_demo(password=password, actor=_cli_actor())
        session.commit()
    except CareBridgeError as error:
        session.rollback()
        raise click.ClickException(error.bilingual()) from None
    click.echo("Demo company loaded in %.0f s. Accounts (password: %s):"
               % (time.monotonic() - started, password))
    for username, description in accounts:
        click.echo(f"  {username:<14} {description}")


@click.command("upgrade")
@click.option("-d", "--directory", default=None,
              help="Upgrade this migration history only (default: the plugin's, then the "
                   "portal's).")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
@click.option("--tag", default=None, help="Arbitrary tag, for env.py scripts that read one.")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments for env.py scripts.")
@click.argument("revision", required=False)
@with_appcontext
def upgrade_command(directory, sql, tag, x_arg, revision):
    """Upgrade the plugin's tables, then the portal's (with -d or a revision: one history)."""
    directory = directory or g.get("directory")
    x_arg = x_arg or g.get("x_arg")
    if directory or revision:
        upgrade(directory, revision or "head", sql, tag, x_arg)
        return
    # The plugin's first: its older migrations alter the old home of the portal's accounts,
    # which the portal's first migration then empties (see employer_portal/migrations).
    upgrade(None, "head", sql, tag, x_arg)
    upgrade(str(PORTAL_MIGRATIONS_DIR), "head", sql, tag, x_arg)


def _migration_groups() -> list[click.Group]:
    """``db``: Flask-Migrate's commands on the plugin's history (the ``Migrate`` directory), with
    ``upgrade`` running both histories; ``portal-db``: the same commands on the portal's."""

    @with_appcontext
    def use_portal_history():
        g.directory = str(PORTAL_MIGRATIONS_DIR)
        g.x_arg = ()

    plugin_group = click.Group(
        "db", params=list(flask_migrate_group.params), callback=flask_migrate_group.callback,
        help="Migrations of the plugin's tables; `upgrade` runs the portal's after them.")
    portal_group = click.Group(
        "portal-db", callback=use_portal_history,
        help="Migrations of the portal's own tables (portal_*, version table "
             "portal_alembic_version).")
    for name, command in flask_migrate_group.commands.items():
        plugin_group.add_command(command, name)
        if name not in ("init", "list-templates"):
            portal_group.add_command(command, name)
    plugin_group.add_command(upgrade_command)
    return [plugin_group, portal_group]


def register_commands(app: Flask) -> None:
    from .operations.cli import COMMANDS as OPERATIONS_COMMANDS

    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    for command in OPERATIONS_COMMANDS:  # backup, restore
        app.cli.add_command(command)
    for group in _migration_groups():  # replaces Flask-Migrate's own ``db`` group
        app.cli.add_command(group)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="CareBridge (关爱桥) employer portal.")
    cli.main()
