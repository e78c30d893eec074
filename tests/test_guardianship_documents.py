"""The agreement PDF and the notice letters: embedded Chinese font, rendered pages, masked IDs."""
from datetime import date
from pathlib import Path
from tempfile import mkdtemp

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.guardianship.documents import SCHOOL, VILLAGE, agreement_pdf, notice_pdf
from plugin.guardianship.services import create_agreement, sign_on_phone
from plugin.org.models import OrgKind

from .conftest import SYSTEM
from .guardianship_support import (
    TODAY,
    first_page_ink,
    id_number,
    paper_draft,
    pdf_fonts,
    pdf_text,
    phone_draft,
    signature_data_url,
    write,
)

CHILD_ID = id_number(date(2011, 3, 1), sequence="235")
CARER_ID = id_number(date(1958, 6, 7), sequence="248")
VERIFY = "https://care.example.com/guardianship/verify/abc"


@pytest.fixture
def agreement(app_context, make_unit, make_worker, make_child):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    father = make_worker(site, name="张大山", phone="13800138000")
    child = make_child(father, left_behind=True, name="张小明", birth_date="2011-03-01",
                       id_number=CHILD_ID, school="某县第一中学", grade="初三", village_committee_contact="大坪村村民委员会",
                       village_child_director="王主任")
    return create_agreement(father, paper_draft([child], carer_id_number=CARER_ID), actor=SYSTEM,
                            today=TODAY)


def check_document(data: bytes, tmp_path) -> str:
    """Check fonts and rendering of ``data`` in a folder of its own; return its text."""
    tmp_path = Path(mkdtemp(dir=tmp_path))
    path = write(tmp_path, data)
    fonts = pdf_fonts(path)
    assert fonts, "the document uses no font"
    assert all(row[-5] == "yes" for row in fonts), fonts  # "emb" column: every font embedded
    assert any(row[1] == "TrueType" for row in fonts), fonts
    assert first_page_ink(path, tmp_path) > 0.01, "the first page renders blank"
    return pdf_text(path)


def test_the_agreement_pdf_embeds_the_chinese_font_and_renders(agreement, tmp_path):
    text = check_document(agreement_pdf(agreement, company_name="测试建工集团", verify_url=VERIFY,
                                        today=TODAY), tmp_path)
    for expected in ("委托照护协议", "张大山", "张小明", "李桂英", "外祖母", "13912345678", "第二十三条",
                     "第二十二条", "王专员", "测试建工集团"):
        assert expected in text, expected
    assert CHILD_ID not in text and CARER_ID not in text
    assert CHILD_ID[:3] + "*" * 11 + CHILD_ID[-4:] in text
    assert CARER_ID[:3] + "*" * 11 + CARER_ID[-4:] in text


def test_a_phone_signed_agreement_shows_the_signature(app_context, make_unit, make_worker, make_child,
                                                      tmp_path):
    father = make_worker(make_unit(OrgKind.SITE))
    child = make_child(father, left_behind=True)
    agreement = create_agreement(father, phone_draft([child]), actor=SYSTEM, today=TODAY)
    unsigned = check_document(agreement_pdf(agreement, company_name="", verify_url=VERIFY, today=TODAY),
                              tmp_path)
    assert "尚未签署" in unsigned
    sign_on_phone(agreement, father, signature_data_url(), confirmed=True, today=TODAY)
    data = agreement_pdf(agreement, company_name="", verify_url=VERIFY, today=TODAY)
    assert "手写签名" in check_document(data, tmp_path)
    assert b"/Subtype /Image" in data


@pytest.mark.parametrize("recipient, addressee", [(SCHOOL, "某县第一中学"), (VILLAGE, "大坪村村民委员会")])
def test_notice_letters_name_the_child_the_carer_and_the_parents(agreement, tmp_path, recipient,
                                                                  addressee):
    child = agreement.children[0]
    text = check_document(notice_pdf(agreement, child, recipient, company_name="测试建工集团",
                                     verify_url=VERIFY, today=TODAY), tmp_path)
    compact = "".join(text.split())
    for expected in (addressee, "张小明", "李桂英", "13912345678", "四川省凉山州", "张大山", "13800138000",
                     "前海项目部", "告知"):
        assert expected in compact, expected
    assert ("王主任" in compact) == (recipient == VILLAGE)
    assert CHILD_ID not in text


def test_officers_download_documents_and_every_download_is_audited(agreement, make_user, login):
    client = login(make_user(Role.HR_OFFICER, agreement.worker.org_unit))
    child = agreement.children[0]
    urls = [f"/guardianship/agreements/{agreement.id}/agreement.pdf",
            f"/guardianship/agreements/{agreement.id}/notices/school/{child.id}.pdf",
            f"/guardianship/agreements/{agreement.id}/notices/village/{child.id}.pdf",
            f"/guardianship/agreements/{agreement.id}/scan"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get(urls[0]).data.startswith(b"%PDF-")
    unknown_child = f"/guardianship/agreements/{agreement.id}/notices/school/999999.pdf"
    assert client.get(unknown_child).status_code == 404
    actions = session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "agreement", AuditEvent.action != "agreement.created")).scalars().all()
    assert actions == ["agreement.downloaded", "agreement.notice_downloaded", "agreement.notice_downloaded",
                       "agreement.scan_viewed", "agreement.downloaded"]


def test_care_workers_see_the_agreement_but_not_its_documents(agreement, make_user, login):
    client = login(make_user(Role.CARE_WORKER, agreement.worker.org_unit))
    page = client.get(f"/guardianship/agreements/{agreement.id}")
    assert page.status_code == 200 and "李桂英" in page.text
    assert "carer-id-number" not in page.text and CARER_ID[-4:] not in page.text
    assert client.get(f"/guardianship/agreements/{agreement.id}/agreement.pdf").status_code == 403
    assert client.get(f"/guardianship/agreements/{agreement.id}/scan").status_code == 403


def test_the_qr_code_opens_a_public_page_without_personal_data(clock, agreement, client):
    page = client.get(f"/guardianship/verify/{agreement.verification_code}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "张**" in page.text and "李**" in page.text
    assert "生效中" not in page.text and "有效" in page.text
    assert "张大山" not in page.text and "13912345678" not in page.text and "张小明" not in page.text
    assert client.get("/guardianship/verify/not-a-code").status_code == 404
