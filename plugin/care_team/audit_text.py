"""How the audit log reads care-team events: a member by name and kind, a service by its kind,
day and the worker's masked name, a commendation by its category and the nominee (workers
masked), linked for those who see the care team at the record's unit; coded values by their
labels."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.dates import format_date
from ..core.db import session
from ..org.models import OrgUnit
from ..privacy.masking import mask_name
from ..registry.models import Worker
from .models import (
    COMMENDATION_CATEGORY_LABELS,
    MEMBER_KIND_LABELS,
    SERVICE_KIND_LABELS,
    CareTeamMember,
    Commendation,
    ServiceRecord,
)
from .permissions import CARE_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _labels(table) -> dict[str, object]:
    return {member.value: label for member, label in table.items()}


def _link(endpoint: str, reader_key: str | None, unit: OrgUnit, **args) -> str | None:
    return url_for(endpoint, **args) if has_permission(reader_key, CARE_VIEW, unit) else None


def describe_members(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(CareTeamMember.id, CareTeamMember.name, CareTeamMember.kind,
                                  OrgUnit)
                           .join(OrgUnit, OrgUnit.id == CareTeamMember.org_unit_id)
                           .where(CareTeamMember.id.in_(_ints(ids)))).all()
    return {str(row.id): Named(
                _("%(name)s（%(kind)s）", name=row.name, kind=MEMBER_KIND_LABELS[row.kind]),
                _link("carebridge.care_team.member", reader_key, row.OrgUnit,
                      member_id=row.id))
            for row in rows}


def describe_services(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(ServiceRecord.id, ServiceRecord.kind,
                                  ServiceRecord.occurred_on, Worker.name, OrgUnit)
                           .join(Worker, Worker.id == ServiceRecord.worker_id)
                           .join(OrgUnit, OrgUnit.id == ServiceRecord.org_unit_id)
                           .where(ServiceRecord.id.in_(_ints(ids)))).all()
    return {str(row.id): Named(
                _("%(kind)s（%(name)s，%(date)s）", kind=SERVICE_KIND_LABELS[row.kind],
                  name=mask_name(row.name), date=format_date(row.occurred_on)),
                _link("carebridge.care_team_services.service", reader_key, row.OrgUnit,
                      service_id=row.id))
            for row in rows}


def describe_commendations(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    member = aliased(CareTeamMember)
    rows = session.execute(select(Commendation.id, Commendation.category,
                                  Commendation.collective_name, Worker.name.label("worker"),
                                  member.name.label("member"), OrgUnit)
                           .join(OrgUnit, OrgUnit.id == Commendation.org_unit_id)
                           .outerjoin(Worker, Worker.id == Commendation.worker_id)
                           .outerjoin(member, member.id == Commendation.member_id)
                           .where(Commendation.id.in_(_ints(ids)))).all()
    named = {}
    for row in rows:
        nominee = (mask_name(row.worker) if row.worker else row.member
                   or " ".join(filter(None, (row.OrgUnit.name, row.collective_name))))
        named[str(row.id)] = Named(
            _("%(category)s：%(nominee)s", category=COMMENDATION_CATEGORY_LABELS[row.category],
              nominee=nominee),
            _link("carebridge.care_team_commendations.commendation", reader_key, row.OrgUnit,
                  commendation_id=row.id))
    return named


AUDIT_TEXT = AuditText(
    targets={"care_team_member": AuditTarget(_l("关爱服务队伍成员"), describe_members),
             "care_service": AuditTarget(_l("关爱服务记录"), describe_services),
             "care_commendation": AuditTarget(_l("表彰"), describe_commendations)},
    keys={"care_member_kind": _l("成员类别"), "care_training_on": _l("培训日期"),
          "care_service_kind": _l("服务类别"), "care_service_on": _l("服务日期"),
          "care_members": _l("提供服务的成员"), "care_children": _l("服务的孩子人数"),
          "care_services": _l("服务记录条数"), "care_category": _l("表彰类别"),
          "care_awarding_body": _l("授予单位"), "care_awarded_on": _l("授予日期"),
          "entry": _l("诚信档案记录")},
    values={"care_member_kind": _labels(MEMBER_KIND_LABELS),
            "care_service_kind": _labels(SERVICE_KIND_LABELS),
            "care_category": _labels(COMMENDATION_CATEGORY_LABELS)},
    references={"care_members": "care_team_member", "entry": "integrity_entry"},
    fields={"care_team_member": {
        "org_unit_id": _l("服务的单位"), "kind": _l("成员类别"), "engagement": _l("用工方式"),
        "provider": _l("所属机构"), "worker_id": _l("关联职工"), "name": _l("姓名"),
        "phone": _l("电话"), "specialties": _l("专长"), "available_days": _l("有空的日子"),
        "availability_note": _l("可服务时间说明"), "joined_on": _l("加入日期"),
        "left_on": _l("离队日期")}},
)
