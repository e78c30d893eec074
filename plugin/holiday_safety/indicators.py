"""The holiday safety indicators (declared in its Feature): campaigns held, workers reached and
checklists confirmed. Each is aggregate SQL for organisation subtrees and a period of whole
local days (both ends included), counted under the campaign's site.

* A campaign is held in the period when it is scheduled or closed and its lecture's local day
  (``SafetyCampaign.lecture_on``, kept in step when the lecture moves; cleared when it is cancelled)
  falls in the period.
* A worker is reached when the campaign's checklist notice was sent to them in the period
  (``SafetyRecipient.notified_at``); a worker told about two campaigns in the period counts once.
* A confirmation counts on the moment the worker confirmed (``SafetyRecipient.confirmed_at``).
"""
from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select

from ..core.dates import day_bounds
from ..core.db import session
from ..core.indicators import FLOW, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from .models import HOLIDAY_KIND_LABELS, CampaignStatus, SafetyCampaign, SafetyRecipient
from .permissions import HOLIDAY_SAFETY_VIEW

HELD = (CampaignStatus.SCHEDULED, CampaignStatus.CLOSED)


def _key(value) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _grouped(statement) -> dict[str, int]:
    return {_key(key): int(value) for key, value in session.execute(statement)}


# -- campaigns held ------------------------------------------------------------------------------

def _held(paths: list[str], start: date, end: date, *columns) -> Select:
    return select(*(columns or (SafetyCampaign.id,))).select_from(SafetyCampaign).where(
        unit_id_in_subtrees(SafetyCampaign.org_unit_id, paths), SafetyCampaign.status.in_(HELD),
        SafetyCampaign.lecture_on >= start, SafetyCampaign.lecture_on <= end)


def campaigns_held(paths: list[str], start: date, end: date) -> int:
    return session.execute(_held(paths, start, end, func.count())).scalar_one()


def campaigns_held_records(paths: list[str], start: date, end: date) -> Select:
    return _held(paths, start, end)


def campaigns_held_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = SafetyCampaign.kind.label("key")
    return _grouped(_held(paths, start, end, key, func.count()).group_by(key))


# -- recipients ----------------------------------------------------------------------------------

def _recipients(column, paths: list[str], start: date, end: date, *columns) -> Select:
    since, until = day_bounds(start, end)
    return (select(*(columns or (SafetyRecipient.worker_id,))).select_from(SafetyRecipient)
            .join(SafetyCampaign, SafetyCampaign.id == SafetyRecipient.campaign_id)
            .where(unit_id_in_subtrees(SafetyCampaign.org_unit_id, paths), column >= since,
                   column < until))


def workers_reached(paths: list[str], start: date, end: date) -> int:
    return session.execute(_recipients(SafetyRecipient.notified_at, paths, start, end,
                                       func.count(distinct(SafetyRecipient.worker_id)))).scalar_one()


def workers_reached_records(paths: list[str], start: date, end: date) -> Select:
    return _recipients(SafetyRecipient.notified_at, paths, start, end).distinct()


def workers_reached_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = SafetyCampaign.kind.label("key")
    return _grouped(_recipients(SafetyRecipient.notified_at, paths, start, end, key,
                                func.count(distinct(SafetyRecipient.worker_id))).group_by(key))


def confirmations(paths: list[str], start: date, end: date) -> int:
    return session.execute(_recipients(SafetyRecipient.confirmed_at, paths, start, end,
                                       func.count())).scalar_one()


def confirmations_records(paths: list[str], start: date, end: date) -> Select:
    return _recipients(SafetyRecipient.confirmed_at, paths, start, end)


def confirmations_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = SafetyCampaign.kind.label("key")
    return _grouped(_recipients(SafetyRecipient.confirmed_at, paths, start, end, key, func.count())
                    .group_by(key))


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    labels = {_key(kind): str(label) for kind, label in HOLIDAY_KIND_LABELS.items()}
    return str(_l("假期")), labels


_LIST = ListPage("carebridge.holiday_safety.index", HOLIDAY_SAFETY_VIEW)
_DESCRIBE = "indicators:describe_breakdown"

INDICATORS = (
    Indicator("holiday_safety.campaigns_held", _l("开展假期安全教育"), _l("次"),
              _l("宣讲日期在统计期内、已安排（或已结束）的假期安全教育次数：每个项目部每个暑假或春节"
                 "一次，按项目部统计；宣讲取消后不计。可按假期（暑假、春节）分组。明细为这些假期安全"
                 "教育"),
              "indicators:campaigns_held", "indicators:campaigns_held_records",
              "holiday_safety_campaign", FLOW, ("holiday_kind",),
              "indicators:campaigns_held_breakdown", _DESCRIBE, list_page=_LIST),
    Indicator("holiday_safety.workers_reached", _l("假期安全教育覆盖职工"), _l("人"),
              _l("统计期内收到假期安全清单通知的职工人数（有 16 岁以下子女的在职职工），同一职工"
                 "只计一次，按假期安全教育所属项目部统计。可按假期分组。明细为这些职工"),
              "indicators:workers_reached", "indicators:workers_reached_records", "worker",
              FLOW, ("holiday_kind",), "indicators:workers_reached_breakdown", _DESCRIBE,
              list_page=_LIST),
    Indicator("holiday_safety.confirmations", _l("确认假期安全清单"), _l("份"),
              _l("统计期内职工在手机上确认的假期安全清单份数（照看人、防溺水规定、出行安排），每名"
                 "职工每次假期安全教育一份，按项目部统计。可按假期分组。明细为确认的职工"),
              "indicators:confirmations", "indicators:confirmations_records", "worker", FLOW,
              ("holiday_kind",), "indicators:confirmations_breakdown", _DESCRIBE,
              list_page=_LIST),
)
