"""The lectures a worker attended (their check-ins), for their own-data file
(:mod:`plugin.privacy.subject_data`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.db import session
from ..core.features import DataSection
from ..registry.models import Worker
from .models import Attendance, LectureSession


def subject_data(worker: Worker) -> list[DataSection]:
    rows = session.execute(
        select(LectureSession.title, LectureSession.venue, Attendance.checked_in_at)
        .join(Attendance, Attendance.session_id == LectureSession.id)
        .where(Attendance.worker_id == worker.id, Attendance.annulled_at.is_(None))
        .order_by(Attendance.checked_in_at)).all()
    if not rows:
        return []
    return [DataSection(_l("宣讲签到记录"), tuple(
        (checked_in_at, f"{title}（{venue}）") for title, venue, checked_in_at in rows))]
