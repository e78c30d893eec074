"""The care team of the demo company (``carebridge seed-demo``), made through the services: at each
of the two demo sites (the project's and the factory's) a staff member, volunteers (one who left
the team) and a purchased-service social worker, with their trainings; services to a few families
and their children; a model guardian nominated and one awarded (written into the worker's
integrity record), an outstanding volunteer awarded and a collective."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..access.scope import Scope
from ..core.features import DemoContext
from ..org.models import OrgKind
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, children_of, search_workers
from . import commendations, members, service_records
from .models import CommendationCategory, Engagement, MemberKind, ServiceKind

#: The two demo sites whose care teams are loaded: the site manager's and the factory's.
SITE_MANAGERS = ("site", "site2")

#: (kind, name, engagement, provider, specialties, weekdays, availability, days since joining)
PEOPLE = (
    (MemberKind.STAFF, "林晓燕", None, None, "家庭教育指导", (1, 3, 5), "工作日午休和晚上", 400),
    (MemberKind.VOLUNTEER, "马骏", None, "青年志愿服务队", "课业辅导（数学）", (6, 7), "周末", 300),
    (MemberKind.VOLUNTEER, "唐悦", None, "青年志愿服务队", "亲子沟通、绘本阅读", (6,), "周六下午",
     200),
    (MemberKind.SOCIAL_WORKER, "高敏", Engagement.PURCHASED, "阳光社会工作服务中心",
     "儿童心理辅导", (2, 4), "每周二、周四驻点", 250),
)
TRAININGS = (
    ("儿童心理危机识别与干预", 60, Decimal("6"), "市妇联"),
    ("留守儿童关爱服务实务", 20, Decimal("3.5"), "阳光社会工作服务中心"),
)
SERVICES = (
    (ServiceKind.COUNSELLING, 25,
     "与孩子视频通话，了解到孩子因父母不在身边情绪低落，进行了一次心理疏导。",
     "孩子愿意说出心里话，约定每两周通话一次。", 14),
    (ServiceKind.TUTORING, 12, "周末线上辅导孩子数学作业，讲解分数运算。",
     "作业完成情况明显好转。", None),
    (ServiceKind.SOCIAL_INTEGRATION, 5, "陪同随迁子女参加社区夏令营，结识新朋友。", None, 30),
)


def load(context: DemoContext) -> None:
    actor = context.actor
    union = context.accounts.get("union", actor)
    care = context.accounts.get("care", actor)
    scope = Scope.company()
    today = context.today
    team = {}
    for username in SITE_MANAGERS:
        site = _site_of(context, username)
        if site is None:
            continue
        team[username] = [_member(site, person, scope, care, today) for person in PEOPLE]
        # The second volunteer of each site left the team a month ago.
        left = team[username][2]
        members.update_member(left, _input_of(left, left_on=today - timedelta(days=30)),
                              scope=scope, actor=care, today=today)
        for title, days_ago, hours, provider in TRAININGS:
            held_on = today - timedelta(days=days_ago)
            for member in team[username]:
                if member.active_on(held_on):
                    members.record_training(member, members.TrainingInput(
                        title=title, held_on=held_on, hours=hours, provider=provider),
                        actor=care, today=today)
        families = _families(site)
        for (kind, days_ago, description, outcome, follow_up), (worker, children) in zip(
                SERVICES, families, strict=False):
            day = today - timedelta(days=days_ago)
            service_records.record_service(worker, service_records.ServiceInput(
                kind=kind, occurred_on=day,
                member_ids=[team[username][3].id if kind == ServiceKind.COUNSELLING
                            else team[username][1].id],
                child_ids=[children[0].id], description=description, outcome=outcome,
                follow_up_on=day + timedelta(days=follow_up) if follow_up else None),
                actor=care, today=today)
        if username == "site" and len(families) >= 2:
            _commendations(site, families, team[username], scope, union, today)
        elif families:  # the other site has a nomination waiting for the union's decision
            commendations.nominate(commendations.NominationInput(
                category=CommendationCategory.MODEL_GUARDIAN, awarding_body="集团工会",
                nominated_on=today - timedelta(days=3),
                employee_number=families[0][0].employee_number,
                reason="每周给孩子打电话，假期接孩子来厂里团聚，和学校老师保持联系。"),
                scope=scope, actor=union, today=today)


def _commendations(site, families, team, scope: Scope, union, today) -> None:
    awarded = commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.MODEL_GUARDIAN, awarding_body="集团工会",
        nominated_on=today - timedelta(days=40), employee_number=families[0][0].employee_number,
        reason="坚持每周与留守在老家的孩子视频通话，按时参加家长学校，孩子学习和生活状况良好。"),
        scope=scope, actor=union, today=today)
    commendations.decide(awarded, commendations.AWARD, awarded_on=today - timedelta(days=10),
                         note=None, actor=union, today=today)
    commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.MODEL_GUARDIAN, awarding_body="市妇联",
        nominated_on=today - timedelta(days=5), employee_number=families[1][0].employee_number,
        reason="主动与孩子的学校和村儿童主任保持联系，及时了解孩子在校情况。"),
        scope=scope, actor=union, today=today)
    volunteer = commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.OUTSTANDING_VOLUNTEER, awarding_body="集团团委",
        nominated_on=today - timedelta(days=40), member=team[1],
        reason="一年来坚持每周末为职工子女线上辅导功课，累计服务四十余次。"),
        scope=scope, actor=union, today=today)
    commendations.decide(volunteer, commendations.AWARD, awarded_on=today - timedelta(days=10),
                         note=None, actor=union, today=today)
    collective = commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.OUTSTANDING_COLLECTIVE, awarding_body="集团工会",
        nominated_on=today - timedelta(days=40), unit=site, collective_name="青年志愿服务队",
        reason="组建职工子女课业辅导和暑期陪伴小组，服务留守儿童和随迁子女近百人次。"),
        scope=scope, actor=union, today=today)
    commendations.decide(collective, commendations.AWARD, awarded_on=today - timedelta(days=10),
                         note=None, actor=union, today=today)


def _site_of(context: DemoContext, username: str):
    manager = context.accounts.get(username)
    for unit in sorted(context.units.values(), key=lambda unit: unit.path):
        if unit.kind == OrgKind.SITE and manager is not None \
                and unit.responsible_person == manager.name:
            return unit
    return None


def _member(site, person, scope: Scope, actor, today):
    kind, name, engagement, provider, specialties, days, note, since = person
    return members.add_member(members.MemberInput(
        unit=site, kind=kind, name=name, joined_on=today - timedelta(days=since),
        engagement=engagement, provider=provider, specialties=specialties,
        available_days=days, availability_note=note,
        phone=f"1390000{site.id % 100:02d}{len(name):02d}"),
        scope=scope, actor=actor, today=today)


def _input_of(member, **changes) -> members.MemberInput:
    values = dict(unit=member.org_unit, kind=member.kind, name=member.name,
                  joined_on=member.joined_on, engagement=member.engagement,
                  provider=member.provider,
                  employee_number=member.worker.employee_number if member.worker else None,
                  phone=member.phone, specialties=member.specialties,
                  available_days=member.weekdays, availability_note=member.availability_note,
                  left_on=member.left_on)
    values.update(changes)
    return members.MemberInput(**values)


def _families(site) -> list[tuple]:
    """Active workers of ``site`` with children, with those children (at most four)."""
    workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                             scope_paths=[site.path], per_page=200).items
    found = []
    for worker in workers:
        children = children_of(worker)
        if children:
            found.append((worker, children))
        if len(found) == 4:
            break
    return found
