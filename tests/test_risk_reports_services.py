"""Risk reports through the services: raising and routing, the police report, notices,
follow-ups, the closure with its integrity entry, and the escalation ladder on the clock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from plugin.audit.models import AuditEvent
from plugin.core.clock import utcnow
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.guardianship.models import IntegrityEntry
from plugin.notifications.models import Notification
from plugin.risk_reports import queries, rules, services
from plugin.risk_reports.escalation import escalate_overdue
from plugin.risk_reports.models import (
    Care,
    EscalationReason,
    NoticeMethod,
    NoticeRecipient,
    Outcome,
    ReportStatus,
    RiskReport,
    Safety,
)

from .risk_reports_support import (
    FACTS,
    REPORTER_NAME,
    actor_of,
    audited,
    concern,
    make_world,
    raise_described,
    raise_for_child,
)


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def recipients(report_id: int) -> set[str]:
    return set(session.scalars(select(Notification.recipient_key).where(
        Notification.link_args["report_id"].as_integer() == report_id)))


def police(report, world, *, minutes_after_learning=25, **overrides):
    data = services.PoliceReportInput(report.learned_at + timedelta(minutes=minutes_after_learning),
                                      "南充市顺庆区某某派出所", "李警官", "JJ2026-0001")
    for name, value in overrides.items():
        setattr(data, name, value)
    services.record_police_report(report, data, actor_of(world.site_manager))
    session.flush()


# -- raising and routing --------------------------------------------------------------------------

def test_a_registry_childs_case_goes_to_the_parents_site_with_the_deadline(world, clock):
    report = raise_for_child(world)
    assert report.org_unit_id == world.site.id  # the team's site, not the team
    assert report.worker_id == world.worker.id and report.child_id == world.child.id
    assert report.hukou_region_code == "511321"
    assert report.police_due_at == clock.now + timedelta(hours=2)
    assert report.status == ReportStatus.OPEN and report.escalation_level == 0
    # The site's own handlers and the company's, not the bureau's care worker yet.
    assert recipients(report.id) == {world.site_manager.key, world.admin.key}
    note = session.scalars(select(Notification).where(
        Notification.recipient_key == world.site_manager.key)).one()
    assert "公安机关" in note.title_msgid and "110" in note.body_msgid
    assert "冯小雨" not in str(note.params) and world.hr.display_name not in str(note.params)


def test_a_described_child_goes_to_the_chosen_site(world):
    report = raise_described(world, site=world.other_site)
    assert report.org_unit_id == world.other_site.id and report.child_id is None
    assert report.described_child == "小军"
    assert report.reporter_name == REPORTER_NAME
    assert recipients(report.id) == {world.other_manager.key, world.admin.key}


def test_the_raise_is_audited_under_the_pseudonym_with_case_and_situation_only(world):
    report = raise_for_child(world)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "risk.raised")).one()
    assert (event.actor_key, event.actor_name) == ("risk_reports:reporter", "报告人（保密）")
    assert event.ip is None and event.user_agent is None
    assert event.target_id == str(report.id)
    assert event.details == {"risk_situation": "alone"}


def test_an_anonymous_case_keeps_nothing_of_its_reporter(world):
    report = raise_described(world, anonymous=True)
    assert report.anonymous
    assert (report.reporter_key, report.reporter_name, report.reporter_contact,
            report.reporter_index) == (None, None, None, None)
    stored = str([getattr(report, column.key) for column in RiskReport.__table__.columns])
    assert REPORTER_NAME not in stored and f"worker:{world.reporter.id}" not in stored


def test_anonymous_with_a_contact_phone_is_refused_and_writes_nothing(world):
    with pytest.raises(InputInvalid) as refused:
        raise_described(world, anonymous=True, contact="13900001111")
    assert [error.field for error in refused.value.errors] == ["contact"]
    assert session.scalar(select(RiskReport.id)) is None


def test_every_problem_of_a_concern_is_named_at_once(world, clock):
    from plugin.risk_reports.models import LearnedHow, ReporterKind

    data = concern(situation=None, facts=" ", learned_at=clock.now + timedelta(hours=1),
                   learned_how=LearnedHow.OTHER, child_name="", child_location="",
                   site_id=world.team.id, hukou_region_code="51130")
    with pytest.raises(InputInvalid) as refused:
        services.raise_concern(data, reporter=actor_of(world.hr),
                               reporter_kind=ReporterKind.STAFF)
    assert {error.field for error in refused.value.errors} == {
        "situation", "facts", "learned_at", "learned_how_text", "child_name", "child_location",
        "site_id", "hukou_region_code"}


def test_a_child_not_the_workers_is_refused(world, make_worker, make_child):
    stranger = make_child(make_worker(world.site), name="别人家孩子")
    with pytest.raises(InputInvalid) as refused:
        raise_for_child(world, child_id=stranger.id)
    assert refused.value.errors[0].field == "child_id"


# -- police report and notices -------------------------------------------------------------------

def test_the_police_report_stops_the_clock_and_is_audited(world, clock):
    report = raise_for_child(world)
    police(report, world)
    assert report.police_station == "南充市顺庆区某某派出所"
    assert report.police_receipt == "JJ2026-0001"
    assert not rules.police_overdue(report, clock.advance(hours=5))
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "risk.police_reported")).one()
    assert event.details["minutes"] == 25
    with pytest.raises(ValidationError):
        police(report, world)


def test_a_police_report_needs_its_station_and_a_sensible_time(world, clock):
    report = raise_for_child(world)
    with pytest.raises(InputInvalid) as refused:
        police(report, world, minutes_after_learning=-10, station="")
    assert {error.field for error in refused.value.errors} == {"reported_at", "station"}
    assert report.reported_to_police_at is None


def test_notices_are_recorded_and_checked(world, clock):
    report = raise_for_child(world)
    services.add_notice(report, services.NoticeInput(
        NoticeRecipient.CHILD_DIRECTOR, "某某村村委会", clock.now, NoticeMethod.PHONE,
        person="张秀英", phone="13800000000"), actor_of(world.site_manager))
    assert [notice.person for notice in queries.notices_of(report.id)] == ["张秀英"]
    with pytest.raises(InputInvalid) as refused:
        services.add_notice(report, services.NoticeInput(None, "", None, None),
                            actor_of(world.site_manager))
    assert {error.field for error in refused.value.errors} == {
        "recipient", "organisation", "notified_at", "method"}


# -- follow-up and closure -----------------------------------------------------------------------

def test_closing_needs_the_police_report_unless_unfounded(world):
    report = raise_for_child(world)
    actor = actor_of(world.site_manager)
    with pytest.raises(InputInvalid) as refused:
        services.close_report(report, services.CloseInput(Outcome.PARENT_RETURNED, "父亲已返家"),
                              actor)
    assert refused.value.errors[0].field == "outcome"
    with pytest.raises(InputInvalid):
        services.close_report(report, services.CloseInput(Outcome.UNFOUNDED, ""), actor)
    assert report.status == ReportStatus.OPEN
    services.close_report(report, services.CloseInput(
        Outcome.UNFOUNDED, "经村儿童主任上门核实，孩子与奶奶同住，情况不属实。"), actor)
    assert report.status == ReportStatus.CLOSED and report.outcome == Outcome.UNFOUNDED
    with pytest.raises(ValidationError):
        services.add_follow_up(report, services.FollowUpInput(utcnow(), Safety.SAFE,
                                                              Care.ADEQUATE), actor)


def test_closure_with_neglect_admonishes_the_parent_in_the_integrity_record(world, clock):
    report = raise_for_child(world)
    police(report, world)
    actor = actor_of(world.care_worker)
    clock.advance(days=1)
    services.add_follow_up(report, services.FollowUpInput(
        clock.now, Safety.SAFE, Care.ADEQUATE, notes="父亲已返家"), actor)
    services.close_report(report, services.CloseInput(
        Outcome.PARENT_RETURNED, "父亲返家照料，孩子安全。", guardianship_neglected=True,
        admonition="外出务工未落实委托照护，予以批评教育。"), actor)
    entry = session.scalars(select(IntegrityEntry).where(
        IntegrityEntry.worker_id == world.worker.id, IntegrityEntry.kind == "admonition")).one()
    assert entry.reason == "外出务工未落实委托照护，予以批评教育。"
    assert (entry.reference_type, entry.reference_id) == ("risk_report", report.id)
    assert entry.issued_by == world.care_worker.key
    assert world.hr.display_name not in str([entry.reason, entry.details, entry.issued_by_name])
    assert report.admonition == entry.reason and report.guardianship_neglected
    assert not queries.has_open_report(world.worker.id)


def test_neglect_needs_a_registry_parent_and_an_admonition(world):
    described = raise_described(world)
    police(described, world)
    with pytest.raises(InputInvalid) as refused:
        services.close_report(described, services.CloseInput(
            Outcome.NEW_CARER, "已落实新的照护人", guardianship_neglected=True, admonition="差"),
            actor_of(world.site_manager))
    assert {error.field for error in refused.value.errors} == {"guardianship_neglected",
                                                               "admonition"}
    assert session.scalar(select(IntegrityEntry.id).where(
        IntegrityEntry.kind == "admonition")) is None


def test_open_reports_are_published_for_aid(world):
    assert not queries.has_open_report(world.worker.id)
    raise_for_child(world)
    assert queries.has_open_report(world.worker.id)
    assert queries.open_report_worker_ids([world.worker.id, world.reporter.id]) == {
        world.worker.id}
    assert queries.open_report_worker_ids([]) == set()


# -- the ladder ----------------------------------------------------------------------------------

def ladder(report_id: int) -> list[tuple[str, int, int]]:
    return [(row.reason.value, row.level, row.org_unit_id)
            for row in queries.escalations_of(report_id)]


def test_an_unreported_case_climbs_the_tree_once_per_level(world, clock):
    report = raise_for_child(world)
    assert escalate_overdue()["escalations"] == 0
    clock.advance(hours=1, minutes=59)
    assert escalate_overdue()["escalations"] == 0
    clock.advance(minutes=1)  # the deadline: level 1, the bureau
    assert escalate_overdue()["escalations"] == 1
    assert escalate_overdue()["escalations"] == 0  # run twice: nothing more
    assert ladder(report.id) == [("police_overdue", 1, world.bureau.id)]
    assert world.care_worker.key in recipients(report.id)
    clock.advance(hours=2)  # one more interval: level 2, the root
    escalate_overdue()
    clock.advance(hours=10)  # the root is the top: it stays there
    escalate_overdue()
    escalate_overdue()
    assert ladder(report.id) == [("police_overdue", 1, world.bureau.id),
                                 ("police_overdue", 2, world.root.id)]
    assert report.escalation_level == 2
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "risk.escalated")
                             .order_by(AuditEvent.id)).all()
    assert [event.details["risk_level"] for event in events] == [1, 2]
    assert {event.actor_key for event in events} == {"system:risk-escalation"}


def test_a_late_job_takes_every_level_missed(world, clock):
    report = raise_for_child(world)
    clock.advance(hours=9)
    assert escalate_overdue()["escalations"] == 2
    assert [level for _, level, _ in ladder(report.id)] == [1, 2]


def test_the_police_hours_are_a_setting(world, clock, set_setting):
    set_setting("CAREBRIDGE_RISK_POLICE_REPORT_HOURS", 1)
    report = raise_for_child(world)
    assert report.police_due_at == clock.now + timedelta(hours=1)
    clock.advance(hours=1)
    assert escalate_overdue()["escalations"] == 1


def test_a_case_without_follow_up_escalates_each_lapse_and_a_follow_up_starts_again(world, clock):
    report = raise_for_child(world)
    police(report, world, minutes_after_learning=30)  # reported at learned + 30 = now
    reported = report.reported_to_police_at
    clock.advance(days=6, hours=23)
    assert escalate_overdue()["escalations"] == 0
    clock.now = reported + timedelta(days=7)
    assert escalate_overdue()["escalations"] == 1
    assert escalate_overdue()["escalations"] == 0
    clock.now = reported + timedelta(days=14)
    escalate_overdue()
    assert ladder(report.id) == [("follow_up_overdue", 1, world.bureau.id),
                                 ("follow_up_overdue", 2, world.root.id)]
    services.add_follow_up(report, services.FollowUpInput(
        clock.now, Safety.SAFE, Care.ADEQUATE), actor_of(world.site_manager))
    clock.advance(days=7)
    assert escalate_overdue()["escalations"] == 1  # a new lapse: level 1 again
    rows = queries.escalations_of(report.id)
    assert rows[-1].level == 1 and rows[-1].lapse_started_at != rows[0].lapse_started_at
    assert {row.reason for row in rows} == {EscalationReason.FOLLOW_UP_OVERDUE}


def test_the_python_rules_and_their_sql_twins_agree(world, clock):
    unreported = raise_for_child(world)
    reported = raise_described(world)
    police(reported, world, minutes_after_learning=30)
    for hours in (0, 1, 2, 5, 24 * 7, 24 * 8):
        now = clock.now + timedelta(hours=hours)
        found = set(session.scalars(select(RiskReport.id).where(
            rules.police_overdue_condition(now))))
        assert found == {r.id for r in (unreported, reported) if rules.police_overdue(r, now)}
        found = set(session.scalars(select(RiskReport.id).where(
            rules.follow_up_overdue_condition(now))))
        assert found == {r.id for r in (unreported, reported) if rules.follow_up_overdue(
            r, rules.last_activity(r, queries.latest_follow_up_at(r.id)), now)}


def test_the_clock_shows_time_left_overdue_and_the_next_step(world, clock):
    report = raise_for_child(world)
    shown = rules.clock_of(report, world.site, None, clock.now + timedelta(minutes=30))
    assert shown.kind == "police" and shown.left == timedelta(hours=1, minutes=30)
    assert shown.next_escalation_at == report.police_due_at
    shown = rules.clock_of(report, world.site, None, clock.now + timedelta(hours=3))
    assert shown.overdue_by == timedelta(hours=1)
    assert shown.next_escalation_at == report.police_due_at + timedelta(hours=2)
    assert rules.clock_of(report, world.site, None, clock.now + timedelta(hours=9)
                          ).next_escalation_at is None  # at the root


def test_closing_and_facts_are_stored_encrypted(world, app):
    report = raise_for_child(world)
    raw = session.execute(text("SELECT facts FROM cb_risk_report WHERE id = :id"),
                          {"id": report.id}).scalar_one()
    assert FACTS not in raw
    assert audited("risk.raised") == 1
