"""How the audit log reads lecture events: sessions by their title and date, lecturers by their
masked names, each linked for those who may open it, and a session's changed fields by label."""
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
from .models import Lecturer, LectureSession
from .permissions import LECTURES_MANAGE, LECTURES_VIEW


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def describe_lectures(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Sessions as "title (date)", linked for readers who see lectures at the session's unit."""
    rows = session.execute(
        select(LectureSession.id, LectureSession.title, LectureSession.starts_at, OrgUnit)
        .join(OrgUnit, OrgUnit.id == LectureSession.org_unit_id)
        .where(LectureSession.id.in_(_ints(ids)))).all()
    return {str(lecture_id): Named(
                _("%(title)s（%(date)s）", title=title, date=format_date(starts_at)),
                url_for("carebridge.lectures.detail", session_id=lecture_id)
                if has_permission(reader_key, LECTURES_VIEW, unit) else None)
            for lecture_id, title, starts_at, unit in rows}


def describe_lecturers(ids: list[str], reader_key: str | None) -> dict[str, Named]:
    """Lecturers by masked name, linked (to their form) for those who manage the team there."""
    rows = session.execute(
        select(Lecturer.id, Lecturer.name, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Lecturer.org_unit_id)
        .where(Lecturer.id.in_(_ints(ids)))).all()
    return {str(lecturer_id): Named(
                mask_name(name),
                url_for("carebridge.lectures.edit_lecturer", lecturer_id=lecturer_id)
                if has_permission(reader_key, LECTURES_MANAGE, unit) else None)
            for lecturer_id, name, unit in rows}


def lecturer_created(details, phrase) -> list[str]:
    """``lecturer.created``: the new lecturer's name (a person's, so masked, and labelled 姓名
    rather than the shared 名称)."""
    sentences = []
    for key, value in details.items():
        if key == "name" and value:
            sentences.append(_("%(label)s：%(value)s", label=_("姓名"), value=mask_name(value)))
        elif text := phrase(key, value):
            sentences.append(text)
    return sentences


AUDIT_TEXT = AuditText(
    targets={"lecture": AuditTarget(_l("宣讲活动"), describe_lectures),
             "lecturer": AuditTarget(_l("宣讲员"), describe_lecturers)},
    values={"format": {"pdf": _l("PDF 文件"), "xlsx": _l("Excel 表格")}},
    fields={
        "lecture": {"title": _l("宣讲标题"), "format": _l("宣讲形式"), "org_unit": _l("举办单位"),
                    "venue": _l("地点"), "topics": _l("宣讲主题"), "lecturers": _l("宣讲员"),
                    "check_in_opens_minutes": _l("签到提前开放时间"),
                    "check_in_closes_minutes": _l("签到截止时间"),
                    "brochures_handed_out": _l("发放宣传册数量"), "description": _l("内容简介"),
                    "starts_at": _l("开始时间"), "ends_at": _l("结束时间")},
        "lecturer": {"name": _l("姓名"), "kind": _l("类别"), "org_unit": _l("所属单位"),
                     "affiliation": _l("工作单位或部门"), "phone": _l("联系电话"),
                     "active": _l("在宣讲团中")},
    },
    sentences={"lecturer.created": lecturer_created},
)
