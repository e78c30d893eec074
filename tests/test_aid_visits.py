"""Union visits (工会慰问): recording a visit with cash from a fund (a ledger payout; refused whole
when the fund is short), goods, notes and photos (the upload check), and the pages."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from plugin.access.roles import Role
from plugin.aid import ledger, visits
from plugin.aid.models import (
    UNRESTRICTED,
    AidFund,
    EntryKind,
    FundKind,
    LedgerEntry,
    UnionVisit,
)
from plugin.aid.visits import PHOTO_MAX_BYTES, VisitInput
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import InputInvalid
from plugin.core.host import Actor
from plugin.org.models import OrgKind

from .conftest import SYSTEM, submit
from .support import recorded_statements

TODAY = date(2026, 11, 22)
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def image_bytes(kind: str = "JPEG", size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


def actor_of(user) -> Actor:
    return Actor(key=user.key, name=user.display_name)


@pytest.fixture(autouse=True)
def photo_limit(app):
    """``photo_limit(n)`` sets the photo size limit for one test."""
    settings = app.extensions["carebridge"].settings
    saved = settings[PHOTO_MAX_BYTES]
    yield lambda value: settings.override(PHOTO_MAX_BYTES, value)
    settings.restore(PHOTO_MAX_BYTES, saved)


def make_fund(unit, income_fen: int, *, name: str = "工会帮扶资金", purpose=UNRESTRICTED):
    fund = AidFund(org_unit_id=unit.id, name=name, kind=FundKind.UNION, created_by="test")
    session.add(fund)
    session.flush()
    if income_fen:
        ledger.receive(fund, EntryKind.ALLOCATION, income_fen, booked_on=TODAY, actor=SYSTEM,
                       purpose=purpose)
    return fund


@pytest.fixture
def org(company, make_unit, make_user, make_worker, clock):
    region = make_unit(OrgKind.SUBSIDIARY, name="西南分公司")
    site = make_unit(OrgKind.SITE, parent=region, name="甲项目部")
    other = make_unit(OrgKind.SITE, name="乙项目部")
    users = {"union": make_user(Role.UNION_OFFICER, region, name="工会王主席"),
             "manager": make_user(Role.SITE_MANAGER, site),
             "hr": make_user(Role.HR_OFFICER, company)}
    return {"site": site, "other": other, "region": region, "users": users,
            "worker": make_worker(site, name="赵铁柱"),
            "other_worker": make_worker(other, name="隔壁王五"),
            "company_fund": make_fund(company, 100_000, name="关爱专项基金"),
            "region_fund": make_fund(region, 50_000, name="西南工会帮扶资金"),
            "other_fund": make_fund(other, 900_000, name="乙项目部帮扶资金"),
            **{name: actor_of(user) for name, user in users.items()}}


def visit_input(**overrides) -> VisitInput:
    values = dict(visited_on=TODAY, visitors="工会主席王华、项目经理李强", goods="米 2 袋、油 1 桶",
                  goods_value_fen=25_000, notes="孩子奶奶腿脚不便，冬天取暖困难")
    return VisitInput(**{**values, **overrides})


def record(org, **overrides) -> UnionVisit:
    return visits.record_visit(org["worker"], visit_input(**overrides), actor=org["union"],
                               today=TODAY)


def available(fund) -> int:
    return ledger.available_for(fund, (UNRESTRICTED,))


# --- the service --------------------------------------------------------------------------------

def test_cash_from_a_fund_above_the_worker_is_a_ledger_payout_of_the_visit(org):
    visit = record(org, cash_fen=50_000, fund=org["region_fund"])
    [entry] = session.scalars(select(LedgerEntry).where(LedgerEntry.visit_id == visit.id))
    assert (entry.kind, entry.amount_fen, entry.fund_id, entry.booked_on) == (
        EntryKind.PAYOUT, 50_000, org["region_fund"].id, TODAY)
    assert available(org["region_fund"]) == 0
    assert (visit.cash_fen, visit.fund_id, visit.goods_value_fen) == (
        50_000, org["region_fund"].id, 25_000)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "aid.visit_recorded"))
    assert event.details["aid_visit_cash"] == "500.00"
    assert event.details["aid_fund"] == "西南工会帮扶资金"
    raw = session.execute(text("SELECT notes FROM cb_aid_union_visit")).scalar_one()
    assert "取暖" not in str(raw)


def test_a_fund_that_cannot_cover_the_cash_refuses_the_whole_visit(org):
    with pytest.raises(ledger.FundShort) as short:
        record(org, cash_fen=50_001, fund=org["region_fund"])
    assert short.value.field == "cash"
    assert "西南工会帮扶资金" in short.value.localized() and "500.00" in short.value.localized()
    assert session.scalar(select(func.count(UnionVisit.id))) == 0
    assert session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == EntryKind.PAYOUT)) == 0
    assert available(org["region_fund"]) == 50_000
    assert session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "aid.visit_recorded")) is None


def test_money_given_for_a_purpose_does_not_pay_a_visit(org, company):
    restricted = make_fund(company, 800_000, name="助学基金", purpose="schooling")
    with pytest.raises(ledger.FundShort):
        record(org, cash_fen=10_000, fund=restricted)
    assert session.scalar(select(func.count(UnionVisit.id))) == 0


def test_cash_needs_a_fund_the_workers_unit_may_draw_on(org):
    with pytest.raises(InputInvalid) as no_fund:
        record(org, cash_fen=10_000, fund=None)
    assert no_fund.value.field == "fund"
    with pytest.raises(InputInvalid) as elsewhere:
        record(org, cash_fen=10_000, fund=org["other_fund"])
    assert elsewhere.value.field == "fund"
    assert available(org["other_fund"]) == 900_000
    assert [fund.name for fund in visits.funds_for(org["site"])] == ["关爱专项基金",
                                                                     "西南工会帮扶资金"]
    # Without cash no fund is needed, and a fund chosen anyway is not recorded.
    visit = record(org, cash_fen=0, fund=org["other_fund"])
    assert visit.fund_id is None and session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.visit_id == visit.id)) == 0


def test_every_mistake_in_a_visit_is_reported_at_once(org):
    with pytest.raises(InputInvalid) as refused:
        record(org, visited_on=TODAY + timedelta(days=1), visitors=" ", goods=None,
               goods_value_fen=5_000, cash_fen=-1)
    assert {error.field for error in refused.value.errors} == {
        "visited_on", "visitors", "goods", "cash"}
    with pytest.raises(InputInvalid) as no_date:
        record(org, visited_on=None)
    assert no_date.value.field == "visited_on"
    assert session.scalar(select(func.count(UnionVisit.id))) == 0


def test_photos_are_checked_by_their_content_and_counted(org, photo_limit):
    jpeg, png = image_bytes("JPEG"), image_bytes("PNG")
    with pytest.raises(InputInvalid) as renamed:
        record(org, photos=[("合影.jpg", "image/jpeg", PDF_BYTES)])
    assert renamed.value.field == "photos" and "合影.jpg" in renamed.value.localized()
    with pytest.raises(InputInvalid) as mismatch:
        record(org, photos=[("合影.png", "image/png", jpeg)])
    assert mismatch.value.field == "photos"
    with pytest.raises(InputInvalid) as too_many:
        record(org, photos=[(f"{n}.jpg", "image/jpeg", jpeg) for n in range(6)])
    assert too_many.value.field == "photos"
    photo_limit(len(jpeg) - 1)
    with pytest.raises(InputInvalid) as too_big:
        record(org, photos=[("大图.jpg", "image/jpeg", jpeg)])
    assert "文件太大" in too_big.value.localized()
    assert session.scalar(select(func.count(UnionVisit.id))) == 0
    photo_limit(None)
    visit = record(org, photos=[("C:\\照片\\合影.jpg", "image/jpeg", jpeg),
                                ("门口.png", None, png)])
    stored = visits.photos_of(visit)
    assert [(photo.filename, photo.content_type) for photo in stored] == [
        ("合影.jpg", "image/jpeg"), ("门口.png", "image/png")]
    raw = session.execute(text("SELECT content FROM cb_aid_visit_photo")).scalars().all()
    assert jpeg not in raw


# --- the pages ----------------------------------------------------------------------------------

def test_recording_a_visit_through_the_page(org, login):
    client = login(org["users"]["union"])
    url = f"/aid/visits/new/{org['worker'].id}"
    page = client.get(url)
    assert page.status_code == 200 and "西南工会帮扶资金" in page.text
    assert "乙项目部帮扶资金" not in page.text
    data = {"visited_on": "2026-11-22", "visitors": "工会主席王华", "cash": "300",
            "fund": str(org["region_fund"].id), "goods": "棉被 2 床", "goods_value": "400.50",
            "notes": "孩子在老家读三年级"}
    short = submit(client, url, {**data, "cash": "600"})
    assert short.status_code == 422 and "可用余额不足" in short.text
    renamed = submit(client, url, {**data, "photos": (io.BytesIO(PDF_BYTES), "合影.jpg",
                                                      "image/jpeg")})
    assert renamed.status_code == 422 and "只能上传" in renamed.text
    assert session.scalar(select(func.count(UnionVisit.id))) == 0
    assert available(org["region_fund"]) == 50_000
    done = submit(client, url, {**data, "photos": [
        (io.BytesIO(image_bytes("JPEG")), "合影.jpg", "image/jpeg"),
        (io.BytesIO(image_bytes("PNG")), "门口.png", "image/png")]})
    assert done.status_code == 302, done.text
    visit = session.scalars(select(UnionVisit)).one()
    assert (visit.cash_fen, visit.goods_value_fen) == (30_000, 40_050)
    assert available(org["region_fund"]) == 20_000
    shown = client.get(done.headers["Location"])
    assert "孩子在老家读三年级" in shown.text and "300.00" in shown.text
    photo = visits.photos_of(visit)[0]
    served = client.get(f"/aid/visits/{visit.id}/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == image_bytes("JPEG")
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "aid_visit")).all()
    assert {"aid.visit_recorded", "aid.visit_notes_viewed", "aid.visit_photo_viewed"} <= set(
        actions)


def test_the_list_by_date_and_unit(org, login, make_user):
    older = record(org, visited_on=TODAY - timedelta(days=10))
    newer = record(org)
    elsewhere = visits.record_visit(org["other_worker"], visit_input(), actor=SYSTEM, today=TODAY)
    union = login(org["users"]["union"])
    text_ = union.get("/aid/visits/").text
    ids = [int(part.split('"')[0]) for part in text_.split('data-visit="')[1:]]
    assert ids == [newer.id, older.id] and "隔壁王五" not in text_
    admin = login(make_user(Role.ADMIN))
    everything = admin.get("/aid/visits/").text
    assert f'data-visit="{elsewhere.id}"' in everything
    only_other = admin.get(f"/aid/visits/?unit={org['other'].id}").text
    assert f'data-visit="{elsewhere.id}"' in only_other and f'data-visit="{newer.id}"' not in only_other
    with recorded_statements() as few:
        union.get("/aid/visits/")
    for _ in range(8):
        record(org, cash_fen=100, fund=org["company_fund"],
               photos=[("a.jpg", "image/jpeg", image_bytes())])
    with recorded_statements() as many:
        assert union.get("/aid/visits/").text.count("data-visit=") == 10
    visit_queries = [s for s in many if "cb_aid_union_visit" in s]
    assert len(visit_queries) == len([s for s in few if "cb_aid_union_visit" in s]) <= 2


def test_a_visit_outside_the_subtree_is_not_found_and_without_permission_forbidden(org, login):
    elsewhere = visits.record_visit(org["other_worker"], visit_input(
        photos=[("a.jpg", "image/jpeg", image_bytes())]), actor=SYSTEM, today=TODAY)
    photo = visits.photos_of(elsewhere)[0]
    union = login(org["users"]["union"])
    for url in (f"/aid/visits/{elsewhere.id}", f"/aid/visits/{elsewhere.id}/photos/{photo.id}",
                f"/aid/visits/new/{org['other_worker'].id}", "/aid/visits/2000000000"):
        response = union.get(url)
        assert response.status_code == 404 and "隔壁王五" not in response.text, url
    mine = record(org, photos=[("b.jpg", "image/jpeg", image_bytes())])
    session.commit()  # into the test's savepoint: a refused request rolls back its own work
    assert union.get(f"/aid/visits/{mine.id}/photos/{photo.id}").status_code == 404
    # A site manager sees visits but does not record them (nor read their notes).
    site = login(org["users"]["manager"])
    assert site.get(f"/aid/visits/new/{org['worker'].id}").status_code == 403
    page = site.get(f"/aid/visits/{mine.id}")
    assert page.status_code == 200 and "取暖" not in page.text
    hr = login(org["users"]["hr"])
    for url in ("/aid/visits/", f"/aid/visits/{mine.id}",
                f"/aid/visits/new/{org['worker'].id}"):
        assert hr.get(url).status_code == 403, url
