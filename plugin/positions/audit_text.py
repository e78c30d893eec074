"""How the audit log reads work near home: a site's location by its site, an opening by its site
and trade, a transfer request by the worker's masked name and where to, each linked for those
who may see such records (the page itself checks the record's subtree)."""
from __future__ import annotations

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
from .fields import FIELDS
from .models import Opening, TransferRequest, WorkLocation
from .permissions import POSITIONS_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def describe_locations(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(WorkLocation.id, OrgUnit.name)
                           .join(OrgUnit, OrgUnit.id == WorkLocation.org_unit_id)
                           .where(WorkLocation.id.in_(_ints(ids)))).all()
    may_open = has_permission(reader_key, POSITIONS_VIEW)
    return {str(location_id): Named(_("%(site)s的所在地区", site=site),
                                    url_for("carebridge.positions.sites") if may_open else None)
            for location_id, site in rows}


def describe_openings(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(Opening.id, OrgUnit.name, Opening.trade)
                           .join(OrgUnit, OrgUnit.id == Opening.org_unit_id)
                           .where(Opening.id.in_(_ints(ids)))).all()
    may_open = has_permission(reader_key, POSITIONS_VIEW)
    return {str(opening_id): Named(
                _("%(site)s的“%(trade)s”招用需求", site=site, trade=trade),
                url_for("carebridge.positions.edit_opening", opening_id=opening_id)
                if may_open else None)
            for opening_id, site, trade in rows}


def describe_transfers(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(TransferRequest.id, Worker.name, OrgUnit.name, Opening.trade)
                           .join(Worker, Worker.id == TransferRequest.worker_id)
                           .join(Opening, Opening.id == TransferRequest.opening_id)
                           .join(OrgUnit, OrgUnit.id == Opening.org_unit_id)
                           .where(TransferRequest.id.in_(_ints(ids)))).all()
    may_open = has_permission(reader_key, POSITIONS_VIEW)
    return {str(request_id): Named(
                _("%(worker)s申请调往%(site)s（%(trade)s）", worker=mask_name(worker or ""),
                  site=site, trade=trade),
                url_for("carebridge.positions.transfer", request_id=request_id)
                if may_open else None)
            for request_id, worker, site, trade in rows}


AUDIT_TEXT = AuditText(
    targets={"positions_location": AuditTarget(_l("项目部所在地区"), describe_locations),
             "positions_opening": AuditTarget(_l("招用需求"), describe_openings),
             "positions_transfer": AuditTarget(_l("调动申请"), describe_transfers)},
    keys={"positions_site": _l("项目部（厂区）"), "positions_county": _l("所在县（市、区）代码"),
          "positions_trade": _l("工种"), "positions_headcount": _l("招用人数"),
          "positions_starts_on": _l("开始日期"), "positions_outcome": _l("导入结果"),
          "positions_effective_on": _l("到岗日期"), "positions_transfer": _l("调动申请")},
    values={"positions_outcome": {"created": _l("新增"), "updated": _l("更新")}},
    references={"positions_transfer": "positions_transfer"},
    fields={"positions_opening": {spec.code: spec.label for spec in FIELDS},
            "positions_location": {"county_code": _l("所在县（市、区）代码"),
                                   "address": _l("地址")}},
)
