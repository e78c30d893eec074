"""Retention of the details features keep beside their figures: an allowance grant's phone, an
integrity entry's reason, a pairing's and a union visit's notes and photos, a former lecturer's
phone, a decided transfer request's texts and a holiday checklist's answers — each on its day and
not the day before, once, with what the figures count left as it was."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from plugin.aid import pairing as aid_pairing
from plugin.aid import visits as aid_visits
from plugin.aid.models import HelperKind, VisitPhoto
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.guardianship import integrity
from plugin.guardianship.models import IntegrityEntry
from plugin.holiday_safety.models import (
    ChecklistItem,
    HolidayKind,
    SafetyCampaign,
    SafetyRecipient,
    SafetyTopic,
    TravelPlan,
)
from plugin.org.models import OrgKind
from plugin.positions import transfers
from plugin.positions.models import TransferStatus
from plugin.positions.transfers import Outcome

from .conftest import SYSTEM
from .contact_allowances_support import add_policy, grant
from .lectures_support import make_lecture, make_lecturer
from .pledges_support import scan_png
from .positions_support import NANBU, ask, make_opening, parent
from .retention_support import raw, run


def to_day(clock, day: date) -> None:
    """Move the clock to 10:00 in Shanghai on ``day``."""
    clock.advance(seconds=(datetime(day.year, day.month, day.day, 2, 0, tzinfo=clock.now.tzinfo)
                           - clock.now).total_seconds())


def goes_on(clock, code: str, day: date, expected: int) -> None:
    """Nothing to purge the day before ``day``; ``expected`` records on it, once."""
    to_day(clock, day - timedelta(days=1))
    assert run(code, dry_run=True) == 0
    to_day(clock, day)
    assert run(code, dry_run=True) == expected
    assert run(code) == expected
    assert run(code) == 0


@pytest.fixture
def site(clock, make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部")


@pytest.fixture
def worker(site, make_worker, make_child):
    worker = make_worker(site, employee_number="A001", name="张大山", phone="13800001111")
    make_child(worker, left_behind=True, name="张小明", birth_date="2017-03-03")
    return worker


def test_a_grants_phone_goes_24_months_after_its_month(site, worker, clock):
    add_policy(site)
    granted = grant(date(2026, 11, 2))[worker.id]
    granted.failure_reason = "号码 13800001111 已停机"
    session.flush()
    goes_on(clock, "family_contact.grant_phones", date(2028, 11, 1), 1)
    assert raw("cb_contact_grant", "phone", granted.id) is None
    assert raw("cb_contact_grant", "failure_reason", granted.id) is None
    assert raw("cb_contact_grant", "minutes", granted.id) == 300  # the allowance figures'


def test_an_integrity_entrys_reason_goes_36_months_after_it(worker, clock):
    entry = integrity.commend(worker, reason="坚持每周视频，孩子成绩进步", occurred_on=local_today(),
                              actor=SYSTEM, today=local_today())
    session.flush()
    goes_on(clock, "guardianship.integrity_reasons", date(2029, 11, 22), 1)
    assert raw("cb_integrity_entry", "reason", entry.id) is None
    kept = session.get(IntegrityEntry, entry.id)
    session.refresh(kept)
    assert (kept.kind, kept.occurred_on) == ("commendation", date(2026, 11, 22))


def test_an_ended_pairing_loses_the_helpers_phone_and_the_contact_notes(worker, clock):
    pairing = aid_pairing.create_pairing(worker, aid_pairing.PairingInput(
        helper_name="王志愿", helper_kind=HelperKind.VOLUNTEER, helper_phone="13900002222",
        starts_on=local_today(), ends_on=local_today() + timedelta(days=365),
        contact_every_days=30), actor=SYSTEM)
    contact = aid_pairing.log_contact(pairing, "visit", local_today(), "孩子奶奶腿脚不便",
                                      actor=SYSTEM, today=local_today())
    clock.advance(days=40)
    aid_pairing.end_pairing(pairing, "家庭已搬回老家", actor=SYSTEM)
    session.flush()
    # Ended early on 1 January 2027: 36 months later, not 36 months after its planned last day.
    goes_on(clock, "aid.ended_pairings", date(2030, 1, 1), 2)
    for column in ("helper_phone", "end_reason"):
        assert raw("cb_aid_pairing", column, pairing.id) is None
    assert raw("cb_aid_pairing", "helper_name", pairing.id) == "王志愿"
    assert raw("cb_aid_pairing_contact", "notes", contact.id) is None
    assert str(raw("cb_aid_pairing_contact", "contacted_on", contact.id)) == "2026-11-22"


def test_a_running_pairing_keeps_everything(worker, clock):
    aid_pairing.create_pairing(worker, aid_pairing.PairingInput(
        helper_name="王志愿", helper_kind=HelperKind.VOLUNTEER, helper_phone="13900002222",
        starts_on=local_today(), ends_on=local_today() + timedelta(days=365 * 5),
        contact_every_days=30), actor=SYSTEM)
    session.flush()
    to_day(clock, date(2030, 1, 1))
    assert run("aid.ended_pairings", dry_run=True) == 0


def test_a_union_visit_loses_its_notes_and_photos_36_months_after(worker, clock):
    visit = aid_visits.record_visit(worker, aid_visits.VisitInput(
        visited_on=local_today(), visitors="工会李主席", notes="孩子需要冬衣",
        goods="棉衣两件", photos=[("慰问.png", "image/png", scan_png())]),
        actor=SYSTEM, today=local_today())
    photo_only = aid_visits.record_visit(worker, aid_visits.VisitInput(
        visited_on=local_today(), visitors="工会李主席",
        photos=[("合影.png", "image/png", scan_png())]), actor=SYSTEM, today=local_today())
    session.flush()
    goes_on(clock, "aid.visit_notes", date(2029, 11, 22), 2)
    assert raw("cb_aid_union_visit", "notes", visit.id) is None
    assert raw("cb_aid_union_visit", "goods", visit.id) == "棉衣两件"
    assert session.scalar(select(func.count()).select_from(VisitPhoto).where(
        VisitPhoto.visit_id.in_([visit.id, photo_only.id]))) == 0


def test_a_former_lecturers_phone_goes_24_months_after_their_last_lecture(site, clock):
    lecturer = make_lecturer(site, "陈律师")
    lecturer.phone = "13700003333"
    lecture = make_lecture(site, starts_at=clock.now + timedelta(days=30), lecturers=[lecturer])
    still_active = make_lecturer(site, "周老师")
    still_active.phone = "13700004444"
    lecturer.active = False
    session.flush()
    assert lecture.starts_at.date() == date(2026, 12, 22)
    goes_on(clock, "lectures.lecturer_phones", date(2028, 12, 22), 1)
    assert raw("cb_lecturer", "phone", lecturer.id) is None
    assert raw("cb_lecturer", "name", lecturer.id) == "陈律师"
    assert raw("cb_lecturer", "phone", still_active.id) == "13700004444"


def test_a_decided_transfer_loses_what_was_written_24_months_after(site, make_unit, make_worker,
                                                                   make_child, clock):
    worker = parent(make_worker, make_child, site, NANBU, employee_number="A009")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    request = ask(worker, make_opening(other, county=NANBU), note="老家在南部县，想离孩子近一点")
    waiting = ask(worker, make_opening(other, "木工"), note="也可以做木工")
    transfers.decide(request, Outcome.DECLINED, reason="岗位已满", effective_on=None,
                     actor=SYSTEM)
    session.flush()
    goes_on(clock, "positions.decided_transfers", date(2028, 11, 22), 1)
    assert raw("cb_positions_transfer", "note", request.id) is None
    assert raw("cb_positions_transfer", "reason", request.id) is None
    assert raw("cb_positions_transfer", "status", request.id) == TransferStatus.DECLINED.value
    assert raw("cb_positions_transfer", "note", waiting.id) == "也可以做木工"


def test_checklist_answers_go_12_months_after_the_holiday_began(site, worker, clock):
    campaign = SafetyCampaign(org_unit_id=site.id, kind=HolidayKind.SUMMER, year=2027,
                              holiday_starts_on=date(2027, 7, 1),
                              topics=SafetyTopic.DROWNING.value,
                              checklist=ChecklistItem.CARER.value)
    session.add(campaign)
    session.flush()
    answered = SafetyRecipient(campaign_id=campaign.id, worker_id=worker.id,
                               confirmed_at=clock.now, carer="外婆李秀英",
                               swimming_rules_explained=True, travel_plan=TravelPlan.GOING_HOME,
                               travel_note="7月10日回南部县")
    session.add(answered)
    session.flush()
    goes_on(clock, "holiday_safety.checklist_answers", date(2028, 7, 1), 1)
    assert raw("cb_holiday_safety_recipient", "carer", answered.id) is None
    assert raw("cb_holiday_safety_recipient", "travel_note", answered.id) is None
    kept = session.get(SafetyRecipient, answered.id)
    session.refresh(kept)
    assert kept.swimming_rules_explained and kept.travel_plan == TravelPlan.GOING_HOME
    assert kept.confirmed_at is not None
