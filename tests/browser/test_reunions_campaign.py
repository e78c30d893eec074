"""A small Spring Festival trip-home campaign run end to end in the browser, as its users do it
(issue #17): a union officer creates it through the form, three workers apply on phone-sized
pages (one with his two children), the officer approves them within the budget; the HR officer
(who books: union officers never see ID numbers) downloads the manifest, fills in the agent's
tickets and imports them back and marks the households travelled; the union officer reads the
results; a worker's phone shows the ticket.

The live server runs on the real (or travelled) clock: every date comes from the portal's own
``local_today()``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..worker_phone_support import PIN
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SITE = "前海项目部"
OFFICER = "union-zhou"
BOOKER = "hr-li"


@dataclass(frozen=True)
class Worker:
    number: str
    name: str
    hukou: str
    hukou_name: str
    birth: date
    fare: str            # estimated fare per person, yuan, as typed on the phone
    train: str
    children: tuple[str, ...] = ()


#: 赵铁柱 travels with his two children: 3 × 350 + 300 + 250 = 1,600 yuan of full subsidy.
WORKERS = (
    Worker("E4001", "赵铁柱", "511302", "四川省南充市顺庆区", date(1990, 1, 1), "350", "G1234",
           ("赵小妹", "赵小弟")),
    Worker("E4002", "钱单身", "430102", "湖南省长沙市芙蓉区", date(1985, 2, 2), "300", "K589"),
    Worker("E4003", "孙大海", "411302", "河南省南阳市宛城区", date(1988, 8, 8), "250", "G818"),
)
CHILDREN = {"赵小妹": date(2016, 5, 5), "赵小弟": date(2018, 3, 3)}
BUDGET = "1600"
#: Actual prices the agent fills in: adults as estimated, children half price.
CHILD_PRICE = "175.00"


def id_number(region: str, birth: date, sequence: str) -> str:
    from plugin.registry.idnumber import check_character

    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


@pytest.fixture
def world(portal, company):
    """The site, its three workers with PINs (hukou and ID numbers), two children of 赵铁柱 with
    their guardian's consent, and a union officer of the whole company. Returns today (as the
    portal sees it) and the site's id."""
    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today
    from plugin.core.host import Actor
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_unit
    from plugin.registry.schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
    from plugin.registry.services import upsert_child, upsert_worker

    from ..worker_phone_support import give_pin

    system = Actor.system("tests")

    def work():
        today = local_today()
        root = get_root_unit()
        site = create_unit(root, OrgKind.SITE, SITE, actor=system)
        for index, each in enumerate(WORKERS, start=1):
            values = parse_record({
                "employee_number": each.number, "name": each.name, "phone": f"1370000{index:04d}",
                "hukou_region_code": each.hukou,
                "id_number": id_number(each.hukou, each.birth, f"0{index}3")},
                WORKER_FIELDS, today=today)
            give_pin(upsert_worker(values, unit=site, actor=system).record)
            for sequence, child in enumerate(each.children, start=1):
                upsert_child(parse_record({
                    "parent_employee_number": each.number, "parent_role": "父亲", "name": child,
                    "birth_date": CHILDREN[child].isoformat(), "lives_in_home_area": "是",
                    "id_number": id_number(each.hukou, CHILDREN[child], f"1{sequence}2"),
                    "consent_given_on": (today - timedelta(days=10)).isoformat()},
                    CHILD_FIELDS, today=today), actor=system, today=today)
        officer = create_user(OFFICER, "周工会", PASSWORD, actor=system)
        grant_role(officer.key, Role.UNION_OFFICER, root, actor=system, check_actor=False)
        booker = create_user(BOOKER, "李人事", PASSWORD, actor=system)
        grant_role(booker.key, Role.HR_OFFICER, root, actor=system, check_actor=False)
        # The ticket agent gets the travellers' ID numbers only on an impact assessment.
        from plugin.privacy import assessments

        assessments.create_assessment(assessments.AssessmentInput(
            unit=root, recipient_kind="ticket_agent", recipient_name="铁路票务代理",
            purpose="为团聚活动的职工和子女购买车票", data_categories="姓名、身份证号码、出行日期",
            legal_basis="为订立、履行职工作为一方当事人的合同所必需",
            necessity="购买实名车票必须提供身份证号码",
            risks_and_measures="合同约定只用于购票，出票后删除", assessed_by="人力资源部",
            assessed_on=today - timedelta(days=30), valid_until=today + timedelta(days=365)),
            actor=system, today=today)
        return today, site.id

    return portal.run(work)


def watch_for_script_errors(page, errors: list[str]) -> None:
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: "Content Security Policy" in message.text
            and errors.append(message.text))


def sign_in_on_phone(phone, worker: Worker) -> None:
    phone.goto("/w/")
    phone.locator("#employee_number").fill(worker.number)
    phone.locator("#pin").fill(PIN)
    phone.locator("#worker-sign-in button").click()
    expect(phone.locator("#reunions-link")).to_be_visible()


def apply_on_phone(phone, worker: Worker, campaign_id: int, today: date) -> None:
    phone.locator("#reunions-link").click()
    expect(phone.locator("#no-applications")).to_be_visible()
    phone.locator(f"#apply-{campaign_id}").click()
    form = phone.locator("#apply-form")
    # A trip home: from the site to the hukou county, the worker himself ticked.
    expect(phone.locator("#from_place")).to_have_value(SITE)
    expect(phone.locator("#to_place")).to_have_value(worker.hukou_name)
    expect(phone.locator("#worker_travels")).to_be_checked()
    for child in worker.children:
        form.get_by_label(child).check()
    phone.locator("#depart_on").fill(today.isoformat())
    form.get_by_label("火车", exact=True).check()
    phone.locator("#fare").fill(worker.fare)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    phone.locator("#submit-application").click()
    expect(phone.locator("#applied-notice")).to_be_visible()
    expect(phone.locator("#application-status")).to_have_attribute("data-status", "applied")
    expect(phone.locator("#travellers li")).to_have_count(1 + len(worker.children))


def create_campaign(page, today: date, site_id: int) -> int:
    page.goto("/reunions/new")
    page.locator("#scope-unit").select_option(label="测试建工集团")
    page.locator("#scope-kind").select_option("spring_festival")
    page.locator("#scope-year").fill(str(today.year))
    page.locator("#campaign-scope button[type=submit]").click()
    form = page.locator("#campaign-form")
    expect(page.locator("#campaign-unit")).to_have_text("测试建工集团")
    expect(page.locator("#kind")).to_have_value("spring_festival")
    page.locator("#name").fill(f"{today.year}年春节返乡（前海）")
    page.locator("#applications_open_on").fill((today - timedelta(days=1)).isoformat())
    page.locator("#applications_close_on").fill((today + timedelta(days=7)).isoformat())
    page.locator("#travel_from").fill(today.isoformat())
    page.locator("#travel_until").fill((today + timedelta(days=20)).isoformat())
    page.locator("#budget_fen").fill(BUDGET)
    page.locator("#subsidy_kind").select_option("full")
    form.get_by_label("火车", exact=True).check()
    form.get_by_label("长途汽车", exact=True).check()
    page.locator(f"#quota-{site_id}").fill("5")
    form.get_by_role("button", name="创建活动").click()
    expect(page).to_have_url(re.compile(r"/reunions/\d+$"))
    expect(page.locator(".alert-success")).to_contain_text("已创建团聚活动")
    expect(page.locator("#budget")).to_have_text("已用 0.00 元，共 1,600.00 元")
    expect(page.locator(f'#quotas tr[data-quota="{site_id}"]')).to_contain_text("0 / 5")
    return int(re.search(r"/reunions/(\d+)$", page.url).group(1))


def fill_tickets(path, ticket_path) -> None:
    """The agent's work: ticket, carrier, train, seat and price on each traveller's row."""
    book = load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) + 1 for name in (
        "姓名", "出行人类别", "票号", "承运单位", "车次/班次", "座位", "实际票价（元）")}
    trains = {each.name: each for each in WORKERS}
    trains.update({child: each for each in WORKERS for child in each.children})
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row, column["姓名"]).value
        worker = trains[name]
        sheet.cell(row, column["票号"], f"E{row:03d}{worker.number}")
        sheet.cell(row, column["承运单位"], "中国铁路")
        sheet.cell(row, column["车次/班次"], worker.train)
        sheet.cell(row, column["座位"], f"05车{row:02d}A")
        price = CHILD_PRICE if name in CHILDREN else f"{worker.fare}.00"
        sheet.cell(row, column["实际票价（元）"], price)
    book.save(ticket_path)


def test_a_small_spring_festival_campaign_end_to_end(new_context, portal, world, tmp_path):
    today, site_id = world
    script_errors: list[str] = []

    # -- the union officer creates the campaign ------------------------------------------
    office = new_context(base_url=portal.url, **DESKTOP).new_page()
    watch_for_script_errors(office, script_errors)
    log_in(office, OFFICER)
    expect(office.locator("#current-user")).to_have_text("周工会")
    campaign_id = create_campaign(office, today, site_id)

    # -- three workers apply on their phones ----------------------------------------------
    phones = {}
    for worker in WORKERS:
        phone = new_context(base_url=portal.url, **PHONE).new_page()
        watch_for_script_errors(phone, script_errors)
        sign_in_on_phone(phone, worker)
        apply_on_phone(phone, worker, campaign_id, today)
        phones[worker.number] = phone

    # -- the officer approves them, within the budget --------------------------------------
    office.reload()
    rows = office.locator("#applications tbody tr[data-application]")
    expect(rows).to_have_count(3)
    family = office.locator("#applications tr[data-application]", has_text="赵铁柱")
    expect(family.locator("td.text-end")).to_have_text("3")
    used = 0
    for worker in WORKERS:
        row = office.locator("#applications tr[data-application]", has_text=worker.name)
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "applied")
        with office.expect_navigation():
            row.locator("button[data-action=approve]").click()
        expect(office.locator(".alert-success")).to_contain_text("已批准")
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "approved")
        used += int(worker.fare) * (1 + len(worker.children))
        expect(office.locator("#budget")).to_have_text(f"已用 {used:,}.00 元，共 1,600.00 元")
    expect(office.locator(f'#quotas tr[data-quota="{site_id}"]')).to_contain_text("5 / 5")

    # -- booking: the manifest out, the agent's tickets back in -----------------------------
    # Booking needs the travellers' ID numbers: it is the HR officer's (union officers never see
    # ID numbers), on the same campaign page.
    expect(office.locator("#booking-link")).to_have_count(0)
    booking = new_context(base_url=portal.url, **DESKTOP).new_page()
    watch_for_script_errors(booking, script_errors)
    log_in(booking, BOOKER)
    booking.goto(f"/reunions/{campaign_id}")
    booking.locator("#booking-link").click()
    expect(booking.locator("#campaign-money")).to_contain_text("预算 1,600.00 元，已占用 1,600.00 元")
    expect(booking.locator("#booking-applications [data-status=approved]")).to_have_count(3)
    booking.locator("#manifest-form select[name=manifest-assessment]").select_option(index=1)
    booking.locator("#manifest-form input[name=manifest-purpose]").fill("春节团聚购票")
    with booking.expect_download() as download_info:
        booking.locator("#manifest-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    manifest = tmp_path / "manifest.xlsx"
    download.save_as(manifest)
    listed = list(load_workbook(manifest).active.iter_rows(values_only=True))
    header, data = listed[0], listed[1:]
    names = [row[header.index("姓名")] for row in data]
    assert sorted(names) == sorted([*(w.name for w in WORKERS), *CHILDREN]), names
    kinds = sorted(row[header.index("出行人类别")] for row in data)
    assert kinds == ["子女", "子女", "职工本人", "职工本人", "职工本人"], kinds
    # Full ID numbers for the agent (the phone pages only ever show them masked).
    assert id_number("511302", CHILDREN["赵小妹"], "112") in [
        row[header.index("身份证号码")] for row in data]

    tickets = tmp_path / "出票结果.xlsx"
    fill_tickets(manifest, tickets)
    booking.locator("#file").set_input_files(str(tickets))
    with booking.expect_navigation():
        booking.locator("#results-submit").click()
    expect(booking.locator("#import-refused")).to_have_count(0)
    expect(booking.locator(".alert-success")).to_contain_text("已登记 5 张车票，3 户已全部出票")
    booked = booking.locator("#booking-applications [data-status=booked]")
    expect(booked).to_have_count(3)
    family = booking.locator("#booking-applications tr[data-application-id]", has_text="赵铁柱")
    expect(family).to_contain_text("G1234")
    # The subsidy from the actual prices: the children's half-price tickets free 350 yuan.
    expect(family.locator("td").nth(6)).to_have_text("700.00")
    expect(booking.locator("#campaign-money")).to_contain_text("已占用 1,250.00 元")

    # -- 赵铁柱's phone shows the ticket -------------------------------------------------------
    phone = phones["E4001"]
    phone.reload()
    expect(phone.locator("#application-status")).to_have_attribute("data-status", "booked")
    expect(phone.locator("#application-status")).to_have_text("已出票")
    tickets_shown = phone.locator("#travellers .ticket")
    expect(tickets_shown).to_have_count(3)
    for ticket in tickets_shown.all():
        expect(ticket).to_contain_text("中国铁路 G1234")
    expect(phone.locator("#history")).to_contain_text("车票已订好")

    # -- everyone left today: marked travelled ---------------------------------------------
    for _household in WORKERS:
        with booking.expect_navigation():
            booking.locator("#booking-applications button[data-action=travelled]").first.click()
        expect(booking.locator(".alert-success")).to_contain_text("已登记：已出行")
    expect(booking.locator("#booking-applications [data-status=travelled]")).to_have_count(3)
    expect(booking.locator("#booking-applications button[data-action=travelled]")).to_have_count(0)

    # -- the results -----------------------------------------------------------------------
    office.goto(f"/reunions/{campaign_id}")
    office.locator("#results-link").click()
    figures = office.locator("#figures")
    for code, value in (("applications", "3"), ("approved", "3"), ("tickets_booked", "5"),
                        ("travelled", "3"), ("people_reunited", "5"),
                        ("children_reunited", "2")):
        expect(figures.locator(f'[data-figure="{code}"]')).to_have_text(value)
    expect(figures).to_contain_text("团聚人数")
    budget = office.locator("#budget")
    expect(budget.locator('[data-figure="budget"]')).to_have_text("1,600.00")
    expect(budget.locator('[data-figure="spent"]')).to_have_text("1,250.00")
    expect(budget.locator('[data-figure="per_person"]')).to_have_text("250.00")
    expect(budget.locator('[data-figure="reunited"]')).to_have_text("3 / 2 / 0")
    expect(office.locator(f'#by-site tr:has-text("{SITE}") [data-figure="people_reunited"]')
           ).to_have_text("5")
    with office.expect_download() as download_info:
        office.locator("#results-pdf").click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # The worker's phone follows the trip to its end.
    phone.reload()
    expect(phone.locator("#application-status")).to_have_attribute("data-status", "travelled")
    assert script_errors == []
