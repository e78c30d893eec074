"""The notices sent to a worker's phone, for their own-data file
(:mod:`plugin.privacy.subject_data`): when, what they said, and whether they were opened."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.db import session
from ..core.features import DataSection
from ..registry.models import Worker
from .messages import notice_text
from .models import WorkerNotice


def subject_data(worker: Worker) -> list[DataSection]:
    notices = session.execute(select(WorkerNotice).where(WorkerNotice.worker_id == worker.id)
                              .order_by(WorkerNotice.created_at, WorkerNotice.id)).scalars()
    rows = tuple((notice.created_at, notice_text(notice.kind, notice.params)
                  + ("" if notice.read_at else _("（未读）"))) for notice in notices)
    return [DataSection(_l("手机提醒"), rows)] if rows else []
