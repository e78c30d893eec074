"""A company for the risk-report tests, and concerns raised through the real services.

The tree: 测试建工集团 (root) → 第一工程局 (bureau) → 长江大桥项目部 (site) → 钢筋班 (team), and
黄河项目部 (another site under the bureau). Users hold their roles where the role says::

    world = make_world(make_unit, make_worker, make_child, make_user)
    report = raise_for_child(world)            # the worker's child, from the registry
    report = raise_described(world, anonymous=True)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.risk_reports import services
from plugin.risk_reports.models import LearnedHow, ReporterKind, Situation

#: Strings of the worker who reports from the phone: none may reach an officer when anonymous.
REPORTER_NAME = "举报人赵小兰"
REPORTER_NUMBER = "R7001"
REPORTER_PHONE = "13912345678"
FACTS = "孩子一个人在家已经三天，没有大人照顾。"


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


@dataclass
class World:
    root: object
    bureau: object
    site: object
    team: object
    other_site: object
    worker: object
    child: object
    reporter: object
    site_manager: object
    care_worker: object
    admin: object
    union_officer: object
    auditor: object
    hr: object
    other_manager: object


def make_world(make_unit, make_worker, make_child, make_user) -> World:
    root = get_root_unit()
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    site = make_unit(parent=bureau, name="长江大桥项目部")
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班")
    other_site = make_unit(parent=bureau, name="黄河项目部")
    worker = make_worker(team, name="冯长江", employee_number="E5001")
    child = make_child(worker, name="冯小雨", hukou_region_code="511321")
    reporter = make_worker(other_site, name=REPORTER_NAME, employee_number=REPORTER_NUMBER,
                           phone=REPORTER_PHONE)
    return World(
        root=root, bureau=bureau, site=site, team=team, other_site=other_site, worker=worker,
        child=child, reporter=reporter,
        site_manager=make_user(Role.SITE_MANAGER, site, name="钱经理"),
        care_worker=make_user(Role.CARE_WORKER, bureau, name="周社工"),
        admin=make_user(Role.ADMIN, name="李总"),
        union_officer=make_user(Role.UNION_OFFICER, root, name="孙干事"),
        auditor=make_user(Role.AUDITOR, root, name="吴审计"),
        hr=make_user(Role.HR_OFFICER, site, name="郑人事"),
        other_manager=make_user(Role.SITE_MANAGER, other_site, name="何经理"))


def concern(**overrides) -> services.ConcernInput:
    values = dict(situation=Situation.ALONE, facts=FACTS,
                  learned_at=utcnow() - timedelta(minutes=30),
                  learned_how=LearnedHow.PHONE_OR_VIDEO)
    values.update(overrides)
    return services.ConcernInput(**values)


def raise_for_child(world: World, *, by=None, **overrides):
    """A concern about the worker's registered child, raised by staff (default: HR)."""
    actor = actor_of(by or world.hr)
    report = services.raise_concern(concern(**{"child_id": world.child.id, **overrides}),
                                    reporter=actor, reporter_kind=ReporterKind.STAFF,
                                    worker=world.worker, children=[world.child])
    session.flush()
    return report


def raise_described(world: World, *, anonymous: bool = False, site=None, **overrides):
    """A concern about a child described by the reporting worker on their phone."""
    from plugin.worker_access.services import worker_actor

    reporter = services.REPORTER if anonymous else worker_actor(world.reporter)
    values = dict(child_name="小军", parent="冯长江", child_location="四川省南充市某某镇某某村",
                  site_id=(site or world.site).id, anonymous=anonymous)
    values.update(overrides)
    report = services.raise_concern(concern(**values), reporter=reporter,
                                    reporter_kind=ReporterKind.WORKER)
    session.flush()
    return report


def audited(action: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == action))
