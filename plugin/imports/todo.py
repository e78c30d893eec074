"""The home page's to-do item of roster imports (slot ``home.todo``): imports with rejected
rows in the last 30 days."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import scope_paths
from ..core.clock import utcnow
from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from .models import ImportJob
from .permissions import ROSTERS_IMPORT

#: Imports with rejected rows are listed for this many days.
REJECTED_IMPORT_DAYS = 30

bp = Blueprint("imports_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_imports_rejected")
def imports_with_rejected_rows(actor: Actor) -> dict | None:
    """Imports (not dry runs) of the last 30 days that rejected rows, on units where the user may
    import, and the import page listing them; None for a user who may not import."""
    paths = scope_paths(actor.key, ROSTERS_IMPORT)
    if not paths:
        return None
    count = session.execute(
        select(func.count()).select_from(ImportJob)
        .join(OrgUnit, ImportJob.org_unit_id == OrgUnit.id)
        .where(in_subtrees(OrgUnit.path, paths), ImportJob.is_dry_run.is_(False),
               ImportJob.rejected_count > 0,
               ImportJob.created_at >= utcnow() - timedelta(days=REJECTED_IMPORT_DAYS))
    ).scalar_one()
    return {"count": count, "url": url_for("carebridge.imports.index")}
