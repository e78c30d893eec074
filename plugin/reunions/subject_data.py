"""The worker's holiday-reunion applications, for their own-data file
(:mod:`plugin.privacy.subject_data`): campaign, trip, status, and each traveller with a masked ID
number and the ticket."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.features import DataSection
from ..core.money import format_yuan
from ..privacy.masking import mask_id_number
from ..registry.models import Worker
from .queries import applications_of_worker


def _traveller(traveller) -> str:
    parts = [f"{traveller.name}（{traveller.kind.label}）"]
    if traveller.id_number:
        parts.append(_("身份证 %(number)s", number=mask_id_number(traveller.id_number)))
    if traveller.ticket_number:
        parts.append(_("票号 %(number)s", number=traveller.ticket_number))
    if traveller.service_number:
        parts.append(" ".join(part for part in (traveller.service_number, traveller.seat)
                              if part))
    return " · ".join(parts)


def subject_data(worker: Worker) -> list[DataSection]:
    sections = []
    for application in applications_of_worker(worker.id):
        rows = [
            (_l("状态"), application.status.label),
            (_l("出发地"), application.from_place),
            (_l("目的地"), application.to_place),
            (_l("出发日期"), application.depart_on),
            (_l("返回日期"), application.return_on),
            (_l("出行方式"), application.travel_mode.label),
            (_l("补贴（元）"), format_yuan(application.subsidy_fen)),
            (_l("申请时间"), application.applied_at),
        ]
        if application.reject_reason:
            rows.append((_l("原因"), application.reject_reason))
        rows += [(_l("出行人"), _traveller(traveller)) for traveller in application.travellers]
        sections.append(DataSection(application.campaign.name, tuple(rows)))
    return sections
