"""The pledges' indicators (issue #18) against figures counted by hand: pledges signed in a
quarter (a flow) and the workers covered on its last day (a stock, as things stood that day),
two sites, subtree scoping, expired and revoked pledges, and the records behind each figure."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from plugin.core import indicators
from plugin.org.models import OrgKind
from plugin.pledges import services

from .pledges_support import OFFICER, scan_png

Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def shanghai(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.fixture
def world(company, make_unit, make_worker, make_child, clock):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    w = {"a1": make_worker(site_a), "a2": make_worker(team_a), "a3": make_worker(site_a),
         "a4": make_worker(site_a), "a5": make_worker(site_a),
         "b1": make_worker(site_b), "b2": make_worker(site_b), "b3": make_worker(site_b)}
    children = {key: make_child(worker, left_behind=True) for key, worker in w.items()}

    def sign(key, signed_on):
        clock.now = shanghai(signed_on.year, signed_on.month, signed_on.day, 12)
        return services.log_paper_pledge(w[key], [children[key]], signed_on, "李专员", scan_png(),
                                         "image/png", OFFICER)

    def revoke(pledge, at):
        clock.now = at
        services.revoke(pledge, "职工离职", OFFICER)

    # 365 days valid, the signing day included.
    p = {
        "a1_old": sign("a1", date(2025, 10, 20)),    # until 2026-10-19
        "a1": sign("a1", date(2026, 10, 1)),         # renews it; the quarter's first day
        "a2": sign("a2", date(2026, 12, 31)),        # the quarter's last day
        "a3": sign("a3", date(2026, 9, 30)),         # the day before the quarter
        "a4": sign("a4", date(2025, 12, 30)),        # until 2026-12-29: expired on the 31st
        "a5": sign("a5", date(2026, 11, 10)),        # revoked at 23:59 on the last day
        "b2": sign("b2", date(2026, 11, 20)),
        "b3": sign("b3", date(2026, 11, 1)),         # revoked at 00:00 the day after
        "b1": sign("b1", date(2027, 1, 1)),          # after the quarter
    }
    revoke(p["a5"], shanghai(2026, 12, 31, 23, 59))
    revoke(p["b3"], shanghai(2027, 1, 1, 0, 0))
    return {"company": company, "site_a": site_a, "team_a": team_a, "site_b": site_b, "w": w,
            "p": p}


def test_the_pledges_declare_a_flow_and_a_stock(app):
    declared = indicators.declared_indicators()
    assert declared["pledges.signed"][1].kind == indicators.FLOW
    assert str(declared["pledges.signed"][1].unit) == "份"
    assert declared["pledges.workers_covered"][1].kind == indicators.STOCK
    assert str(declared["pledges.workers_covered"][1].unit) == "人"


def test_pledges_signed_in_the_quarter(world):
    def signed(unit, start=Q4[0], end=Q4[1]):
        return indicators.compute("pledges.signed", [world[unit].path], start, end)

    # a1 (1 Oct), a2 (31 Dec), a5 (revoked since, still signed), b2, b3; not a1's old one, a3
    # (30 Sep), a4 (2025) or b1 (1 Jan).
    assert signed("company") == 5
    assert signed("site_a") == 3 and signed("team_a") == 1 and signed("site_b") == 2
    assert signed("company", date(2025, 10, 1), date(2025, 12, 31)) == 2   # a1's old one, a4
    assert signed("company", date(2026, 12, 31), date(2026, 12, 31)) == 1
    p = world["p"]
    assert indicators.counted_records("pledges.signed", [world["site_a"].path], *Q4) == sorted(
        [p["a1"].id, p["a2"].id, p["a5"].id])


def test_workers_covered_on_the_last_day(world):
    def covered(unit, end):
        return indicators.compute("pledges.workers_covered", [world[unit].path], Q4[0], end)

    # 31 Dec: a1, a2 (signed that day), a3, b2, b3 (revoked only after the day); not a4
    # (expired on the 29th), a5 (revoked before midnight) or b1 (signed later).
    assert covered("company", date(2026, 12, 31)) == 5
    assert covered("site_a", date(2026, 12, 31)) == 3
    assert covered("team_a", date(2026, 12, 31)) == 1
    assert covered("site_b", date(2026, 12, 31)) == 2
    # 29 Dec: a4's last valid day, a5 not yet revoked, a2 not yet signed.
    assert covered("company", date(2026, 12, 29)) == 6    # a1, a3, a4, a5, b2, b3
    assert covered("company", date(2026, 12, 30)) == 5    # a4 has lapsed
    # 15 Oct: a1 holds two pledges in force and counts once; a3 and a4.
    assert covered("company", date(2026, 10, 15)) == 3
    # 1 Jan: b1 signed, b3 revoked at its first minute, a2's pledge runs on.
    assert covered("site_b", date(2027, 1, 1)) == 2       # b1, b2
    w = world["w"]
    assert indicators.counted_records("pledges.workers_covered", [world["company"].path],
                                      *Q4) == sorted(w[key].id for key in ("a1", "a2", "a3", "b2", "b3"))
    assert indicators.counted_records("pledges.workers_covered", [world["site_a"].path],
                                      date(2026, 10, 1), date(2026, 10, 15)) == sorted(
        w[key].id for key in ("a1", "a3", "a4"))


def test_a_worker_who_left_is_not_covered_after_leaving(world):
    from plugin.registry.schema import WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_worker

    from .conftest import SYSTEM

    b2 = world["w"]["b2"]
    upsert_worker(parse_record({"employee_number": b2.employee_number, "name": b2.name,
                                "employment_status": "离职", "left_on": "2026-12-15"},
                               WORKER_FIELDS, today=date(2026, 12, 31)),
                  unit=world["site_b"], actor=SYSTEM)
    # b2's pledge runs on, but b2 left on the 15th: covered on the 14th, not on the 31st.
    assert indicators.compute("pledges.workers_covered", [world["site_b"].path],
                              date(2026, 12, 1), date(2026, 12, 14)) == 2
    assert indicators.compute("pledges.workers_covered", [world["site_b"].path], *Q4) == 1
