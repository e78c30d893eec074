"""A realistic demo company so a newcomer can look around (``carebridge seed-demo``)."""
from __future__ import annotations

from flask import current_app

from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.core.clock import local_today
from plugin.core.errors import ValidationError
from plugin.core.features import DemoContext
from plugin.core.host import Actor
from plugin.org.models import OrgKind, OrgUnit
from plugin.org.queries import get_root_unit
from plugin.org.services import create_unit, update_unit

from .accounts.services import create_user
from .setup.services import is_set_up, set_up_company

COMPANY = "华夏建工集团有限公司"

#: (kind, name, responsible department, responsible person, phone, children)
TREE = [
    (OrgKind.SUBSIDIARY, "华夏建工第一工程局", "党群工作部", "周文华", "020-87654321", [
        (OrgKind.SITE, "深圳前海国际中心项目部", "项目综合办", "张伟", "13800138001", [
            (OrgKind.TEAM, "钢筋班组", None, "王德胜", None, []),
            (OrgKind.TEAM, "木工班组", None, "李长江", None, []),
            (OrgKind.TEAM, "混凝土班组", None, "赵大山", None, []),
        ]),
        (OrgKind.SITE, "广州南沙地铁站项目部", "项目综合办", "孙丽", "13800138002", [
            (OrgKind.TEAM, "机电安装班组", None, "钱进", None, []),
            (OrgKind.TEAM, "架子工班组", None, "吴刚", None, []),
        ]),
    ]),
    (OrgKind.SUBSIDIARY, "华夏建工装备制造有限公司", "工会", "郑红梅", "028-66554433", [
        (OrgKind.SITE, "成都天府装配式构件厂", "厂区行政部", "黄磊", "13800138003", [
            (OrgKind.TEAM, "焊接一班", None, "冯建军", None, []),
            (OrgKind.TEAM, "装配二班", None, "何小平", None, []),
        ]),
    ]),
]

#: (username, name, role, unit name or None for the whole company)
ACCOUNTS = [
    ("hrofficer", "李秀英", Role.HR_OFFICER, "华夏建工第一工程局"),
    ("site", "张伟", Role.SITE_MANAGER, "深圳前海国际中心项目部"),
    ("site2", "黄磊", Role.SITE_MANAGER, "成都天府装配式构件厂"),
    ("union", "刘洋", Role.UNION_OFFICER, None),
    ("care", "陈静", Role.CARE_WORKER, "深圳前海国际中心项目部"),
    ("report", "杨帆", Role.REPORT_OFFICER, None),
    ("auditor", "赵敏", Role.AUDITOR, None),
]


def seed_demo(*, password: str, actor: Actor) -> list[tuple[str, str]]:
    """Create the demo company on an empty database, then let each mounted feature add its demo
    records (``Feature.demo``); returns (username, description) pairs."""
    if is_set_up():
        raise ValidationError("数据库中已有公司，演示数据只能载入空数据库")
    admin = set_up_company(COMPANY, "admin", "王建国", password, actor=actor)
    root = get_root_unit()
    update_unit(root, actor=actor, responsible_department="社会责任部", responsible_person="王建国",
                responsible_phone="010-66778899")
    units = {root.name: root}
    _create_children(root, TREE, units, actor)
    accounts = [("admin", f"王建国 · {Role.ADMIN.label} · {COMPANY}")]
    admin_actor = Actor(key=admin.key, name=admin.display_name)
    demo_accounts = {"admin": admin_actor}
    for username, name, role, unit_name in ACCOUNTS:
        unit = units[unit_name] if unit_name else root
        user = create_user(username, name, password, actor=actor)
        grant_role(user.key, role, unit, actor=actor, check_actor=False)
        accounts.append((username, f"{name} · {role.label} · {unit.name}"))
        demo_accounts[username] = Actor(key=user.key, name=user.display_name)
    # The features' records are entered by the administrator, who may do everything everywhere
    # (the services check the permissions of whoever acts).
    context = DemoContext(units=units, actor=admin_actor, today=local_today(),
                          accounts=demo_accounts)
    for feature in current_app.extensions["carebridge"].features:
        if feature.demo:
            feature.load(feature.demo)(context)
    return accounts


def _create_children(parent: OrgUnit, children, units: dict[str, OrgUnit], actor: Actor) -> None:
    for kind, name, department, person, phone, grandchildren in children:
        unit = create_unit(parent, kind, name, actor=actor, responsible_department=department,
                           responsible_person=person, responsible_phone=phone)
        units[name] = unit
        _create_children(unit, grandchildren, units, actor)
