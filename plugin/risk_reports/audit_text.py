"""How the audit log reads risk reports: a case by its number and situation (never the child
or the reporter), linked for those who may open it; the details' codes by their labels."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from .models import (
    LABELS,
    Care,
    EscalationReason,
    NoticeRecipient,
    Outcome,
    RiskReport,
    Safety,
    Situation,
)
from .permissions import RISK_VIEW


def describe_reports(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    numbers = [int(i) for i in ids if i.isdigit() and len(i) < 10]
    rows = session.execute(select(RiskReport.id, RiskReport.situation, OrgUnit)
                           .join(OrgUnit, OrgUnit.id == RiskReport.org_unit_id)
                           .where(RiskReport.id.in_(numbers))).all()
    return {str(report_id): Named(
                _("第 %(number)s 号（%(situation)s）", number=report_id,
                  situation=situation.label),
                url_for("carebridge.risk_reports.case", report_id=report_id)
                if has_permission(reader_key, RISK_VIEW, unit) else None)
            for report_id, situation, unit in rows}


def _values(enum) -> dict:
    return {member.value: label for member, label in LABELS[enum].items()}


AUDIT_TEXT = AuditText(
    targets={"risk_report": AuditTarget(_l("儿童安全风险报告"), describe_reports)},
    keys={"risk_situation": _l("情况"), "risk_station": _l("接警单位"),
          "risk_receipt": _l("回执号"), "risk_recipient": _l("告知对象"),
          "risk_organisation": _l("单位"), "risk_safety": _l("安全评估"),
          "risk_care": _l("照料评估"), "risk_outcome": _l("结案结果"),
          "risk_admonished": _l("批评教育"), "risk_escalation_reason": _l("上报原因"),
          "risk_level": _l("级别")},
    values={"risk_situation": _values(Situation),
            "risk_recipient": _values(NoticeRecipient),
            "risk_safety": _values(Safety), "risk_care": _values(Care),
            "risk_outcome": _values(Outcome),
            "risk_escalation_reason": _values(EscalationReason)},
)
