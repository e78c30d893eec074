"""Work near home in the demo company (``carebridge seed-demo``), made through the services:
the three sites' locations (深圳前海 in 南山区, 广州南沙 in 南沙区, 成都天府 in 双流区), a few
openings — the Chengdu factory's near the homes of the demo's workers from Sichuan (南部县,
昭觉县, 喜德县), one closed — and two transfer requests to Chengdu of workers from 南部县
with left-behind children: one waiting for HR, one approved with the day the worker starts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..access.scope import Scope
from ..core.db import session
from ..core.features import DemoContext
from ..org.models import OrgKind, OrgUnit
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import has_child_where
from ..worker_access.services import worker_actor
from . import transfers, workplaces

#: Site name → (county code, address).
LOCATIONS = {
    "深圳前海国际中心项目部": ("440305", "深圳市南山区前海桂湾片区"),
    "广州南沙地铁站项目部": ("440115", "广州市南沙区黄阁镇"),
    "成都天府装配式构件厂": ("510116", "成都市双流区西航港经济开发区"),
}
#: (site, trade, headcount, starts in days, lasts days or None, notes)
OPENINGS = (
    ("成都天府装配式构件厂", "焊工", 6, 20, 300, "持焊工证，厂区提供宿舍"),
    ("成都天府装配式构件厂", "普工", 15, 10, None, "构件装配、养护，新手可培训"),
    ("广州南沙地铁站项目部", "电工", 4, 30, 240, "持低压电工证"),
    ("深圳前海国际中心项目部", "钢筋工", 10, 5, 180, None),
)
CLOSED = ("深圳前海国际中心项目部", "架子工", 3, -60, 120, "已招满")


def load(context: DemoContext) -> None:
    actor, today = context.actor, context.today
    scope = Scope.company()
    sites = {unit.name: unit for unit in session.scalars(
        select(OrgUnit).where(OrgUnit.kind == OrgKind.SITE))}
    for name, (county, address) in LOCATIONS.items():
        if name in sites:
            workplaces.save_location(sites[name], {"county_code": county, "address": address},
                                     scope=scope, actor=actor)
    openings = {}
    for name, trade, headcount, starts, lasts, notes in (*OPENINGS, CLOSED):
        if name not in sites:
            continue
        starts_on = today + timedelta(days=starts)
        openings[(name, trade)] = workplaces.save_opening(None, {
            "trade": trade, "headcount": str(headcount), "starts_on": starts_on.isoformat(),
            "ends_on": (starts_on + timedelta(days=lasts)).isoformat() if lasts else None,
            "notes": notes}, site=sites[name], scope=scope, actor=actor, today=today)
    closed = openings.get((CLOSED[0], CLOSED[1]))
    if closed is not None:
        workplaces.close_opening(closed, actor=actor)
    chengdu = sites.get("成都天府装配式构件厂")
    welding, general = openings.get((chengdu.name if chengdu else "", "焊工")), \
        openings.get((chengdu.name if chengdu else "", "普工"))
    if chengdu is None or welding is None or general is None:
        return
    parents = list(session.scalars(
        select(Worker).join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
        .where(Worker.hukou_region_code == "511321",
               Worker.employment_status == EmploymentStatus.ACTIVE,
               has_child_where(Worker.id), ~OrgUnit.path.startswith(chengdu.path))
        .order_by(Worker.id).limit(2)))
    if len(parents) < 2:
        return
    waiting, moving = parents
    transfers.request_transfer(waiting, welding, "家在南部县，孩子跟着爷爷奶奶，想离家近一点",
                               actor=worker_actor(waiting))
    approved = transfers.request_transfer(moving, general, "老家南部县，两个孩子在家上学",
                                          actor=worker_actor(moving))
    transfers.decide(approved, transfers.Outcome.APPROVED, reason="同意，请与厂区行政部联系报到",
                     effective_on=today + timedelta(days=10), actor=actor)
