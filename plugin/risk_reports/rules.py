"""The statutory clock of a risk report and its escalation ladder, as Python rules beside their SQL
twins (the job asks the database which cases are overdue; the case page asks the rule).

*Police*: a case must be marked as reported to the police within
``CAREBRIDGE_RISK_POLICE_REPORT_HOURS`` (2) hours of being raised (``police_due_at``). Unreported
at that moment, it escalates to level 1 (the unit above its site); after each further whole
interval of that many hours, one level higher, up to the company's root, where it stays.

*Follow-up*: an open case reported to the police whose last activity (its latest follow-up, or
the police report when it has none) is ``CAREBRIDGE_RISK_FOLLOW_UP_DAYS`` (7) days old escalates
to level 1, at twice that to level 2, and so on up to the root. A new follow-up starts a new
lapse, whose ladder starts again at level 1.

Level ``L`` of a case is the ``L``-th unit above its site; a site right under the root has one
level, the root. Times are UTC moments compared as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.sql import ColumnElement

from ..core.settings import setting
from ..org.models import OrgKind, OrgUnit
from .models import EscalationReason, ReportStatus, RiskFollowUp, RiskReport


def police_hours() -> int:
    return setting("CAREBRIDGE_RISK_POLICE_REPORT_HOURS")


def follow_up_days() -> int:
    return setting("CAREBRIDGE_RISK_FOLLOW_UP_DAYS")


def police_due_at(raised_at: datetime) -> datetime:
    return raised_at + timedelta(hours=police_hours())


def responsible_site(unit: OrgUnit) -> OrgUnit:
    """The site responsible for a worker of ``unit``: a team's site, else the unit itself."""
    if unit.kind == OrgKind.TEAM and unit.parent is not None:
        return unit.parent
    return unit


def ladder_height(site: OrgUnit) -> int:
    """How many levels a case of ``site`` can climb: to the root, at least one."""
    return max(len(site.ancestor_ids) - 1, 1)


def unit_at_level(site: OrgUnit, level: int) -> int:
    """The id of the unit ``level`` steps above ``site`` (the root beyond it)."""
    ids = site.ancestor_ids
    return ids[max(len(ids) - 1 - level, 0)]


# -- police ---------------------------------------------------------------------------------------

def police_level(due_at: datetime, now: datetime, hours: int, height: int) -> int:
    """The level an unreported case has reached at ``now`` (0: not due yet)."""
    if now < due_at:
        return 0
    return min(int((now - due_at) // timedelta(hours=hours)) + 1, height)


def police_overdue(report: RiskReport, now: datetime) -> bool:
    return (report.status == ReportStatus.OPEN and report.reported_to_police_at is None
            and report.police_due_at <= now)


def police_overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL twin of :func:`police_overdue`."""
    return and_(RiskReport.status == ReportStatus.OPEN,
                RiskReport.reported_to_police_at.is_(None), RiskReport.police_due_at <= now)


# -- follow-up ------------------------------------------------------------------------------------

def last_activity(report: RiskReport, latest_follow_up: datetime | None) -> datetime | None:
    """When the case last moved: its latest follow-up, else the police report."""
    if latest_follow_up is not None:
        return latest_follow_up
    return report.reported_to_police_at


def last_activity_column():
    """SQL twin of :func:`last_activity`, for one :class:`RiskReport` row."""
    latest = (select(func.max(RiskFollowUp.occurred_at))
              .where(RiskFollowUp.report_id == RiskReport.id).scalar_subquery())
    return func.coalesce(latest, RiskReport.reported_to_police_at)


def follow_up_level(last: datetime, now: datetime, days: int, height: int) -> int:
    """The level a case without follow-up since ``last`` has reached at ``now`` (0: in time)."""
    return min(int((now - last) // timedelta(days=days)), height)


def follow_up_overdue(report: RiskReport, last: datetime | None, now: datetime) -> bool:
    return (report.status == ReportStatus.OPEN and report.reported_to_police_at is not None
            and last is not None and now - last >= timedelta(days=follow_up_days()))


def follow_up_overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL twin of :func:`follow_up_overdue`."""
    return and_(RiskReport.status == ReportStatus.OPEN,
                RiskReport.reported_to_police_at.is_not(None),
                last_activity_column() <= now - timedelta(days=follow_up_days()))


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Either lapse has run out (lists mark these cases)."""
    from sqlalchemy import or_

    return or_(police_overdue_condition(now), follow_up_overdue_condition(now))


def target_level(reason: EscalationReason, report: RiskReport, site: OrgUnit,
                 last: datetime | None, now: datetime) -> tuple[datetime, int] | None:
    """(when the lapse began, the level it has reached) for a lapse that has run out."""
    height = ladder_height(site)
    if reason == EscalationReason.POLICE_OVERDUE:
        if not police_overdue(report, now):
            return None
        return report.police_due_at, police_level(report.police_due_at, now, police_hours(),
                                                  height)
    if not follow_up_overdue(report, last, now):
        return None
    return last, follow_up_level(last, now, follow_up_days(), height)


# -- the clock on the case page -------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    """What the case page shows: the deadline running now, and how it stands."""

    #: ``police`` (waiting for the police report), ``follow_up`` or None (closed).
    kind: str | None
    due_at: datetime | None
    #: Time left before ``due_at`` (None when overdue or closed).
    left: timedelta | None
    #: How long ``due_at`` has passed (None when in time or closed).
    overdue_by: timedelta | None
    #: When the next escalation happens if nothing is done (None: at the top, or closed).
    next_escalation_at: datetime | None


def clock_of(report: RiskReport, site: OrgUnit, latest_follow_up: datetime | None,
             now: datetime) -> Clock:
    if report.status != ReportStatus.OPEN:
        return Clock(None, None, None, None, None)
    height = ladder_height(site)
    if report.reported_to_police_at is None:
        due, step = report.police_due_at, timedelta(hours=police_hours())
        level = police_level(due, now, police_hours(), height)
        next_at = due + step * level if level < height else None
        kind = "police"
    else:
        last = last_activity(report, latest_follow_up)
        step = timedelta(days=follow_up_days())
        due = last + step
        level = follow_up_level(last, now, follow_up_days(), height)
        next_at = last + step * (level + 1) if level < height else None
        kind = "follow_up"
    if now < due:
        return Clock(kind, due, due - now, None, next_at)
    return Clock(kind, due, None, now - due, next_at)


def format_span(span: timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of a span, for the page's words."""
    minutes = int(span.total_seconds() // 60)
    return minutes // 1440, minutes % 1440 // 60, minutes % 60
