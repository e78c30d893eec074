"""The worker's "我的个人信息" page on the phone (``/w/privacy/``): their rights in plain words,
the download of their own data (a PDF, a few a day: the limit is the database's, and a refused
download keeps nothing), a correction asked for, and only their own requests.

Needs the privacy feature's declarations (its blueprints and the features' ``subject_data``)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.privacy import corrections, subject_data
from plugin.privacy.corrections_models import CorrectionRequest

from .conftest import csrf_token
from .pledges_support import CHILD_ID_NUMBER, make_family, phone_pledge
from .privacy_subject_support import pdf_text
from .worker_phone_support import signed_in_phone

PAGE = "/w/privacy/"


@pytest.fixture
def family(make_unit, make_worker, make_child, clock):
    return make_family(make_unit, make_worker, make_child)


@pytest.fixture
def phone(family, client):
    return signed_in_phone(client, family.worker)


def download(phone):
    page = phone.get(PAGE)
    return phone.post("/w/privacy/my-data.pdf",
                      data={"download-csrf_token": csrf_token(page.text.split(
                          'id="download-form"')[1])})


def test_the_home_page_links_to_the_page_which_explains_the_rights(phone):
    home = phone.get("/w/")
    assert 'id="privacy-link"' in home.text and 'href="/w/privacy/"' in home.text
    page = phone.get(PAGE)
    assert page.status_code == 200
    for words in ("知情和查阅", "复制", "更正和补充", "删除", "第四十七条", "今天还可以下载 3 次"):
        assert words in page.text, words


def test_the_worker_downloads_their_own_data_as_a_pdf(family, phone, tmp_path):
    phone_pledge(family)
    response = download(phone)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data, tmp_path)
    assert "赵铁柱" in text and "赵小妹" in text and "监护责任承诺书" in text
    assert CHILD_ID_NUMBER not in text
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "privacy.subject_data_downloaded")) == 1


def test_past_the_days_limit_the_page_says_so_and_keeps_nothing(family, phone):
    for _ in range(subject_data.DOWNLOADS_PER_DAY):
        assert download(phone).status_code == 200
    refused = download(phone)
    assert refused.status_code == 429 and "今天已经下载了 3 次，请明天再下载" in refused.text
    assert 'id="download-error"' in refused.text
    session.expire_all()
    from datetime import date
    assert subject_data.downloads_today(family.worker, date(2026, 11, 22)) == 3
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "privacy.subject_data_downloaded")) == 3


def test_a_download_needs_the_pages_token(phone):
    assert phone.post("/w/privacy/my-data.pdf").status_code == 400


def test_the_worker_asks_for_a_correction_and_sees_it(family, phone):
    page = phone.get(PAGE)
    refused = phone.post("/w/privacy/corrections", data={
        "csrf_token": csrf_token(page.text.split('id="correction-form"')[1]),
        "record": "", "wrong": "x", "right": ""})
    assert refused.status_code == 422 and refused.text.count("请填写这一项") == 2
    assert session.scalar(select(func.count()).select_from(CorrectionRequest)) == 0
    asked = phone.post("/w/privacy/corrections", data={
        "csrf_token": csrf_token(page.text.split('id="correction-form"')[1]),
        "record": "大女儿的学校", "wrong": "镇中心小学", "right": "县第二实验小学"})
    assert asked.status_code == 302
    listed = phone.get(asked.headers["Location"])
    assert 'id="asked-notice"' in listed.text and "大女儿的学校" in listed.text
    [request] = corrections.requests_of(family.worker)
    detail = phone.get(f"/w/privacy/corrections/{request.id}")
    assert detail.status_code == 200 and "县第二实验小学" in detail.text and "待处理" in detail.text


def test_another_workers_request_is_not_found(family, phone, make_worker):
    from plugin.core.host import Actor

    other = make_worker(family.site, name="钱多多")
    theirs = corrections.ask(other, record="手机号", wrong="旧号", right="新号",
                             actor=Actor(key=f"worker:{other.id}", name=other.name))
    response = phone.get(f"/w/privacy/corrections/{theirs.id}")
    assert response.status_code == 404 and "手机号" not in response.text
    assert phone.get("/w/privacy/corrections/2000000000").status_code == 404
    assert "旧号" not in phone.get(PAGE).text


def test_signed_out_phones_go_to_the_sign_in(company, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/w/sign-in" in response.headers["Location"]
