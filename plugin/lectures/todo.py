"""The home page's to-do item of lectures (slot ``home.todo``): today's sessions."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select

from ..access.checks import scope_paths
from ..core.clock import local_today
from ..core.db import session
from ..core.host import Actor
from .models import LectureSession, SessionStatus
from .periods import period_bounds
from .permissions import LECTURES_VIEW
from .queries import scoped_sessions

bp = Blueprint("lectures_todo", __name__, template_folder="templates")


@bp.app_template_global("cb_todo_lectures_today")
def lectures_today(actor: Actor) -> dict | None:
    """Sessions (not cancelled) starting today in the user's lecture scope, and the list of
    them; None for a user who may not see lectures."""
    paths = scope_paths(actor.key, LECTURES_VIEW)
    if not paths:
        return None
    today = local_today()
    start, end = period_bounds(today, today)
    sessions = scoped_sessions(paths, None).where(
        LectureSession.starts_at >= start, LectureSession.starts_at < end,
        LectureSession.status == SessionStatus.SCHEDULED)
    count = session.execute(select(func.count()).select_from(sessions.subquery())).scalar_one()
    return {"count": count, "url": url_for("carebridge.lectures.index", start=today.isoformat(),
                                           end=today.isoformat(), status="scheduled")}
