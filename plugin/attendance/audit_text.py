"""How the audit log reads attendance events: the lecture session by its title and date (as the
lectures feature names it), the worker by masked name, an annulled check-in by its time and how
it was taken."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.text import AuditTarget, AuditText, Named
from ..core.dates import format_datetime
from ..core.db import session
from ..lectures.audit_text import describe_lectures
from ..lectures.models import CHECK_IN_METHOD_LABELS, Attendance

_METHODS = {method.value: label for method, label in CHECK_IN_METHOD_LABELS.items()}


def describe_check_ins(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Check-ins by the time the worker was there (the worker and session are named beside)."""
    rows = session.execute(select(Attendance.id, Attendance.checked_in_at).where(
        Attendance.id.in_([int(i) for i in ids if str(i).isdigit()]))).all()
    return {str(attendance_id): Named(format_datetime(checked_in_at))
            for attendance_id, checked_in_at in rows}


def annulled(details, phrase) -> list[str]:
    """``attendance.annulled``: the check-in's method reads as a check-in method (the shared
    ``method`` key means a signing method elsewhere)."""
    sentences = []
    for key, value in details.items():
        if key == "method" and value:
            sentences.append(_("%(label)s：%(value)s", label=_("签到方式"),
                               value=str(_METHODS.get(value, value))))
        elif text := phrase(key, value):
            sentences.append(text)
    return sentences


AUDIT_TEXT = AuditText(
    targets={"lecture_session": AuditTarget(_l("宣讲活动"), describe_lectures),
             "check_in": AuditTarget(_l("签到记录"), describe_check_ins)},
    keys={"attendance_id": _l("签到时间")},
    references={"attendance_id": "check_in"},
    sentences={"attendance.annulled": annulled},
)
