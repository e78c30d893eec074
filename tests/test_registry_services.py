from datetime import date

import pytest
from sqlalchemy import select, text

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.registry.categories import ParentStatus
from plugin.registry.consent import record_consent, withdraw_consent
from plugin.registry.models import Child, ConsentMethod, EmploymentStatus, ParentRole, Sex
from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, RecordInvalid, parse_record
from plugin.registry.services import recompute_due_categories, upsert_child, upsert_worker
from plugin.registry.units import UnitResolver

from .conftest import SYSTEM

TODAY = date(2026, 11, 22)
WORKER_ID = "11010519491231002X"
CHILD_ID = "110105201505050016"  # born 2015-05-05, male


def worker_values(**overrides):
    raw = {"employee_number": "E001", "name": "张大山", "phone": "138 0013 8000",
           "entry_date": "2024-03-01", "other_parent_status": "在家", "other_parent_capable": "否",
           **overrides}
    return parse_record(raw, WORKER_FIELDS, today=TODAY)


def child_values(**overrides):
    raw = {"parent_employee_number": "E001", "parent_role": "父亲", "name": "张小明",
           "birth_date": "2015-05-05", "lives_in_home_area": "是", **overrides}
    return parse_record(raw, CHILD_FIELDS, today=TODAY)


@pytest.fixture
def site(make_unit):
    return make_unit(OrgKind.SITE, name="前海项目部")


@pytest.fixture
def worker(site):
    return upsert_worker(worker_values(), unit=site, actor=SYSTEM).record


def test_worker_is_created_then_updated_only_where_changed(site):
    first = upsert_worker(worker_values(), unit=site, actor=SYSTEM)
    assert first.created and first.record.name_initials == "zds"
    assert first.record.phone == "13800138000" and first.record.works_away_since == date(2024, 3, 1)
    again = upsert_worker(worker_values(), unit=site, actor=SYSTEM)
    assert again.unchanged
    moved = upsert_worker(worker_values(phone="13900139000"), unit=site, actor=SYSTEM)
    assert moved.changed == ["phone"]
    actions = list(session.execute(select(AuditEvent.action).where(AuditEvent.target_type == "worker")).scalars())
    assert actions == ["worker.created", "worker.updated"]


def test_id_number_is_encrypted_and_never_in_the_audit_log(site):
    worker = upsert_worker(worker_values(id_number=WORKER_ID.lower()), unit=site, actor=SYSTEM).record
    assert worker.id_number == WORKER_ID and worker.sex == Sex.FEMALE
    raw = session.execute(text("SELECT id_number FROM cb_worker")).scalar_one()
    assert WORKER_ID not in raw and raw.startswith("v1.")
    details = session.execute(select(AuditEvent.details)).scalars().all()
    assert WORKER_ID not in repr(details)


def test_duplicate_id_number_across_workers_is_refused(site):
    upsert_worker(worker_values(id_number=WORKER_ID), unit=site, actor=SYSTEM)
    with pytest.raises(ValidationError) as refused:
        upsert_worker(worker_values(employee_number="E002", id_number=WORKER_ID), unit=site, actor=SYSTEM)
    assert refused.value.field == "id_number"


def test_record_errors_name_every_bad_field():
    with pytest.raises(RecordInvalid) as invalid:
        worker_values(phone="4.40306E+17", entry_date="2026-02-30", name="  ")
    fields = {error.field for error in invalid.value.errors}
    assert fields == {"phone", "entry_date", "name"}
    assert any("科学计数法" in error.message for error in invalid.value.errors)


def test_sex_and_birth_date_must_agree_with_id_number():
    with pytest.raises(RecordInvalid) as invalid:
        child_values(id_number=CHILD_ID, birth_date="2015-05-06")
    assert invalid.value.errors[0].field == "birth_date"
    values = child_values(id_number=CHILD_ID, birth_date=None)
    assert values["birth_date"] == date(2015, 5, 5) and values["sex"] == Sex.MALE
    assert values["hukou_region_code"] == "110105"


def test_child_is_left_behind_when_father_works_away_and_mother_incapable(worker):
    outcome = upsert_child(child_values(), actor=SYSTEM, today=TODAY)
    child = outcome.record
    assert outcome.created and child.left_behind is True and child.migrant is False
    assert child.org_unit_id == worker.org_unit_id
    assert child.categories_next_change == date(2031, 5, 5)  # the 16th birthday


def test_child_without_facts_is_unknown_not_guessed(worker):
    child = upsert_child(child_values(lives_in_home_area=None), actor=SYSTEM, today=TODAY).record
    assert child.left_behind is None and "lives_in_home_area" in child.categories_missing


def test_worker_change_recomputes_the_childrens_categories(worker, site):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    assert child.left_behind is True
    upsert_worker(worker_values(other_parent_capable="是"), unit=site, actor=SYSTEM)
    assert child.left_behind is False
    upsert_worker(worker_values(employment_status="离职"), unit=site, actor=SYSTEM)
    assert child.left_behind is None  # where the father works now is unknown


def test_a_worker_who_died_leaves_children_nobody_brings_up(worker, site, clock):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    upsert_worker(worker_values(employment_status="离职", left_on="2026-03-01",
                                own_parent_status="去世", other_parent_status="失联",
                                other_parent_since="2025-01-01"), unit=site, actor=SYSTEM)
    assert child.de_facto_unsupported is True and child.in_difficulty is True
    assert child.left_behind is False and child.orphan is False
    upsert_worker(worker_values(employment_status="离职", left_on="2026-03-01",
                                own_parent_status="去世", other_parent_status="去世"),
                  unit=site, actor=SYSTEM)
    assert child.orphan is True and child.de_facto_unsupported is False


def test_a_worker_detained_counts_after_six_months_from_leaving(worker, site, clock):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    upsert_worker(worker_values(employment_status="离职", left_on="2026-10-01",
                                own_parent_status="服刑"), unit=site, actor=SYSTEM)
    assert child.de_facto_unsupported is False  # detained for less than six months yet
    assert child.categories_next_change == date(2027, 4, 1)
    upsert_worker(worker_values(employment_status="离职", left_on="2026-10-01",
                                own_parent_status="服刑", own_parent_status_since="2026-01-01"),
                  unit=site, actor=SYSTEM)
    assert child.de_facto_unsupported is True


def test_an_active_worker_recorded_as_seriously_ill_cannot_care(worker, site, clock):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    assert child.left_behind is True and not child.de_facto_unsupported
    upsert_worker(worker_values(own_parent_capable="否"), unit=site, actor=SYSTEM)
    assert child.de_facto_unsupported is True  # the mother at home is incapable too


def test_own_status_refuses_working_away_which_is_the_default():
    with pytest.raises(RecordInvalid) as invalid:
        worker_values(own_parent_status="外出务工")
    assert invalid.value.errors[0].field == "own_parent_status"


def test_daily_job_takes_a_child_off_the_list_on_the_16th_birthday(worker):
    child = upsert_child(child_values(birth_date="2010-11-23"), actor=SYSTEM,
                         today=TODAY).record
    assert child.left_behind is True and child.categories_next_change == date(2026, 11, 23)
    assert recompute_due_categories(date(2026, 11, 22)) == 0
    assert recompute_due_categories(date(2026, 11, 23)) == 1
    assert child.left_behind is False


def test_same_child_is_recognised_again(worker):
    first = upsert_child(child_values(), actor=SYSTEM, today=TODAY)
    again = upsert_child(child_values(), actor=SYSTEM, today=TODAY)
    assert again.record.id == first.record.id and again.unchanged


def test_two_workers_can_be_the_same_childs_parents(worker, site):
    upsert_worker(worker_values(employee_number="E002", name="李秀兰"), unit=site, actor=SYSTEM)
    child = upsert_child(child_values(other_parent_employee_number="E002"), actor=SYSTEM, today=TODAY).record
    assert {link.role for link in child.parent_links} == {ParentRole.FATHER, ParentRole.MOTHER}
    from_mother = upsert_child(child_values(parent_employee_number="E002", parent_role="母亲"),
                               actor=SYSTEM, today=TODAY)
    assert from_mother.record.id == child.id


def test_child_whose_parent_is_not_found_is_refused(company):
    with pytest.raises(ValidationError) as refused:
        upsert_child(child_values(parent_employee_number="NOPE"), actor=SYSTEM, today=TODAY)
    assert refused.value.field == "parent_employee_number"
    assert session.execute(select(Child)).first() is None


def test_under_14_without_consent_keeps_only_the_minimum(worker):
    outcome = upsert_child(child_values(id_number=CHILD_ID, school="希望小学", address="四川省某村"),
                           actor=SYSTEM, today=TODAY)
    child = outcome.record
    assert outcome.withheld == ["address", "id_number", "school"]
    assert child.id_number is None and child.school is None and child.left_behind is True


def test_consent_allows_the_rest_and_withdrawal_erases_it(worker):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    record_consent(child, guardian_name="张大山", method=ConsentMethod.PAPER, given_on=TODAY,
                   actor=SYSTEM, today=TODAY)
    outcome = upsert_child(child_values(id_number=CHILD_ID, school="希望小学"), actor=SYSTEM, today=TODAY)
    assert outcome.withheld == [] and child.id_number == CHILD_ID and child.school == "希望小学"
    withdraw_consent(child, reason="家长要求", actor=SYSTEM)
    assert child.id_number is None and child.id_number_index is None and child.school is None
    assert child.left_behind is True


def test_consent_needs_a_guardian_and_a_past_date(worker):
    child = upsert_child(child_values(), actor=SYSTEM, today=TODAY).record
    with pytest.raises(ValidationError):
        record_consent(child, guardian_name=" ", method=ConsentMethod.PAPER, given_on=TODAY,
                       actor=SYSTEM, today=TODAY)
    with pytest.raises(ValidationError):
        record_consent(child, guardian_name="张大山", method=ConsentMethod.PAPER,
                       given_on=date(2027, 1, 1), actor=SYSTEM, today=TODAY)


def test_children_14_and_over_need_no_separate_consent(worker):
    outcome = upsert_child(child_values(birth_date="2011-01-01", school="第一中学"), actor=SYSTEM, today=TODAY)
    assert outcome.withheld == [] and outcome.record.school == "第一中学"


def test_unit_resolver_matches_and_creates_sites_and_teams(company, site):
    resolver = UnitResolver(base=company, actor=SYSTEM)
    assert resolver.resolve("前海项目部", None).id == site.id
    team = resolver.resolve("前海项目部", "钢筋班组")
    assert team.kind == OrgKind.TEAM and team.parent_id == site.id
    assert resolver.resolve("前海项目部", "钢筋班组").id == team.id
    new_site = resolver.resolve("南沙项目部", None)
    assert new_site.kind == OrgKind.SITE
    assert resolver.created == ["前海项目部 / 钢筋班组", f"{company.name} / 南沙项目部"]


def test_unit_resolver_under_a_site_refuses_other_sites(site):
    resolver = UnitResolver(base=site, actor=SYSTEM)
    assert resolver.resolve("前海项目部", "木工班组").parent_id == site.id
    with pytest.raises(ValidationError):
        resolver.resolve("别的项目部", None)


def test_leaving_keeps_the_worker(worker, site):
    outcome = upsert_worker(worker_values(employment_status="离职", left_on="2026-10-01"), unit=site, actor=SYSTEM)
    assert outcome.record.employment_status == EmploymentStatus.LEFT
    assert outcome.record.other_parent_status == ParentStatus.AT_HOME


def test_empty_focus_flags_mean_no(worker):
    values = child_values(wandering="", asked_for_help=None, psychological_anomaly="是")
    assert (values["wandering"], values["asked_for_help"], values["psychological_anomaly"]) == (False, False, True)
    child = upsert_child(values, actor=SYSTEM, today=TODAY).record
    assert child.focus_flags == "psychological_anomaly"
