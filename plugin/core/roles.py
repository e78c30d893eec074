"""The vocabulary of who may do what: the company's roles (DOMAIN §1) and the permission type.

Which permissions each role holds is not written here: each feature declares its permissions and
their default roles in its :class:`~plugin.core.features.Feature`, and :mod:`plugin.access.roles`
reads the declarations.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(str, enum.Enum):
    ADMIN = "admin"
    HR_OFFICER = "hr_officer"
    SITE_MANAGER = "site_manager"
    UNION_OFFICER = "union_officer"
    CARE_WORKER = "care_worker"
    REPORT_OFFICER = "report_officer"
    AUDITOR = "auditor"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def description(self):
        """One line saying what the role is for, shown where a role is chosen."""
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.HR_OFFICER: _l("人力资源专员"),
    Role.SITE_MANAGER: _l("项目经理/厂区负责人"),
    Role.UNION_OFFICER: _l("工会干部"),
    Role.CARE_WORKER: _l("关爱服务队伍成员"),
    Role.REPORT_OFFICER: _l("报表专员"),
    Role.AUDITOR: _l("审计员"),
}

ROLE_DESCRIPTIONS = {
    Role.ADMIN: _l("管理用户、角色、单位和系统设置，可办理全部业务"),
    Role.HR_OFFICER: _l("登记职工和儿童、导入花名册、办理承诺书和委托照护协议，为团聚活动订票"),
    Role.SITE_MANAGER: _l("组织本项目部或厂区的宣讲和签到，查看本单位职工和承诺书，"
                          "确认本单位报表数据"),
    Role.UNION_OFFICER: _l("组织团聚活动，参与宣讲、承诺书和协议工作，记录职工诚信，跟进亲子联系；"
                           "看不到身份证号码"),
    Role.CARE_WORKER: _l("关爱儿童及其家庭，跟进亲子联系；看不到身份证号码"),
    Role.REPORT_OFFICER: _l("编制统计报告，汇总下级单位的确认，封存报送并更正"),
    Role.AUDITOR: _l("只读查看操作记录（审计日志）"),
}


class Permission(str):
    """Something a role may do on an organisation subtree, named ``feature.verb``.

    A string, so it compares, hashes and stores as its code (``"lectures.view"``). Each feature
    defines its own in its ``permissions.py``.
    """

    def __repr__(self) -> str:
        return f"Permission({str.__repr__(self)})"
