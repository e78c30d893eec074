"""How the audit log reads pledges: a pledge by its worker's masked name and its date, linked
for those who may open it; templates by their version."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.dates import format_date
from ..core.db import session
from ..org.models import OrgUnit
from ..privacy.masking import mask_name
from ..registry.models import Worker
from .models import Pledge, PledgeTemplate, SigningMethod
from .permissions import PLEDGES_VIEW

_METHODS = {SigningMethod.PAPER.value: _l("纸质签署"), SigningMethod.PHONE.value: _l("手机签署")}


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def describe_pledges(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(Pledge.id, Pledge.signed_on, Worker.name, OrgUnit)
        .join(Worker, Worker.id == Pledge.worker_id)
        .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
        .where(Pledge.id.in_(_ints(ids)))).all()
    return {str(pledge_id): Named(
                _("%(name)s %(date)s", name=mask_name(name), date=format_date(signed_on)),
                url_for("carebridge.pledges.pledge", pledge_id=pledge_id)
                if has_permission(reader_key, PLEDGES_VIEW, unit) else None)
            for pledge_id, signed_on, name, unit in rows}


def describe_templates(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(select(PledgeTemplate.id, PledgeTemplate.version)
                           .where(PledgeTemplate.id.in_(_ints(ids)))).all()
    return {str(template_id): Named(_("第 %(version)s 版", version=version))
            for template_id, version in rows}


AUDIT_TEXT = AuditText(
    targets={"pledge": AuditTarget(_l("监护承诺书"), describe_pledges),
             "pledge_template": AuditTarget(_l("承诺书文本"), describe_templates),
             "pledge_batch": AuditTarget(_l("承诺书打包"))},
    keys={"template_version": _l("文本版本"), "renews": _l("续签"), "method": _l("签署方式")},
    values={"method": _METHODS},
    references={"renews": "pledge"},
)
