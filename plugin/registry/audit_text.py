"""How the audit log reads the registry's events: workers and children by their masked names,
linked where the reader may open the record, and their fields by their labels."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..org.models import OrgUnit
from ..privacy.masking import mask_name
from .models import CONSENT_METHOD_LABELS, Child, Worker
from .permissions import CHILDREN_VIEW, WORKERS_VIEW
from .schema import CHILD_FIELDS, WORKER_FIELDS


def _ids(ids: list[str]) -> list[int]:
    return [int(value) for value in ids if str(value).isdigit()]


def _describe(model, permission, endpoint: str, argument: str):
    def describe(ids: list[str], reader_key: str | None) -> dict[str, Named]:
        rows = session.execute(
            select(model.id, model.name, OrgUnit)
            .join(OrgUnit, OrgUnit.id == model.org_unit_id)
            .where(model.id.in_(_ids(ids)))).all()
        return {str(record_id): Named(
                    mask_name(name),
                    url_for(endpoint, **{argument: record_id})
                    if has_permission(reader_key, permission, unit) else None)
                for record_id, name, unit in rows}

    return describe


_PAGES = {"edit": _l("修改表单"), "agreement_form": _l("委托照护协议表单")}

AUDIT_TEXT = AuditText(
    targets={
        "worker": AuditTarget(_l("职工"), _describe(Worker, WORKERS_VIEW,
                                                    "carebridge.registry.worker", "worker_id")),
        "child": AuditTarget(_l("儿童"), _describe(Child, CHILDREN_VIEW,
                                                   "carebridge.registry.child", "child_id")),
    },
    keys={"page": _l("查看页面"), "worker_id": _l("职工"), "children": _l("儿童"),
          "child_id": _l("儿童")},
    values={"method": {method.value: label for method, label in CONSENT_METHOD_LABELS.items()},
            "page": _PAGES},
    references={"worker_id": "worker", "children": "child", "child_id": "child"},
    fields={
        "worker": {spec.code: spec.label for spec in WORKER_FIELDS},
        "child": {**{spec.code: spec.label for spec in CHILD_FIELDS},
                  "mother": _l("母亲"), "father": _l("父亲"), "org_unit_id": _l("所属单位")},
    },
)
