"""The care team's indicators (declared in its Feature): services delivered, the workers and
children they reached, volunteers and social workers on the last day, trainings and their hours,
commendations awarded. Each is aggregate SQL for organisation subtrees and a period of whole
local days (both ends included).

Where a record counts: services under the service's unit (the worker's unit when it was
recorded); members and their trainings under the unit the member serves; commendations under the
commendation's unit (the worker's, the member's, or the collective's). Every date here is a day
of the company's calendar (``occurred_on``, ``held_on``, ``joined_on``/``left_on``,
``decided_on``), compared with the period's days as they are.
"""
from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select

from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from .members import active_condition
from .models import (
    COMMENDATION_CATEGORY_LABELS,
    ENGAGEMENT_LABELS,
    SERVICE_KIND_LABELS,
    CareTeamMember,
    Commendation,
    CommendationStatus,
    MemberKind,
    ServiceChild,
    ServiceRecord,
    Training,
)
from .permissions import CARE_VIEW


def _key(value) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _grouped(statement) -> dict[str, int]:
    return {_key(key): int(value) for key, value in session.execute(statement)}


# -- services ------------------------------------------------------------------------------------

def _services(paths: list[str], start: date, end: date, *columns) -> Select:
    return select(*(columns or (ServiceRecord.id,))).select_from(ServiceRecord).where(
        unit_id_in_subtrees(ServiceRecord.org_unit_id, paths),
        ServiceRecord.occurred_on >= start, ServiceRecord.occurred_on <= end)


def services_delivered(paths: list[str], start: date, end: date) -> int:
    return session.execute(_services(paths, start, end, func.count())).scalar_one()


def services_delivered_records(paths: list[str], start: date, end: date) -> Select:
    return _services(paths, start, end)


def services_delivered_breakdown(paths: list[str], start: date, end: date,
                                 by: str) -> dict[str, int]:
    key = ServiceRecord.kind.label("key")
    return _grouped(_services(paths, start, end, key, func.count()).group_by(key))


def workers_served(paths: list[str], start: date, end: date) -> int:
    return session.execute(_services(paths, start, end,
                                     func.count(distinct(ServiceRecord.worker_id)))).scalar_one()


def workers_served_records(paths: list[str], start: date, end: date) -> Select:
    return _services(paths, start, end)


def _children(paths: list[str], start: date, end: date, *columns) -> Select:
    return _services(paths, start, end, *columns).join(
        ServiceChild, ServiceChild.service_id == ServiceRecord.id)


def children_served(paths: list[str], start: date, end: date) -> int:
    return session.execute(_children(paths, start, end,
                                     func.count(distinct(ServiceChild.child_id)))).scalar_one()


def children_served_records(paths: list[str], start: date, end: date) -> Select:
    return _children(paths, start, end, ServiceRecord.id).distinct()


# -- members on the last day ---------------------------------------------------------------------

def _members(kind: MemberKind, paths: list[str], *columns) -> Select:
    return select(*(columns or (CareTeamMember.id,))).select_from(CareTeamMember).where(
        unit_id_in_subtrees(CareTeamMember.org_unit_id, paths), CareTeamMember.kind == kind)


def _stock(kind: MemberKind, paths: list[str], end: date) -> int:
    return session.execute(_members(kind, paths, func.count())
                           .where(active_condition(end))).scalar_one()


def _series(kind: MemberKind, paths: list[str], days: list[date]) -> dict[date, int]:
    row = session.execute(_members(kind, paths, *(func.count().filter(active_condition(day))
                                                  for day in days))).one()
    return dict(zip(days, row, strict=True))


def volunteers(paths: list[str], start: date, end: date) -> int:
    return _stock(MemberKind.VOLUNTEER, paths, end)


def volunteers_records(paths: list[str], start: date, end: date) -> Select:
    return _members(MemberKind.VOLUNTEER, paths).where(active_condition(end))


def volunteers_series(paths: list[str], days: list[date]) -> dict[date, int]:
    return _series(MemberKind.VOLUNTEER, paths, days)


def social_workers(paths: list[str], start: date, end: date) -> int:
    return _stock(MemberKind.SOCIAL_WORKER, paths, end)


def social_workers_records(paths: list[str], start: date, end: date) -> Select:
    return _members(MemberKind.SOCIAL_WORKER, paths).where(active_condition(end))


def social_workers_series(paths: list[str], days: list[date]) -> dict[date, int]:
    return _series(MemberKind.SOCIAL_WORKER, paths, days)


def social_workers_breakdown(paths: list[str], start: date, end: date,
                             by: str) -> dict[str, int]:
    key = CareTeamMember.engagement.label("key")
    return _grouped(_members(MemberKind.SOCIAL_WORKER, paths, key, func.count())
                    .where(active_condition(end)).group_by(key))


# -- trainings -----------------------------------------------------------------------------------

def _trainings(paths: list[str], start: date, end: date, *columns) -> Select:
    return (select(*(columns or (Training.id,))).select_from(Training)
            .join(CareTeamMember, CareTeamMember.id == Training.member_id)
            .where(unit_id_in_subtrees(CareTeamMember.org_unit_id, paths),
                   Training.held_on >= start, Training.held_on <= end))


def trainings_held(paths: list[str], start: date, end: date) -> int:
    sessions = _trainings(paths, start, end, Training.title, Training.held_on).distinct()
    return session.execute(select(func.count()).select_from(sessions.subquery())).scalar_one()


def trainings_held_records(paths: list[str], start: date, end: date) -> Select:
    return _trainings(paths, start, end)


def training_hours(paths: list[str], start: date, end: date) -> int:
    minutes = session.execute(_trainings(paths, start, end,
                                         func.coalesce(func.sum(Training.minutes), 0))
                              ).scalar_one()
    return (int(minutes) + 30) // 60  # whole hours, half an hour up


def training_hours_records(paths: list[str], start: date, end: date) -> Select:
    return _trainings(paths, start, end)


# -- commendations -------------------------------------------------------------------------------

def _awarded(paths: list[str], start: date, end: date, *columns) -> Select:
    return select(*(columns or (Commendation.id,))).select_from(Commendation).where(
        unit_id_in_subtrees(Commendation.org_unit_id, paths),
        Commendation.status == CommendationStatus.AWARDED,
        Commendation.decided_on >= start, Commendation.decided_on <= end)


def commendations_awarded(paths: list[str], start: date, end: date) -> int:
    return session.execute(_awarded(paths, start, end, func.count())).scalar_one()


def commendations_awarded_records(paths: list[str], start: date, end: date) -> Select:
    return _awarded(paths, start, end)


def commendations_awarded_breakdown(paths: list[str], start: date, end: date,
                                    by: str) -> dict[str, int]:
    key = Commendation.category.label("key")
    return _grouped(_awarded(paths, start, end, key, func.count()).group_by(key))


# -- how breakdowns read -------------------------------------------------------------------------

BREAKDOWN_TITLES = {"service_kind": _l("服务类别"), "engagement": _l("用工方式"),
                    "category": _l("表彰类别")}
_LABELS = {"service_kind": SERVICE_KIND_LABELS, "engagement": ENGAGEMENT_LABELS,
           "category": COMMENDATION_CATEGORY_LABELS}


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    labels = {_key(key): str(label) for key, label in _LABELS.get(by, {}).items()}
    return str(BREAKDOWN_TITLES.get(by, by)), labels


_ROSTER = ListPage("carebridge.care_team.index", CARE_VIEW)
_SERVICES = ListPage("carebridge.care_team_services.index", CARE_VIEW, dated=True)
_COMMENDATIONS = ListPage("carebridge.care_team_commendations.index", CARE_VIEW,
                          {"status": CommendationStatus.AWARDED.value})
_DESCRIBE = "indicators:describe_breakdown"

INDICATORS = (
    Indicator("care_team.services_delivered", _l("关爱服务次数"), _l("次"),
              _l("服务日期在统计期内登记的关爱服务（心理辅导、学业辅导、能力提升、社会融入和其他服务）"
                 "次数，按登记时职工所在单位统计。可按服务类别分组。明细为这些服务记录"),
              "indicators:services_delivered", "indicators:services_delivered_records",
              "care_service", FLOW, ("service_kind",), "indicators:services_delivered_breakdown",
              _DESCRIBE, list_page=_SERVICES),
    Indicator("care_team.workers_served", _l("接受关爱服务的职工家庭"), _l("户"),
              _l("统计期内接受过关爱服务（口径同“关爱服务次数”）的职工家庭户数，每位职工算一户，"
                 "只计一次。明细为这些服务记录"),
              "indicators:workers_served", "indicators:workers_served_records", "care_service",
              FLOW, list_page=_SERVICES),
    Indicator("care_team.children_served", _l("接受关爱服务的职工子女"), _l("人"),
              _l("统计期内的关爱服务（口径同“关爱服务次数”）登记所服务的职工子女人数，每个孩子只计"
                 "一次；未写明孩子的服务不计入。明细为写明了孩子的这些服务记录"),
              "indicators:children_served", "indicators:children_served_records",
              "care_service", FLOW, list_page=_SERVICES),
    Indicator("care_team.volunteers", _l("志愿者人数"), _l("人"),
              _l("期末当天在队的志愿者人数：加入日期不晚于期末，且期末当天及以前没有离队；按成员"
                 "服务的单位统计。明细为这些成员"),
              "indicators:volunteers", "indicators:volunteers_records", "care_team_member",
              STOCK, series="indicators:volunteers_series", list_page=ListPage(
                  "carebridge.care_team.index", CARE_VIEW, {"kind": MemberKind.VOLUNTEER.value})),
    Indicator("care_team.social_workers", _l("社会工作者人数"), _l("人"),
              _l("期末当天在队的社会工作者人数（口径同“志愿者人数”），含自有社工和购买服务的社工；"
                 "可按用工方式分组。明细为这些成员"),
              "indicators:social_workers", "indicators:social_workers_records",
              "care_team_member", STOCK, ("engagement",), "indicators:social_workers_breakdown",
              _DESCRIBE, "indicators:social_workers_series", list_page=ListPage(
                  "carebridge.care_team.index", CARE_VIEW,
                  {"kind": MemberKind.SOCIAL_WORKER.value})),
    Indicator("care_team.trainings_held", _l("队伍培训场次"), _l("场"),
              _l("培训日期在统计期内的关爱服务队伍培训场次：名称和日期相同的培训记录算一场（多名成员"
                 "参加同一场培训只计一次），按成员服务的单位统计。明细为这些培训记录"),
              "indicators:trainings_held", "indicators:trainings_held_records",
              "care_training", FLOW, list_page=_ROSTER),
    Indicator("care_team.training_hours", _l("队伍培训学时（人·小时）"), _l("小时"),
              _l("培训日期在统计期内的每名成员每次培训的时长之和（人·小时），四舍五入到整小时；按"
                 "成员服务的单位统计。明细为这些培训记录"),
              "indicators:training_hours", "indicators:training_hours_records",
              "care_training", FLOW, list_page=_ROSTER),
    Indicator("care_team.commendations_awarded", _l("获得表彰"), _l("项"),
              _l("授予日期在统计期内的表彰项数（依法履行监护职责模范、优秀志愿者、先进集体），按被"
                 "表彰职工、成员或集体所在单位统计；未获评的推荐不计。可按表彰类别分组。明细为这些"
                 "表彰"),
              "indicators:commendations_awarded", "indicators:commendations_awarded_records",
              "care_commendation", FLOW, ("category",),
              "indicators:commendations_awarded_breakdown", _DESCRIBE,
              list_page=_COMMENDATIONS),
)
