"""Family-contact support of the demo company (``carebridge seed-demo``), made through the
services: the company's allowance policy (300 minutes and 1 GB a month for parents of
left-behind children, China Mobile) in force for three months; the grants of those months; the
two closed months sent to the carrier and its result files imported (two lines failed: a
stopped number, a number of another carrier); this month's grants waiting to be sent; a family
phone and a video-chat room at each site with bookings for tomorrow; dormitories with and without
WiFi and their residents.

The last week's bookings (used, and a no-show) are written as the rooms' officers recorded
them: the booking service only takes slots still to come.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from ..access.scope import Scope
from ..core.dates import company_zone
from ..core.db import session
from ..core.features import DemoContext
from ..org.models import OrgKind
from ..org.queries import get_root_unit
from ..privacy import assessments
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import WorkerFilter, search_workers
from ..worker_access.services import worker_actor
from . import batches, bookings, grants, living_areas, policies, rooms
from .models import BookingStatus, Eligibility, RoomBooking, RoomKind

CARRIER = "china_mobile"
#: Lines of the carrier's result files that failed, and why.
FAILURES = ("号码已停机", "非本运营商号码")


def load(context: DemoContext) -> None:
    root = get_root_unit()
    actor = context.actor
    hr = context.accounts.get("hrofficer", actor)
    this_month = context.today.replace(day=1)
    months = [_months_before(this_month, 2), _months_before(this_month, 1), this_month]
    policies.add_policy_version(root, policies.PolicyInput(
        eligibility=Eligibility.LEFT_BEHIND_PARENTS, minutes_per_month=300,
        data_mb_per_month=1024, carrier=CARRIER, minute_cost_fen=10, mb_cost_fen=1,
        starts_on=months[0]), hr, today=months[0])
    for month in months:
        grants.grant_month(month, actor)
    basis = _carrier_assessment(root, actor, context.today)
    for month in months[:2]:
        batch = batches.export_batch(month, CARRIER, root, hr, assessment_id=basis.id,
                                     purpose="按月向运营商报送亲情通话赠送名单").batch
        batches.import_results(batch, _carrier_results(batch), hr,
                               filename=f"移动结果{month:%Y%m}.csv")
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: unit.path)
    for site in sites:
        workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                                 scope_paths=[site.path], per_page=400).items
        _rooms(context, site, workers, actor)
        _living_areas(context, site, workers, actor)


def _carrier_assessment(root, actor, today: date):
    """The impact assessment the carrier batches rely on (PIPL Art. 55)."""
    return assessments.create_assessment(assessments.AssessmentInput(
        unit=root, recipient_kind="carrier",
        recipient_name="中国移动通信集团有限公司（政企客户部）",
        purpose="每月向运营商报送亲情通话时长和流量赠送名单，由运营商充值到职工手机",
        data_categories="职工手机号码、赠送月份、通话分钟数和流量",
        legal_basis="为履行与职工约定的亲情通话补贴所必需（个人信息保护法第十三条第一款第二项）",
        necessity="运营商只能按手机号码充值；不提供姓名和身份证号码",
        risks_and_measures="号码泄露的风险：合同约定只用于充值、加密传输、运营商处理后三个月内删除",
        assessed_by="人力资源部、法务部", assessed_on=today - timedelta(days=120),
        valid_until=today + timedelta(days=365)), actor=actor, today=today)


def _months_before(month: date, count: int) -> date:
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _carrier_results(batch) -> bytes:
    """The carrier's result file for ``batch``: every line credited but two."""
    lines = batches.batch_lines(batch)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("手机号码", "通话分钟", "流量MB", "业务流水号", "赠送月份", "处理结果",
                     "失败原因"))
    for number, line in enumerate(lines):
        failed = number in (3, 11)
        writer.writerow((line.phone, line.minutes, line.data_mb, line.line_id,
                         f"{batch.month:%Y%m}", "失败" if failed else "成功",
                         FAILURES[number % 2] if failed else ""))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _rooms(context: DemoContext, site, workers: list[Worker], actor) -> None:
    video = rooms.create_room(site, rooms.RoomInput(
        kind=RoomKind.VIDEO_ROOM, name="亲情视频聊天室", location="生活区 1 号楼一层",
        opens_at=time(19, 0), closes_at=time(22, 0), slot_minutes=30, max_future_bookings=2),
        actor)
    rooms.create_room(site, rooms.RoomInput(
        kind=RoomKind.FAMILY_PHONE, name="亲情电话（食堂旁）", location="职工食堂东侧",
        opens_at=time(12, 0), closes_at=time(21, 0), slot_minutes=15, max_future_bookings=2),
        actor)
    tomorrow = context.today + timedelta(days=1)
    for worker, (start, _end) in zip(workers[:4], bookings.slots_of_day(video, tomorrow),
                                     strict=False):
        bookings.book(video, worker, start, worker_actor(worker))
    zone = company_zone()
    for days_ago, worker in zip(range(1, 7), workers[4:10], strict=False):
        starts = datetime.combine(context.today - timedelta(days=days_ago), time(20, 0),
                                  tzinfo=zone)
        session.add(RoomBooking(
            room_id=video.id, worker_id=worker.id, starts_at=starts,
            ends_at=starts + timedelta(minutes=video.slot_minutes),
            status=BookingStatus.NO_SHOW if days_ago == 3 else BookingStatus.USED,
            booked_by=f"worker:{worker.id}", recorded_by=actor.key))
    session.flush()


def _living_areas(context: DemoContext, site, workers: list[Worker], actor) -> None:
    today = context.today
    covered = living_areas.save_area(None, living_areas.AreaInput(
        "1 号宿舍楼", True, today - timedelta(days=200), 100), site=site, scope=Scope.company(),
        actor=actor, today=today)
    uncovered = living_areas.save_area(None, living_areas.AreaInput("2 号宿舍楼（板房）"),
                                       site=site, scope=Scope.company(), actor=actor,
                                       today=today)
    housed = [worker for worker in workers if worker.entry_date is None
              or worker.entry_date <= today][:60]
    for area, share in ((covered, housed[:40]), (uncovered, housed[40:])):
        if share:
            living_areas.assign_residents(area, "\n".join(w.employee_number for w in share),
                                          scope=Scope.company(), actor=actor, today=today)



