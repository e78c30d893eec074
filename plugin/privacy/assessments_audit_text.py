"""How the audit log reads the privacy feature's rights and assessment events: an assessment by
its recipient and validity, a correction request by the worker's masked name, linked where the
reader may open them. :data:`AUDIT_TEXT` is the whole feature's (the retention rules' included),
since a feature names one."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from ..privacy.masking import mask_name
from ..registry.models import Worker
from .assessments import declared_export_kinds, export_kind_label
from .assessments_models import RECIPIENT_KIND_LABELS, ImpactAssessment
from .assessments_permissions import PRIVACY_ASSESSMENTS
from .corrections_models import CorrectionRequest
from .corrections_permissions import PRIVACY_CORRECTIONS
from .retention_audit_text import AUDIT_TEXT as RETENTION_AUDIT_TEXT


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def describe_assessments(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(ImpactAssessment).where(
        ImpactAssessment.id.in_(_ints(ids)))).scalars()
    return {str(each.id): Named(
                _("%(kind)s · %(name)s（至 %(date)s）", kind=each.recipient_kind.label,
                  name=each.recipient_name, date=each.valid_until.isoformat()),
                url_for("carebridge.privacy_assessments.assessment", assessment_id=each.id)
                if has_permission(reader_key, PRIVACY_ASSESSMENTS, each.org_unit) else None)
            for each in rows}


def describe_corrections(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(CorrectionRequest.id, Worker.name, OrgUnit)
        .join(Worker, Worker.id == CorrectionRequest.worker_id)
        .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
        .where(CorrectionRequest.id.in_(_ints(ids)))).all()
    return {str(request_id): Named(
                _("%(name)s 的更正申请", name=mask_name(name)),
                url_for("carebridge.privacy_corrections.request_page", request_id=request_id)
                if has_permission(reader_key, PRIVACY_CORRECTIONS, unit) else None)
            for request_id, name, unit in rows}


class _ExportKindLabels(Mapping[str, Any]):
    """The label of each export kind declared by the exporting features, by code."""

    def __getitem__(self, code: str) -> Any:
        if code not in declared_export_kinds():
            raise KeyError(code)
        return export_kind_label(code)

    def __iter__(self):
        return iter(declared_export_kinds())

    def __len__(self) -> int:
        return len(declared_export_kinds())


RIGHTS_AUDIT_TEXT = AuditText(
    targets={"privacy_assessment": AuditTarget(_l("个人信息保护影响评估"), describe_assessments),
             "privacy_correction": AuditTarget(_l("个人信息更正申请"), describe_corrections)},
    keys={"recipient_kind": _l("接收方类型"), "export_kind": _l("对外提供的内容"),
          "people": _l("涉及人数"), "sections": _l("信息项数")},
    values={"recipient_kind": {kind.value: label
                               for kind, label in RECIPIENT_KIND_LABELS.items()},
            "export_kind": _ExportKindLabels()},
    references={"worker_id": "worker"},
    fields={"privacy_assessment": {
        "org_unit_id": _l("适用单位"), "recipient_kind": _l("接收方类型"),
        "recipient_name": _l("接收方名称"), "purpose": _l("处理目的"),
        "data_categories": _l("提供的个人信息种类"), "legal_basis": _l("合法性基础"),
        "necessity": _l("必要性"), "risks_and_measures": _l("风险及保护措施"),
        "assessed_by": _l("评估人"), "assessed_on": _l("评估日期"),
        "valid_until": _l("有效期至")}},
)


def _merged(*texts: AuditText) -> AuditText:
    return AuditText(**{name: {key: value for text in texts
                               for key, value in getattr(text, name).items()}
                        for name in ("targets", "keys", "values", "references", "fields",
                                     "sentences")})


#: The privacy feature's audit text: retention's and this module's together.
AUDIT_TEXT = _merged(RETENTION_AUDIT_TEXT, RIGHTS_AUDIT_TEXT)
