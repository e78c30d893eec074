"""Family-contact support's indicators (declared in its Feature): the monthly allowances granted,
family phones and video-chat rooms with their bookings, and the WiFi of living areas. Each is
aggregate SQL for organisation subtrees and a period of whole local days (both ends included) in
the company's time zone.

Where and when a record counts:

* a grant: under the unit of its worker when granted (``AllowanceGrant.org_unit_id``), in the
  period that holds the first day of its month (a quarter holds three months; a period of 5 March
  to 4 April holds April's grants), so the grants of consecutive periods never overlap;
* a room: under its unit; it stands at the end of a day when it was set up before that day's
  local midnight and not closed by then;
* a booking: under its room's unit, in the period that holds the local start of its slot;
  cancelled bookings count nowhere. The usage rate is not an indicator (a ratio is not a count):
  reports divide the bookings used by the bookings;
* WiFi: workers employed at the end of the last day, under their own unit, living then (by the
  living area recorded now, since its day of moving in) in an area whose WiFi had opened. Living
  areas keep no history: an area whose WiFi was switched off, or a worker who moved since, reads
  as today's record says.

Moments (slots, rooms set up and closed) are UTC, compared with the UTC bounds of the period's
local days; days (a grant's month, moving in, WiFi opening) are the company's calendar.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, distinct, func, or_, select

from ..core.dates import day_bounds
from ..core.db import session
from ..core.indicators import FLOW, STOCK, Indicator, ListPage, memoized
from ..org.models import OrgKind, OrgUnit
from ..org.queries import unit_id_in_subtrees
from ..registry.models import Worker
from ..registry.queries import employed_on
from .models import (
    GRANT_STATUS_LABELS,
    ROOM_KIND_LABELS,
    AllowanceGrant,
    BookingStatus,
    ContactRoom,
    GrantStatus,
    LivingArea,
    Residence,
    RoomBooking,
)
from .permissions import CONTACT_VIEW

# -- days, units and keys ------------------------------------------------------------------------


def _end_of(day: date) -> datetime:
    return day_bounds(day, day)[1]


def _count(statement: Select) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _key(value) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _grouped(statement: Select) -> dict[str, int]:
    return {_key(key): int(value or 0) for key, value in session.execute(statement)}


def _per_site(per_unit: dict) -> dict[str, int]:
    """Counts per unit id summed per site: a team's under its site; a unit with no site above
    it stands for itself."""
    if not per_unit:
        return {}
    units = {unit.id: unit for unit in session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(list(per_unit))))}
    sites = set(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == OrgKind.SITE)))
    counts: dict[str, int] = {}
    for unit_id, count in per_unit.items():
        unit = units[unit_id]
        site = next((ancestor for ancestor in reversed(unit.ancestor_ids) if ancestor in sites),
                    unit.id)
        counts[str(site)] = counts.get(str(site), 0) + int(count or 0)
    return counts


# -- grants --------------------------------------------------------------------------------------

def _grants_where(paths: list[str], start: date, end: date):
    return and_(unit_id_in_subtrees(AllowanceGrant.org_unit_id, paths),
                AllowanceGrant.month >= start, AllowanceGrant.month <= end)


def _grant_totals(paths: list[str], start: date, end: date) -> tuple[int, ...]:
    """(workers, grants credited, minutes, megabytes, cost in fen) in one statement, computed
    once for the five figures a report asks for."""
    def compute() -> tuple[int, ...]:
        row = session.execute(select(
            func.count(distinct(AllowanceGrant.worker_id)),
            func.count().filter(AllowanceGrant.status == GrantStatus.CREDITED),
            func.coalesce(func.sum(AllowanceGrant.minutes), 0),
            func.coalesce(func.sum(AllowanceGrant.data_mb), 0),
            func.coalesce(func.sum(AllowanceGrant.cost_fen), 0),
        ).where(_grants_where(paths, start, end))).one()
        return tuple(int(value) for value in row)

    return memoized(("family_contact.grants", tuple(sorted(paths)), start, end), compute)


def _grants(paths: list[str], start: date, end: date, *conditions) -> Select:
    return select(AllowanceGrant.id).where(_grants_where(paths, start, end), *conditions)


def workers_granted(paths: list[str], start: date, end: date) -> int:
    return _grant_totals(paths, start, end)[0]


def workers_granted_breakdown(paths: list[str], start: date, end: date,
                              by: str) -> dict[str, int]:
    statement = (select(AllowanceGrant.org_unit_id, func.count(distinct(AllowanceGrant.worker_id)))
                 .where(_grants_where(paths, start, end)).group_by(AllowanceGrant.org_unit_id))
    return _per_site(dict(session.execute(statement).all()))


def grants_credited(paths: list[str], start: date, end: date) -> int:
    return _grant_totals(paths, start, end)[1]


def grants_credited_records(paths: list[str], start: date, end: date) -> Select:
    return _grants(paths, start, end, AllowanceGrant.status == GrantStatus.CREDITED)


def minutes_granted(paths: list[str], start: date, end: date) -> int:
    return _grant_totals(paths, start, end)[2]


def data_granted_mb(paths: list[str], start: date, end: date) -> int:
    return _grant_totals(paths, start, end)[3]


def grant_cost_fen(paths: list[str], start: date, end: date) -> int:
    return _grant_totals(paths, start, end)[4]


def grant_cost_fen_breakdown(paths: list[str], start: date, end: date,
                             by: str) -> dict[str, int]:
    key = AllowanceGrant.status.label("key")
    return _grouped(select(key, func.coalesce(func.sum(AllowanceGrant.cost_fen), 0))
                    .where(_grants_where(paths, start, end)).group_by(key))


def grants_records(paths: list[str], start: date, end: date) -> Select:
    """Every grant of the period's months (behind workers, minutes, data and cost)."""
    return _grants(paths, start, end)


# -- rooms and bookings --------------------------------------------------------------------------

def _open_at(moment: datetime):
    """SQL condition on :class:`ContactRoom`: set up before ``moment`` and not closed by then."""
    return and_(ContactRoom.created_at < moment,
                or_(ContactRoom.closed_at.is_(None), ContactRoom.closed_at >= moment))


def _rooms_in(paths: list[str]):
    return unit_id_in_subtrees(ContactRoom.org_unit_id, paths)


def rooms_open_records(paths: list[str], start: date, end: date) -> Select:
    return select(ContactRoom.id).where(_rooms_in(paths), _open_at(_end_of(end)))


def rooms_open(paths: list[str], start: date, end: date) -> int:
    return _count(rooms_open_records(paths, start, end))


def rooms_open_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = ContactRoom.kind.label("key")
    return _grouped(select(key, func.count()).where(_rooms_in(paths), _open_at(_end_of(end)))
                    .group_by(key))


def rooms_open_series(paths: list[str], days: list[date]) -> dict[date, int]:
    """Rooms open at the end of each day, in one pass over the rooms."""
    row = session.execute(select(*(func.count().filter(_open_at(_end_of(day))) for day in days))
                          .select_from(ContactRoom).where(_rooms_in(paths))).one()
    return dict(zip(days, row, strict=True))


def _bookings(paths: list[str], start: date, end: date, *columns) -> Select:
    """``columns`` (default: the id) of the bookings not cancelled whose slot starts in the
    period, in rooms of the subtrees."""
    since, until = day_bounds(start, end)
    return (select(*(columns or (RoomBooking.id,))).select_from(RoomBooking)
            .join(ContactRoom, ContactRoom.id == RoomBooking.room_id)
            .where(_rooms_in(paths), RoomBooking.starts_at >= since, RoomBooking.starts_at < until,
                   RoomBooking.status != BookingStatus.CANCELLED))


def bookings_made(paths: list[str], start: date, end: date) -> int:
    return session.execute(_bookings(paths, start, end, func.count())).scalar_one()


def bookings_made_records(paths: list[str], start: date, end: date) -> Select:
    return _bookings(paths, start, end)


def bookings_made_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = ContactRoom.kind.label("key")
    return _grouped(_bookings(paths, start, end, key, func.count()).group_by(key))


_USED = RoomBooking.status == BookingStatus.USED


def bookings_used(paths: list[str], start: date, end: date) -> int:
    return session.execute(_bookings(paths, start, end, func.count()).where(_USED)).scalar_one()


def bookings_used_records(paths: list[str], start: date, end: date) -> Select:
    return _bookings(paths, start, end).where(_USED)


def bookings_used_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = ContactRoom.kind.label("key")
    return _grouped(_bookings(paths, start, end, key, func.count()).where(_USED).group_by(key))


# -- WiFi ----------------------------------------------------------------------------------------

def _housed_on(day: date):
    return and_(employed_on(day), Residence.since <= day)


def _covered_on(day: date):
    return and_(_housed_on(day), LivingArea.wifi.is_(True), LivingArea.wifi_since <= day)


def _residents(paths: list[str], *columns) -> Select:
    return (select(*columns).select_from(Residence)
            .join(Worker, Worker.id == Residence.worker_id)
            .join(LivingArea, LivingArea.id == Residence.living_area_id)
            .where(unit_id_in_subtrees(Worker.org_unit_id, paths)))


def workers_wifi_covered(paths: list[str], start: date, end: date) -> int:
    return session.execute(_residents(paths, func.count()).where(_covered_on(end))).scalar_one()


def workers_wifi_covered_records(paths: list[str], start: date, end: date) -> Select:
    return _residents(paths, LivingArea.id).where(_covered_on(end)).distinct()


def workers_wifi_covered_breakdown(paths: list[str], start: date, end: date,
                                   by: str) -> dict[str, int]:
    statement = (_residents(paths, Worker.org_unit_id, func.count()).where(_covered_on(end))
                 .group_by(Worker.org_unit_id))
    return _per_site(dict(session.execute(statement).all()))


def workers_wifi_covered_series(paths: list[str], days: list[date]) -> dict[date, int]:
    row = session.execute(_residents(paths, *(func.count().filter(_covered_on(day))
                                              for day in days))).one()
    return dict(zip(days, row, strict=True))


def workers_housed(paths: list[str], start: date, end: date) -> int:
    return session.execute(_residents(paths, func.count()).where(_housed_on(end))).scalar_one()


def workers_housed_records(paths: list[str], start: date, end: date) -> Select:
    return _residents(paths, LivingArea.id).where(_housed_on(end)).distinct()


def workers_housed_breakdown(paths: list[str], start: date, end: date,
                             by: str) -> dict[str, int]:
    statement = (_residents(paths, Worker.org_unit_id, func.count()).where(_housed_on(end))
                 .group_by(Worker.org_unit_id))
    return _per_site(dict(session.execute(statement).all()))


def workers_housed_series(paths: list[str], days: list[date]) -> dict[date, int]:
    row = session.execute(_residents(paths, *(func.count().filter(_housed_on(day))
                                              for day in days))).one()
    return dict(zip(days, row, strict=True))


# -- how breakdowns read -------------------------------------------------------------------------

BREAKDOWN_TITLES = {"site": _l("项目部/厂区"), "kind": _l("类型"), "status": _l("到账情况")}


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    """How a breakdown of the family-contact figures reads: its title and a label per key."""
    if by == "site":
        ids = [int(key) for key in keys if key.isdigit()]
        labels = {str(unit_id): name for unit_id, name in session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))}
    else:
        source = ROOM_KIND_LABELS if by == "kind" else GRANT_STATUS_LABELS
        labels = {_key(key): str(label) for key, label in source.items()}
    return str(BREAKDOWN_TITLES.get(by, by)), labels


_DESCRIBE = "indicators:describe_breakdown"
_GRANTS = "indicators:grants_records"
_WIFI = ListPage("carebridge.family_contact_wifi.index", CONTACT_VIEW)

INDICATORS = (
    Indicator("family_contact.workers_granted", _l("获得亲情通话时长和流量的职工"), _l("人"),
              _l("统计期内各月获得免费亲情通话时长或流量的职工人数，每人只计一次；"
                 "按发放时职工所在单位统计；所属月份的第一天在统计期内的发放才计入（一个季度含三个月的"
                 "发放）。公司政策规定的每位符合条件的在职职工每月发放一次，所以"
                 "这也是符合条件的职工人数。可按项目部/厂区分组（期内换了项目部的职工在两处各计"
                 "一次）。明细为这些发放记录"),
              "indicators:workers_granted", _GRANTS, "contact_grant", FLOW, ("site",),
              "indicators:workers_granted_breakdown", _DESCRIBE),
    Indicator("family_contact.grants_credited", _l("已到账的亲情通话和流量发放"), _l("人次"),
              _l("统计期内各月的发放中，运营商回执确认已到账的人次（每人每月一次）；"
                 "按发放时职工所在单位统计；所属月份的第一天在统计期内的发放才计入（一个季度含三个月的"
                 "发放）。明细为这些发放记录"),
              "indicators:grants_credited", "indicators:grants_credited_records",
              "contact_grant", FLOW),
    Indicator("family_contact.minutes_granted", _l("发放的免费亲情通话时长"), _l("分钟"),
              _l("统计期内各月发放的免费通话分钟数之和，含尚未到账和到账失败的；"
                 "按发放时职工所在单位统计；所属月份的第一天在统计期内的发放才计入（一个季度含三个月的"
                 "发放）。明细为这些发放记录"),
              "indicators:minutes_granted", _GRANTS, "contact_grant", FLOW),
    Indicator("family_contact.data_granted_mb", _l("发放的免费流量"), _l("MB"),
              _l("统计期内各月发放的免费手机流量之和，单位为 MB，含尚未到账和到账失败的；"
                 "按发放时职工所在单位统计；所属月份的第一天在统计期内的发放才计入（一个季度含三个月的"
                 "发放）。明细为这些发放记录"),
              "indicators:data_granted_mb", _GRANTS, "contact_grant", FLOW),
    Indicator("family_contact.grant_cost_fen", _l("亲情通话和流量费用（分）"), _l("分"),
              _l("统计期内各月发放的通话时长和流量按发放时政策的单价计算的费用之和，单位为分"
                 "（1 元 = 100 分），含尚未到账和到账失败的；"
                 "按发放时职工所在单位统计；所属月份的第一天在统计期内的发放才计入（一个季度含三个月的"
                 "发放）。可按到账情况"
                 "分组。明细为这些发放记录"),
              "indicators:grant_cost_fen", _GRANTS, "contact_grant", FLOW, ("status",),
              "indicators:grant_cost_fen_breakdown", _DESCRIBE),
    Indicator("family_contact.rooms_open", _l("亲情电话和视频聊天室"), _l("处"),
              _l("期末当天结束时在用的亲情电话和亲情视频聊天室数：期末之前已设立，且到期末当天结束"
                 "时没有停用；按所在单位统计。可按类型分组。明细为这些电话和聊天室"),
              "indicators:rooms_open", "indicators:rooms_open_records", "contact_room", STOCK,
              ("kind",), "indicators:rooms_open_breakdown", _DESCRIBE,
              "indicators:rooms_open_series"),
    Indicator("family_contact.bookings_made", _l("亲情电话和视频聊天室预约"), _l("次"),
              _l("预约时段的开始时间在统计期内（按公司所在时区）的预约次数，已取消的不计；按电话或"
                 "聊天室所在单位统计。使用率为“已使用的预约”除以本数。可按类型分组。明细为这些"
                 "预约"),
              "indicators:bookings_made", "indicators:bookings_made_records", "contact_booking",
              FLOW, ("kind",), "indicators:bookings_made_breakdown", _DESCRIBE),
    Indicator("family_contact.bookings_used", _l("已使用的亲情电话和视频聊天室预约"), _l("次"),
              _l("预约时段的开始时间在统计期内的预约中，登记为已使用的次数（未到的不计）；按电话或"
                 "聊天室所在单位统计。可按类型分组。明细为这些预约"),
              "indicators:bookings_used", "indicators:bookings_used_records", "contact_booking",
              FLOW, ("kind",), "indicators:bookings_used_breakdown", _DESCRIBE),
    Indicator("family_contact.workers_wifi_covered", _l("住在有免费WiFi居住区的职工"), _l("人"),
              _l("期末当天在职、入住日期不晚于期末、所住居住区的免费WiFi在期末之前已开通的职工人数；"
                 "按职工所在单位统计。居住区按目前的登记计算（不保留历史）。WiFi覆盖率为本数除以"
                 "“登记了居住区的在职职工”（或除以在职职工）。可按项目部/厂区分组。明细为这些职工"
                 "所住的居住区"),
              "indicators:workers_wifi_covered", "indicators:workers_wifi_covered_records",
              "contact_living_area", STOCK, ("site",),
              "indicators:workers_wifi_covered_breakdown", _DESCRIBE,
              "indicators:workers_wifi_covered_series", list_page=_WIFI),
    Indicator("family_contact.workers_housed", _l("登记了居住区的在职职工"), _l("人"),
              _l("期末当天在职、入住日期不晚于期末的登记了居住区（宿舍）的职工人数，无论有没有"
                 "WiFi；按职工所在单位统计。居住区按目前的登记计算（不保留历史）。可按项目部/厂区"
                 "分组。明细为这些职工所住的居住区"),
              "indicators:workers_housed", "indicators:workers_housed_records",
              "contact_living_area", STOCK, ("site",), "indicators:workers_housed_breakdown",
              _DESCRIBE, "indicators:workers_housed_series", list_page=_WIFI),
)
