"""The lectures' part of the demo company (``carebridge seed-demo``): each site's lecture team,
lectures held over the last months and lectures coming up, one of them cancelled and one moved
(their officers are told, as in production). Attendance is the attendance feature's loader."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from ..core.features import DemoContext
from ..org.models import OrgKind
from .models import LectureFormat, LecturerKind, LectureTopic
from .services import (
    LecturerDetails,
    SessionDetails,
    cancel_session,
    create_lecturer,
    create_session,
    reschedule_session,
)

SEED = 20261117

#: (title, format, topics)
LECTURES = (
    ("防溺水安全宣讲：暑假前给孩子的六条提醒", LectureFormat.TALK, (LectureTopic.DROWNING,)),
    ("《未成年人保护法》与父母的监护责任", LectureFormat.EXPERT_COURSE,
     (LectureTopic.GUARDIANSHIP_LAW, LectureTopic.PROPER_GUARDIANSHIP)),
    ("家长学校：隔着屏幕怎么和孩子说话", LectureFormat.PARENTS_SCHOOL,
     (LectureTopic.PARENT_CHILD_COMMUNICATION,)),
    ("预防校园欺凌，家长能做什么", LectureFormat.DISCUSSION, (LectureTopic.BULLYING,)),
    ("儿童防性侵安全教育", LectureFormat.EXPERT_COURSE, (LectureTopic.SEXUAL_ASSAULT,)),
    ("好家风好家训分享会", LectureFormat.DISCUSSION, (LectureTopic.FAMILY_VIRTUES,)),
    ("儿童优先：留守儿童关爱政策解读", LectureFormat.TALK,
     (LectureTopic.CHILD_FIRST, LectureTopic.GUARDIANSHIP_LAW)),
    ("上学路上的交通安全", LectureFormat.VIDEO, (LectureTopic.TRAFFIC_SAFETY,)),
)
VENUES = ("生活区会议室", "工地夜校教室", "职工食堂", "项目部二楼培训室")
FACTORY_VENUES = ("厂区培训室", "职工之家", "二号车间休息区")
#: (name, kind, affiliation, phone)
LECTURERS = (
    ("陈律师", LecturerKind.EXPERT, "广东卓信律师事务所", "13922001122"),
    ("马社工", LecturerKind.SOCIAL_WORKER, "阳光社会工作服务中心", "13711223344"),
    ("周书记", LecturerKind.CADRE, "项目党支部", None),
    ("刘老师", LecturerKind.VOLUNTEER, "团市委青年志愿者协会", "15800112233"),
)
#: Lectures per site: held (days ago) and coming (days ahead).
HELD_DAYS_AGO = (118, 83, 55, 26, 9)
COMING_DAYS_AHEAD = (4, 12, 25)


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    zone = ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: unit.path)
    actor = context.actor
    for site_number, site in enumerate(sites):
        team = []
        for offset in range(2):
            name, kind, affiliation, phone = LECTURERS[(site_number + offset) % len(LECTURERS)]
            team.append(create_lecturer(LecturerDetails(
                name=name, kind=kind, unit=site, affiliation=affiliation, phone=phone),
                actor=actor))
        venues = FACTORY_VENUES if "厂" in site.name else VENUES
        coming = []
        for number, days in enumerate(HELD_DAYS_AGO + COMING_DAYS_AHEAD):
            past = number < len(HELD_DAYS_AGO)
            title, format_, topics = LECTURES[(site_number * 3 + number) % len(LECTURES)]
            day = context.today + timedelta(days=-days if past else days)
            starts_at = datetime.combine(day, time(19, 30) if number % 3 else time(12, 30),
                                         tzinfo=zone)
            lecture = create_session(SessionDetails(
                title=title, format=format_, unit=site, venue=rng.choice(venues), topics=topics,
                lecturer_ids=[team[number % len(team)].id],
                brochures_handed_out=rng.randint(30, 90) if past else 0,
                description="请各班组长提前通知工友，准时参加。" if not past else None),
                starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90), actor=actor)
            if not past:
                coming.append(lecture)
        if site_number == 0:
            cancel_session(coming[-1], "与混凝土浇筑夜班冲突，另行安排", actor=actor)
        if site_number == 1:
            moved = coming[0]
            reschedule_session(moved, starts_at=moved.starts_at + timedelta(days=2),
                               ends_at=moved.ends_at + timedelta(days=2),
                               reason="台风预警，推迟两天", actor=actor)
