"""Risk reports of the demo company (``carebridge seed-demo``), made through the services: a case
closed weeks ago (reported to the police in the first hour, Civil Affairs and the child director
told, two follow-ups, the father admonished), an open case in the middle of its follow-up, and
one raised anonymously from a phone this morning that nobody reported to the police, escalated by
the job. The services stamp "now"; the demo then moves each case's own moments into the past, as
if it had been raised then."""
from __future__ import annotations

from datetime import timedelta

from ..core.clock import utcnow
from ..core.db import session
from ..core.features import DemoContext
from ..org.models import OrgKind
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, children_of, search_workers
from . import services
from .escalation import escalate_overdue
from .models import (
    Care,
    FollowUpAction,
    LearnedHow,
    NoticeMethod,
    NoticeRecipient,
    Outcome,
    ReporterKind,
    Safety,
    Situation,
)


def load(context: DemoContext) -> None:
    manager = context.accounts.get("site")
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: (manager is None
                                     or unit.responsible_person != manager.name, unit.path))
    if not sites:
        return
    site = sites[0]
    workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                             scope_paths=[site.path], per_page=200).items
    families = [(worker, children) for worker in workers
                if (children := children_of(worker))][-3:]
    if len(families) < 3:
        return
    care = context.accounts.get("care", context.actor)
    officer = context.accounts.get("site", context.actor)
    now = utcnow()
    _closed_case(families[0], care, officer, now)
    _open_case(families[1], care, now)
    _escalated_case(families[2], site, now)
    # An open case at the second demo site manager's site, raised by the administrator the demo
    # acts as.
    second = context.accounts.get("site2")
    for other in [unit for unit in sites[1:] if second is not None
                  and unit.responsible_person == second.name][:1]:
        workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                                 scope_paths=[other.path], per_page=200).items
        family = next(((worker, children) for worker in reversed(workers)
                       if (children := children_of(worker))), None)
        if family is not None:
            _open_case(family, context.actor, now)


def _backdate(report, hours: float) -> None:
    shift = timedelta(hours=hours)
    report.learned_at -= shift
    report.raised_at -= shift
    report.police_due_at -= shift
    session.flush()


def _closed_case(family, reporter, officer, now) -> None:
    worker, children = family
    report = services.raise_concern(services.ConcernInput(
        situation=Situation.ALONE, learned_at=now - timedelta(minutes=20),
        learned_how=LearnedHow.PHONE_OR_VIDEO, child_id=children[0].id,
        facts="视频时发现孩子一个人在家已经三天，爷爷住院，家里没有其他大人。"),
        reporter=reporter, reporter_kind=ReporterKind.STAFF, worker=worker, children=children)
    _backdate(report, 24 * 30)
    services.record_police_report(report, services.PoliceReportInput(
        report.raised_at + timedelta(minutes=35), "老家镇派出所", "李警官", "JJ20261101-0031"),
        officer)
    services.add_notice(report, services.NoticeInput(
        NoticeRecipient.CIVIL_AFFAIRS, "县民政局儿童福利股", report.raised_at + timedelta(hours=3),
        NoticeMethod.PHONE, person="王股长", phone="0817-1234567"), officer)
    services.add_notice(report, services.NoticeInput(
        NoticeRecipient.CHILD_DIRECTOR, "村儿童主任", report.raised_at + timedelta(hours=4),
        NoticeMethod.PHONE, person="张秀英"), officer)
    for days, safety, care, actions, notes in (
            (1, Safety.AT_RISK, Care.INADEQUATE, (FollowUpAction.SOCIAL_WORK,),
             "儿童主任已上门，孩子暂住邻居家，转介县社工站。"),
            (6, Safety.SAFE, Care.ADEQUATE, (FollowUpAction.PARENT_RETURNS,),
             "父亲已请假回家照顾，爷爷出院后由爷爷照护，父亲每周视频联系。")):
        services.add_follow_up(report, services.FollowUpInput(
            report.raised_at + timedelta(days=days), safety, care, actions, notes), officer)
    services.close_report(report, services.CloseInput(
        Outcome.PARENT_RETURNED, "父亲返家照料，已重新落实委托照护人，孩子安全。",
        guardianship_neglected=True,
        admonition="外出务工期间未落实委托照护，致孩子独自在家三天，予以批评教育。"), officer)


def _open_case(family, reporter, now) -> None:
    worker, children = family
    report = services.raise_concern(services.ConcernInput(
        situation=Situation.INJURY, learned_at=now - timedelta(minutes=40),
        learned_how=LearnedHow.TOLD_BY_FAMILY, child_id=children[0].id,
        facts="孩子外婆打电话说孩子从楼梯摔下，手臂骨折，在镇卫生院，照护人年迈。"),
        reporter=reporter, reporter_kind=ReporterKind.STAFF, worker=worker, children=children)
    _backdate(report, 24 * 4)
    services.record_police_report(report, services.PoliceReportInput(
        report.raised_at + timedelta(minutes=50), "老家镇派出所", None, "JJ20261118-0007"),
        reporter)
    services.add_follow_up(report, services.FollowUpInput(
        report.raised_at + timedelta(days=1), Safety.AT_RISK, Care.INADEQUATE,
        (FollowUpAction.MEDICAL,), "已协调县医院复查，正在联系母亲返乡。"), reporter)


def _escalated_case(family, site, now) -> None:
    worker, _children = family
    report = services.raise_concern(services.ConcernInput(
        situation=Situation.ABUSE, learned_at=now - timedelta(minutes=30),
        learned_how=LearnedHow.TOLD_BY_OTHERS, child_name="小军",
        parent=worker.employee_number, child_location="老家村里，和继父住在一起",
        facts="老乡说孩子身上常有伤，晚上被关在门外。", site_id=site.id, anonymous=True),
        reporter=services.REPORTER, reporter_kind=ReporterKind.WORKER)
    _backdate(report, 5)
    escalate_overdue(now)
