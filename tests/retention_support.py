"""Running one retention rule as the nightly job does, and reading a column as stored."""
from __future__ import annotations

from sqlalchemy import text

from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.core.host import Actor

SCHEDULER = Actor.system("scheduler")


def run(code: str, *, dry_run: bool = False) -> int:
    """The rule ``code`` today: what it would purge (``dry_run``), or what it purged."""
    from plugin.privacy import retention

    rule = retention.rule_by_code(code)
    if dry_run:
        return rule.count(local_today())
    return retention.run_rule(rule, local_today(), actor=SCHEDULER)


def raw(table: str, column: str, row_id: int):
    """The column as stored (ciphertext for an encrypted one, None once purged)."""
    return session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"),
                           {"id": row_id}).scalar_one()
