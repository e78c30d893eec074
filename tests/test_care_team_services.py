"""The care team's services: members and trainings (validation, the scope of units and of linked
workers), service records (members who serve the worker's unit on the day, the worker's own
children, encrypted notes, audit) and commendations (nominees within the scope, decided once,
the integrity entry written on award)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from plugin.access.scope import Scope
from plugin.audit.models import AuditEvent
from plugin.care_team import commendations, members
from plugin.care_team.models import (
    CareTeamMember,
    Commendation,
    CommendationCategory,
    CommendationStatus,
    Engagement,
    MemberKind,
    ServiceRecord,
)
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.guardianship.labels import INTEGRITY_LABELS
from plugin.guardianship.models import IntegrityEntry
from plugin.org.models import OrgKind

from .care_team_support import (
    TODAY,
    add_member,
    award,
    member_input,
    nominate_guardian,
    record_service,
)
from .conftest import SYSTEM


@pytest.fixture
def org(company, make_unit, make_worker, make_child, clock):
    region = make_unit(OrgKind.SUBSIDIARY, name="西南分公司")
    site = make_unit(OrgKind.SITE, parent=region, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    worker = make_worker(site, employee_number="A1001", name="赵铁柱")
    child = make_child(worker, name="赵小花", birth_date="2015-03-03")
    other_worker = make_worker(other, employee_number="B2001", name="隔壁王五")
    other_child = make_child(other_worker, name="隔壁小宝", birth_date="2014-04-04")
    return {"company": company, "region": region, "site": site, "other": other,
            "worker": worker, "child": child, "other_worker": other_worker,
            "other_child": other_child}


def events(action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- members ------------------------------------------------------------------------------------

def test_a_member_with_availability_linked_to_a_worker_is_audited(org):
    member = add_member(org["site"], employee_number="a1001", available_days=("7", 6, 6))
    assert (member.worker_id, member.available_days, member.kind) == (
        org["worker"].id, "6,7", MemberKind.VOLUNTEER)
    assert member.active_on(TODAY) and not member.active_on(member.joined_on - timedelta(days=1))
    [event] = events("care_team.member_added")
    assert event.target_id == str(member.id) and event.details["worker_id"] == org["worker"].id
    raw = session.execute(text("SELECT phone FROM cb_care_member")).scalar_one()
    assert "13800138000" not in str(raw)


def test_every_mistake_in_a_member_is_reported_at_once(org):
    with pytest.raises(InputInvalid) as refused:
        add_member(None, kind="astronaut", name=" ", joined_on=TODAY + timedelta(days=1),
                   phone="12345", available_days=(8,))
    assert {error.field for error in refused.value.errors} == {
        "unit", "kind", "name", "joined_on", "phone", "available_days"}
    with pytest.raises(InputInvalid) as social:
        add_member(org["site"], kind=MemberKind.SOCIAL_WORKER)
    assert social.value.field == "engagement"
    with pytest.raises(InputInvalid) as purchased:
        add_member(org["site"], kind=MemberKind.SOCIAL_WORKER, engagement=Engagement.PURCHASED)
    assert purchased.value.field == "provider"
    with pytest.raises(InputInvalid) as volunteer:
        add_member(org["site"], engagement=Engagement.IN_HOUSE)
    assert volunteer.value.field == "engagement"
    with pytest.raises(InputInvalid) as left:
        add_member(org["site"], left_on=TODAY - timedelta(days=200))
    assert left.value.field == "left_on"
    assert session.scalar(select(func.count(CareTeamMember.id))) == 0


def test_units_and_workers_outside_the_scope_are_not_found(org):
    site_scope = Scope.of_unit(org["site"])
    with pytest.raises(InputInvalid) as unit:
        add_member(org["other"], scope=site_scope)
    assert unit.value.field == "unit"
    with pytest.raises(InputInvalid) as worker:
        add_member(org["site"], scope=site_scope, employee_number="B2001")
    assert worker.value.field == "employee_number" and "B2001" in worker.value.localized()
    add_member(org["site"], employee_number="A1001")
    with pytest.raises(InputInvalid) as taken:
        add_member(org["site"], name="另一人", employee_number="A1001")
    assert taken.value.field == "employee_number"


def test_changing_a_member_names_the_fields_changed(org):
    member = add_member(org["site"])
    changed = members.update_member(member, member_input(org["site"], left_on=TODAY,
                                                         specialties="绘本阅读"),
                                    scope=Scope.company(), actor=SYSTEM, today=TODAY)
    assert changed == ["specialties", "left_on"]
    assert not member.active_on(TODAY)
    [event] = events("care_team.member_updated")
    assert event.details == {"fields": ["specialties", "left_on"]}
    assert members.update_member(member, member_input(org["site"], left_on=TODAY,
                                                      specialties="绘本阅读"),
                                 scope=Scope.company(), actor=SYSTEM, today=TODAY) == []


def test_trainings_in_hours_to_the_tenth(org):
    member = add_member(org["site"])
    training = members.record_training(member, members.TrainingInput(
        "儿童心理危机识别", TODAY, Decimal("1.5"), "市妇联"), actor=SYSTEM, today=TODAY)
    assert training.minutes == 90 and training.hours == 1.5
    with pytest.raises(InputInvalid) as refused:
        members.record_training(member, members.TrainingInput(
            "", TODAY + timedelta(days=1), Decimal("0"), None), actor=SYSTEM, today=TODAY)
    assert {error.field for error in refused.value.errors} == {"title", "held_on", "hours"}
    with pytest.raises(InputInvalid):
        members.record_training(member, members.TrainingInput("长课", TODAY, Decimal("201")),
                                actor=SYSTEM, today=TODAY)
    assert [t.id for t in members.trainings_of(member)] == [training.id]
    assert len(events("care_team.training_recorded")) == 1


# --- service records ----------------------------------------------------------------------------

def test_a_service_by_members_serving_the_worker_with_encrypted_notes(org):
    here = add_member(org["site"], name="本部志愿者")
    above = add_member(org["region"], name="分公司社工", kind=MemberKind.SOCIAL_WORKER,
                       engagement=Engagement.PURCHASED, provider="阳光社工中心")
    service = record_service(org["worker"], [here, above], child_ids=[org["child"].id],
                             follow_up_on=TODAY + timedelta(days=14))
    assert (service.org_unit_id, service.worker_id) == (org["site"].id, org["worker"].id)
    raw = session.execute(text("SELECT description, outcome FROM cb_care_service")).one()
    assert "心理疏导" not in str(raw[0]) and "情绪好转" not in str(raw[1])
    [event] = events("care_team.service_recorded")
    assert event.details["care_members"] == sorted([here.id, above.id])
    assert event.details["care_children"] == 1


def test_members_must_serve_the_worker_on_the_day_and_children_be_the_workers(org):
    elsewhere = add_member(org["other"], name="隔壁志愿者")
    late = add_member(org["site"], name="新来的", joined_on=TODAY - timedelta(days=1))
    left = add_member(org["site"], name="走了的", left_on=TODAY - timedelta(days=5))
    for providers in ([elsewhere], [late], [left], []):
        with pytest.raises(InputInvalid) as refused:
            record_service(org["worker"], providers, occurred_on=TODAY - timedelta(days=5))
        assert refused.value.field == "members"
    with pytest.raises(InputInvalid) as child:
        record_service(org["worker"], [late], child_ids=[org["other_child"].id])
    assert child.value.field == "children"
    with pytest.raises(InputInvalid) as many:
        record_service(org["worker"], [late], kind="magic", occurred_on=TODAY + timedelta(days=1),
                       description="  ", follow_up_on=TODAY)
    assert {error.field for error in many.value.errors} == {"kind", "occurred_on",
                                                            "description", "follow_up_on"}
    with pytest.raises(InputInvalid) as follow_up:
        record_service(org["worker"], [late], occurred_on=TODAY, follow_up_on=TODAY)
    assert follow_up.value.field == "follow_up_on"
    assert session.scalar(select(func.count(ServiceRecord.id))) == 0
    assert record_service(org["worker"], [late], occurred_on=TODAY) is not None


# --- commendations ------------------------------------------------------------------------------

def test_awarding_a_model_guardian_writes_the_integrity_record_once(org):
    nominated = nominate_guardian(org["worker"])
    assert nominated.status == CommendationStatus.NOMINATED
    assert session.scalar(select(func.count(IntegrityEntry.id))) == 0
    award(nominated, awarded_on=TODAY - timedelta(days=2))
    assert (nominated.status, nominated.decided_on) == (CommendationStatus.AWARDED,
                                                        TODAY - timedelta(days=2))
    [entry] = session.scalars(select(IntegrityEntry)).all()
    assert (entry.worker_id, entry.kind, entry.occurred_on) == (
        org["worker"].id, "commendation", TODAY - timedelta(days=2))
    assert (entry.reference_type, entry.reference_id) == ("care_commendation", nominated.id)
    assert "家长学校" in entry.reason and "集团工会" in entry.reason
    [event] = events("care_team.awarded")
    assert event.details["entry"] == entry.id
    with pytest.raises(ValidationError) as again:
        award(nominated)
    assert again.value.message == commendations.ALREADY_DECIDED
    with pytest.raises(ValidationError):
        commendations.decide(nominated, commendations.NOT_AWARD, awarded_on=None, note="重复",
                             actor=SYSTEM, today=TODAY)
    assert session.scalar(select(func.count(IntegrityEntry.id))) == 1


def test_an_outstanding_volunteer_who_is_a_worker_gets_a_volunteer_award_entry(org):
    assert "volunteer_award" in INTEGRITY_LABELS
    linked = add_member(org["site"], employee_number="A1001")
    outsider = add_member(org["site"], name="校外志愿者")
    for member in (linked, outsider):
        award(commendations.nominate(commendations.NominationInput(
            category=CommendationCategory.OUTSTANDING_VOLUNTEER, awarding_body="集团团委",
            nominated_on=TODAY - timedelta(days=3), reason="坚持每周末辅导功课", member=member),
            scope=Scope.company(), actor=SYSTEM, today=TODAY))
    [entry] = session.scalars(select(IntegrityEntry)).all()
    assert (entry.worker_id, entry.kind) == (org["worker"].id, "volunteer_award")


def test_a_collective_a_refusal_and_the_decision_rules(org):
    collective = commendations.nominate(commendations.NominationInput(
        category=CommendationCategory.OUTSTANDING_COLLECTIVE, awarding_body="市妇联",
        nominated_on=TODAY, reason="组建课业辅导小组", unit=org["site"],
        collective_name="青年志愿服务队"), scope=Scope.company(), actor=SYSTEM, today=TODAY)
    assert commendations.nominee_name(collective) == "甲项目部 青年志愿服务队"
    with pytest.raises(InputInvalid) as refused:
        commendations.decide(collective, None, awarded_on=None, note=None, actor=SYSTEM,
                             today=TODAY)
    assert refused.value.field == "outcome"
    with pytest.raises(InputInvalid) as early:
        award(collective, awarded_on=TODAY - timedelta(days=1))
    assert early.value.field == "awarded_on"
    with pytest.raises(InputInvalid) as no_note:
        commendations.decide(collective, commendations.NOT_AWARD, awarded_on=None, note=" ",
                             actor=SYSTEM, today=TODAY)
    assert no_note.value.field == "note"
    commendations.decide(collective, commendations.NOT_AWARD, awarded_on=None,
                         note="名额有限，明年再推荐", actor=SYSTEM, today=TODAY)
    assert (collective.status, collective.decided_on) == (CommendationStatus.NOT_AWARDED, TODAY)
    assert session.scalar(select(func.count(IntegrityEntry.id))) == 0
    assert len(events("care_team.not_awarded")) == 1


def test_nominees_outside_the_scope_are_not_found(org):
    site_scope = Scope.of_unit(org["site"])
    elsewhere = add_member(org["other"], name="隔壁志愿者")
    with pytest.raises(InputInvalid) as worker:
        nominate_guardian(org["other_worker"], scope=site_scope)
    assert worker.value.field == "employee_number"
    cases = [dict(category=CommendationCategory.OUTSTANDING_VOLUNTEER, member=elsewhere),
             dict(category=CommendationCategory.OUTSTANDING_COLLECTIVE, unit=org["other"])]
    for case in cases:
        with pytest.raises(InputInvalid):
            commendations.nominate(commendations.NominationInput(
                awarding_body="集团工会", nominated_on=TODAY, reason="表现突出的集体",
                **case), scope=site_scope, actor=SYSTEM, today=TODAY)
    with pytest.raises(InputInvalid) as many:
        commendations.nominate(commendations.NominationInput(
            category=CommendationCategory.MODEL_GUARDIAN, awarding_body="",
            nominated_on=TODAY + timedelta(days=1), reason="好"), scope=site_scope,
            actor=SYSTEM, today=TODAY)
    assert {error.field for error in many.value.errors} == {
        "employee_number", "awarding_body", "nominated_on", "reason"}
    assert session.scalar(select(func.count(Commendation.id))) == 0
