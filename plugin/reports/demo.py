"""Reports of the demo company (``carebridge seed-demo``), made through the services: the
built-in templates; last quarter's figures confirmed by two of the sites (the third has not
confirmed yet); last quarter's SASAC report filed by the report officer with its texts, so the
filing, its PDF and its verification page can be opened; and the union's half-year report to
the ACFTU drafted for the period that ended last."""
from __future__ import annotations

from ..core.features import DemoContext
from ..org.models import OrgKind
from ..org.queries import get_root_unit
from . import services
from .periods import Period, PeriodKind
from .recipients import Recipient

TEXTS = {
    "work_done": "本季度各项目部开展监护责任宣讲，组织职工签订监护责任承诺书，"
                 "为留守儿童家庭开通亲情电话，工会为困难家庭送去慰问。",
    "typical_cases": "深圳前海国际中心项目部钢筋班组职工王某，两个孩子在四川老家由祖父母照看。"
                     "项目部为其安排视频通话时段，暑期接孩子来工地团聚。",
    "problems": "部分分包单位职工流动快，子女信息更新不及时。",
    "plans": "下季度组织春节返乡团聚，完善困难家庭帮扶台账。",
}


def load(context: DemoContext) -> None:
    templates = {template.recipient: template for template in
                 services.ensure_builtin_templates()}
    root = get_root_unit()
    quarter = Period.containing(PeriodKind.QUARTER, context.today).previous()
    reporter = context.accounts.get("report", context.actor)
    for username in ("site", "site2"):
        manager = context.accounts.get(username)
        unit = next((unit for unit in context.units.values()
                     if unit.kind is OrgKind.SITE and manager is not None
                     and unit.responsible_person == manager.name), None)
        if unit is not None:
            services.confirm_figures(unit, quarter, manager)
    draft = services.create_draft(templates[Recipient.SASAC], root, quarter, reporter,
                                  texts=TEXTS)
    services.file_draft(draft, reporter)
    half_year = Period.containing(PeriodKind.HALF_YEAR, context.today).previous()
    services.create_draft(templates[Recipient.ACFTU], root, half_year,
                          context.accounts.get("union", reporter),
                          texts={"work_done": TEXTS["work_done"]})
