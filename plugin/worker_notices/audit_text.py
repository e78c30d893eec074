"""How the audit log reads a bulk reminder: the kind of reminder by its label, the counts in
words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.text import AuditTarget, AuditText, Named
from .messages import GUARDIAN_CONSENT, HOLIDAY_SAFETY_CHECKLIST, NEXT_LECTURE, SIGN_PLEDGE

KIND_LABELS = {
    NEXT_LECTURE: _l("提醒参加下一次宣讲"),
    SIGN_PLEDGE: _l("提醒签署监护承诺书"),
    GUARDIAN_CONSENT: _l("请监护人确认同意"),
    HOLIDAY_SAFETY_CHECKLIST: _l("提醒确认假期安全清单"),
}


def describe_kinds(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    return {kind: Named(str(KIND_LABELS[kind])) for kind in ids if kind in KIND_LABELS}


AUDIT_TEXT = AuditText(
    targets={"worker_notice": AuditTarget(_l("职工手机提醒"), describe_kinds)},
    keys={"kind": _l("提醒类型"), "sent": _l("发送人数"), "already_sent": _l("今天已提醒过的人数"),
          "no_upcoming_lecture": _l("没有待举办宣讲的人数"),
          "import_job": _l("花名册导入批次")},
    values={"kind": KIND_LABELS},
)
