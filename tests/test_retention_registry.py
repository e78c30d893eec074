"""The registry's retention rules: children of workers who left, children who turned 18, and the
workers who left themselves — anonymised on the day their retention runs out and not the day
before, once (a second run finds nothing), nothing changed by a dry run, only counts in the audit
log and the log, and a past quarter's figures and its sealed filing reading the same after."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core import indicators
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.registry import history
from plugin.registry.models import Child, ChildConsent, Worker
from plugin.registry.services import category_columns, child_facts
from plugin.reports import queries as report_queries
from plugin.reports.periods import Period, PeriodKind
from plugin.reports.sealing import check_filing

from .reports_support import file_report
from .retention_support import SCHEDULER, raw, run

Q3_2026 = Period.numbered(PeriodKind.QUARTER, 2026, 3)
Q3_2023 = Period.numbered(PeriodKind.QUARTER, 2023, 3)
CHILD_ID = "110105201605050013"
def purge_events(code: str) -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.purged", AuditEvent.target_id == code)).scalars())


@pytest.fixture
def world(make_unit, make_worker, make_child, clock):
    """On 2026-11-22: a worker who left exactly 12 months ago and one who left a day later,
    each with a child; an active worker with a child who turned 18 on 2025-11-22 and one who
    turns 18 a day later; a worker who left 36 months ago and one a day later."""
    site = make_unit(name="甲项目部")
    left_then = make_worker(site, name="张离职", entry_date="2020-01-01", employment_status="离职", left_on="2025-11-22",
                            id_number="11010519491231002X", hukou_region_code="513401")
    left_later = make_worker(site, name="李离职", entry_date="2020-01-01", employment_status="离职", left_on="2025-11-23")
    active = make_worker(site, name="王在职", entry_date="2020-01-01")
    long_gone = make_worker(site, name="赵早离", entry_date="2020-01-01", employment_status="离职", left_on="2023-11-22",
                            hukou_region_code="513401", id_number="110105194912310046")
    gone_later = make_worker(site, name="钱晚离", entry_date="2020-01-01", employment_status="离职", left_on="2023-11-23")
    children = {
        "of_leaver": make_child(left_then, name="张小明", id_number=CHILD_ID,
                                address="四川省凉山州某村", school="某小学", health_note="哮喘",
                                carer_phone="13900001111", carer_name="张奶奶"),
        "of_later_leaver": make_child(left_later, name="李小红"),
        "adult": make_child(active, name="王大明", birth_date="2007-11-22"),
        "nearly": make_child(active, name="王二明", birth_date="2007-11-23"),
    }
    return {"site": site, "left_then": left_then, "left_later": left_later, "active": active,
            "long_gone": long_gone, "gone_later": gone_later, **children}


def test_children_of_leavers_go_on_the_day_their_parents_left_12_months_before(world, clock):
    child, later = world["of_leaver"], world["of_later_leaver"]
    categories = (child.left_behind, child.migrant, child.focus_flags, child.categories_missing)
    assert run("registry.children_of_leavers", dry_run=True) == 1
    assert child.name == "张小明" and child.anonymised_at is None  # the dry run changed nothing
    assert run("registry.children_of_leavers") == 1
    session.expire_all()
    child = session.get(Child, child.id)
    assert child.name == "已清除" and child.name_initials == ""
    assert child.id_number is None and child.id_number_index is None
    assert raw("cb_child", "address", child.id) is None
    assert child.school is None and child.health_note is None and child.carer_phone is None
    assert child.carer_name is None and child.anonymised_at is not None
    # What the figures count stays: unit, birth date, categories.
    assert (child.left_behind, child.migrant, child.focus_flags,
            child.categories_missing) == categories
    assert child.birth_date == date(2016, 5, 5)
    assert child.org_unit_id == world["site"].id
    assert session.get(Child, later.id).name == "李小红"
    assert run("registry.children_of_leavers") == 0  # idempotent

    clock.advance(days=1)
    assert run("registry.children_of_leavers") == 1
    assert session.get(Child, later.id).name == "已清除"


def test_a_child_with_a_parent_still_employed_is_kept(world, make_child):
    """Both parents at the company: the child stays while one of them still works here."""
    from plugin.registry.models import ChildParent, ParentRole

    child = world["of_leaver"]
    session.add(ChildParent(child_id=child.id, worker_id=world["active"].id,
                            role=ParentRole.MOTHER))
    session.flush()
    assert run("registry.children_of_leavers") == 0
    assert session.get(Child, child.id).name == "张小明"


def test_anonymised_categories_recompute_to_the_same(world):
    """The facts deciding the categories stay, so the nightly recompute changes nothing (and the
    history opens no new row for the child)."""
    child = world["of_leaver"]
    before = {key: value for key, value in category_columns(child_facts(child), date(2026, 11, 22))
              .items() if key != "categories_as_of"}
    run("registry.children_of_leavers")
    session.expire_all()
    child = session.get(Child, child.id)
    after = {key: value for key, value in category_columns(child_facts(child), date(2026, 11, 22))
             .items() if key != "categories_as_of"}
    assert after == before


def test_consent_records_lose_the_guardians_name_and_keep_the_consent(world):
    child = world["of_leaver"]
    from plugin.registry.consent import record_consent
    from plugin.registry.models import ConsentMethod

    record_consent(child, guardian_name="张离职", method=ConsentMethod.PAPER,
                   given_on=date(2025, 1, 1), actor=Actor(key="hr", name="人事"),
                   today=date(2026, 11, 22))
    session.flush()
    run("registry.children_of_leavers")
    consent = session.execute(select(ChildConsent).where(ChildConsent.child_id == child.id)
                              ).scalar_one()
    session.refresh(consent)
    assert consent.guardian_name == "已清除" and consent.given_on == date(2025, 1, 1)


def test_children_who_turned_18_go_12_months_later(world, clock):
    adult, nearly = world["adult"], world["nearly"]
    assert run("registry.adult_children", dry_run=True) == 1
    assert run("registry.adult_children") == 1
    assert session.get(Child, adult.id).name == "已清除"
    assert session.get(Child, nearly.id).name == "王二明"
    assert run("registry.adult_children") == 0
    clock.advance(days=1)
    assert run("registry.adult_children") == 1


def test_leavers_are_anonymised_36_months_after_leaving(world, clock):
    worker, later = world["long_gone"], world["gone_later"]
    assert run("registry.leavers", dry_run=True) == 1
    assert session.get(Worker, worker.id).name == "赵早离"
    assert run("registry.leavers") == 1
    session.expire_all()
    worker = session.get(Worker, worker.id)
    assert worker.name == "已清除" and worker.employee_number == f"已清除-{worker.id}"
    assert worker.id_number is None and worker.id_number_index is None and worker.phone is None
    assert worker.hukou_region_code == "510000"  # the province stays for campaign figures
    assert worker.left_on == date(2023, 11, 22) and worker.org_unit_id == world["site"].id
    assert session.get(Worker, later.id).name == "钱晚离"
    assert run("registry.leavers") == 0
    clock.advance(days=1)
    assert run("registry.leavers") == 1


def test_purges_are_audited_and_logged_with_counts_only(world, caplog):
    caplog.set_level(logging.INFO, logger="plugin.privacy.retention")
    run("registry.children_of_leavers")
    run("registry.leavers")
    (event,) = purge_events("registry.children_of_leavers")
    assert event.details == {"count": 1} and event.target_type == "retention_rule"
    assert event.actor_key == SCHEDULER.key
    (event,) = purge_events("registry.leavers")
    assert event.details == {"count": 1}
    logged = caplog.text
    assert "registry.children_of_leavers (12 months): 1 records" in logged
    for secret in ("张小明", "赵早离", CHILD_ID, world["long_gone"].employee_number):
        assert secret not in logged
        assert all(secret not in str(event.details) for event in session.execute(
            select(AuditEvent).where(AuditEvent.action == "privacy.purged")).scalars())


def test_a_past_quarter_and_its_sealed_filing_read_the_same_after(world, company, clock):
    """Q3 2026 counted the leaver's child and the leavers: after every registry rule ran, its
    figures computed again are the same, and its sealed filing is intact and names the same
    records."""
    history.record_day(date(2026, 9, 30))
    clock.now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    codes = ("registry.children_registered", "registry.children_left_behind",
             "registry.workers_employed")
    paths = [company.path]
    before = {code: indicators.compute(code, paths, Q3_2026.start, Q3_2026.end)
              for code in codes}
    assert before["registry.children_registered"] == 4
    # In Q3 2023 all five workers were employed, the two anonymised today among them.
    workers_2023 = indicators.compute("registry.workers_employed", paths, Q3_2023.start,
                                      Q3_2023.end)
    assert workers_2023 == 5
    filing = file_report(company, Q3_2026)
    session.flush()
    filed_ids = report_queries.filed_records(filing, "registry.children_registered")[1]
    assert world["of_leaver"].id in filed_ids

    assert run("registry.children_of_leavers") == 1
    assert run("registry.adult_children") == 1
    assert run("registry.leavers") == 1
    session.expire_all()
    # The nightly history run after the purge opens no row: the history's columns did not move.
    assert history.record_day(date(2026, 11, 21)) == {"closed": 0, "opened": 0}
    after = {code: indicators.compute(code, paths, Q3_2026.start, Q3_2026.end) for code in codes}
    assert after == before
    assert indicators.compute("registry.workers_employed", paths, Q3_2023.start,
                              Q3_2023.end) == workers_2023
    filing = report_queries.get_filing(filing.id)
    assert check_filing(filing, None, None).genuine
    assert report_queries.filed_records(filing, "registry.children_registered")[1] == filed_ids
    assert all(session.get(Child, child_id) is not None for child_id in filed_ids)
