"""Work near home's indicators (declared in its Feature), by aggregate SQL for organisation
subtrees and a period of whole local days (both ends included).

* ``positions.workers_home_province`` and ``positions.workers_home_prefecture`` are stocks on the
  period's last day: workers employed then, parents of a child left behind then (the registry's
  history of children, :func:`plugin.registry.history.children_on`), working at a site whose
  county (the site above the worker's current unit that has a location) lies in the worker's
  home province, or prefecture, by :func:`.rules.distance_sql` on today's codes (a withdrawn
  hukou code counts where its successor is). Counted under the worker's current unit (the
  registry keeps no history of workers' units) and sites' current locations.
* ``positions.transfer_requests`` is a flow: requests made on a day of the period (withdrawn and
  declined ones included), counted under the unit the worker was in when asking.
* ``positions.moves_home`` is a flow: requests approved on a day of the period whose site lies in
  the worker's home province, under the same unit.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from ..registry.history import children_on
from ..registry.models import ChildParent, Worker
from ..registry.queries import employed_on
from . import rules
from .models import Opening, TransferRequest, TransferStatus, WorkLocation
from .permissions import POSITIONS_VIEW


def _count(statement) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _codes(statement) -> list[str]:
    return [code for code in session.execute(statement.distinct()).scalars() if code]


def _distance(home_column, county_column):
    """:func:`.rules.distance_sql` with the codes the two columns hold today."""
    return rules.distance_sql(home_column, county_column,
                              _codes(select(Worker.hukou_region_code)),
                              _codes(select(WorkLocation.county_code)))


# -- workers near home on the last day -----------------------------------------------------------

def _workers_near_home(paths: list[str], end: date, farthest: int) -> Select:
    unit, site = aliased(OrgUnit), aliased(OrgUnit)
    rows = children_on(end)
    left_behind = (select(ChildParent.worker_id)
                   .join(rows, rows.c.child_id == ChildParent.child_id)
                   .where(rows.c.left_behind.is_(True)))
    distance = _distance(Worker.hukou_region_code, WorkLocation.county_code)
    return (select(Worker.id).select_from(Worker)
            .join(unit, unit.id == Worker.org_unit_id)
            .join(site, unit.path.startswith(site.path))
            .join(WorkLocation, WorkLocation.org_unit_id == site.id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths), employed_on(end),
                   Worker.id.in_(left_behind), distance.is_not(None), distance <= farthest)
            .distinct())


def workers_home_province(paths: list[str], start: date, end: date) -> int:
    return _count(_workers_near_home(paths, end, rules.SAME_PROVINCE))


def workers_home_province_records(paths: list[str], start: date, end: date) -> Select:
    return _workers_near_home(paths, end, rules.SAME_PROVINCE)


def workers_home_prefecture(paths: list[str], start: date, end: date) -> int:
    return _count(_workers_near_home(paths, end, rules.SAME_PREFECTURE))


def workers_home_prefecture_records(paths: list[str], start: date, end: date) -> Select:
    return _workers_near_home(paths, end, rules.SAME_PREFECTURE)


# -- requests and moves --------------------------------------------------------------------------

def _requests(paths: list[str], start: date, end: date) -> Select:
    return select(TransferRequest.id).where(
        unit_id_in_subtrees(TransferRequest.from_unit_id, paths),
        TransferRequest.requested_on >= start, TransferRequest.requested_on <= end)


def transfer_requests(paths: list[str], start: date, end: date) -> int:
    return _count(_requests(paths, start, end))


def transfer_requests_records(paths: list[str], start: date, end: date) -> Select:
    return _requests(paths, start, end)


def _moves(paths: list[str], start: date, end: date) -> Select:
    distance = _distance(Worker.hukou_region_code, WorkLocation.county_code)
    return (select(TransferRequest.id).select_from(TransferRequest)
            .join(Worker, Worker.id == TransferRequest.worker_id)
            .join(Opening, Opening.id == TransferRequest.opening_id)
            .join(WorkLocation, WorkLocation.org_unit_id == Opening.org_unit_id)
            .where(unit_id_in_subtrees(TransferRequest.from_unit_id, paths),
                   TransferRequest.status == TransferStatus.APPROVED,
                   TransferRequest.decided_on >= start, TransferRequest.decided_on <= end,
                   distance.is_not(None)))


def moves_home(paths: list[str], start: date, end: date) -> int:
    return _count(_moves(paths, start, end))


def moves_home_records(paths: list[str], start: date, end: date) -> Select:
    return _moves(paths, start, end)


_REQUESTS = ListPage("carebridge.positions.requests", POSITIONS_VIEW)

INDICATORS = (
    Indicator("positions.workers_home_province", _l("在户籍所在省内工作的留守儿童父母"), _l("人"),
              _l("期末当天在职、且当天有留守子女的职工中，所在项目部（厂区）登记的县（市、区）与本人"
                 "户籍地在同一省（区、市）的人数；已撤销的户籍地代码按现行代码计。按职工当前所在单位"
                 "统计。明细为这些职工"),
              "indicators:workers_home_province", "indicators:workers_home_province_records",
              "worker", STOCK),
    Indicator("positions.workers_home_prefecture", _l("在户籍所在地级市内工作的留守儿童父母"),
              _l("人"),
              _l("口径同“在户籍所在省内工作的留守儿童父母”，但所在项目部与户籍地在同一地级市（州、"
                 "盟）内（含同县）。明细为这些职工"),
              "indicators:workers_home_prefecture", "indicators:workers_home_prefecture_records",
              "worker", STOCK),
    Indicator("positions.transfer_requests", _l("就近就业调动申请"), _l("份"),
              _l("申请日期在统计期内的调动申请份数（之后撤回或未同意的也计入），按申请时职工所在单位"
                 "统计。明细为这些申请"),
              "indicators:transfer_requests", "indicators:transfer_requests_records",
              "positions_transfer", FLOW, list_page=_REQUESTS),
    Indicator("positions.moves_home", _l("调回户籍所在省工作的职工"), _l("人次"),
              _l("同意日期在统计期内、调往项目部与职工户籍地在同一省（区、市）的调动申请份数，按申请"
                 "时职工所在单位统计。明细为这些申请"),
              "indicators:moves_home", "indicators:moves_home_records", "positions_transfer",
              FLOW, list_page=ListPage("carebridge.positions.requests", POSITIONS_VIEW,
                                       {"status": TransferStatus.APPROVED.value})),
)
