"""The reunion campaigns' indicators (declared in the Feature): the figures of
:func:`plugin.reunions.statistics.reunion_figures`, the reports' read function, with its
definitions (see :mod:`plugin.reunions.statistics`).

All are flows: a campaign counts in the period its travel window begins in (``travel_from``
from the first to the last day of the period), with its applications whose unit (the worker's
unit when applying) lies in the subtrees. The records behind each figure are application ids.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, select

from ..access.scope import Scope
from ..core.indicators import FLOW, Indicator, ListPage, memoized
from .models import Application, ApplicationStatus, Campaign, Traveller, TravellerKind
from .permissions import REUNIONS_VIEW
from .statistics import TICKETED, ReunionFigures, reunion_figures


def _figures(paths: list[str], start: date, end: date) -> ReunionFigures:
    """The period's figures, computed once for the four indicators a report asks for."""
    return memoized(("reunions.figures", tuple(sorted(paths)), start, end),
                    lambda: reunion_figures(paths, start, end).figures)


def _applications(paths: list[str], start: date, end: date, *conditions) -> Select:
    """Ids of the applications counted in the period, as :func:`reunion_figures` selects them."""
    in_period = Application.campaign_id.in_(
        select(Campaign.id).where(Campaign.travel_from >= start, Campaign.travel_from <= end))
    return select(Application.id).where(
        in_period, Scope.of_paths(paths).contains_unit_id(Application.org_unit_id), *conditions)


_TRAVELLED = Application.status == ApplicationStatus.TRAVELLED


def households_travelled(paths: list[str], start: date, end: date) -> int:
    return _figures(paths, start, end).travelled


def households_travelled_records(paths: list[str], start: date, end: date) -> Select:
    return _applications(paths, start, end, _TRAVELLED)


def people_reunited(paths: list[str], start: date, end: date) -> int:
    return _figures(paths, start, end).people_reunited


def people_reunited_records(paths: list[str], start: date, end: date) -> Select:
    return _applications(paths, start, end, _TRAVELLED)


def children_reunited(paths: list[str], start: date, end: date) -> int:
    return _figures(paths, start, end).children_reunited


def children_reunited_records(paths: list[str], start: date, end: date) -> Select:
    with_child = exists().where(Traveller.application_id == Application.id,
                                Traveller.kind == TravellerKind.CHILD)
    return _applications(paths, start, end, _TRAVELLED, with_child)


def subsidy_spent_fen(paths: list[str], start: date, end: date) -> int:
    return _figures(paths, start, end).spent_fen


def subsidy_spent_fen_records(paths: list[str], start: date, end: date) -> Select:
    return _applications(paths, start, end, Application.status.in_(TICKETED),
                         Application.subsidy_fen > 0)


_CAMPAIGNS = ListPage("carebridge.reunions.index", REUNIONS_VIEW)

INDICATORS = (
    Indicator("reunions.households_travelled", _l("团聚出行的家庭"), _l("户"),
              _l("出行开始日期在统计期内的团聚活动中，申请已登记为“已出行”的家庭户数（每份申请"
                 "为一户）；按职工申请时所在单位统计。明细为这些申请"),
              "indicators:households_travelled", "indicators:households_travelled_records",
              "reunion_application", FLOW, list_page=_CAMPAIGNS),
    Indicator("reunions.people_reunited", _l("团聚人数"), _l("人"),
              _l("出行开始日期在统计期内的团聚活动中，已出行家庭团聚的人数：职工本人（每户一人，"
                 "无论是职工回家还是孩子来工地）、同行的子女和其他家庭成员；按职工申请时所在单位"
                 "统计。明细为这些已出行家庭的申请，不是逐人名单"),
              "indicators:people_reunited", "indicators:people_reunited_records",
              "reunion_application", FLOW, list_page=_CAMPAIGNS),
    Indicator("reunions.children_reunited", _l("团聚的子女"), _l("人"),
              _l("出行开始日期在统计期内的团聚活动中，已出行家庭同行的职工子女人数；按职工申请时"
                 "所在单位统计。明细为有子女同行的已出行家庭的申请"),
              "indicators:children_reunited", "indicators:children_reunited_records",
              "reunion_application", FLOW, list_page=_CAMPAIGNS),
    Indicator("reunions.subsidy_spent_fen", _l("团聚路费补贴支出（分）"), _l("分"),
              _l("出行开始日期在统计期内的团聚活动中，已购票申请（已出票、已出行、未出行，以及"
                 "出票后取消的，按票款扣除退款计）的路费补贴合计，单位为分（1 元 = 100 分）；"
                 "按职工申请时所在单位统计。明细为补贴不为零的这些申请"),
              "indicators:subsidy_spent_fen", "indicators:subsidy_spent_fen_records",
              "reunion_application", FLOW),
)
