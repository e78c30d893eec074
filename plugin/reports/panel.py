"""The filing calendar on the home page (slot ``home.panels``), for report officers: what is
due, drafted, confirmed and filed, per scheduled template."""
from __future__ import annotations

from flask import Blueprint

from ..access.checks import scope_paths
from ..access.scope import Scope
from ..core.clock import local_today
from ..core.host import Actor
from .permissions import REPORTS_FILE
from .queries import CalendarEntry, filing_calendar

bp = Blueprint("reports_panel", __name__, template_folder="templates")

#: Entries shown on the home page; the reports page shows them all.
PANEL_ENTRIES = 6


@bp.app_template_global("cb_reports_calendar")
def calendar_for(actor: Actor) -> list[CalendarEntry] | None:
    """The calendar of the user's scope; None for a user who does not file reports."""
    paths = scope_paths(actor.key, REPORTS_FILE)
    if not paths:
        return None
    return filing_calendar(Scope.of_paths(paths), local_today())[:PANEL_ENTRIES]
