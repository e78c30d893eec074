"""Reports and sealed filings (issue 18): the content of a report against figures counted by
hand, subtree scoping and the quarter's boundaries, confirmation up the tree, filing frozen
against later changes, the hash chain, corrections with their difference, and the records
behind a filed figure."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from plugin.access.scope import Scope
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.host import Actor
from plugin.registry import history
from plugin.reports import queries, services
from plugin.reports.content import figure_values
from plugin.reports.models import ReportFiling
from plugin.reports.periods import Period, PeriodKind, periods_ending_on
from plugin.reports.recipients import Recipient
from plugin.reports.sealing import pack_ids, sha256, unpack_ids
from plugin.reports.units import confirmations_for

from .factories import make_worker
from .reports_support import OFFICER, Q4_2026, build_world, file_report, template_of

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def world(company, make_unit, clock):
    clock.advance(days=45)  # 6 January 2027: the fourth quarter is over
    return build_world(company, make_unit)


def content_of(unit, period=Q4_2026, recipient=Recipient.SASAC):
    draft = services.create_draft(template_of(recipient), unit, period, OFFICER)
    return services.draft_content(draft)


def test_periods():
    assert Period.numbered(PeriodKind.QUARTER, 2026, 4) == Period(
        PeriodKind.QUARTER, date(2026, 10, 1), date(2026, 12, 31))
    assert Period.numbered(PeriodKind.HALF_YEAR, 2026, 1).end == date(2026, 6, 30)
    assert Period.numbered(PeriodKind.MONTH, 2024, 2).end == date(2024, 2, 29)
    assert Q4_2026.previous() == Period.numbered(PeriodKind.QUARTER, 2026, 3)
    assert Period.numbered(PeriodKind.QUARTER, 2026, 1).previous().start == date(2025, 10, 1)
    assert [p.kind for p in periods_ending_on(date(2026, 12, 31))] == [
        PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR]
    assert Period.from_code(Q4_2026.code) == Q4_2026
    custom = Period.custom(date(2026, 3, 5), date(2026, 4, 4))
    assert Period.from_code(custom.code) == custom
    assert Period.from_code("quarter-2026-5") is None and Period.from_code("x") is None
    with pytest.raises(ValidationError):
        Period.custom(date(2026, 4, 5), date(2026, 4, 4))


def test_the_group_report_counts_every_figure_by_hand(world):
    content = content_of(world["company"])
    values = figure_values(content)
    assert values["registry.workers_employed"] == 7
    assert values["registry.children_registered"] == 5
    assert values["registry.children_left_behind"] == 4
    # 00:00 on 1 October and 23:59 on 31 December in Shanghai are inside; midnight after is not.
    assert values["lectures.sessions_held"] == 2
    assert values["lectures.attendances"] == 4
    assert values["lectures.workers_reached"] == 4
    # A feature that is not built yet has no figure: never a made-up zero. Hardship aid and
    # family contact are built: their figures are there, and nothing happened in them.
    assert not any(code.startswith("risk.") for code in values)
    assert values["aid.families_helped"] == 0 and values["aid.fund_spending_fen"] == 0
    assert values["family_contact.workers_granted"] == 0
    assert values["family_contact.rooms_open"] == 0
    assert content["recipient"] == {"code": "sasac", "name": "国资委"}
    assert content["period"]["label"] == "2026年第四季度"
    left_behind = next(item for section in content["sections"] if section["type"] == "figures"
                       for item in section["figures"]
                       if item["code"] == "registry.children_left_behind")
    by_age = next(part for part in left_behind["breakdowns"] if part["by"] == "age_band")
    assert by_age["title"] == "年龄段"
    assert {row["label"]: row["value"] for row in by_age["rows"]} == {"6-13 岁": 4}
    texts = [section for section in content["sections"] if section["type"] == "text"]
    assert [section["key"] for section in texts] == [
        "work_done", "typical_cases", "problems", "plans"]


def test_a_site_report_counts_its_subtree_only(world):
    values = figure_values(content_of(world["site_a"]))
    assert values["registry.workers_employed"] == 5
    assert values["registry.children_left_behind"] == 3
    assert values["lectures.sessions_held"] == 2  # the team's lecture is under the site
    values_b = figure_values(content_of(world["site_b"]))
    assert values_b["registry.workers_employed"] == 2
    assert values_b["lectures.sessions_held"] == 0


def test_last_years_figures_stay_after_this_years_changes(world, clock):
    history.record_day(date(2026, 12, 31))
    history.record_day(date(2027, 1, 5))
    # In 2027 a worker of site B leaves the company's books… and a child is added at site A.
    from .factories import make_child
    make_child(world["workers_a"][3], left_behind=True)
    year_2026 = Period.numbered(PeriodKind.YEAR, 2026)
    assert figure_values(content_of(world["company"], year_2026))[
        "registry.children_left_behind"] == 4
    clock.advance(days=1)
    history.record_day(date(2027, 1, 6))
    assert figure_values(content_of(world["company"], year_2026))[
        "registry.children_left_behind"] == 4
    assert figure_values(content_of(world["company"], Period.numbered(
        PeriodKind.YEAR, 2027)))["registry.children_left_behind"] == 5


def test_confirmation_up_the_tree(world):
    site_a, site_b = world["site_a"], world["site_b"]
    content = content_of(world["company"])
    assert content["confirmations"]["total"] == 2 and content["confirmations"]["confirmed"] == 0
    manager = Actor(key="user:zhang", name="张伟")
    confirmation = services.confirm_figures(site_a, Q4_2026, manager, note="已核对")
    assert confirmation.figures["registry.workers_employed"] == 5
    content = content_of(world["company"])
    rows = {row["unit"]: row for row in content["confirmations"]["rows"]}
    assert rows["甲项目部"]["confirmed"] and rows["甲项目部"]["by"] == "张伟"
    assert not rows["乙项目部"]["confirmed"]
    # The group files with one unit unconfirmed: the report says so.
    filing = file_report(world["company"])
    assert queries.filing_content(filing)["confirmations"]["confirmed"] == 1
    # Confirming again replaces the confirmation (one per unit and period).
    services.confirm_figures(site_a, Q4_2026, manager)
    assert list(confirmations_for([site_a.id, site_b.id], Q4_2026)) == [site_a.id]
    with pytest.raises(ValidationError):
        services.confirm_figures(world["team_a"], Q4_2026, manager)


def test_a_filing_is_frozen_whatever_happens_to_the_data(world):
    filing = file_report(world["company"])
    before = filing.content_json
    assert sha256(filing.content_json) == filing.content_sha256
    assert filing.pdf.startswith(b"%PDF") and sha256(filing.pdf) == filing.pdf_sha256
    assert filing.xlsx.startswith(b"PK") and sha256(filing.xlsx) == filing.xlsx_sha256
    make_worker(world["site_a"])
    session.flush()
    assert figure_values(content_of(world["company"]))["registry.workers_employed"] == 8
    session.expire_all()
    again = session.get(ReportFiling, filing.id)
    assert again.content_json == before
    assert figure_values(json.loads(again.content_json))["registry.workers_employed"] == 7
    assert queries.filing_status(again).check.genuine
    # The database refuses to change a filed report.
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(update(ReportFiling).where(ReportFiling.id == filing.id)
                        .values(title="改过的标题"))


def test_filings_form_a_chain(world):
    first = file_report(world["company"])
    second = file_report(world["site_a"], recipient=Recipient.ACFTU)
    third = file_report(world["site_b"], recipient=Recipient.CIVIL_AFFAIRS)
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert first.previous_id is None and first.previous_chain_sha256 is None
    assert second.previous_id == first.id and second.previous_chain_sha256 == first.chain_sha256
    assert third.previous_chain_sha256 == second.chain_sha256
    assert queries.chain_breaks() == []


def _tamper(filing_id: int, **values) -> None:
    """Change a filed row the way someone with the database's keys could: around the trigger."""
    dialect = session.get_bind().dialect.name
    session.execute(text("DROP TRIGGER tr_cb_report_filing_frozen"
                         + (" ON cb_report_filing" if dialect == "postgresql" else "")))
    session.execute(update(ReportFiling).where(ReportFiling.id == filing_id).values(**values))
    session.expire_all()


def test_the_chain_shows_a_changed_filing(world):
    first = file_report(world["company"])
    file_report(world["site_a"])
    content = json.loads(first.content_json)
    content["sections"][0]["figures"][0]["value"] = 700
    _tamper(first.id, content_json=json.dumps(content, ensure_ascii=False, sort_keys=True,
                                              separators=(",", ":")))
    assert queries.chain_breaks() == [1]
    assert not queries.filing_status(session.get(ReportFiling, first.id)).check.content_intact
    # Rehashing the changed content does not help: the seal and the next link break.
    _rehash = sha256(session.get(ReportFiling, first.id).content_json)
    session.execute(update(ReportFiling).where(ReportFiling.id == first.id)
                    .values(content_sha256=_rehash))
    session.expire_all()
    assert queries.chain_breaks() == [1]


def test_a_correction_supersedes_and_shows_what_changed(world):
    original = file_report(world["company"], texts={"work_done": "开展宣讲"})
    make_worker(world["site_b"])
    draft = services.start_correction(original, OFFICER)
    assert draft.supersedes_id == original.id and draft.texts == {"work_done": "开展宣讲"}
    services.save_texts(draft, OFFICER, {"work_done": "开展宣讲两场", "plans": "春节团聚"})
    with pytest.raises(ValidationError) as refused:
        services.file_draft(draft, OFFICER)
    assert refused.value.field == "reason"
    correction = services.file_draft(draft, OFFICER, reason="漏报乙项目部新入职职工")
    assert correction.supersedes_id == original.id and correction.number == 2
    status = queries.filing_status(original)
    assert not status.current and status.superseded_by.id == correction.id
    assert queries.filing_status(correction).current
    changes = {change.where: change for change in queries.differences(
        queries.filing_content(original), queries.filing_content(correction))}
    assert (changes["figure.registry.workers_employed"].before,
            changes["figure.registry.workers_employed"].after) == (7, 8)
    assert changes["text.work_done"].after == "开展宣讲两场"
    assert changes["text.plans"].before == "" and changes["text.plans"].after == "春节团聚"
    assert "figure.lectures.sessions_held" not in changes
    # A filing is corrected once: the next correction corrects the correction.
    with pytest.raises(ValidationError):
        services.start_correction(original, OFFICER)
    # A filed draft no longer changes.
    with pytest.raises(ValidationError):
        services.save_texts(draft, OFFICER, {"work_done": "再改"})


def test_the_records_behind_a_filed_figure_outlive_the_data(world):
    filing = file_report(world["company"])
    row, ids = queries.filed_records(filing, "registry.workers_employed")
    workers = world["workers_a"] + world["workers_b"]
    assert row.count == 7 and ids == sorted(worker.id for worker in workers)
    assert row.record_type == "worker"
    make_worker(world["site_a"])
    _, again = queries.filed_records(filing, "registry.workers_employed")
    assert again == ids
    _, children = queries.filed_records(filing, "registry.children_left_behind")
    assert children == sorted(child.id for child in world["children"][:4])
    assert queries.filed_records(filing, "no.such")[0] is None


def test_record_ids_pack_small_and_come_back():
    ids = list(range(1, 200_000, 3)) + [2**31 - 1]
    packed = pack_ids(ids)
    assert unpack_ids(packed) == ids and len(packed) < 20_000
    assert unpack_ids(pack_ids([])) == []


def test_scheduled_drafts_are_made_once_and_announced(world, make_user, clock):
    from plugin.core.roles import Role
    from plugin.notifications.models import Notification
    from plugin.reports.drafting import draft_finished_periods

    officer = make_user(Role.REPORT_OFFICER)
    made = draft_finished_periods(date(2027, 1, 6))
    # Quarterly SASAC (Q4), half-yearly ACFTU, Women's Federation, Civil Affairs (H2), yearly
    # Youth League and ACFIC (2026).
    assert made == 6
    assert draft_finished_periods(date(2027, 1, 7)) == 0
    drafts = queries.open_drafts(Scope.company()).items
    periods = {(draft.template.recipient, draft.period.label) for draft in drafts}
    assert (Recipient.SASAC, "2026年第四季度") in periods
    assert (Recipient.YOUTH_LEAGUE, "2026年度") in periods
    notes = session.execute(select(Notification).where(
        Notification.recipient_key == officer.key)).scalars().all()
    assert len(notes) == 6
    # Filed already: not drafted again.
    sasac = next(draft for draft in drafts if draft.template.recipient is Recipient.SASAC)
    services.file_draft(sasac, OFFICER)
    assert draft_finished_periods(date(2027, 1, 8)) == 0


def test_the_filing_calendar_starts_when_the_template_came_into_use(world, clock):
    from plugin.reports.queries import filing_calendar

    services.ensure_builtin_templates()
    sasac = [entry for entry in filing_calendar(Scope.company(), date(2027, 1, 6))
             if entry.template.recipient is Recipient.SASAC]
    # Created on 6 January 2027: the quarter that had just ended, and the current one.
    assert [entry.period.label for entry in sasac] == ["2026年第四季度", "2027年第一季度"]
    assert [entry.due_on for entry in sasac] == [date(2027, 1, 15), date(2027, 4, 15)]
    assert not any(entry.overdue or entry.filing for entry in sasac)
    assert sasac[0].to_confirm == 2 and sasac[0].confirmed == 0
    file_report(world["company"])
    clock.advance(days=30)
    later = {entry.period.label: entry for entry in filing_calendar(
        Scope.company(), date(2027, 2, 5)) if entry.template.recipient is Recipient.SASAC}
    assert later["2026年第四季度"].filing.number == 1
    youth = [entry for entry in filing_calendar(Scope.company(), date(2027, 2, 5))
             if entry.template.recipient is Recipient.YOUTH_LEAGUE]
    assert [(entry.period.label, entry.overdue) for entry in youth] == [
        ("2026年度", True), ("2027年度", False)]
    # A copy made on 5 February 2027: its first half-year fell due before it came into use.
    copy = services.copy_template(template_of(Recipient.ACFTU), OFFICER, world["company"])
    services.update_template(copy, OFFICER, name="本公司半年报",
                             lines=[{"code": "registry.workers_employed", "breakdowns": []}],
                             text_sections=copy.text_sections, schedule=PeriodKind.HALF_YEAR,
                             org_unit=world["company"])
    mine = [entry for entry in filing_calendar(Scope.company(), date(2027, 2, 5))
            if entry.template.id == copy.id]
    assert [(entry.period.label, entry.overdue) for entry in mine] == [
        ("2026年下半年", False), ("2027年上半年", False)]
