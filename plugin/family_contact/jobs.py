"""Scheduled work of family-contact support (declared in the feature)."""
from __future__ import annotations

from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from .grants import grant_month

#: How the monthly grants name their maker in the audit log.
GRANTER = Actor.system("contact-allowances")


def grant_allowances() -> dict[str, int]:
    """Daily: grant this month's allowance to every eligible worker who has none yet (on the
    1st, everyone; later, joiners and the newly eligible). Commits after each policy's grants."""
    return grant_month(local_today(), GRANTER, commit_each=session.commit)
