"""How the audit log reads holiday safety events: a campaign by its site and holiday, linked for
those who see the site's campaigns; the lecture it scheduled by the lectures feature's reading;
coded values by their labels."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from .models import HOLIDAY_KIND_LABELS, TRAVEL_PLAN_LABELS, HolidayDates, SafetyCampaign
from .permissions import HOLIDAY_SAFETY_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _labels(table) -> dict[str, object]:
    return {member.value: label for member, label in table.items()}


def describe_campaigns(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(SafetyCampaign.id, SafetyCampaign.kind, SafetyCampaign.year,
                                  OrgUnit)
                           .join(OrgUnit, OrgUnit.id == SafetyCampaign.org_unit_id)
                           .where(SafetyCampaign.id.in_(_ints(ids)))).all()
    return {str(row.id): Named(
                _("%(site)s %(year)s年%(holiday)s", site=row.OrgUnit.name, year=row.year,
                  holiday=HOLIDAY_KIND_LABELS[row.kind]),
                url_for("carebridge.holiday_safety.campaign", campaign_id=row.id)
                if has_permission(reader_key, HOLIDAY_SAFETY_VIEW, row.OrgUnit) else None)
            for row in rows}


def describe_dates(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(HolidayDates).where(HolidayDates.id.in_(_ints(ids)))).scalars()
    return {str(row.id): Named(_("%(year)s年%(holiday)s", year=row.year,
                                 holiday=HOLIDAY_KIND_LABELS[row.kind])) for row in rows}


AUDIT_TEXT = AuditText(
    targets={"holiday_safety_campaign": AuditTarget(_l("假期安全教育"), describe_campaigns),
             "holiday_safety_dates": AuditTarget(_l("放假日期"), describe_dates)},
    keys={"holiday_kind": _l("假期"), "year": _l("年份"), "holiday_starts_on": _l("假期第一天"),
          "previous_starts_on": _l("原来的第一天"), "lecture": _l("宣讲"),
          "holiday_safety_campaign": _l("假期安全教育"), "reminder": _l("再次提醒"),
          "travel_plan": _l("假期安排"), "swimming_rules_explained": _l("已讲防溺水规定")},
    values={"holiday_kind": _labels(HOLIDAY_KIND_LABELS),
            "travel_plan": _labels(TRAVEL_PLAN_LABELS)},
    references={"lecture": "lecture", "holiday_safety_campaign": "holiday_safety_campaign"},
)
