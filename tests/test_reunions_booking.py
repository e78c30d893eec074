"""Booking reunion trips (``/reunions/…``): the manifest for the ticket agent (XLSX and PDF, the
approved travellers within the officer's scope, full ID numbers, audited), the agent's results
imported back all or nothing (bad rows named by row, column and reason), the subsidy from the
actual prices within the budget, ID numbers revealed with a reason, and what happens after the
trip: travelled, no-show, a cancelled ticket with its refund."""
from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.money import format_yuan
from plugin.core.roles import Role
from plugin.org.models import OrgKind
from plugin.privacy.assessments_models import ImpactAssessment
from plugin.registry.idnumber import check_character
from plugin.reunions import bookings, services
from plugin.reunions.models import ApplicationEvent, ApplicationStatus, Campaign, Traveller

from .conftest import SYSTEM, csrf_token, submit
from .privacy_subject_support import make_assessment
from .reunions_support import apply, make_campaign


def id_number(birth: date, sequence: str) -> str:
    first17 = f"511302{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


@pytest.fixture
def world(make_unit, make_worker, make_child, make_user, clock):
    """Two sites of one campaign (full subsidy, budget 5,000 yuan): at 甲, a family of three
    approved, a single worker approved and one only applied; at 乙, one approved. The booking
    officer works for 甲 only."""
    site = make_unit(OrgKind.SITE, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    campaign = make_campaign(site.parent, {site: 10, other: 10}, budget_fen=500_000)
    parent = make_worker(site, name="赵铁柱", id_number=id_number(date(1990, 1, 1), "013"))
    children = [make_child(parent, name=name, birth_date=f"{born:%Y-%m-%d}", id_number=number,
                           consent_given_on="2026-11-01")
                for name, born, number in (
                    ("赵小妹", date(2016, 5, 5), id_number(date(2016, 5, 5), "021")),
                    ("赵小弟", date(2018, 3, 3), id_number(date(2018, 3, 3), "042")))]
    family = apply(campaign, parent, children=children, fare_fen=30_000)
    single = apply(campaign, make_worker(site, name="钱单身",
                                         id_number=id_number(date(1985, 2, 2), "051")),
                   fare_fen=20_000, depart_on=date(2027, 2, 3))
    waiting = apply(campaign, make_worker(site, name="孙未批"))
    far = apply(campaign, make_worker(other, name="李乙方",
                                      id_number=id_number(date(1988, 8, 8), "071")))
    for application in (family, single, far):
        services.approve(application, actor=SYSTEM)
    officer = make_user(Role.HR_OFFICER, site, username="booker")
    make_assessment(site.parent, "ticket_agent", recipient_name="铁路票务代理")
    session.flush()
    return dict(site=site, other=other, campaign=campaign, family=family, single=single,
                waiting=waiting, far=far, officer=officer, parent=parent)


def events(action: str) -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)).scalars())


def manifest_download(client, campaign: Campaign, fmt: str = "xlsx"):
    """The manifest as the booking page's form asks for it: on the ticket agents' impact
    assessment, with the purpose (PIPL Art. 55)."""
    assessment = session.scalars(select(ImpactAssessment)).one()
    return submit(client, f"/reunions/{campaign.id}/manifest.{fmt}",
                  {"manifest-assessment": str(assessment.id),
                   "manifest-purpose": "为职工订 2027 年春节返乡车票"},
                  form_url=f"/reunions/{campaign.id}/booking")


def manifest_book(client, campaign: Campaign):
    response = manifest_download(client, campaign)
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.data))


def sheet_rows(book) -> tuple[list[str], list[dict]]:
    rows = list(book.active.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def results_file(rows: list[dict], header: list[str] | None = None) -> io.BytesIO:
    header = header or ["申请编号", "出行人编号", "姓名", "身份证号码", "票号", "承运单位",
                        "车次/班次", "座位", "实际票价（元）"]
    book = Workbook()
    sheet = book.active
    sheet.append(["2027 春节返乡 出票结果"])  # a title row above the header is skipped
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def ticket_row(traveller: Traveller, number: str, price, *, service="G1234", seat="05车12A"):
    return {"申请编号": traveller.application_id, "出行人编号": traveller.id,
            "姓名": traveller.name, "票号": number, "承运单位": "中国铁路", "车次/班次": service,
            "座位": seat, "实际票价（元）": price}


def upload(client, campaign: Campaign, data: io.BytesIO, filename: str = "结果.xlsx"):
    page = client.get(f"/reunions/{campaign.id}/booking")
    assert page.status_code == 200, page.text
    return client.post(f"/reunions/{campaign.id}/booking/results",
                       data={"csrf_token": csrf_token(page.text), "file": (data, filename)},
                       content_type="multipart/form-data")


def post_form(client, form_url: str, url: str, data: dict):
    page = client.get(form_url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})


# -- manifests ------------------------------------------------------------------------------------

def test_the_manifest_lists_the_approved_travellers_in_scope_with_full_id_numbers(
        world, login, make_user, tmp_path):
    client = login(world["officer"])
    header, rows = sheet_rows(manifest_book(client, world["campaign"]))
    assert header[:4] == ["申请编号", "出行人编号", "姓名", "出行人类别"]
    family, single = world["family"], world["single"]
    assert [row["出行人编号"] for row in rows] == [
        *(traveller.id for traveller in family.travellers), single.travellers[0].id]
    assert {row["姓名"] for row in rows} == {"赵铁柱", "赵小妹", "赵小弟", "钱单身"}
    # Full ID numbers for the agent, as text; the worker's phone; grouped by date.
    assert rows[0]["身份证号码"] == world["parent"].id_number
    assert rows[0]["职工手机号"] == world["parent"].phone
    assert rows[0]["出发日期"].date() == date(2027, 2, 1)
    assert rows[-1]["出发日期"].date() == date(2027, 2, 3)
    [download] = events("reunion.manifest_downloaded")
    assert download.details == {"format": "xlsx", "travellers": 4, "applications": 2,
                                "groups": 2, "id_numbers": 4}

    response = manifest_download(client, world["campaign"], "pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "manifest.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "赵小妹" in text and "钱单身" in text and world["parent"].id_number in text
    assert "孙未批" not in text and "李乙方" not in text
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout
    # Only the Chinese font, embedded (subset): no unembedded Helvetica.
    assert "ZenHei" in fonts and " yes yes " in fonts and "Helvetica" not in fonts
    assert len(events("reunion.manifest_downloaded")) == 2

    # The whole company's officer sees the other site's traveller too.
    admin = login(make_user(Role.ADMIN))
    _header, everyone = sheet_rows(manifest_book(admin, world["campaign"]))
    assert "李乙方" in {row["姓名"] for row in everyone} and len(everyone) == 5


def test_pages_outside_the_scope_answer_404(world, login, make_user, make_unit):
    client = login(world["officer"])
    far = world["far"]
    assert client.get(f"/reunions/applications/{far.id}/booking").status_code == 404
    assert client.get(f"/reunions/applications/{world['family'].id}/booking").status_code == 200
    lone_site = make_unit(OrgKind.SITE, name="丙项目部")
    elsewhere = make_campaign(lone_site, {lone_site: 5})
    session.flush()
    assert client.get(f"/reunions/{elsewhere.id}/booking").status_code == 404
    assert submit(client, f"/reunions/{elsewhere.id}/manifest.xlsx", {},
                  form_url=f"/reunions/{world['campaign'].id}/booking").status_code == 404
    # Union officers run campaigns but never see ID numbers: booking is not theirs.
    union = login(make_user(Role.UNION_OFFICER, world["site"]))
    assert union.get(f"/reunions/{world['campaign'].id}/booking").status_code == 403


# -- importing the results ---------------------------------------------------------------------

def test_good_rows_book_whole_households_and_the_subsidy_follows_the_actual_prices(world, login):
    client = login(world["officer"])
    campaign, family, single = world["campaign"], world["family"], world["single"]
    assert campaign.committed_fen == 3 * 30_000 + 20_000 + 30_000
    # Fill in the downloaded manifest itself: the family gets tickets, the single not yet.
    book = manifest_book(client, campaign)
    header, rows = sheet_rows(book)
    sheet = book.active
    prices = {family.travellers[0].id: 356.5, family.travellers[1].id: "178.25",
              family.travellers[2].id: "¥178.25"}
    for index, row in enumerate(rows, start=2):
        if row["出行人编号"] in prices:
            values = {"票号": f"E{row['出行人编号']:08d}", "承运单位": "中国铁路",
                      "车次/班次": "G1234", "座位": f"05车{index}A",
                      "实际票价（元）": prices[row["出行人编号"]]}
            for column, value in values.items():
                sheet.cell(row=index, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    filled = out.getvalue()
    response = upload(client, campaign, io.BytesIO(filled))
    assert response.status_code == 302, response.text
    session.expire_all()
    assert family.status == ApplicationStatus.BOOKED
    assert single.status == ApplicationStatus.APPROVED
    assert [t.ticket_price_fen for t in family.travellers] == [35_650, 17_825, 17_825]
    assert family.travellers[0].service_number == "G1234"
    assert family.subsidy_fen == 71_300
    assert campaign.committed_fen == 71_300 + 20_000 + 30_000
    [booked] = [event for event in session.execute(select(ApplicationEvent).where(
        ApplicationEvent.application_id == family.id)).scalars() if event.action == "booked"]
    assert (booked.from_status, booked.to_status) == ("approved", "booked")
    [imported] = events("reunion.bookings_imported")
    assert imported.details["tickets"] == 3 and imported.details["booked"] == [family.id]
    assert imported.details["skipped"] == 1

    # The same file again changes nothing; the manifest now shows the train number.
    assert upload(client, campaign, io.BytesIO(filled)).status_code == 302
    session.expire_all()
    assert campaign.committed_fen == 71_300 + 20_000 + 30_000
    _header, rows = sheet_rows(manifest_book(client, campaign))
    assert [row["车次/班次"] for row in rows if row["姓名"] == "赵小妹"] == ["G1234"]


def test_one_bad_row_refuses_the_whole_file_and_names_every_bad_row(world, login):
    client = login(world["officer"])
    campaign, family, single, far = (world["campaign"], world["family"], world["single"],
                                     world["far"])
    rows = [ticket_row(single.travellers[0], "E1", "200.00"),          # good
            ticket_row(family.travellers[0], "E2", "12.345"),          # three decimals
            {**ticket_row(family.travellers[1], "E3", "100"), "出行人编号": 999_999},
            ticket_row(far.travellers[0], "E4", "100"),                # another site's
            {**ticket_row(family.travellers[2], "E5", "100"), "承运单位": None},
            {**ticket_row(single.travellers[0], "E6", "200"), "姓名": "钱单身"}]  # twice
    response = upload(client, campaign, results_file(rows))
    assert response.status_code == 422
    page = response.text
    assert "没有保存任何内容" in page
    assert 'data-row="4"' in page and "票价最多保留两位小数" in page
    assert 'data-row="5"' in page and "本活动中没有编号为 999999 的出行人" in page
    # The other site's traveller reads exactly like one that does not exist.
    assert f"本活动中没有编号为 {far.travellers[0].id} 的出行人" in page and "李乙方" not in page
    assert 'data-row="7"' in page and "承运单位" in page and "请填写这一项" in page
    assert 'data-row="8"' in page and "在第 3 行已经出现过" in page
    assert 'data-row="3"' not in page
    session.expire_all()
    assert single.travellers[0].ticket_number is None
    assert single.status == ApplicationStatus.APPROVED
    assert events("reunion.bookings_imported") == [] and events("reunion.booked") == []


def test_rows_are_named_with_row_column_and_reason_in_both_languages(world, clock):
    family = world["family"]
    scope_rows = [bookings.FileRow(7, {"traveller_id": family.travellers[0].id,
                                       "name": "张冒名", "ticket_number": "E1",
                                       "carrier": "中国铁路", "service_number": "G1",
                                       "seat": None, "price": "abc"})]
    from plugin.access.scope import Scope

    with pytest.raises(bookings.BookingImportRefused) as refused:
        bookings.book_rows(world["campaign"], scope_rows, scope=Scope.company(), actor=SYSTEM)
    lines = refused.value.errors.lines(bookings.column_label)
    assert lines[0].startswith("第 7 行") and "姓名" in lines[0] and "赵铁柱" in lines[0]
    assert "实际票价（元）" in lines[1] and "请填写票价（元）" in lines[1]
    [entry] = bookings.describe(refused.value.errors[:1])
    assert entry["row"] == 7 and entry["column"].startswith("姓名")


def test_actual_prices_the_budget_cannot_take_are_refused(world, login):
    client = login(world["officer"])
    campaign, single = world["campaign"], world["single"]
    left = campaign.budget_fen - campaign.committed_fen          # 3,600 yuan left
    fits = single.subsidy_fen + left                              # 3,800 yuan
    response = upload(client, campaign, results_file([
        ticket_row(single.travellers[0], "E1", format_yuan(fits + 1))]))  # a fen too many
    assert response.status_code == 422
    assert "活动预算不足" in response.text and "预算只剩 3600.00 元" in response.text
    assert 'data-row="3"' in response.text
    session.expire_all()
    assert single.status == ApplicationStatus.APPROVED and single.subsidy_fen == 20_000
    assert single.travellers[0].ticket_number is None
    # Exactly what is left fits.
    response = upload(client, campaign, results_file([
        ticket_row(single.travellers[0], "E1", format_yuan(fits))]))
    assert response.status_code == 302
    session.expire_all()
    assert single.status == ApplicationStatus.BOOKED
    assert campaign.committed_fen == campaign.budget_fen


def test_a_file_that_is_not_a_results_file_is_refused(world, login):
    client = login(world["officer"])
    campaign = world["campaign"]
    response = upload(client, campaign, results_file([{"姓名": "赵铁柱"}],
                                                     header=["姓名", "票号"]))
    assert response.status_code == 422 and "找不到表头" in response.text
    response = upload(client, campaign, results_file([], header=["出行人编号", "姓名"]))
    assert response.status_code == 422 and "文件缺少这些列" in response.text
    response = upload(client, campaign, io.BytesIO(b"name,ticket\n"), "results.csv")
    assert response.status_code == 422 and "只能上传 XLSX 文件" in response.text


@pytest.mark.parametrize(("cell", "fen"), [
    (356, 35_600), (356.5, 35_650), ("128.50", 12_850), ("¥1,280.5", 128_050),
    ("０.５", 50), ("0", 0), ("99元", 9_900)])
def test_prices_become_integer_fen(cell, fen):
    assert bookings.parse_price(cell) == fen


@pytest.mark.parametrize(("cell", "message"), [
    ("12.345", bookings.PRICE_DECIMALS), (12.345, bookings.PRICE_DECIMALS),
    ("-5", bookings.PRICE_INVALID), (-5, bookings.PRICE_INVALID), ("abc", bookings.PRICE_INVALID),
    ("10000.01", bookings.PRICE_TOO_HIGH), (True, bookings.PRICE_INVALID)])
def test_prices_that_are_not_yuan_amounts_are_refused(cell, message):
    with pytest.raises(ValueError) as refused:
        bookings.parse_price(cell)
    assert refused.value.args[0] == message


# -- ID numbers ---------------------------------------------------------------------------------

def test_an_id_number_is_revealed_once_with_a_reason_and_audited(world, login):
    client = login(world["officer"])
    traveller = world["family"].travellers[1]
    page_url = f"/reunions/applications/{world['family'].id}/booking"
    page = client.get(page_url)
    assert traveller.id_number not in page.text
    assert f"{traveller.id_number[:3]}***********{traveller.id_number[-4:]}" in page.text
    reveal_url = f"/reunions/travellers/{traveller.id}/reveal-id"
    refused = post_form(client, page_url, reveal_url, {f"reveal-{traveller.id}-reason": "看"})
    assert refused.status_code == 422 and "至少 4 个字" in refused.text
    assert events("reunion.id_revealed") == []
    response = post_form(client, page_url, reveal_url,
                         {f"reveal-{traveller.id}-reason": "12306 购票需核对身份证"})
    assert response.status_code == 302
    shown = client.get(page_url).text
    assert traveller.id_number in shown
    assert traveller.id_number not in client.get(page_url).text  # once
    [event] = events("reunion.id_revealed")
    assert event.target_id == str(traveller.id)
    assert event.details["reason"] == "12306 购票需核对身份证"
    far = world["far"].travellers[0]
    assert post_form(client, page_url, f"/reunions/travellers/{far.id}/reveal-id",
                     {f"reveal-{far.id}-reason": "看看别人的"}).status_code == 404


# -- after the trip -----------------------------------------------------------------------------

def book_directly(application, price_fen: int = 25_000):
    for number, traveller in enumerate(application.travellers):
        traveller.ticket_number, traveller.carrier = f"T{application.id}-{number}", "中国铁路"
        traveller.service_number, traveller.ticket_price_fen = "K818", price_fen
    services.book(application, actor=SYSTEM)
    session.flush()


def test_travelled_no_show_and_a_cancelled_ticket_with_its_refund(world, login, clock):
    client = login(world["officer"])
    campaign, family, single = world["campaign"], world["family"], world["single"]
    book_directly(family)
    book_directly(single)
    far = world["far"]
    services.cancel(far, "不去了", actor=SYSTEM)
    committed = campaign.committed_fen
    assert committed == 3 * 25_000 + 25_000
    page_url = f"/reunions/{campaign.id}/booking"
    # Before the day of departure nobody can be marked.
    response = post_form(client, page_url, f"/reunions/applications/{family.id}/travelled",
                         {"back": "campaign"})
    assert response.status_code == 302 and response.location.endswith(page_url)
    session.expire_all()
    assert family.status == ApplicationStatus.BOOKED
    clock.advance(days=72)  # 2027-02-02: the family left on the 1st; the single leaves the 3rd
    response = post_form(client, page_url, f"/reunions/applications/{family.id}/travelled",
                         {"back": "campaign"})
    assert response.status_code == 302
    session.expire_all()
    assert family.status == ApplicationStatus.TRAVELLED
    assert campaign.committed_fen == committed

    # Cancelling the single's ticket: the refund is required, at most the ticket's price.
    app_url = f"/reunions/applications/{single.id}/booking"
    cancel_url = f"/reunions/applications/{single.id}/cancel-ticket"
    refused = post_form(client, app_url, cancel_url, {"cancel-reason": "", "cancel-refund": ""})
    assert refused.status_code == 422
    assert "请填写退款金额" in refused.text and "请填写原因" in refused.text
    refused = post_form(client, app_url, cancel_url,
                        {"cancel-reason": "工地赶工", "cancel-refund": "250.01"})
    assert refused.status_code == 422 and "退款金额不能超过票价合计 250.00 元" in refused.text
    refused = post_form(client, app_url, cancel_url,
                        {"cancel-reason": "工地赶工", "cancel-refund": "1.234"})
    assert refused.status_code == 422 and "最多两位小数" in refused.text
    assert events("reunion.ticket_refunded") == []
    response = post_form(client, app_url, cancel_url,
                         {"cancel-reason": "工地赶工", "cancel-refund": "237.50"})
    assert response.status_code == 302
    session.expire_all()
    assert single.status == ApplicationStatus.CANCELLED and single.refund_fen == 23_750
    # What the carrier kept (the cancellation fee) stays spent; the refund goes back.
    assert single.subsidy_fen == 1_250 and campaign.committed_fen == committed - 23_750
    [refund] = events("reunion.ticket_refunded")
    assert refund.details == {"refund_fen": 23_750, "tickets_fen": 25_000}
    page = client.get(page_url).text
    assert f'data-application-id="{single.id}"' in page and "退款 237.50 元" in page


def test_a_no_show_keeps_the_tickets_money_spent(world, login, clock):
    client = login(world["officer"])
    campaign, family = world["campaign"], world["family"]
    book_directly(family)
    committed = campaign.committed_fen
    clock.advance(days=72)
    app_url = f"/reunions/applications/{family.id}/booking"
    response = post_form(client, app_url, f"/reunions/applications/{family.id}/no-show", {})
    assert response.status_code == 302 and response.location.endswith(app_url)
    session.expire_all()
    assert family.status == ApplicationStatus.NO_SHOW
    # The tickets were bought: their money stays spent (a refund is a cancellation's).
    assert campaign.committed_fen == committed and family.subsidy_fen == 3 * 25_000
    # Twice is refused (it is no longer booked) and changes nothing.
    response = post_form(client, app_url, f"/reunions/applications/{family.id}/no-show", {})
    assert response.status_code == 302
    session.expire_all()
    assert family.status == ApplicationStatus.NO_SHOW


def test_cancelling_tickets_of_an_application_not_booked_says_why(world, login):
    client = login(world["officer"])
    single = world["single"]  # approved, no tickets yet
    app_url = f"/reunions/applications/{single.id}/booking"
    refused = post_form(client, app_url, f"/reunions/applications/{single.id}/cancel-ticket",
                        {"cancel-reason": "工地赶工", "cancel-refund": "0"})
    assert refused.status_code == 422 and 'id="booking-error"' in refused.text
    assert "只有已出票的申请可以退票" in refused.text
    assert single.status == ApplicationStatus.APPROVED
