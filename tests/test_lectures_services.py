from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.lectures import services
from plugin.lectures.models import (
    LectureFormat,
    Lecturer,
    LecturerKind,
    LectureSession,
    LectureTopic,
    SessionStatus,
)
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind
from plugin.signals import lecture_cancelled, lecture_rescheduled

from .lectures_support import AFTERNOON, actor_of, attend, make_lecture, make_lecturer


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部"), make_unit(OrgKind.SITE, name="后海项目部")


@pytest.fixture
def manager(sites, make_user):
    return actor_of(make_user(Role.SITE_MANAGER, sites[0], name="王经理"))


def details(site, **changes) -> services.SessionDetails:
    values = services.SessionDetails(
        title="家长学校第一课", format=LectureFormat.PARENTS_SCHOOL, unit=site, venue="二号食堂",
        topics=[LectureTopic.GUARDIANSHIP_LAW, LectureTopic.PARENT_CHILD_COMMUNICATION])
    return replace(values, **changes)


def actions(target_type):
    return list(session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == target_type).order_by(AuditEvent.id)).scalars())


def test_a_session_is_created_with_topics_lecturers_and_a_random_code_key(sites, manager, company, clock):
    expert = make_lecturer(company, "陈律师")
    team_member = make_lecturer(sites[0], "李班长", LecturerKind.WORKER)
    lecture = services.create_session(
        details(sites[0], lecturer_ids=[expert.id, team_member.id], topics=["drowning", "child_first", "drowning"]),
        starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=2), actor=manager)
    assert lecture.topics == [LectureTopic.CHILD_FIRST, LectureTopic.DROWNING]
    assert {lecturer.name for lecturer in lecture.lecturers} == {"陈律师", "李班长"}
    assert len(lecture.code_key) == 64 and int(lecture.code_key, 16) >= 0
    assert lecture.check_in_window() == (AFTERNOON - timedelta(minutes=30), AFTERNOON + timedelta(hours=2, minutes=30))
    assert lecture.status == SessionStatus.SCHEDULED and not lecture.is_cancelled
    assert lecture.created_by == manager.key
    assert actions("lecture") == ["lecture.created"]
    other = services.create_session(details(sites[0]), starts_at=AFTERNOON,
                                    ends_at=AFTERNOON + timedelta(hours=1), actor=manager)
    assert other.code_key != lecture.code_key


def _bad(sites):
    inactive = make_lecturer(sites[0], "停用的人", active=False)
    return {
        "title": dict(title="  "),
        "format": dict(format=None),
        "venue": dict(venue=""),
        "topics": dict(topics=[]),
        "check_in_opens_minutes": dict(check_in_opens_minutes=241),
        "check_in_closes_minutes": dict(check_in_closes_minutes=-1),
        "brochures_handed_out": dict(brochures_handed_out=-3),
        "lecturers": dict(lecturer_ids=[inactive.id]),
        "unit": dict(unit=sites[1]),
        "no unit": dict(unit=None),
        "unknown topics": dict(topics=["weather"]),
        "unknown format": dict(format="concert"),
    }


@pytest.mark.parametrize("case", ["title", "format", "venue", "topics", "check_in_opens_minutes",
                                  "check_in_closes_minutes", "brochures_handed_out", "lecturers", "unit",
                                  "no unit", "unknown topics", "unknown format"])
def test_each_bad_field_is_named_and_nothing_is_stored(sites, manager, case):
    with pytest.raises(ValidationError) as error:
        services.create_session(details(sites[0], **_bad(sites)[case]), starts_at=AFTERNOON,
                                ends_at=AFTERNOON + timedelta(hours=1), actor=manager)
    assert error.value.field == case.split()[-1]
    assert session.execute(select(func.count()).select_from(LectureSession)).scalar_one() == 0


@pytest.mark.parametrize("starts, ends, field", [
    (None, AFTERNOON, "starts_at"),
    (AFTERNOON, None, "ends_at"),
    (AFTERNOON, AFTERNOON, "ends_at"),
    (AFTERNOON, AFTERNOON - timedelta(minutes=1), "ends_at"),
    (AFTERNOON, AFTERNOON + timedelta(hours=25), "ends_at"),
])
def test_times_must_make_sense(sites, manager, starts, ends, field):
    with pytest.raises(ValidationError) as error:
        services.create_session(details(sites[0]), starts_at=starts, ends_at=ends, actor=manager)
    assert error.value.field == field


def test_lecturers_come_from_the_units_above_or_below_the_site(sites, manager, company, make_unit):
    team = make_unit(OrgKind.TEAM, parent=sites[0], name="钢筋班")
    from_team = make_lecturer(team, "班组长")
    from_company = make_lecturer(company, "总部专家")
    elsewhere = make_lecturer(sites[1], "隔壁的人")
    lecture = services.create_session(details(sites[0], lecturer_ids=[from_team.id, from_company.id]),
                                      starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1), actor=manager)
    assert {lecturer.name for lecturer in lecture.lecturers} == {"班组长", "总部专家"}
    with pytest.raises(ValidationError, match="不属于") as error:
        services.create_session(details(sites[0], lecturer_ids=[elsewhere.id]), starts_at=AFTERNOON,
                                ends_at=AFTERNOON + timedelta(hours=1), actor=manager)
    assert error.value.field == "lecturers"
    with pytest.raises(ValidationError, match="不存在"):
        services.create_session(details(sites[0], lecturer_ids=[999999]), starts_at=AFTERNOON,
                                ends_at=AFTERNOON + timedelta(hours=1), actor=manager)


def test_update_changes_fields_keeps_a_deactivated_lecturer_and_is_audited(sites, manager):
    lecturer = make_lecturer(sites[0], "李班长")
    lecture = services.create_session(details(sites[0], lecturer_ids=[lecturer.id]), starts_at=AFTERNOON,
                                      ends_at=AFTERNOON + timedelta(hours=1), actor=manager)
    services.deactivate_lecturer(lecturer, actor=manager)
    changed = services.update_session(
        lecture, details(sites[0], title="家长学校第二课", topics=["bullying"], lecturer_ids=[lecturer.id],
                         brochures_handed_out=120), actor=manager)
    assert set(changed) == {"title", "topics", "brochures_handed_out"}
    assert lecture.title == "家长学校第二课" and lecture.topics == [LectureTopic.BULLYING]
    assert lecture.starts_at == AFTERNOON
    assert services.update_session(lecture, details(sites[0], title="家长学校第二课", topics=["bullying"],
                                                    lecturer_ids=[lecturer.id], brochures_handed_out=120),
                                   actor=manager) == []
    assert actions("lecture") == ["lecture.created", "lecture.updated"]


def test_nobody_manages_another_sites_session(sites, manager):
    other = make_lecture(sites[1])
    with pytest.raises(ValidationError):
        services.update_session(other, details(sites[0]), actor=manager)
    with pytest.raises(ValidationError):
        services.cancel_session(other, "不办了", actor=manager)
    with pytest.raises(ValidationError):
        services.reschedule_session(other, starts_at=AFTERNOON + timedelta(days=1),
                                    ends_at=AFTERNOON + timedelta(days=1, hours=1), reason="改时间", actor=manager)
    assert other.status == SessionStatus.SCHEDULED and other.starts_at == AFTERNOON


@pytest.fixture
def officers(sites, company, make_user):
    """Who sees the lectures of site 0: its care worker and the company's HR officer; not the
    other site's manager, nor the auditor."""
    return {
        "care": make_user(Role.CARE_WORKER, sites[0], name="关爱队员"),
        "hr": make_user(Role.HR_OFFICER, company, name="人事"),
        "other_site": make_user(Role.SITE_MANAGER, sites[1], name="隔壁经理"),
        "auditor": make_user(Role.AUDITOR, company, name="审计"),
    }


def notifications():
    return list(session.execute(select(Notification).order_by(Notification.id)).scalars())


def test_cancelling_keeps_the_session_tells_the_officers_and_is_audited(sites, manager, officers, clock):
    lecture = make_lecture(sites[0])
    received = []
    lecture_cancelled.connect(lambda sender, **kwargs: received.append(kwargs["lecture"].id), weak=False)
    try:
        services.cancel_session(lecture, " 台风预警 ", actor=manager)
    finally:
        lecture_cancelled.receivers.clear()
    assert lecture.is_cancelled and lecture.cancel_reason == "台风预警"
    assert lecture.cancelled_at == clock.now
    assert received == [lecture.id]
    notes = notifications()
    assert {note.recipient_key for note in notes} == {officers["care"].key, officers["hr"].key}
    assert notes[0].title == "宣讲已取消：防溺水安全宣讲"
    assert "2026-11-25 14:00" in notes[0].body and "台风预警" in notes[0].body
    assert notes[0].link == f"/lectures/{lecture.id}" and notes[0].category == "lectures.cancelled"
    assert actions("lecture") == ["lecture.cancelled"]
    with pytest.raises(ValidationError, match="已经取消"):
        services.cancel_session(lecture, "再取消", actor=manager)
    with pytest.raises(ValidationError, match="已经取消"):
        services.update_session(lecture, details(sites[0]), actor=manager)


def test_a_cancel_needs_a_reason(sites, manager):
    lecture = make_lecture(sites[0])
    with pytest.raises(ValidationError) as error:
        services.cancel_session(lecture, "  ", actor=manager)
    assert error.value.field == "reason" and not lecture.is_cancelled


def test_a_session_with_valid_check_ins_cannot_be_cancelled(sites, manager, make_worker):
    lecture = make_lecture(sites[0])
    first, second = make_worker(sites[0]), make_worker(sites[0])
    attend(lecture, first, annulled=True)
    attend(lecture, second)
    with pytest.raises(ValidationError, match="有效签到"):
        services.cancel_session(lecture, "没人来", actor=manager)
    assert not lecture.is_cancelled and notifications() == []


def test_an_annulled_check_in_does_not_block_cancelling(sites, manager, make_worker):
    lecture = make_lecture(sites[0])
    attend(lecture, make_worker(sites[0]), annulled=True)
    services.cancel_session(lecture, "讲师生病", actor=manager)
    assert lecture.is_cancelled


def test_rescheduling_moves_the_times_and_tells_the_officers(sites, manager, officers, clock):
    lecture = make_lecture(sites[0])
    moved = []
    lecture_rescheduled.connect(lambda sender, **kwargs: moved.append(kwargs["previous_starts_at"]), weak=False)
    new_start = AFTERNOON + timedelta(days=2)
    try:
        services.reschedule_session(lecture, starts_at=new_start, ends_at=new_start + timedelta(hours=1),
                                    reason="与安全检查冲突", actor=manager)
    finally:
        lecture_rescheduled.receivers.clear()
    assert moved == [AFTERNOON]
    assert lecture.starts_at == new_start and lecture.previous_starts_at == AFTERNOON
    assert lecture.rescheduled_at == clock.now and lecture.reschedule_reason == "与安全检查冲突"
    assert lecture.check_in_window()[0] == new_start - timedelta(minutes=30)
    notes = notifications()
    assert {note.recipient_key for note in notes} == {officers["care"].key, officers["hr"].key}
    assert notes[0].title == "宣讲改期：防溺水安全宣讲"
    assert "2026-11-25 14:00" in notes[0].body and "2026-11-27 14:00" in notes[0].body
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "lecture.rescheduled")).scalar_one()
    assert event.details["reason"] == "与安全检查冲突" and event.target_id == str(lecture.id)


@pytest.mark.parametrize("starts_offset, reason, field, message", [
    (timedelta(days=1), "", "reason", "改期原因"),
    (timedelta(0), "同一时间", "starts_at", "相同"),
    (timedelta(days=1), None, "reason", "改期原因"),
])
def test_reschedule_errors(sites, manager, clock, starts_offset, reason, field, message):
    lecture = make_lecture(sites[0])
    with pytest.raises(ValidationError, match=message) as error:
        services.reschedule_session(lecture, starts_at=AFTERNOON + starts_offset,
                                    ends_at=AFTERNOON + starts_offset + timedelta(hours=2), reason=reason,
                                    actor=manager)
    assert error.value.field == field and lecture.starts_at == AFTERNOON


def test_a_started_session_cannot_be_rescheduled(sites, manager, clock):
    lecture = make_lecture(sites[0], starts_at=clock.now - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="已经开始"):
        services.reschedule_session(lecture, starts_at=clock.now + timedelta(days=1),
                                    ends_at=clock.now + timedelta(days=1, hours=1), reason="晚点", actor=manager)


def test_the_lecture_team_is_kept_never_deleted(sites, manager):
    lecturer = services.create_lecturer(services.LecturerDetails(
        name=" 张社工 ", kind="social_worker", unit=sites[0], affiliation="阳光社工站", phone="0755-8888 1234"),
        actor=manager)
    assert lecturer.name == "张社工" and lecturer.active
    changed = services.update_lecturer(lecturer, services.LecturerDetails(
        name="张社工", kind=LecturerKind.SOCIAL_WORKER, unit=sites[0], affiliation="阳光社工站",
        phone="13800138000"), actor=manager)
    assert changed == ["phone"]
    services.deactivate_lecturer(lecturer, actor=manager)
    services.deactivate_lecturer(lecturer, actor=manager)
    assert not lecturer.active
    services.update_lecturer(lecturer, services.LecturerDetails(
        name="张社工", kind="social_worker", unit=sites[0], affiliation="阳光社工站", phone="13800138000",
        active=True), actor=manager)
    assert lecturer.active
    assert actions("lecturer") == ["lecturer.created", "lecturer.updated", "lecturer.deactivated",
                                   "lecturer.updated"]
    assert session.execute(select(func.count()).select_from(Lecturer)).scalar_one() == 1


@pytest.mark.parametrize("changes, field", [
    (dict(name=""), "name"), (dict(kind="boss"), "kind"), (dict(phone="call me"), "phone"),
    (dict(unit=None), "unit"), (dict(affiliation="x" * 201), "affiliation"),
])
def test_lecturer_errors_name_the_field(sites, manager, changes, field):
    values = dict(name="张社工", kind="volunteer", unit=sites[0], affiliation=None, phone=None)
    with pytest.raises(ValidationError) as error:
        services.create_lecturer(services.LecturerDetails(**{**values, **changes}), actor=manager)
    assert error.value.field == field


def test_a_site_manager_cannot_add_to_another_sites_team(sites, manager):
    with pytest.raises(ValidationError) as error:
        services.create_lecturer(services.LecturerDetails(name="外人", kind="volunteer", unit=sites[1]),
                                 actor=manager)
    assert error.value.field == "unit"
