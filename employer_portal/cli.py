"""The ``carebridge`` command: the portal's Flask CLI plus the portal's own commands.

``carebridge run``, ``carebridge db upgrade`` (Flask-Migrate), ``carebridge scheduler`` (from the
plugin), ``carebridge create-admin`` and ``carebridge seed-demo``.
"""
from __future__ import annotations


import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from plugin.core.db import session
from plugin.core.errors import CareBridgeError
from plugin.core.host import Actor


def _cli_actor() -> Actor:
    import getpass

    return Actor(key="cli", name=f"shell:{getpass.getuser()}")


@click.command("create-admin")
@click.option("--company", "company_name", help="Company name (only when the portal is not set up yet).")
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
            user = set_up_company(company_name, username, display_name, password, actor=_cli_actor())
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
    """Load a demo company (sites, teams, one user per role) into an empty database."""
    from .demo import seed_demo

    try:
        accounts = seed_demo(password=password, actor=_cli_actor())
        session.commit()
    except CareBridgeError as error:
        session.rollback()
        raise click.ClickException(error.bilingual()) from None
    click.echo("Demo company loaded. Accounts (password: %s):" % password)
    for username, description in accounts:
        click.echo(f"  {username:<14} {description}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="CareBridge (关爱桥) employer portal.")
    cli.main()
