"""Family-contact support's indicators against figures counted by hand on one fixed data set:
monthly grants (workers, credited, minutes, data, cost), rooms open at the end of a period,
bookings and their use, and WiFi coverage; for subtrees and quarters of local days in Shanghai
time, with records on each side of the quarter's bounds.

Rows are written directly with the models (no monthly run, no booking rules): the figures read
nothing else.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.core import indicators
from plugin.core.db import session
from plugin.family_contact.indicators import INDICATORS
from plugin.family_contact.models import (
    AllowanceGrant,
    AllowancePolicy,
    BookingStatus,
    ContactRoom,
    Eligibility,
    GrantStatus,
    LivingArea,
    Residence,
    RoomBooking,
    RoomKind,
)
from plugin.org.models import OrgKind
from plugin.reports.recipients import BUILTIN_TEMPLATES

from .factories import make_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
Q4 = (date(2026, 10, 1), date(2026, 12, 31))
NOV = (date(2026, 11, 1), date(2026, 11, 30))


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Shanghai, stored in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def figure(code: str, unit, period=Q4) -> int:
    return indicators.compute(f"family_contact.{code}", [unit.path], *period)


def records(code: str, unit, period=Q4) -> list[int]:
    return indicators.counted_records(f"family_contact.{code}", [unit.path], *period)


@pytest.fixture
def data(company, make_unit):
    """Site 甲 (with a team) and site 乙 under the company.

    Grants (minutes, MB, cost in fen): a1 in September (outside), October (credited; 100, 1000,
    3000), November (failed; 100, 1000, 3000), December (granted; 100, 1000, 3000); a2 of the team
    in October (credited; 50, 500, 1500); b1 in October (credited; 200, 0, 2000) and December
    (exported; 200, 0, 2000); a3 in January 2027 (outside).

    Rooms: 甲's phone (set up in September), 甲's video room (closed at 23:59 on 31 December),
    乙's phone set up at 23:59 on 31 December, 乙's video room set up at midnight after.

    Bookings of 甲's phone: 00:00 on 1 October (used), 23:30 on 31 December (no-show), 23:30 on
    30 September and 00:00 on 1 January (outside), one in November cancelled, one in November
    booked.

    Living areas: 甲 一号楼 with WiFi since June, 甲 二号楼 without; 乙 宿舍 with WiFi since 31
    December. a1 in 一号楼 since May, a2 in 一号楼 only from 5 January 2027, a3 in 二号楼, a
    leaver (left 15 December) in 一号楼, b1 in 乙宿舍 since October.
    """
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    a1, a3, leaver = (make_worker(site_a) for _ in range(3))
    a2, b1 = make_worker(team_a), make_worker(site_b)
    leaver.left_on = date(2026, 12, 15)
    policy = AllowancePolicy(org_unit_id=company.id, version=1,
                             eligibility=Eligibility.LEFT_BEHIND_PARENTS, minutes_per_month=100,
                             data_mb_per_month=1000, carrier="china_mobile", minute_cost_fen=10,
                             mb_cost_fen=2, starts_on=date(2026, 9, 1), created_by="test")
    session.add(policy)
    session.flush()
    grants = {}
    for key, worker, month, status, minutes, data_mb, cost in (
            ("a1_sep", a1, 9, GrantStatus.CREDITED, 100, 1000, 3000),
            ("a1_oct", a1, 10, GrantStatus.CREDITED, 100, 1000, 3000),
            ("a1_nov", a1, 11, GrantStatus.FAILED, 100, 1000, 3000),
            ("a1_dec", a1, 12, GrantStatus.GRANTED, 100, 1000, 3000),
            ("a2_oct", a2, 10, GrantStatus.CREDITED, 50, 500, 1500),
            ("b1_oct", b1, 10, GrantStatus.CREDITED, 200, 0, 2000),
            ("b1_dec", b1, 12, GrantStatus.EXPORTED, 200, 0, 2000),
            ("a3_jan", a3, 13, GrantStatus.GRANTED, 100, 1000, 3000)):
        first = date(2027, 1, 1) if month == 13 else date(2026, month, 1)
        grants[key] = AllowanceGrant(
            worker_id=worker.id, org_unit_id=worker.org_unit_id, month=first,
            policy_id=policy.id, minutes=minutes, data_mb=data_mb, cost_fen=cost,
            line_id=f"{first:%Y%m}-{worker.id}", status=status)
    session.add_all(grants.values())
    rooms = {}
    for key, unit, kind, created, closed in (
            ("a_phone", site_a, RoomKind.FAMILY_PHONE, at(2026, 9, 1, 9), None),
            ("a_video", site_a, RoomKind.VIDEO_ROOM, at(2026, 9, 1, 9), at(2026, 12, 31, 23, 59)),
            ("b_phone", site_b, RoomKind.FAMILY_PHONE, at(2026, 12, 31, 23, 59), None),
            ("b_video", site_b, RoomKind.VIDEO_ROOM, at(2027, 1, 1, 0), None)):
        rooms[key] = ContactRoom(org_unit_id=unit.id, kind=kind, name=key, opens_at=time(0),
                                 closes_at=time(23, 59), created_at=created, closed_at=closed)
    session.add_all(rooms.values())
    session.flush()
    bookings = {}
    for key, starts, status in (
            ("first", at(2026, 10, 1, 0), BookingStatus.USED),
            ("last", at(2026, 12, 31, 23, 30), BookingStatus.NO_SHOW),
            ("before", at(2026, 9, 30, 23, 30), BookingStatus.USED),
            ("after", at(2027, 1, 1, 0), BookingStatus.USED),
            ("cancelled", at(2026, 11, 5, 10), BookingStatus.CANCELLED),
            ("booked", at(2026, 11, 5, 11), BookingStatus.BOOKED)):
        bookings[key] = RoomBooking(room_id=rooms["a_phone"].id, worker_id=a1.id,
                                    starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                    status=status, booked_by="test")
    session.add_all(bookings.values())
    areas = {
        "one": LivingArea(org_unit_id=site_a.id, name="一号楼", wifi=True,
                          wifi_since=date(2026, 6, 1), bandwidth_mbps=100),
        "two": LivingArea(org_unit_id=site_a.id, name="二号楼", wifi=False),
        "b": LivingArea(org_unit_id=site_b.id, name="乙宿舍", wifi=True,
                        wifi_since=date(2026, 12, 31)),
    }
    session.add_all(areas.values())
    session.flush()
    for worker, where, since in ((a1, "one", date(2026, 5, 1)), (a2, "one", date(2027, 1, 5)),
                                 (a3, "two", date(2026, 1, 1)), (leaver, "one", date(2026, 2, 1)),
                                 (b1, "b", date(2026, 10, 1))):
        session.add(Residence(worker_id=worker.id, living_area_id=areas[where].id, since=since))
    session.flush()
    return {"company": company, "a": site_a, "team": team_a, "b": site_b, "grants": grants,
            "rooms": rooms, "bookings": bookings, "areas": areas}


def test_grants_by_hand(data):
    company, site_a, grants = data["company"], data["a"], data["grants"]
    assert figure("workers_granted", company) == 3  # a1, a2, b1
    assert figure("grants_credited", company) == 3  # the three of October
    assert figure("minutes_granted", company) == 100 * 3 + 50 + 200 * 2
    assert figure("data_granted_mb", company) == 1000 * 3 + 500
    assert figure("grant_cost_fen", company) == 3000 * 3 + 1500 + 2000 * 2
    assert indicators.breakdown("family_contact.workers_granted", "site", [company.path],
                                *Q4) == {str(site_a.id): 2, str(data["b"].id): 1}
    assert indicators.breakdown("family_contact.grant_cost_fen", "status", [company.path],
                                *Q4) == {"credited": 6500, "failed": 3000, "granted": 3000,
                                         "exported": 2000}
    in_q4 = sorted(grants[key].id for key in ("a1_oct", "a1_nov", "a1_dec", "a2_oct", "b1_oct",
                                              "b1_dec"))
    assert records("workers_granted", company) == in_q4
    assert records("grants_credited", company) == sorted(
        grants[key].id for key in ("a1_oct", "a2_oct", "b1_oct"))
    # The site's subtree (its team included), and a team alone.
    assert (figure("workers_granted", site_a), figure("minutes_granted", site_a)) == (2, 350)
    assert figure("grant_cost_fen", data["team"]) == 1500
    assert figure("workers_granted", data["b"]) == 1
    # A period holds the months whose first day it holds: 2 October to 1 November has November.
    assert figure("workers_granted", company, (date(2026, 10, 2), date(2026, 11, 1))) == 1
    assert records("minutes_granted", company, (date(2026, 10, 2), date(2026, 11, 1))) == [
        grants["a1_nov"].id]
    assert figure("workers_granted", company, (date(2026, 12, 2), date(2026, 12, 31))) == 0


def test_rooms_and_bookings_by_hand_on_the_quarters_bounds(data):
    company, rooms, bookings = data["company"], data["rooms"], data["bookings"]
    # At the end of 31 December: 甲's phone, and 乙's phone set up at 23:59 that day; 甲's video
    # room closed at 23:59 and 乙's video room came at midnight after.
    assert figure("rooms_open", company) == 2
    assert records("rooms_open", company) == sorted([rooms["a_phone"].id, rooms["b_phone"].id])
    assert indicators.breakdown("family_contact.rooms_open", "kind", [company.path], *Q4) == {
        "family_phone": 2}
    assert figure("rooms_open", company, NOV) == 2  # both of 甲's rooms
    assert indicators.compute_series("family_contact.rooms_open", [company.path],
                                     [date(2026, 8, 31), date(2026, 11, 30),
                                      date(2027, 1, 1)]) == {
        date(2026, 8, 31): 0, date(2026, 11, 30): 2, date(2027, 1, 1): 3}
    assert figure("rooms_open", data["b"]) == 1
    # 00:00 on 1 October and 23:30 on 31 December are in; the cancelled one counts nowhere.
    assert figure("bookings_made", company) == 3
    assert records("bookings_made", company) == sorted(
        bookings[key].id for key in ("first", "last", "booked"))
    assert figure("bookings_used", company) == 1
    assert records("bookings_used", company) == [bookings["first"].id]
    assert indicators.breakdown("family_contact.bookings_made", "kind", [company.path],
                                *Q4) == {"family_phone": 3}
    assert figure("bookings_made", data["b"]) == 0
    assert figure("bookings_made", company, NOV) == 1


def test_wifi_coverage_by_hand(data):
    company, site_a, areas = data["company"], data["a"], data["areas"]
    # At the end of 31 December: a1 (一号楼) and b1 (乙宿舍, WiFi from that day) are covered;
    # a3 lives without WiFi; a2 moves in only in January; the leaver left on 15 December.
    assert figure("workers_wifi_covered", company) == 2
    assert figure("workers_housed", company) == 3
    assert records("workers_wifi_covered", company) == sorted([areas["one"].id, areas["b"].id])
    assert records("workers_housed", company) == sorted(area.id for area in areas.values())
    assert indicators.breakdown("family_contact.workers_wifi_covered", "site", [company.path],
                                *Q4) == {str(site_a.id): 1, str(data["b"].id): 1}
    assert indicators.breakdown("family_contact.workers_housed", "site", [company.path],
                                *Q4) == {str(site_a.id): 2, str(data["b"].id): 1}
    assert (figure("workers_wifi_covered", site_a), figure("workers_housed", site_a)) == (1, 2)
    # On 30 November the leaver was still there and 乙's WiFi had not opened.
    assert figure("workers_wifi_covered", company, NOV) == 2  # a1 and the leaver
    assert figure("workers_housed", company, NOV) == 4
    days = [date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 5)]
    assert indicators.compute_series("family_contact.workers_wifi_covered", [company.path],
                                     days) == dict(zip(days, (2, 2, 3), strict=True))
    assert indicators.compute_series("family_contact.workers_housed", [company.path],
                                     days) == dict(zip(days, (4, 3, 4), strict=True))


def test_every_figure_reads_and_the_templates_name_declared_codes(data):
    declared = indicators.declared_indicators()
    codes = {indicator.code for indicator in INDICATORS}
    assert codes <= set(declared)
    for code in codes:
        assert isinstance(indicators.compute(code, [data["a"].path], *Q4), int)
        indicators.counted_records(code, [data["a"].path], *Q4)
        for by in declared[code][1].breakdowns:
            title, _labels = indicators.describe_breakdown(code, by, ["1"])
            assert title and title != by
    named = {line["code"] for _name, lines, _texts, _period in BUILTIN_TEMPLATES.values()
             for line in lines if line["code"].startswith("family_contact.")}
    assert named and named <= codes
    assert declared["family_contact.grant_cost_fen"][1].is_money
    assert indicators.record_page("contact_living_area") in (
        None, ("carebridge.family_contact_wifi.area", "area_id"))
