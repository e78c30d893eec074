"""How the audit log reads a purge: the rule by its label, the count in words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.text import AuditTarget, AuditText, Named
from ..core.features import declared_features


def describe_rules(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    labels = {rule.code: rule.label for feature in declared_features()
              for rule in feature.retention}
    return {code: Named(str(labels[code])) for code in ids if code in labels}


AUDIT_TEXT = AuditText(
    targets={"retention_rule": AuditTarget(_l("个人信息保留期限规则"), describe_rules)},
    keys={"count": _l("清除或匿名化的记录数")},
)
