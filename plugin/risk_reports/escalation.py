"""The escalation ladder (see :mod:`.rules`): which open cases have let a lapse run out, and one
step up the organisation tree per level reached, each step once.

Each step is one :class:`~.models.RiskEscalation` row — unique per case, reason, lapse and level,
so a second run, or a second scheduler at the same moment, adds nothing — a notification to the
handlers of the unit reached (and again those of the root and of the site), and an audit event
under the system actor :data:`ESCALATOR`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..core.clock import utcnow
from ..core.dates import format_datetime
from ..core.db import session
from ..core.host import Actor
from ..core.i18n import N_
from ..notifications.services import notify
from ..org.queries import get_unit
from . import rules
from .models import EscalationReason, RiskEscalation, RiskReport
from .services import CATEGORY, escalation_recipients

ESCALATOR = Actor.system("risk-escalation")

TITLES = {
    EscalationReason.POLICE_OVERDUE: N_(
        "逐级上报（第 %(level)s 级）：%(site)s的儿童安全风险报告超时未登记报警"),
    EscalationReason.FOLLOW_UP_OVERDUE: N_(
        "逐级上报（第 %(level)s 级）：%(site)s的儿童安全风险报告超时未跟进"),
}
BODIES = {
    EscalationReason.POLICE_OVERDUE: N_(
        "应在 %(due)s 前向公安机关报告并登记，至今没有登记。请立即督促办理：向公安机关报告"
        "（拨打 110），登记报警时间、接警单位和回执号。"),
    EscalationReason.FOLLOW_UP_OVERDUE: N_(
        "自 %(due)s 以来没有登记跟进情况。请督促负责人员尽快了解孩子的安全和照料情况并登记跟进。"),
}


def escalate_overdue(now: datetime | None = None) -> dict[str, int]:
    """Every open case whose police or follow-up lapse ran out climbs to the level it has
    reached, one escalation per level not yet taken. Only flushes: the scheduler commits."""
    now = now or utcnow()
    steps = 0
    police = session.scalars(select(RiskReport).where(rules.police_overdue_condition(now))
                             .order_by(RiskReport.id)).all()
    for report in police:
        steps += _climb(report, EscalationReason.POLICE_OVERDUE, None, now)
    follow_ups = session.execute(select(RiskReport, rules.last_activity_column())
                                 .where(rules.follow_up_overdue_condition(now))
                                 .order_by(RiskReport.id)).all()
    for report, last in follow_ups:
        steps += _climb(report, EscalationReason.FOLLOW_UP_OVERDUE, last, now)
    session.flush()
    return {"police_overdue": len(police), "follow_up_overdue": len(follow_ups),
            "escalations": steps}


def _climb(report: RiskReport, reason: EscalationReason, last: datetime | None,
           now: datetime) -> int:
    site = report.org_unit
    lapse = rules.target_level(reason, report, site, last, now)
    if lapse is None:
        return 0
    started, target = lapse
    taken = set(session.scalars(select(RiskEscalation.level).where(
        RiskEscalation.report_id == report.id, RiskEscalation.reason == reason,
        RiskEscalation.lapse_started_at == started)))
    steps = 0
    for level in range(1, target + 1):
        if level in taken:
            continue
        unit_id = rules.unit_at_level(site, level)
        try:
            with session.begin_nested():
                session.add(RiskEscalation(report_id=report.id, reason=reason, level=level,
                                           org_unit_id=unit_id, lapse_started_at=started,
                                           escalated_at=now))
                session.flush()
        except IntegrityError:  # another run took this step meanwhile
            continue
        steps += 1
        report.escalation_level = max(report.escalation_level, level)
        unit = get_unit(unit_id)
        record_event("risk.escalated", ESCALATOR, target_type="risk_report",
                     target_id=report.id, org_unit_id=report.org_unit_id,
                     details={"risk_escalation_reason": reason.value, "risk_level": level,
                              "unit": unit.name})
        due = report.police_due_at if reason == EscalationReason.POLICE_OVERDUE else started
        notify(escalation_recipients(site, level), TITLES[reason], body=BODIES[reason],
               params={"level": level, "site": site.name, "due": format_datetime(due)},
               link=("carebridge.risk_reports.case", {"report_id": report.id}),
               category=CATEGORY)
    return steps
