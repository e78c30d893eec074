"""What guardianship holds about a worker, for their own-data file
(:mod:`plugin.privacy.subject_data`): entrusted-care agreements naming them as a parent (the
carer's phone and ID number masked), their contact log with children and carers, and their
integrity record (commendations, admonitions and pledge events)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.db import session
from ..core.features import DataSection
from ..privacy.masking import mask_id_number, mask_phone
from ..registry.models import Worker
from .labels import INTEGRITY_LABELS
from .models import ContactLog, IntegrityEntry
from .queries import agreements_of


def _agreements(worker: Worker) -> list[DataSection]:
    sections = []
    for agreement in agreements_of(worker):
        sections.append(DataSection(
            _("委托照护协议（%(start)s 至 %(end)s）", start=agreement.starts_on,
              end=agreement.ends_on), (
                (_l("子女"), "、".join(child.name for child in agreement.children) or None),
                (_l("受托人"), agreement.carer_name),
                (_l("与子女关系"), agreement.carer_relation),
                (_l("受托人电话"), mask_phone(agreement.carer_phone)),
                (_l("受托人身份证号码"), mask_id_number(agreement.carer_id_number)
                 if agreement.carer_id_number else None),
                (_l("受托人住址"), agreement.carer_address),
                (_l("照护职责"), agreement.duties),
                (_l("每周与孩子联系次数"), agreement.child_contacts_per_week),
                (_l("每周与受托人联系次数"), agreement.carer_contacts_per_week),
                (_l("签署方式"), agreement.method.label),
                (_l("签署日期"), agreement.signed_on),
                (_l("状态"), agreement.status.label),
                (_l("结束日期"), agreement.closed_on),
            )))
    return sections


def _contacts(worker: Worker) -> list[DataSection]:
    logs = session.execute(select(ContactLog).where(ContactLog.worker_id == worker.id)
                           .order_by(ContactLog.contact_on, ContactLog.id)).scalars().all()
    if not logs:
        return []
    return [DataSection(_l("亲子联系记录"), tuple(
        (log.contact_on, "；".join(part for part in (
            _("%(party)s（%(child)s）· %(kind)s", party=log.party.label, child=log.child.name,
              kind=log.kind.label), log.note) if part))
        for log in logs))]


def _integrity(worker: Worker) -> list[DataSection]:
    entries = session.execute(select(IntegrityEntry).where(IntegrityEntry.worker_id == worker.id)
                              .order_by(IntegrityEntry.occurred_on, IntegrityEntry.id)).scalars()
    rows = tuple((entry.occurred_on, "；".join(part for part in (
        str(INTEGRITY_LABELS[entry.kind]), entry.reason) if part)) for entry in entries)
    return [DataSection(_l("职工诚信记录"), rows)] if rows else []


def subject_data(worker: Worker) -> list[DataSection]:
    return _agreements(worker) + _contacts(worker) + _integrity(worker)
