"""Risk reports' figures: aggregates of a subtree and a period, never a reporter or a child."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from plugin.core.db import session
from plugin.core.indicators import breakdown, compute, counted_records
from plugin.risk_reports import services
from plugin.risk_reports.escalation import escalate_overdue
from plugin.risk_reports.models import Outcome, Situation

from .risk_reports_support import actor_of, make_world, raise_described, raise_for_child

DAY = date(2026, 11, 22)


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def police(report, world, minutes: int) -> None:
    services.record_police_report(report, services.PoliceReportInput(
        report.learned_at + timedelta(minutes=minutes), "大桥派出所"),
        actor_of(world.site_manager))


def test_reports_police_times_escalations_and_closures(world, clock):
    quick = raise_for_child(world)                      # learned 30 minutes ago
    slow = raise_described(world, situation=Situation.ABUSE)
    elsewhere = raise_described(world, site=world.other_site, anonymous=True)
    clock.advance(hours=5)
    escalate_overdue()                                  # all three unreported: levels 1 and 2
    police(quick, world, 60)
    police(slow, world, 200)
    police(elsewhere, world, 40)
    services.close_report(quick, services.CloseInput(Outcome.PARENT_RETURNED, "父亲返家。"),
                          actor_of(world.site_manager))
    session.flush()
    site, bureau = [world.site.path], [world.bureau.path]
    assert compute("risk_reports.raised", site, DAY, DAY) == 2
    assert compute("risk_reports.raised", bureau, DAY, DAY) == 3
    assert breakdown("risk_reports.raised", "situation", bureau, DAY, DAY) == {
        "alone": 2, "abuse": 1}
    assert compute("risk_reports.reported_to_police", bureau, DAY, DAY) == 3
    assert compute("risk_reports.reported_in_time", bureau, DAY, DAY) == 2  # 60 and 40 minutes
    assert compute("risk_reports.median_minutes_to_police", bureau, DAY, DAY) == 60
    assert compute("risk_reports.median_minutes_to_police", site, DAY, DAY) == 130  # 60, 200
    assert compute("risk_reports.escalations", bureau, DAY, DAY) == 6
    assert breakdown("risk_reports.escalations", "reason", site, DAY, DAY) == {
        "police_overdue": 4}
    assert compute("risk_reports.closures", bureau, DAY, DAY) == 1
    assert breakdown("risk_reports.closures", "outcome", bureau, DAY, DAY) == {
        "parent_returned": 1}
    assert sorted(counted_records("risk_reports.reported_in_time", bureau, DAY, DAY)) == sorted(
        [quick.id, elsewhere.id])
    tomorrow = DAY + timedelta(days=1)
    assert compute("risk_reports.raised", bureau, tomorrow, tomorrow) == 0
    assert compute("risk_reports.median_minutes_to_police", bureau, tomorrow, tomorrow) == 0
