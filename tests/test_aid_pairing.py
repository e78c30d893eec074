"""Pairing aid (结对帮扶): pairing a helper with a family, logging contacts and ending a pairing,
the overdue rule in Python and in SQL, the daily reminder (once per lapse), and the pages."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from plugin.access.roles import Role
from plugin.aid import pairing as pairings
from plugin.aid.models import ContactKind, HelperKind, Pairing, PairingContact
from plugin.aid.pairing import PairingInput, PairingStatus
from plugin.aid.pairing_jobs import remind_overdue_pairings
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid, ValidationError
from plugin.core.host import Actor
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind

from .conftest import submit
from .support import recorded_statements

TODAY = date(2026, 11, 22)


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


@pytest.fixture
def org(company, make_unit, make_user, make_worker, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    users = {"union": make_user(Role.UNION_OFFICER, company, name="工会王主席"),
             "care": make_user(Role.CARE_WORKER, site, name="关爱李专员"),
             "other_site": make_user(Role.SITE_MANAGER, other),
             "hr": make_user(Role.HR_OFFICER, company)}
    return {"site": site, "other": other, "company": company, "users": users,
            "worker": make_worker(site, name="赵铁柱"),
            "other_worker": make_worker(other, name="隔壁王五"),
            **{name: actor_of(user) for name, user in users.items()}}


def pairing_input(**overrides) -> PairingInput:
    values = dict(helper_name="陈志强", helper_kind=HelperKind.PARTY_MEMBER,
                  helper_phone="13800138000", starts_on=TODAY,
                  ends_on=TODAY + timedelta(days=364), contact_every_days=7)
    return PairingInput(**{**values, **overrides})


def make_pairing(org, **overrides) -> Pairing:
    return pairings.create_pairing(org["worker"], pairing_input(**overrides), actor=org["union"])


def events(action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


# --- the services -------------------------------------------------------------------------------

def test_a_pairing_is_created_audited_and_its_phone_stored_encrypted(org):
    made = make_pairing(org, helper_user_key=org["care"].key)
    assert (made.org_unit_id, made.helper_kind, made.contact_every_days) == (
        org["site"].id, HelperKind.PARTY_MEMBER, 7)
    [event] = events("aid.pairing_created")
    assert event.target_type == "aid_pairing" and event.target_id == str(made.id)
    assert event.details["aid_pairing_helper"] == "陈志强"
    assert event.details["worker_id"] == org["worker"].id
    raw = session.execute(text("SELECT helper_phone FROM cb_aid_pairing")).scalar_one()
    assert "13800138000" not in str(raw)


def test_every_mistake_in_a_pairing_is_reported_at_once(org):
    with pytest.raises(InputInvalid) as refused:
        pairings.create_pairing(org["worker"], pairing_input(
            helper_name="  ", helper_kind="boss", helper_phone="", ends_on=TODAY - timedelta(1),
            contact_every_days=0), actor=org["union"])
    fields = {error.field for error in refused.value.errors}
    assert fields == {"helper_name", "helper_kind", "helper_phone", "ends_on",
                      "contact_every_days"}
    with pytest.raises(InputInvalid) as missing:
        pairings.create_pairing(org["worker"], pairing_input(starts_on=None, ends_on=None,
                                                             contact_every_days=400),
                                actor=org["union"])
    assert {error.field for error in missing.value.errors} == {
        "starts_on", "ends_on", "contact_every_days"}
    assert session.scalar(select(Pairing.id)) is None and not events("aid.pairing_created")


def test_the_helper_account_must_hold_the_pairing_permission_over_the_family(org):
    with pytest.raises(InputInvalid) as refused:
        make_pairing(org, helper_user_key=org["other_site"].key)
    assert refused.value.field == "helper_user_key"
    with pytest.raises(InputInvalid):
        make_pairing(org, helper_user_key=org["hr"].key)
    assert make_pairing(org, helper_user_key=org["care"].key).helper_user_key == org["care"].key


def test_ending_a_pairing_needs_a_reason_and_happens_once(org):
    made = make_pairing(org)
    with pytest.raises(ValidationError) as no_reason:
        pairings.end_pairing(made, "  ", actor=org["union"])
    assert no_reason.value.field == "reason" and made.ended_at is None
    pairings.end_pairing(made, "家庭困难已解决", actor=org["union"])
    assert made.ended_at is not None and made.end_reason == "家庭困难已解决"
    with pytest.raises(ValidationError) as again:
        pairings.end_pairing(made, "再次结束", actor=org["union"])
    assert again.value.message == pairings.ALREADY_ENDED
    assert [event.details["aid_pairing_end_reason"] for event in events("aid.pairing_ended")] == [
        "家庭困难已解决"]


def test_a_contact_is_dated_within_the_pairing_and_not_in_the_future(org):
    made = make_pairing(org, starts_on=TODAY - timedelta(days=10), ends_on=TODAY + timedelta(30))

    def log(kind=ContactKind.VISIT, on=TODAY, notes=None):
        return pairings.log_contact(made, kind, on, notes, actor=org["care"], today=TODAY)

    for kind, on, field in ((ContactKind.CALL, TODAY + timedelta(1), "contacted_on"),
                            (ContactKind.CALL, TODAY - timedelta(11), "contacted_on"),
                            (ContactKind.CALL, None, "contacted_on"), (None, TODAY, "kind"),
                            ("letter", TODAY, "kind")):
        with pytest.raises(InputInvalid) as refused:
            log(kind, on)
        assert refused.value.field == field
    assert log(on=TODAY - timedelta(10)).contacted_on == TODAY - timedelta(10)
    assert session.scalar(select(PairingContact.id).where(
        PairingContact.contacted_on > TODAY)) is None


def test_a_contact_after_the_last_day_or_on_an_ended_pairing_is_refused(org):
    made = make_pairing(org, starts_on=TODAY - timedelta(30), ends_on=TODAY - timedelta(5))
    with pytest.raises(InputInvalid) as late:
        pairings.log_contact(made, ContactKind.CALL, TODAY, None, actor=org["care"], today=TODAY)
    assert late.value.field == "contacted_on"
    pairings.end_pairing(made, "职工离职", actor=org["union"])
    with pytest.raises(InputInvalid) as ended:
        pairings.log_contact(made, ContactKind.CALL, TODAY - timedelta(6), None,
                             actor=org["care"], today=TODAY)
    assert ended.value.message == pairings.ALREADY_ENDED
    assert session.scalar(select(PairingContact.id)) is None


def test_contact_notes_are_encrypted_audited_and_a_double_tap_is_kept_once(org):
    made = make_pairing(org)
    first = pairings.log_contact(made, ContactKind.VISIT, TODAY, "孩子奶奶住院，需要陪护",
                                 actor=org["care"], today=TODAY)
    again = pairings.log_contact(made, ContactKind.VISIT, TODAY, "孩子奶奶住院，需要陪护",
                                 actor=org["care"], today=TODAY)
    assert again.id == first.id
    raw = session.execute(text("SELECT notes FROM cb_aid_pairing_contact")).scalars().all()
    assert len(raw) == 1 and "住院" not in str(raw[0])
    [logged] = events("aid.pairing_contact_logged")
    assert logged.details == {"aid_pairing_contact_kind": "visit",
                              "aid_pairing_contacted_on": "2026-11-22", "aid_pairing_notes": True}
    pairings.record_notes_read(made, pairings.contacts_of(made), org["union"])
    assert events("aid.pairing_notes_viewed")[0].details == {"aid_pairing_contacts": 1}


# --- the overdue rule ---------------------------------------------------------------------------

def sql_statuses(today: date) -> dict[int, PairingStatus]:
    found = {}
    for status in PairingStatus:
        for pairing_id in session.scalars(select(Pairing.id).where(
                pairings.status_condition(status, today))):
            assert pairing_id not in found, "a pairing matched two statuses"
            found[pairing_id] = status
    return found


def sql_reminders(today: date) -> set[int]:
    return set(session.scalars(select(Pairing.id).where(pairings.reminder_condition(today))))


def test_the_overdue_rule_in_python_and_in_sql_agree_day_by_day(org):
    start = TODAY - timedelta(days=20)
    made = [
        make_pairing(org, starts_on=start, contact_every_days=7),
        make_pairing(org, starts_on=start, contact_every_days=1),
        make_pairing(org, starts_on=start, ends_on=TODAY + timedelta(10), contact_every_days=30),
        make_pairing(org, starts_on=TODAY + timedelta(5), contact_every_days=3),
        make_pairing(org, starts_on=start, contact_every_days=10),
        make_pairing(org, starts_on=start, contact_every_days=5),
    ]
    for pairing, on in ((made[0], start + timedelta(3)), (made[0], TODAY - timedelta(2)),
                        (made[2], start + timedelta(1)), (made[4], TODAY)):
        pairings.log_contact(pairing, ContactKind.CALL, on, None, actor=org["care"], today=TODAY)
    pairings.end_pairing(made[4], "换人帮扶", actor=org["union"])
    made[5].reminded_on = TODAY - timedelta(days=8)  # reminded in an earlier lapse
    session.flush()
    seen = set()
    for offset in range(-25, 40):
        day = TODAY + timedelta(days=offset)
        in_sql = sql_statuses(day)
        reminders = sql_reminders(day)
        for pairing in made:
            last = pairings.last_contact_on(pairing)
            expected = pairings.status_of(pairing, last, day)
            assert in_sql[pairing.id] == expected, (pairing.id, day)
            assert (pairing.id in reminders) == pairings.needs_reminder(pairing, last, day)
            seen.add(expected)
    assert seen == set(PairingStatus)


def test_a_contact_on_the_last_day_in_time_is_on_time(org):
    made = make_pairing(org, contact_every_days=7)
    assert pairings.status_of(made, None, TODAY + timedelta(7)) == PairingStatus.ACTIVE
    assert pairings.status_of(made, None, TODAY + timedelta(8)) == PairingStatus.OVERDUE
    assert pairings.status_of(made, TODAY + timedelta(7), TODAY + timedelta(8)) == \
        PairingStatus.ACTIVE
    assert pairings.status_of(made, None, made.ends_on + timedelta(1)) == PairingStatus.ENDED


# --- the reminder -------------------------------------------------------------------------------

def reminders() -> list[Notification]:
    return list(session.scalars(select(Notification).where(
        Notification.category == "aid.pairing_overdue").order_by(Notification.id)))


def test_the_reminder_goes_once_per_lapse_and_running_twice_sends_nothing_more(org, clock):
    made = make_pairing(org, helper_user_key=org["care"].key, contact_every_days=7)
    make_pairing(org, contact_every_days=30)  # not overdue in these weeks
    clock.advance(days=7)
    assert remind_overdue_pairings()["overdue"] == 0 and not reminders()
    clock.advance(days=1)  # the eighth day without a contact
    assert remind_overdue_pairings() == {"overdue": 1, "helpers_reminded": 1, "units": 1}
    sent = reminders()
    helper = [note for note in sent if note.link_endpoint == "carebridge.aid_pairings.pairing"]
    summary = [note for note in sent if note.link_endpoint == "carebridge.aid_pairings.index"]
    assert [note.recipient_key for note in helper] == [org["care"].key]
    assert helper[0].link_args == {"pairing_id": made.id}
    assert sorted(note.recipient_key for note in summary) == sorted(
        [org["union"].key, org["care"].key])
    assert summary[0].link_args == {"status": "overdue", "unit": org["site"].id}
    assert made.reminded_on == date(2026, 11, 30)
    assert remind_overdue_pairings()["overdue"] == 0  # the same day again
    clock.advance(days=3)  # still the same lapse
    assert remind_overdue_pairings()["overdue"] == 0 and len(reminders()) == len(sent)
    pairings.log_contact(made, ContactKind.VISIT, date(2026, 12, 3), None, actor=org["care"],
                         today=date(2026, 12, 3))
    clock.advance(days=7)  # 12-10: the day the next contact is due, still in time
    assert remind_overdue_pairings()["overdue"] == 0
    clock.advance(days=1)  # a new lapse
    assert remind_overdue_pairings()["overdue"] == 1
    assert len(reminders()) == 2 * len(sent)
    assert remind_overdue_pairings(date(2026, 12, 11))["overdue"] == 0


def test_ended_pairings_and_pairings_past_their_last_day_are_not_reminded(org):
    ended = make_pairing(org, starts_on=TODAY - timedelta(30), contact_every_days=7)
    pairings.end_pairing(ended, "职工离职", actor=org["union"])
    make_pairing(org, starts_on=TODAY - timedelta(60), ends_on=TODAY - timedelta(1),
                 contact_every_days=7)
    assert remind_overdue_pairings(TODAY)["overdue"] == 0 and not reminders()


# --- the pages ----------------------------------------------------------------------------------

def test_pairing_a_family_through_the_page(org, login):
    client = login(org["users"]["care"])
    url = f"/aid/pairings/new/{org['worker'].id}"
    page = client.get(url)
    assert page.status_code == 200 and "关爱李专员" in page.text
    refused = submit(client, url, {"helper_name": "", "helper_kind": "", "helper_phone": "",
                                   "starts_on": "2026-11-22", "ends_on": "2026-11-01",
                                   "contact_every_days": "7", "helper_user_key": ""})
    assert refused.status_code == 422
    assert "请填写帮扶人姓名" in refused.text and "结束日期不能早于开始日期" in refused.text
    assert session.scalar(select(Pairing.id)) is None
    done = submit(client, url, {"helper_name": "陈志强", "helper_kind": "volunteer",
                                "helper_phone": "13800138000", "starts_on": "2026-11-22",
                                "ends_on": "2027-11-21", "contact_every_days": "14",
                                "helper_user_key": org["care"].key})
    assert done.status_code == 302, done.text
    made = session.scalars(select(Pairing)).one()
    assert done.headers["Location"].endswith(f"/aid/pairings/{made.id}")
    assert (made.helper_kind, made.contact_every_days) == (HelperKind.VOLUNTEER, 14)


def test_logging_and_ending_through_the_pairing_page(org, login):
    made = make_pairing(org)
    client = login(org["users"]["care"])
    page_url = f"/aid/pairings/{made.id}"
    future = submit(client, f"{page_url}/contacts",
                    {"contact-kind": "call", "contact-contacted_on": "2026-11-23"},
                    form_url=page_url)
    assert future.status_code == 422 and "联系日期不能晚于今天" in future.text
    logged = submit(client, f"{page_url}/contacts",
                    {"contact-kind": "visit", "contact-contacted_on": "2026-11-22",
                     "contact-notes": "送去过冬棉衣，孩子期末考得不错"}, form_url=page_url)
    assert logged.status_code == 302
    shown = client.get(page_url)
    assert "送去过冬棉衣" in shown.text and len(events("aid.pairing_notes_viewed")) >= 1
    no_reason = submit(client, f"{page_url}/end", {"end-reason": ""}, form_url=page_url)
    assert no_reason.status_code == 422 and made.ended_at is None
    ended = submit(client, f"{page_url}/end", {"end-reason": "职工调往外地项目"},
                   form_url=page_url)
    assert ended.status_code == 302
    session.refresh(made)
    assert made.end_reason == "职工调往外地项目"
    assert 'id="contact-form"' not in client.get(page_url).text


def test_the_list_puts_overdue_first_filters_and_runs_a_fixed_number_of_queries(org, login,
                                                                                make_worker):
    on_time = make_pairing(org, contact_every_days=30)
    overdue = make_pairing(org, starts_on=TODAY - timedelta(20), contact_every_days=7)
    ended = make_pairing(org)
    pairings.end_pairing(ended, "结束", actor=org["union"])
    elsewhere = pairings.create_pairing(org["other_worker"], pairing_input(), actor=org["union"])
    client = login(org["users"]["care"])
    page = client.get("/aid/pairings/")
    ids = [int(part.split('"')[0]) for part in page.text.split('data-pairing="')[1:]]
    assert ids == [overdue.id, on_time.id, ended.id] and elsewhere.id not in ids
    filtered = client.get("/aid/pairings/?status=overdue").text
    assert f'data-pairing="{overdue.id}"' in filtered and f'data-pairing="{on_time.id}"' not in filtered
    running = client.get("/aid/pairings/?status=running").text
    assert f'data-pairing="{ended.id}"' not in running and f'data-pairing="{on_time.id}"' in running
    union = login(org["users"]["union"])
    by_unit = union.get(f"/aid/pairings/?unit={org['other'].id}").text
    assert f'data-pairing="{elsewhere.id}"' in by_unit and f'data-pairing="{overdue.id}"' not in by_unit
    with recorded_statements() as few:
        union.get("/aid/pairings/")
    for _ in range(10):
        pairings.create_pairing(make_worker(org["site"]), pairing_input(), actor=org["union"])
    with recorded_statements() as many:
        assert union.get("/aid/pairings/").text.count("data-pairing=") == 14
    pairing_queries = [s for s in many if "cb_aid_pairing" in s]
    assert len(pairing_queries) == len([s for s in few if "cb_aid_pairing" in s]) <= 2


def test_a_pairing_outside_the_subtree_is_not_found_and_without_permission_forbidden(org, login):
    elsewhere = pairings.create_pairing(org["other_worker"], pairing_input(), actor=org["union"])
    care = login(org["users"]["care"])
    assert care.get(f"/aid/pairings/{elsewhere.id}").status_code == 404
    assert care.get("/aid/pairings/2000000000").status_code == 404
    assert care.get(f"/aid/pairings/new/{org['other_worker'].id}").status_code == 404
    assert "隔壁王五" not in care.get(f"/aid/pairings/{elsewhere.id}").text
    refused = submit(care, f"/aid/pairings/{elsewhere.id}/end", {"end-reason": "x"},
                     form_url="/aid/pairings/")
    assert refused.status_code == 404 and elsewhere.ended_at is None
    hr = login(org["users"]["hr"])
    assert hr.get("/aid/pairings/").status_code == 403
    assert hr.get(f"/aid/pairings/{elsewhere.id}").status_code == 403
    assert hr.get(f"/aid/pairings/new/{org['worker'].id}").status_code == 403
