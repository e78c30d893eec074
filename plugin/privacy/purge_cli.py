"""``carebridge purge``: run the retention rules now, or only count what they would purge."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.clock import local_today
from ..core.host import Actor
from . import retention


@click.command("purge")
@click.option("--dry-run", "only_count", is_flag=True,
              help="Only count what each rule would erase or anonymise today; change nothing.")
@with_appcontext
def purge_command(only_count: bool) -> None:
    """Erase or anonymise personal data whose retention has run out (the nightly job's work).

    Prints each rule's code, its months (``*`` after a configured value) and the count."""
    today = local_today()
    if only_count:
        rows = retention.dry_run(today)
        click.echo(f"Dry run on {today.isoformat()}: nothing is changed.")
    else:
        counts = retention.purge_all(today, actor=Actor.system("cli"), commit=True)
        rows = [(rule, counts[rule.code]) for rule in retention.configured_rules()]
        click.echo(f"Purged on {today.isoformat()}:")
    for rule, found in rows:
        months = f"{rule.months}{'' if rule.is_default else '*'}"
        click.echo(f"{rule.code:<40} {months:>4} months {found:>8}")
