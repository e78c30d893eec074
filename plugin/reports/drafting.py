"""Scheduled drafts: when a period ends, each template scheduled for that kind of period gets a
draft for it, made once (``schedule_key`` is unique), and its report officers are told.

The job looks at the last finished period of each template rather than at "yesterday", so a
day the scheduler did not run is caught up the next.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access.queries import holders_of
from ..core.db import session
from ..core.host import Actor
from ..core.i18n import N_
from ..notifications.services import notify
from .models import ReportDraft, ReportFiling, ReportTemplate
from .periods import Period
from .permissions import REPORTS_FILE
from .queries import template_unit
from .services import create_draft, ensure_builtin_templates

SYSTEM = Actor.system("carebridge")


def schedule_key(template_id: int, unit_id: int, period: Period) -> str:
    return f"{template_id}:{unit_id}:{period.start.isoformat()}:{period.end.isoformat()}"


def draft_finished_periods(today: date) -> int:
    made = 0
    ensure_builtin_templates()
    scheduled = session.execute(select(ReportTemplate).where(
        ReportTemplate.schedule.is_not(None), ReportTemplate.archived_at.is_(None))
        .order_by(ReportTemplate.id)).scalars().all()
    for template in scheduled:
        unit = template_unit(template)
        if unit is None:
            continue
        period = Period.containing(template.schedule, today).previous()
        key = schedule_key(template.id, unit.id, period)
        if _already_done(key, template.id, unit.id, period):
            continue
        try:
            with session.begin_nested():
                draft = create_draft(template, unit, period, SYSTEM, schedule_key=key)
        except IntegrityError:  # another app server's scheduler made it at the same moment
            continue
        made += 1
        notify(holders_of(REPORTS_FILE, unit), N_("%(template)s：%(period)s的报告草稿已生成"),
               params={"template": template.name, "period": period.translatable_label()},
               body=N_("请核对数据、填写文字部分，待下级单位确认后报送。"),
               link=("carebridge.reports.draft", {"draft_id": draft.id}), category="reports")
    return made


def _already_done(key: str, template_id: int, unit_id: int, period: Period) -> bool:
    drafted = session.execute(select(ReportDraft.id).where(
        ReportDraft.schedule_key == key)).first()
    filed = session.execute(select(ReportFiling.id).where(
        ReportFiling.template_id == template_id, ReportFiling.org_unit_id == unit_id,
        ReportFiling.period_start == period.start, ReportFiling.period_end == period.end)).first()
    return drafted is not None or filed is not None
