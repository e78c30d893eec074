"""How the audit log reads guardianship events: an agreement by its number and its worker's
masked name (linked for those who see guardianship records at the worker's unit), an integrity
entry by its kind and date, a contact by the masked name of the child it was about, and the coded
values (signing method, status, notice recipient, contact party and kind) by their labels."""
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
from ..registry.models import Child, Worker
from .documents import SCHOOL, VILLAGE, agreement_number
from .labels import INTEGRITY_LABELS
from .models import (
    AGREEMENT_SIGNING_LABELS,
    AGREEMENT_STATUS_LABELS,
    CONTACT_KIND_LABELS,
    CONTACT_PARTY_LABELS,
    ContactLog,
    EntrustmentAgreement,
    IntegrityEntry,
)
from .permissions import GUARDIANSHIP_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _labels(table) -> dict[str, object]:
    return {member.value: label for member, label in table.items()}


_SIGNING = _labels(AGREEMENT_SIGNING_LABELS)
_STATUS = _labels(AGREEMENT_STATUS_LABELS)
_CONTACT_KINDS = _labels(CONTACT_KIND_LABELS)
#: Whom a notice letter is addressed to (MPL Art. 23).
_RECIPIENTS = {SCHOOL: _l("学校"), VILLAGE: _l("村（居）民委员会")}


def describe_agreements(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    rows = session.execute(
        select(EntrustmentAgreement.id, Worker.name, OrgUnit)
        .join(Worker, Worker.id == EntrustmentAgreement.worker_id)
        .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
        .where(EntrustmentAgreement.id.in_(_ints(ids)))).all()
    return {str(row.id): Named(
                _("%(number)s（%(name)s）", number=agreement_number(row), name=mask_name(row.name)),
                url_for("carebridge.guardianship.agreement", agreement_id=row.id)
                if has_permission(reader_key, GUARDIANSHIP_VIEW, row.OrgUnit) else None)
            for row in rows}


def describe_entries(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Integrity entries by kind and date (the worker is the event's object, named beside)."""
    rows = session.execute(select(IntegrityEntry.id, IntegrityEntry.kind,
                                  IntegrityEntry.occurred_on)
                           .where(IntegrityEntry.id.in_(_ints(ids)))).all()
    return {str(entry_id): Named(_("%(kind)s（%(date)s）", kind=INTEGRITY_LABELS[kind],
                                   date=format_date(occurred_on)))
            for entry_id, kind, occurred_on in rows}


def describe_contacts(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Logged contacts by the masked name of the child they were about."""
    rows = session.execute(select(ContactLog.id, Child.name)
                           .join(Child, Child.id == ContactLog.child_id)
                           .where(ContactLog.id.in_(_ints(ids)))).all()
    return {str(log_id): Named(mask_name(name)) for log_id, name in rows}


def _own(label, value, labels=None) -> str:
    return _("%(label)s：%(value)s", label=label,
             value=str((labels or {}).get(value, value)))


def agreement_created(details, phrase) -> list[str]:
    """``agreement.created``: its signing method and status by their labels, how many children
    (``children`` is a count here, not a list of children) and the worker's employee number."""
    own = {"method": (_("签署方式"), _SIGNING), "status": (_("状态"), _STATUS),
           "children": (_("儿童人数"), None), "worker": (_("职工工号"), None)}
    sentences = []
    for key, value in details.items():
        if key in own and value not in (None, ""):
            sentences.append(_own(own[key][0], value, own[key][1]))
        elif key not in own and (text := phrase(key, value)):
            sentences.append(text)
    return sentences


def contact_logged(details, phrase) -> list[str]:
    """``contact.logged_on_behalf``: the contact's kind reads as a way of contact (the shared
    ``kind`` key means a roster or a unit kind elsewhere)."""
    sentences = []
    for key, value in details.items():
        if key == "kind" and value:
            sentences.append(_own(_("联系方式"), value, _CONTACT_KINDS))
        elif text := phrase(key, value):
            sentences.append(text)
    return sentences


AUDIT_TEXT = AuditText(
    targets={"agreement": AuditTarget(_l("委托照护协议"), describe_agreements),
             "integrity_entry": AuditTarget(_l("诚信档案记录"), describe_entries),
             "contact_log": AuditTarget(_l("亲子联系记录"), describe_contacts)},
    keys={"recipient": _l("告知书送往"), "child": _l("儿童"), "contact": _l("联系的孩子"),
          "party": _l("联系对象"), "contact_on": _l("联系日期"), "entry": _l("诚信档案记录")},
    values={"recipient": _RECIPIENTS,
            "party": _labels(CONTACT_PARTY_LABELS)},
    references={"child": "child", "contact": "contact_log", "entry": "integrity_entry"},
    sentences={"agreement.created": agreement_created,
               "contact.logged_on_behalf": contact_logged},
)
