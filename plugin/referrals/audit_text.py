"""How the audit log reads the referral directory: an entry by its kind and organisation (a person
by masked name), linked for those who may search the directory; which fields changed, never the
names and phone numbers themselves."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.checks import has_permission
from ..audit.text import AuditTarget, AuditText, Named
from ..core.db import session
from ..privacy.masking import mask_name
from .fields import FIELDS
from .models import CONTACT_KIND_LABELS, ReferralContact
from .permissions import REFERRALS_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def describe_contacts(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(ReferralContact.id, ReferralContact.kind, ReferralContact.organisation,
               ReferralContact.person_name)
        .where(ReferralContact.id.in_(_ints(ids)))).all()
    may_open = has_permission(reader_key, REFERRALS_VIEW)
    return {str(contact_id): Named(
                _("%(kind)s %(name)s", kind=kind.label,
                  name=organisation or mask_name(person_name or "")),
                url_for("carebridge.referrals.contact", contact_id=contact_id)
                if may_open else None)
            for contact_id, kind, organisation, person_name in rows}


AUDIT_TEXT = AuditText(
    targets={"referral_contact": AuditTarget(_l("转介资源"), describe_contacts)},
    keys={"referrals_kind": _l("类别"), "referrals_region": _l("行政区划代码"),
          "referrals_organisation": _l("单位名称"), "referrals_outcome": _l("导入结果")},
    values={"referrals_kind": {kind.value: label for kind, label in CONTACT_KIND_LABELS.items()},
            "referrals_outcome": {"created": _l("新增"), "updated": _l("更新")}},
    fields={"referral_contact": {**{spec.code: spec.label for spec in FIELDS},
                                 "active": _l("在用")}},
)
