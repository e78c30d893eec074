"""Retention of risk reports and of the care team: a named reporter's identity a year after the
case closed, the case's descriptions five years after, a care service's notes and a former
member's name three years after — on the day and not the day before, once, with the figures of
the past unchanged."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from plugin.access.scope import Scope
from plugin.care_team import members as care_members
from plugin.care_team import service_records as care_services
from plugin.care_team.models import MemberKind, ServiceKind
from plugin.core import indicators
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.risk_reports import services as risk_services
from plugin.risk_reports.models import Outcome

from .retention_support import SCHEDULER, raw, run
from .risk_reports_support import actor_of, make_world, raise_for_child


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def closed_case(world):
    report = raise_for_child(world)
    officer = actor_of(world.site_manager)
    risk_services.record_police_report(report, risk_services.PoliceReportInput(
        reported_at=report.raised_at, station="大桥派出所", officer="王警官", receipt="J001"),
        officer)
    risk_services.add_follow_up(report, risk_services.FollowUpInput(
        occurred_at=report.raised_at, safety=risk_services.Safety.SAFE,
        care=risk_services.Care.ADEQUATE, actions=[], notes="奶奶已回家照顾"), officer)
    risk_services.close_report(report, risk_services.CloseInput(
        outcome=Outcome.PARENT_RETURNED, summary="父亲已返乡"), officer)
    session.flush()
    return report


def test_a_named_reporter_goes_a_year_after_closing_and_the_case_five_years_after(world, clock):
    report = closed_case(world)
    raised = indicators.compute("risk_reports.raised", [world.root.path], local_today(),
                                local_today())
    assert raw("cb_risk_report", "reporter_index", report.id) is not None

    clock.advance(days=364)
    assert run("risk_reports.reporters", dry_run=True) == 0
    clock.advance(days=2)
    assert run("risk_reports.reporters", dry_run=True) == 1
    assert raw("cb_risk_report", "reporter_index", report.id) is not None  # a dry run
    assert run("risk_reports.reporters") == 1
    assert run("risk_reports.reporters") == 0
    for column in ("reporter_key", "reporter_name", "reporter_index"):
        assert raw("cb_risk_report", column, report.id) is None
    assert raw("cb_risk_report", "described_child", report.id) is None  # a registry child
    assert raw("cb_risk_report", "anonymised_at", report.id) is None

    clock.advance(days=4 * 366)
    assert run("risk_reports.closed_cases") == 1
    assert run("risk_reports.closed_cases") == 0
    session.expire_all()
    assert raw("cb_risk_report", "anonymised_at", report.id) is not None
    assert raw("cb_risk_report", "closure_summary", report.id) is None
    notes = session.execute(text("SELECT notes FROM cb_risk_follow_up WHERE report_id = :id"),
                            {"id": report.id}).scalars().all()
    assert notes == [None]
    # what the figures read stays: the situation, the dates, the outcome
    assert (raw("cb_risk_report", "situation", report.id),
            raw("cb_risk_report", "outcome", report.id)) == ("alone", "parent_returned")
    day = report.raised_at.date()
    assert indicators.compute("risk_reports.raised", [world.root.path], day, day) == raised


def test_an_open_case_is_never_purged(world, clock):
    raise_for_child(world)
    clock.advance(days=10 * 366)
    assert run("risk_reports.reporters", dry_run=True) == 0
    assert run("risk_reports.closed_cases", dry_run=True) == 0


def test_service_notes_and_former_members_go_after_three_years(world, clock):
    today = local_today()
    member = care_members.add_member(care_members.MemberInput(
        unit=world.site, kind=MemberKind.VOLUNTEER, name="志愿者小林",
        joined_on=today - timedelta(days=30), phone="13700001111"),
        scope=Scope.company(), actor=SCHEDULER, today=today)
    service = care_services.record_service(world.worker, care_services.ServiceInput(
        kind=ServiceKind.COUNSELLING, occurred_on=today, member_ids=[member.id],
        child_ids=[world.child.id], description="孩子最近情绪低落", outcome="好转"),
        actor=SCHEDULER, today=today)
    care_members.update_member(member, care_members.MemberInput(
        unit=world.site, kind=MemberKind.VOLUNTEER, name="志愿者小林",
        joined_on=today - timedelta(days=30), phone="13700001111", left_on=today),
        scope=Scope.company(), actor=SCHEDULER, today=today)
    served = indicators.compute("care_team.services_delivered", [world.root.path], today, today)
    session.flush()

    clock.advance(days=3 * 365)  # 2029-11-21: a day short of three years
    assert run("care_team.service_notes", dry_run=True) == 0
    assert run("care_team.former_members", dry_run=True) == 0
    clock.advance(days=1)
    assert run("care_team.service_notes") == 1
    assert run("care_team.former_members") == 1
    assert (run("care_team.service_notes"), run("care_team.former_members")) == (0, 0)
    session.expire_all()
    assert raw("cb_care_service", "outcome", service.id) is None
    assert raw("cb_care_service", "anonymised_at", service.id) is not None
    assert (raw("cb_care_member", "name", member.id),
            raw("cb_care_member", "phone", member.id)) == ("已清除", None)
    assert indicators.compute("care_team.services_delivered", [world.root.path], today,
                              today) == served
    assert date(2029, 11, 22) == local_today()


def test_the_worker_s_own_data_file_lists_the_care_services_they_received(world):
    from plugin.care_team.subject_data import subject_data

    today = local_today()
    member = care_members.add_member(care_members.MemberInput(
        unit=world.site, kind=MemberKind.VOLUNTEER, name="志愿者小林", joined_on=today),
        scope=Scope.company(), actor=SCHEDULER, today=today)
    care_services.record_service(world.worker, care_services.ServiceInput(
        kind=ServiceKind.TUTORING, occurred_on=today, member_ids=[member.id],
        child_ids=[world.child.id], description="数学辅导", outcome="成绩提高"),
        actor=SCHEDULER, today=today)
    [section] = subject_data(world.worker)
    assert [(day, text) for day, text in section.rows] == [
        (today, f"学业辅导；{world.child.name}；成绩提高")]
    assert subject_data(world.reporter) == []
