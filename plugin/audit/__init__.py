"""The audit log: who did what to which record, when and from where."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Retention
from ..core.roles import Role
from .permissions import AUDIT_VIEW

feature = Feature(
    name="audit",
    package=__name__,
    retention=(
        Retention("audit.events", _l("审计日志"), 36,
                  _l("操作记录满保留期后删除。至少保留 36 个月（《个人信息保护法》第五十六条：处理"
                     "情况记录和影响评估报告至少保存三年），配置更短的期限无法启动。"),
                  "retention:purge_old_events", minimum_months=36),
    ),
    models=("models",),
    permissions={AUDIT_VIEW: (Role.AUDITOR,)},
    audit_actions={"export.downloaded": _l("导出列表")},
)
