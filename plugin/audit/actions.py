"""Human labels for audit action codes. Features add theirs with :func:`register_action_labels`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("登录"),
    "auth.login_failed": _l("登录失败"),
    "auth.locked": _l("账户被锁定"),
    "auth.logout": _l("退出登录"),
    "company.created": _l("创建公司"),
    "company.updated": _l("修改公司设置"),
    "org.unit_created": _l("新建组织单位"),
    "org.unit_updated": _l("修改组织单位"),
    "role.granted": _l("授予角色"),
    "role.revoked": _l("撤销角色"),
    "user.created": _l("新建用户"),
    "user.updated": _l("修改用户"),
    "user.password_changed": _l("修改密码"),
    "user.unlocked": _l("解除锁定"),
    "worker.created": _l("新建职工"),
    "worker.updated": _l("修改职工"),
    "child.created": _l("新建儿童档案"),
    "child.updated": _l("修改儿童档案"),
    "child.viewed": _l("查看儿童档案"),
    "child.id_revealed": _l("查看儿童完整身份证号码"),
    "worker.id_revealed": _l("查看职工完整身份证号码"),
    "child.consent_recorded": _l("登记监护人同意"),
    "child.consent_withdrawn": _l("撤回监护人同意"),
    "api_token.issued": _l("签发 API 令牌"),
    "api_token.revoked": _l("撤销 API 令牌"),
}


def register_action_labels(labels: dict) -> None:
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
