"""Planning lecture sessions (create, edit, cancel, reschedule) and keeping the lecture team.

Services take plain values and model objects, check every rule (raising :class:`ValidationError`
naming the form field), flush, audit and never commit. Start and end times change only through
:func:`reschedule_session`, so the officers of the site are always told, and workers see the
notice on their phones.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from ..access.checks import has_permission
from ..access.queries import holders_of
from ..audit.services import record_event
from ..core.changes import apply_changes
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_code, clean_free_text, clean_person_name
from ..notifications.services import notify
from ..org.models import OrgUnit
from ..signals import lecture_cancelled, lecture_rescheduled
from .models import (
    Attendance,
    LectureFormat,
    Lecturer,
    LecturerKind,
    LectureSession,
    LectureSessionTopic,
    LectureTopic,
    SessionStatus,
)
from .periods import format_local
from .permissions import LECTURES_MANAGE, LECTURES_VIEW

TITLE_MAX = 200
VENUE_MAX = 200
REASON_MAX = 300
#: Check-in may open at most this long before the start and close this long after the end.
CHECK_IN_MINUTES_MAX = 240
#: Product rule: a session lasts at most a day, so a typo cannot open check-in for a week.
LONGEST_SESSION = timedelta(hours=24)
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")


@dataclass
class SessionDetails:
    """What a session form says apart from its times (which only :func:`reschedule_session` moves
    once the session exists)."""

    title: str | None
    format: LectureFormat | str | None
    unit: OrgUnit | None
    venue: str | None
    topics: Iterable[LectureTopic | str] = ()
    lecturer_ids: Iterable[int] = ()
    check_in_opens_minutes: int | None = 30
    check_in_closes_minutes: int | None = 30
    brochures_handed_out: int | None = 0
    description: str | None = None


@dataclass
class LecturerDetails:
    name: str | None
    kind: LecturerKind | str | None
    unit: OrgUnit | None
    affiliation: str | None = None
    phone: str | None = None
    active: bool = True


@dataclass
class _Checked:
    values: dict = field(default_factory=dict)
    topics: list[LectureTopic] = field(default_factory=list)
    lecturers: list[Lecturer] = field(default_factory=list)


# --- sessions ----------------------------------------------------------------------------------

def create_session(details: SessionDetails, *, starts_at: datetime | None, ends_at: datetime | None,
                   actor: Actor) -> LectureSession:
    checked = _check_details(details, actor, times=(starts_at, ends_at))
    lecture = LectureSession(**checked.values, starts_at=starts_at, ends_at=ends_at,
                             status=SessionStatus.SCHEDULED, code_key=secrets.token_hex(32),
                             created_by=actor.key)
    lecture.topic_links = [LectureSessionTopic(topic=topic) for topic in checked.topics]
    lecture.lecturers = checked.lecturers
    session.add(lecture)
    session.flush()
    record_event("lecture.created", actor, target_type="lecture", target_id=lecture.id,
                 org_unit_id=lecture.org_unit_id,
                 details={"title": lecture.title, "starts_at": starts_at.isoformat()})
    return lecture


def update_session(lecture: LectureSession, details: SessionDetails, *, actor: Actor) -> list[str]:
    """Change what a scheduled session is about; returns the names of the fields changed."""
    _check_may_manage(actor, lecture.org_unit, field_name=None)
    _check_not_cancelled(lecture)
    checked = _check_details(details, actor, current=lecture)
    changed = list(apply_changes(lecture, checked.values))
    if set(lecture.topics) != set(checked.topics):
        lecture.topic_links = [LectureSessionTopic(topic=topic) for topic in checked.topics]
        changed.append("topics")
    if {person.id for person in lecture.lecturers} != {person.id for person in checked.lecturers}:
        lecture.lecturers = checked.lecturers
        changed.append("lecturers")
    session.flush()
    if changed:
        record_event("lecture.updated", actor, target_type="lecture", target_id=lecture.id,
                     org_unit_id=lecture.org_unit_id, details={"fields": changed})
    return changed


def cancel_session(lecture: LectureSession, reason: str | None, *, actor: Actor) -> None:
    """Cancel a session (it is kept, with the reason) and tell the site's lecture officers.

    Refused once someone has a valid check-in: the statistics would count a lecture as both held
    and cancelled. Annul the check-ins first if the lecture really did not take place.
    """
    _check_may_manage(actor, lecture.org_unit, field_name=None)
    _check_not_cancelled(lecture)
    reason = _required_reason(reason, N_("请填写取消原因"))
    has_attendance = session.execute(select(exists().where(
        Attendance.session_id == lecture.id, Attendance.annulled_at.is_(None)))).scalar()
    if has_attendance:
        raise ValidationError("已有有效签到的宣讲不能取消；如确未举行，请先作废签到记录")
    lecture.status = SessionStatus.CANCELLED
    lecture.cancelled_at = utcnow()
    lecture.cancel_reason = reason
    session.flush()
    record_event("lecture.cancelled", actor, target_type="lecture", target_id=lecture.id,
                 org_unit_id=lecture.org_unit_id, details={"reason": reason})
    _notify_officers(lecture, actor, N_("宣讲已取消：%(title)s"),
                     N_("原定 %(starts)s 在 %(venue)s 举行。取消原因：%(reason)s"),
                     {"starts": format_local(lecture.starts_at), "reason": reason},
                     category="lectures.cancelled")
    lecture_cancelled.send(current_app._get_current_object(), lecture=lecture, actor=actor)


def reschedule_session(lecture: LectureSession, *, starts_at: datetime | None,
                       ends_at: datetime | None, reason: str | None, actor: Actor) -> None:
    """Move a session that has not started yet; the officers are told, workers see a notice."""
    _check_may_manage(actor, lecture.org_unit, field_name=None)
    _check_not_cancelled(lecture)
    if lecture.starts_at <= utcnow():
        raise ValidationError("宣讲已经开始，不能改期")
    _check_times(starts_at, ends_at)
    if (starts_at, ends_at) == (lecture.starts_at, lecture.ends_at):
        raise ValidationError("新的时间与原定时间相同", field="starts_at")
    reason = _required_reason(reason, N_("请填写改期原因"))
    previous = lecture.starts_at
    lecture.previous_starts_at = previous
    lecture.starts_at, lecture.ends_at = starts_at, ends_at
    lecture.rescheduled_at = utcnow()
    lecture.reschedule_reason = reason
    session.flush()
    record_event("lecture.rescheduled", actor, target_type="lecture", target_id=lecture.id,
                 org_unit_id=lecture.org_unit_id,
                 details={"from": previous.isoformat(), "to": starts_at.isoformat(),
                          "reason": reason})
    _notify_officers(lecture, actor, N_("宣讲改期：%(title)s"),
                     N_("由 %(previous)s 改为 %(starts)s（%(venue)s）。改期原因：%(reason)s"),
                     {"previous": format_local(previous), "starts": format_local(starts_at),
                      "reason": reason}, category="lectures.rescheduled")
    lecture_rescheduled.send(current_app._get_current_object(), lecture=lecture,
                             previous_starts_at=previous, actor=actor)


def lecture_officers(unit: OrgUnit) -> list[str]:
    """User keys of everyone who sees the lectures of ``unit`` (a grant on it or above it)."""
    return holders_of(LECTURES_VIEW, unit)


def _notify_officers(lecture: LectureSession, actor: Actor, title: str, body: str, params: dict,
                     *, category: str) -> None:
    """The acting officer is left out: they know what they just did."""
    recipients = [key for key in lecture_officers(lecture.org_unit) if key != actor.key]
    notify(recipients, title, body=body, link=("carebridge.lectures.detail",
                                               {"session_id": lecture.id}), category=category,
           params={"title": lecture.title, "venue": lecture.venue, **params})


def _check_details(details: SessionDetails, actor: Actor, *,
                   current: LectureSession | None = None,
                   times: tuple[datetime | None, datetime | None] | None = None) -> _Checked:
    """Every field checked, and every error raised at once (:class:`InputInvalid`)."""
    errors = ErrorList()
    unit = details.unit
    if unit is None:
        errors.add(ValidationError("请选择举办单位", field="unit"))
    else:
        errors.collect(lambda: _check_may_manage(actor, unit, field_name="unit"))
    title = errors.collect(lambda: _required_text(details.title, "title", N_("请填写宣讲标题"),
                                                  TITLE_MAX))
    try:
        format_ = LectureFormat(details.format) if details.format else None
    except ValueError:
        format_ = None
    if format_ is None:
        errors.add(ValidationError("请选择宣讲形式", field="format"))
    venue = errors.collect(lambda: _required_text(details.venue, "venue", N_("请填写宣讲地点"),
                                                  VENUE_MAX))
    topics = errors.collect(lambda: _topics(details.topics))
    opens = errors.collect(lambda: _minutes(details.check_in_opens_minutes,
                                            "check_in_opens_minutes",
                                            N_("签到提前开放时间须在 0 到 %(max)s 分钟之间")))
    closes = errors.collect(lambda: _minutes(details.check_in_closes_minutes,
                                             "check_in_closes_minutes",
                                             N_("签到截止时间须在结束后 0 到 %(max)s 分钟之间")))
    brochures = details.brochures_handed_out or 0
    if brochures < 0:
        errors.add(ValidationError("发放宣传册数量不能为负数", field="brochures_handed_out"))
    lecturers = (errors.collect(lambda: _lecturers(details.lecturer_ids, unit, current))
                 if unit is not None else [])
    description = errors.collect(lambda: clean_free_text(details.description,
                                                         field="description", multiline=True))
    if times is not None:
        errors.collect(lambda: _check_times(*times))
    InputInvalid.raise_if_any(errors)
    values = {"title": title, "format": format_, "org_unit": unit, "venue": venue,
              "check_in_opens_minutes": opens, "check_in_closes_minutes": closes,
              "brochures_handed_out": brochures, "description": description}
    return _Checked(values=values, topics=topics, lecturers=lecturers)


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None:
        raise ValidationError("请填写开始时间", field="starts_at")
    if ends_at is None:
        raise ValidationError("请填写结束时间", field="ends_at")
    if ends_at <= starts_at:
        raise ValidationError("结束时间必须晚于开始时间", field="ends_at")
    if ends_at - starts_at > LONGEST_SESSION:
        raise ValidationError("一场宣讲不能超过 24 小时", field="ends_at")


def _check_may_manage(actor: Actor, unit: OrgUnit, *, field_name: str | None) -> None:
    if not has_permission(actor.key, LECTURES_MANAGE, unit):
        raise ValidationError("您无权管理“%(unit)s”的宣讲", field=field_name, unit=unit.name)


def _check_not_cancelled(lecture: LectureSession) -> None:
    if lecture.is_cancelled:
        raise ValidationError("这场宣讲已经取消")


def _required_text(value: str | None, field_name: str, missing: str, maximum: int, *,
                   clean=clean_free_text) -> str:
    text = clean(value, max_length=maximum, field=field_name)
    if not text:
        raise ValidationError(missing, field=field_name)
    return text


def _required_reason(value: str | None, missing: str) -> str:
    return _required_text(value, "reason", missing, REASON_MAX)


def _topics(values: Iterable[LectureTopic | str]) -> list[LectureTopic]:
    topics = []
    for value in values:
        try:
            topic = LectureTopic(value)
        except ValueError:
            raise ValidationError("未知的宣讲主题：%(value)s", field="topics",
                                  value=str(value)[:40]) from None
        if topic not in topics:
            topics.append(topic)
    if not topics:
        raise ValidationError("请至少选择一个宣讲主题", field="topics")
    return sorted(topics, key=lambda topic: topic.value)


def _minutes(value: int | None, field_name: str, message: str) -> int:
    if value is None or not 0 <= value <= CHECK_IN_MINUTES_MAX:
        raise ValidationError(message, field=field_name, max=CHECK_IN_MINUTES_MAX)
    return value


def _lecturers(ids: Iterable[int], unit: OrgUnit, current: LectureSession | None) -> list[Lecturer]:
    """Lecturers from the team of the unit, one of its ancestors or a unit below it. Someone
    already on the session may stay after being deactivated; newly chosen ones must be active."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = {lecturer.id: lecturer for lecturer in session.execute(
        select(Lecturer).where(Lecturer.id.in_(wanted))).scalars()}
    kept = {lecturer.id for lecturer in current.lecturers} if current is not None else set()
    lecturers = []
    for lecturer_id in wanted:
        lecturer = found.get(lecturer_id)
        if lecturer is None:
            raise ValidationError("所选宣讲员不存在", field="lecturers")
        if not lecturer.active and lecturer.id not in kept:
            raise ValidationError("宣讲员“%(name)s”已停用", field="lecturers", name=lecturer.name)
        if not (lecturer.org_unit.contains(unit) or unit.contains(lecturer.org_unit)):
            raise ValidationError("宣讲员“%(name)s”不属于“%(unit)s”及其上级或下级单位的宣讲团",
                                  field="lecturers", name=lecturer.name, unit=unit.name)
        lecturers.append(lecturer)
    return lecturers


def record_sign_in_sheet_download(lecture: LectureSession, kind: str, *, rows: int,
                                  actor: Actor) -> None:
    """A sign-in sheet names workers: every download is audited."""
    record_event("lecture.sign_in_sheet_downloaded", actor, target_type="lecture",
                 target_id=lecture.id, org_unit_id=lecture.org_unit_id,
                 details={"format": kind, "rows": rows})


# --- lecture team ------------------------------------------------------------------------------

def create_lecturer(details: LecturerDetails, *, actor: Actor) -> Lecturer:
    values = _check_lecturer(details, actor)
    lecturer = Lecturer(**values, active=True)
    session.add(lecturer)
    session.flush()
    record_event("lecturer.created", actor, target_type="lecturer", target_id=lecturer.id,
                 org_unit_id=lecturer.org_unit_id, details={"name": lecturer.name})
    return lecturer


def update_lecturer(lecturer: Lecturer, details: LecturerDetails, *, actor: Actor) -> list[str]:
    """Edit a team member, deactivate or reactivate them (lecturers are never deleted: past
    sessions keep naming them)."""
    _check_may_manage(actor, lecturer.org_unit, field_name=None)
    values = {**_check_lecturer(details, actor), "active": bool(details.active)}
    changed = list(apply_changes(lecturer, values))
    session.flush()
    if changed:
        deactivated = changed == ["active"] and not lecturer.active
        action = "lecturer.deactivated" if deactivated else "lecturer.updated"
        record_event(action, actor, target_type="lecturer", target_id=lecturer.id,
                     org_unit_id=lecturer.org_unit_id, details={"fields": changed})
    return changed


def deactivate_lecturer(lecturer: Lecturer, *, actor: Actor) -> None:
    _check_may_manage(actor, lecturer.org_unit, field_name=None)
    if not lecturer.active:
        return
    lecturer.active = False
    session.flush()
    record_event("lecturer.deactivated", actor, target_type="lecturer", target_id=lecturer.id,
                 org_unit_id=lecturer.org_unit_id, details={"fields": ["active"]})


def _check_lecturer(details: LecturerDetails, actor: Actor) -> dict:
    """Every field checked, and every error raised at once (:class:`InputInvalid`)."""
    errors = ErrorList()
    if details.unit is None:
        errors.add(ValidationError("请选择所属单位", field="unit"))
    else:
        errors.collect(lambda: _check_may_manage(actor, details.unit, field_name="unit"))
    name = errors.collect(lambda: _required_text(details.name, "name", N_("请填写姓名"), 100,
                                                 clean=clean_person_name))
    try:
        kind = LecturerKind(details.kind) if details.kind else None
    except ValueError:
        kind = None
    if kind is None:
        errors.add(ValidationError("请选择宣讲员类别", field="kind"))
    phone = errors.collect(lambda: clean_code(details.phone, field="phone"))
    if phone is not None and not PHONE_PATTERN.match(phone):
        errors.add(ValidationError("电话号码格式不正确", field="phone"))
    affiliation = errors.collect(lambda: clean_free_text(details.affiliation, max_length=200,
                                                         field="affiliation"))
    InputInvalid.raise_if_any(errors)
    return {"name": name, "kind": kind, "org_unit": details.unit, "affiliation": affiliation,
            "phone": phone}
