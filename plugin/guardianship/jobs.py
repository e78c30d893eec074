"""Scheduled work of guardianship (declared in :mod:`plugin.jobs`)."""
from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..core.clock import local_today
from ..core.db import session
from ..core.i18n import N_
from ..notifications.models import Notification
from ..notifications.services import notify
from .queries import follow_up_counts_by_user, follow_up_days
from .services import end_lapsed_agreements

FOLLOW_UP_CATEGORY = "guardianship.contact_follow_up"


def daily_guardianship_check() -> dict[str, int]:
    """End agreements past their last day, then tell each care-team member how many workers in
    their scope have logged no contact with their left-behind children for N days: one summary
    notification per person and day (running twice the same day sends nothing new)."""
    state = current_app.extensions["carebridge"]
    today = local_today()
    ended = end_lapsed_agreements(today)
    days = follow_up_days()
    counts = follow_up_counts_by_user(today=today, days=days)
    start_of_day = datetime.combine(today, time.min, tzinfo=ZoneInfo(state.company_timezone_name()))
    already = set(session.execute(select(Notification.recipient_key).where(
        Notification.category == FOLLOW_UP_CATEGORY,
        Notification.created_at >= start_of_day.astimezone(UTC),
        Notification.recipient_key.in_(list(counts)))).scalars()) if counts else set()
    notified = 0
    for user_key, count in sorted(counts.items()):
        if user_key in already:
            continue
        notify([user_key], N_("%(count)s 名职工已 %(days)s 天没有登记与留守子女的联系"),
               body=N_("请关爱服务队伍联系这些职工，了解情况并提醒他们每周至少与孩子和照护人联系一次。"),
               params={"count": count, "days": days},
               link=("carebridge.guardianship.follow_up", {}), category=FOLLOW_UP_CATEGORY)
        notified += 1
    return {"agreements_ended": ended, "notified": notified}
