"""What work near home holds about a worker, for their own-data file
(:mod:`plugin.privacy.subject_data`): their transfer requests, what they wrote and each
outcome."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.dates import format_date
from ..core.features import DataSection
from ..registry.models import Worker
from .queries import requests_of_worker


def subject_data(worker: Worker) -> list[DataSection]:
    rows = []
    for request in reversed(requests_of_worker(worker.id)):
        details = [f"{request.opening.org_unit.name} · {request.opening.trade}",
                   str(request.status.label)]
        if request.effective_on is not None:
            details.append(f"{_l('到岗日期')} {format_date(request.effective_on)}")
        if request.note:
            details.append(request.note)
        if request.reason:
            details.append(request.reason)
        rows.append((format_date(request.requested_on), " · ".join(details)))
    return [DataSection(_l("调动申请"), tuple(rows))] if rows else []
