"""The reports pages as officers use them: generating a quarterly report for the company,
writing its texts, filing it, downloading what was sealed, correcting it; a site manager
confirming the site's figures; the records behind a filed figure; the public verification page
(genuine, superseded, tampered, unknown, a file checked by upload) showing no personal data;
and the scope of every page."""
from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import select, text, update

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.roles import Role
from plugin.reports.models import ReportConfirmation, ReportDraft, ReportFiling

from .conftest import submit
from .factories import make_worker
from .reports_support import Q4_2026, build_world, file_report


@pytest.fixture
def world(company, make_unit, clock):
    clock.advance(days=45)  # 6 January 2027
    return build_world(company, make_unit)


def _new_report(client, world) -> str:
    page = client.get("/reports/new")
    assert page.status_code == 200
    sasac = re.search(r'<option value="(\d+)"[^>]*>国资委 · ', page.text).group(1)
    answer = submit(client, "/reports/new", {
        "template": sasac, "unit": str(world["company"].id), "period_kind": "quarter",
        "year": "2026", "number": "4"})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def test_a_report_officer_generates_writes_and_files_the_quarterly_report(world, make_user,
                                                                         login):
    client = login(make_user(Role.REPORT_OFFICER, world["company"], name="杨帆"))
    draft_url = _new_report(client, world)
    page = client.get(draft_url)
    assert "2026年第四季度" in page.text and "草稿（未报送）" in page.text
    assert re.search(r'data-figure="registry.workers_employed">\s*<td>[^<]+</td>\s*'
                     r'<td class="text-end" data-value>7</td>', page.text)
    assert "已确认 0 / 共 2 个单位" in page.text
    pdf = client.get(draft_url + "/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    draft_id = int(draft_url.rsplit("/", 1)[1])
    saved = submit(client, f"/reports/drafts/{draft_id}/texts",
                   {"text-work_done": "开展宣讲两场", "text-typical_cases": "王某的孩子暑期来工地"},
                   form_url=draft_url)
    assert saved.status_code == 302
    assert "开展宣讲两场" in client.get(draft_url).text
    filed = submit(client, f"/reports/drafts/{draft_id}/file", {}, form_url=draft_url)
    assert filed.status_code == 302
    filing_page = client.get(filed.headers["Location"])
    assert "第 1 号报送" in filing_page.text and 'data-status="current"' in filing_page.text
    filing = session.execute(select(ReportFiling)).scalar_one()
    for fmt, digest in (("pdf", filing.pdf_sha256), ("xlsx", filing.xlsx_sha256),
                        ("json", filing.content_sha256)):
        download = client.get(f"/reports/filings/{filing.id}/report.{fmt}")
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == digest
    # The draft is filed: its page now leads to the filing, and it takes no more texts.
    assert client.get(draft_url).headers["Location"].endswith(f"/reports/filings/{filing.id}")
    index = client.get("/reports/")
    assert 'data-filing="1"' in index.text


def test_a_correction_shows_what_changed_and_supersedes(world, make_user, login):
    client = login(make_user(Role.REPORT_OFFICER, world["company"]))
    original = file_report(world["company"])
    make_worker(world["site_b"])
    session.commit()
    corrected = submit(client, f"/reports/filings/{original.id}/correct", {},
                       form_url=f"/reports/filings/{original.id}")
    draft_url = corrected.headers["Location"]
    assert "这是第 1 号报送的更正" in client.get(draft_url).text
    draft_id = int(draft_url.rsplit("/", 1)[1])
    refused = submit(client, f"/reports/drafts/{draft_id}/file", {"reason": ""},
                     form_url=draft_url)
    assert refused.status_code == 302 and "请说明更正的原因" in client.get(draft_url).text
    assert session.get(ReportDraft, draft_id).filing_id is None
    filed = submit(client, f"/reports/drafts/{draft_id}/file", {"reason": "漏报新入职职工"},
                   form_url=draft_url)
    page = client.get(filed.headers["Location"])
    assert "与第 1 号相比的变化" in page.text
    assert re.search(r'data-change="figure.registry.workers_employed"><td>[^<]+</td><td>7</td>'
                     r'<td>8</td>', page.text)
    old = client.get(f"/reports/filings/{original.id}")
    assert 'data-status="superseded"' in old.text and "已被第 2 号更正取代" in old.text


def test_the_records_behind_a_filed_figure(world, make_user, login):
    officer = make_user(Role.REPORT_OFFICER, world["company"])
    client = login(officer)
    filing = file_report(world["company"])
    session.commit()
    page = client.get(f"/reports/filings/{filing.id}/records/registry.workers_employed")
    assert page.status_code == 200
    for worker in world["workers_a"] + world["workers_b"]:
        assert f'href="/workers/{worker.id}"' in page.text
    assert session.execute(select(AuditEvent).where(
        AuditEvent.action == "report.records_opened",
        AuditEvent.actor_key == officer.key)).scalar_one().details["count"] == 7
    assert client.get(f"/reports/filings/{filing.id}/records/no.such").status_code == 404
    # Viewers who do not file reports see the filing but not the records behind it.
    viewer = login(make_user(Role.UNION_OFFICER, world["company"]))
    assert viewer.get(f"/reports/filings/{filing.id}").status_code == 200
    assert viewer.get(f"/reports/filings/{filing.id}/records/registry.workers_employed"
                      ).status_code == 403


def test_a_site_manager_confirms_the_sites_figures(world, make_user, login):
    manager = make_user(Role.SITE_MANAGER, world["site_a"], name="张伟")
    client = login(manager)
    index = client.get(f"/reports/confirm/?period={Q4_2026.code}")
    assert f'data-unit="{world["site_a"].id}"' in index.text
    assert f'data-unit="{world["site_b"].id}"' not in index.text
    url = f"/reports/confirm/{world['site_a'].id}?period={Q4_2026.code}"
    page = client.get(url)
    assert 'data-state="unconfirmed"' in page.text
    confirmed = submit(client, url, {"note": "已核对"})
    assert confirmed.status_code == 302
    assert 'data-state="confirmed"' in client.get(url).text
    row = session.execute(select(ReportConfirmation)).scalar_one()
    assert row.confirmed_by == manager.key and row.figures["registry.workers_employed"] == 5
    # A worker joins in the quarter's records afterwards: the page asks to confirm again.
    make_worker(world["site_a"])
    session.commit()
    assert 'data-state="changed"' in client.get(url).text
    # Another site, or the group, is not theirs: "not found".
    assert client.get(f"/reports/confirm/{world['site_b'].id}").status_code == 404
    assert client.get(f"/reports/confirm/{world['company'].id}").status_code == 404
    # The group's report says who confirmed.
    filing = file_report(world["company"])
    assert '"confirmed":1' in filing.content_json


def _verify(client, filing):
    return client.get(f"/verify/{filing.public_code}")


def test_the_public_verification_page(world, client):
    filing = file_report(world["company"])
    session.commit()
    page = _verify(client, filing)
    assert page.status_code == 200 and 'data-status="current"' in page.text
    assert filing.pdf_sha256 in page.text and page.headers["Cache-Control"] == "no-store"
    for worker in world["workers_a"]:
        assert worker.name not in page.text
    assert world["children"][0].name not in page.text
    # The recipient checks the PDF they hold by uploading it.
    form = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    upload = client.post(f"/verify/{filing.public_code}", data={
        "csrf_token": form, "file": (io.BytesIO(filing.pdf), "report.pdf")})
    assert 'data-match="pdf"' in upload.text
    other = client.post(f"/verify/{filing.public_code}", data={
        "csrf_token": form, "file": (io.BytesIO(filing.pdf + b" "), "report.pdf")})
    assert 'data-match="none"' in other.text
    assert client.get("/verify/no-such-code").status_code == 404


def test_the_verification_page_says_superseded_and_tampered(world, client):
    from plugin.core.host import Actor
    from plugin.reports import services

    filing = file_report(world["company"])
    officer = Actor(key="user:officer", name="杨帆")
    correction = services.file_draft(services.start_correction(filing, officer), officer,
                                     reason="更正文字")
    session.commit()
    page = _verify(client, filing)
    assert 'data-status="superseded"' in page.text and "第 2 号" in page.text
    assert 'data-status="current"' in _verify(client, correction).text
    dialect = session.get_bind().dialect.name
    session.execute(text("DROP TRIGGER tr_cb_report_filing_frozen"
                         + (" ON cb_report_filing" if dialect == "postgresql" else "")))
    session.execute(update(ReportFiling).where(ReportFiling.id == correction.id)
                    .values(pdf=correction.pdf + b"%tampered"))
    session.commit()
    assert 'data-status="tampered"' in _verify(client, correction).text


def test_reports_are_scoped(world, make_user, login):
    site_officer = login(make_user(Role.REPORT_OFFICER, world["site_a"]))
    group_filing = file_report(world["company"])
    site_filing = file_report(world["site_a"])
    session.commit()
    assert site_officer.get(f"/reports/filings/{site_filing.id}").status_code == 200
    assert site_officer.get(f"/reports/filings/{group_filing.id}").status_code == 404
    assert site_officer.get(f"/reports/filings/{group_filing.id}/report.pdf").status_code == 404
    index = site_officer.get("/reports/")
    assert f'data-filing="{site_filing.number}"' in index.text
    assert f'data-filing="{group_filing.number}"' not in index.text
    # The whole company's chain is for those who file for the whole company.
    assert site_officer.get("/reports/chain").status_code == 404
    company_officer = login(make_user(Role.REPORT_OFFICER, world["company"]))
    assert 'data-intact="true"' in company_officer.get("/reports/chain").text


def test_templates_are_copied_and_adjusted(world, make_user, login):
    client = login(make_user(Role.REPORT_OFFICER, world["company"]))
    listing = client.get("/reports/templates/")
    assert listing.text.count('<span class="badge text-bg-light">内置</span>') == 6
    sasac = re.search(r'data-template="(\d+)">\s*<td>国资委', listing.text).group(1)
    copied = submit(client, f"/reports/templates/{sasac}/copy", {},
                    form_url="/reports/templates/")
    edit_url = copied.headers["Location"]
    page = client.get(edit_url)
    assert 'name="indicator-registry.workers_employed"' in page.text
    refused = submit(client, edit_url, {"name": "本公司季报", "schedule": "quarter",
                                        "unit": str(world["company"].id)})
    assert refused.status_code == 422 and "请至少选择一项指标" in refused.text
    saved = submit(client, edit_url, {
        "name": "本公司季报", "schedule": "month", "unit": str(world["company"].id),
        "indicator-registry.children_left_behind": "1",
        "breakdown-registry.children_left_behind-sex": "1", "text-typical_cases": "1"})
    assert saved.status_code == 302
    template_page = client.get(saved.headers["Location"])
    assert "本公司季报" in template_page.text and "性别" in template_page.text
    # Built-in templates are not edited in place.
    assert client.get(f"/reports/templates/{sasac}/edit").status_code == 404


def test_the_audit_log_reads_reports_as_sentences(world, make_user, login):
    from plugin.core.host import Actor
    from plugin.reports import services

    from .reports_support import template_of

    officer = Actor(key="user:officer", name="杨帆")
    services.copy_template(template_of(), officer, world["company"])
    services.confirm_figures(world["site_a"], Q4_2026, officer)
    filing = file_report(world["company"])
    services.file_draft(services.start_correction(filing, officer), officer, reason="更正")
    session.commit()
    client = login(make_user())
    rows = []
    for page in (1, 2, 3):
        html = client.get(f"/audit/?page={page}").text
        rows += [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in re.findall(
            r'<tr data-event="\d+">(.*?)</tr>', html, re.S) if 'data-action="report.' in row]
    text = " ".join(rows)
    for phrase in ("报送统计报告", "第 1 号报送：", "报送对象：国资委", "报告期：2026年第四季度",
                   "更正的报送编号：1", "复制报表模板", "复制自模板：国资委：", "确认本单位数据",
                   "甲项目部 2026-10-01 至 2026-12-31", "生成报告草稿"):
        assert phrase in text, phrase
    for raw in ("sasac", "report_", "None", "#"):
        assert raw not in text, raw


def test_a_site_report_officer_uses_the_built_in_templates(world, make_user, login):
    client = login(make_user(Role.REPORT_OFFICER, world["site_a"]))
    listing = client.get("/reports/templates/")
    sasac = re.search(r'data-template="(\d+)">\s*<td>国资委', listing.text).group(1)
    assert client.get(f"/reports/templates/{sasac}").status_code == 200
    copied = submit(client, f"/reports/templates/{sasac}/copy", {},
                    form_url="/reports/templates/")
    page = client.get(copied.headers["Location"])
    assert page.status_code == 200
    assert re.search(rf'<option selected value="{world["site_a"].id}">', page.text) or \
        re.search(rf'<option value="{world["site_a"].id}" selected>', page.text)
