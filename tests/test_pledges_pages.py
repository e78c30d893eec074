"""Officer pages of pledges: lists, logging a paper pledge, revoking, downloads, the template,
coverage per site, and who may see what."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import event, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.pledges import services
from plugin.pledges.models import Pledge, PledgeTemplate

from .conftest import submit
from .pledges_support import (
    OFFICER,
    Family,
    make_family,
    paper_pledge,
    phone_pledge,
    scan_pdf,
    scan_png,
)


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)


def actions(prefix="pledge."):
    return list(session.execute(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
                                .order_by(AuditEvent.id)).scalars())


@pytest.fixture
def hr(family, make_user, login):
    return login(make_user(Role.HR_OFFICER, family.site))


def test_hr_officer_logs_a_paper_pledge_with_an_upload(family, hr):
    form = hr.get(f"/pledges/workers/{family.worker.id}/paper")
    assert form.status_code == 200 and "赵小妹" in form.text and 'type="file"' in form.text
    template_id = session.execute(select(PledgeTemplate.id)).scalar_one()
    response = submit(hr, f"/pledges/workers/{family.worker.id}/paper", {
        "children": [str(family.children[0].id)], "template_id": str(template_id),
        "signed_on": "2026-11-20", "witness": "李专员",
        "scan": (io.BytesIO(scan_pdf()), "签字页.jpg", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    pledge = session.execute(select(Pledge)).scalar_one()
    assert response.location == f"/pledges/{pledge.id}"
    assert pledge.scan_content_type == "application/pdf" and [c.name for c in pledge.children] == ["赵小妹"]
    page = hr.get(response.location)
    assert "纸质签字" in page.text and "2027-11-19" in page.text and 'id="scan-link"' in page.text
    scan = hr.get(f"/pledges/{pledge.id}/scan")
    assert scan.data == scan_pdf() and scan.mimetype == "application/pdf"
    assert "attachment" in scan.headers["Content-Disposition"]
    assert actions() == ["pledge.template_saved", "pledge.signed", "pledge.scan_downloaded"]


def test_a_bad_upload_shows_the_reason_on_the_field(family, hr):
    template_id = services.current_template().id
    response = submit(hr, f"/pledges/workers/{family.worker.id}/paper", {
        "children": [str(family.children[0].id)], "template_id": str(template_id),
        "signed_on": "2026-11-20", "witness": "李专员",
        "scan": (io.BytesIO(b"MZ\x90\x00 not a scan"), "scan.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "只能上传 PDF、JPG 或 PNG 文件" in response.text
    assert session.execute(select(Pledge)).first() is None


def test_the_list_filters_by_status_and_site(family, hr, make_unit, make_worker, make_child, clock):
    valid = paper_pledge(family, children=family.children[:1])
    revoked = paper_pledge(family, children=family.children[1:])
    services.revoke(revoked, "签错了", OFFICER)
    other_site = make_unit(OrgKind.SITE, name="后海项目部")
    page = hr.get("/pledges/")
    assert page.status_code == 200 and page.text.count('data-status="') == 2
    only_valid = hr.get("/pledges/?status=valid")
    assert 'data-status="valid"' in only_valid.text and 'data-status="revoked"' not in only_valid.text
    assert 'data-status="revoked"' in hr.get("/pledges/?status=revoked").text
    assert "没有符合条件" in hr.get("/pledges/?status=expiring").text
    assert "没有符合条件" in hr.get(f"/pledges/?unit={other_site.id}").text
    assert "赵铁柱" in hr.get("/pledges/?q=E2001").text
    clock.advance(days=340)
    assert f"/pledges/{valid.id}" in hr.get("/pledges/?status=expiring").text


def test_the_list_page_runs_a_fixed_number_of_queries(family, hr, make_worker, make_child, app):
    for _ in range(12):
        worker = make_worker(family.site)
        child = make_child(worker, left_behind=True)
        services.log_paper_pledge(worker, [child], date(2026, 11, 22), "李专员", scan_png(), "image/png",
                                  OFFICER)
    session.flush()
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = hr.get("/pledges/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200 and page.text.count('data-status="') == 12
    pledge_queries = [s for s in statements if "cb_pledge" in s or "cb_child" in s]
    assert 1 < len(pledge_queries) <= 5, pledge_queries


def test_revoking_through_the_page(family, hr):
    pledge = paper_pledge(family)
    empty = submit(hr, f"/pledges/{pledge.id}/revoke", {"revoke-reason": ""}, form_url=f"/pledges/{pledge.id}")
    assert empty.status_code == 422 and pledge.revoked_at is None
    done = submit(hr, f"/pledges/{pledge.id}/revoke", {"revoke-reason": "职工离职，改由配偶签署"},
                  form_url=f"/pledges/{pledge.id}")
    assert done.status_code == 302
    page = hr.get(f"/pledges/{pledge.id}")
    assert "职工离职，改由配偶签署" in page.text and 'data-status="revoked"' in page.text
    assert 'id="revoke-form"' not in page.text


def test_the_pdf_download_is_audited(family, hr):
    pledge = phone_pledge(family)
    response = hr.get(f"/pledges/{pledge.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert actions()[-1] == "pledge.pdf_downloaded"


def test_who_may_see_and_do_what(family, make_user, make_unit, login):
    pledge = paper_pledge(family)
    manager = login(make_user(Role.SITE_MANAGER, family.site))
    assert manager.get(f"/pledges/{pledge.id}").status_code == 200
    assert manager.get(f"/pledges/{pledge.id}/pdf").status_code == 403  # no ID numbers for them
    assert manager.get(f"/pledges/{pledge.id}/scan").status_code == 403
    assert manager.get(f"/pledges/workers/{family.worker.id}/paper").status_code == 403
    assert 'id="revoke-form"' not in manager.get(f"/pledges/{pledge.id}").text
    other = login(make_user(Role.HR_OFFICER, make_unit(OrgKind.SITE, name="后海项目部")))
    assert other.get(f"/pledges/{pledge.id}").status_code == 404  # as if it did not exist
    assert other.get(f"/pledges/workers/{family.worker.id}").status_code == 404
    assert "赵铁柱" not in other.get("/pledges/").text
    auditor = login(make_user(Role.AUDITOR))
    assert auditor.get("/pledges/").status_code == 403
    assert login(make_user(Role.HR_OFFICER, family.site)).get("/pledges/template/edit").status_code == 403


def test_the_template_page_edits_into_a_new_version(family, make_user, login):
    admin = login(make_user(Role.HR_OFFICER))
    page = admin.get("/pledges/template")
    assert "第 1 版" in page.text and "每周至少与子女和照护人联系一次" in page.text
    form = admin.get("/pledges/template/edit")
    assert "监护责任承诺书" in form.text
    current = services.current_template()
    unchanged = submit(admin, "/pledges/template/edit", {
        "title_zh": current.title_zh, "title_en": current.title_en, "body_zh": current.body_zh,
        "body_en": current.body_en})
    assert unchanged.status_code == 422 and "内容没有变化" in unchanged.text
    saved = submit(admin, "/pledges/template/edit", {
        "title_zh": "监护责任承诺书（2027 版）", "title_en": current.title_en, "body_zh": current.body_zh,
        "body_en": current.body_en})
    assert saved.status_code == 302
    assert "第 2 版" in admin.get("/pledges/template").text
    old = admin.get("/pledges/template?version=1")
    assert "监护责任承诺书（2027 版）" not in re.sub(r'<table.*</table>', "", old.text, flags=re.S)
    assert admin.get("/pledges/template?version=9").status_code == 404


def test_coverage_counts_workers_with_left_behind_children_per_site(family, hr, make_worker, make_child,
                                                                   make_unit, clock):
    team = make_unit(OrgKind.TEAM, parent=family.site, name="钢筋班组")
    covered_in_team = make_worker(team, name="孙二娘")
    paper_pledge(type(family)(family.site, covered_in_team, [make_child(covered_in_team, left_behind=True)]))
    uncovered = make_worker(family.site, name="钱多多")
    make_child(uncovered, left_behind=True)
    not_left_behind = make_worker(family.site, name="周不留")
    make_child(not_left_behind)
    revoked_worker = make_worker(family.site, name="吴撤销")
    revoked = paper_pledge(type(family)(family.site, revoked_worker, [make_child(revoked_worker, left_behind=True)]))
    services.revoke(revoked, "签错了", OFFICER)
    paper_pledge(family)
    page = hr.get("/pledges/coverage")
    row = re.search(rf'<tr data-unit="{family.site.id}".*?</tr>', page.text, re.S).group(0)
    assert re.search(r'data-count="workers">4<', row) and re.search(r'data-count="covered">2<', row)
    detail = hr.get(f"/pledges/coverage?unit={family.site.id}")
    names = re.search(r'<table class="table table-sm" id="uncovered">.*?</table>', detail.text, re.S).group(0)
    assert "钱多多" in names and "吴撤销" in names
    assert "赵铁柱" not in names and "孙二娘" not in names and "周不留" not in names
    clock.advance(days=400)  # every pledge has lapsed
    row = re.search(rf'<tr data-unit="{family.site.id}".*?</tr>', hr.get("/pledges/coverage").text, re.S).group(0)
    assert re.search(r'data-count="covered">0<', row)


def test_worker_pledge_page_lists_history(family, hr):
    paper_pledge(family)
    page = hr.get(f"/pledges/workers/{family.worker.id}")
    assert page.status_code == 200 and "v1" in page.text and 'id="log-paper"' in page.text
