"""The worker's guardianship pledges, for their own-data file (:mod:`plugin.privacy.subject_data`):
each pledge's dates, how it was signed, its status and the children it covers."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import local_today
from ..core.features import DataSection
from ..registry.models import Worker
from .models import SigningMethod
from .queries import pledges_of
from .rules import status_of

METHOD_WORDS = {SigningMethod.PAPER: _l("纸质签署"), SigningMethod.PHONE: _l("手机签署")}


def subject_data(worker: Worker) -> list[DataSection]:
    today = local_today()
    sections = []
    for pledge in pledges_of(worker.id):
        rows = [
            (_l("签署日期"), pledge.signed_on),
            (_l("签署方式"), METHOD_WORDS[pledge.method]),
            (_l("有效期至"), pledge.valid_until),
            (_l("状态"), status_of(pledge, today).label),
            (_l("承诺书涵盖的子女"), "、".join(child.name for child in pledge.children) or None),
            (_l("文本版本"), _("第 %(version)s 版", version=pledge.template.version)),
        ]
        if pledge.witness:
            rows.append((_l("见证人"), pledge.witness))
        if pledge.revoked_at:
            rows.append((_l("撤销原因"), pledge.revoke_reason))
        sections.append(DataSection(_("监护责任承诺书（%(date)s）", date=pledge.signed_on),
                                    tuple(rows)))
    return sections
