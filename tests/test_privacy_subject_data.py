"""The worker's own-data file (PIPL Art. 45): everything the features hold about the worker and
their children, readable, ID numbers masked, nothing of anyone else; a few downloads a day,
counted in the database; each download audited without the data."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.host import Actor
from plugin.privacy import subject_data
from plugin.privacy.masking import mask_id_number

from .guardianship_support import log
from .pledges_support import CHILD_ID_NUMBER, WORKER_ID_NUMBER, make_family, phone_pledge
from .privacy_subject_support import pdf_text, providers

TODAY = date(2026, 11, 22)


@pytest.fixture
def family(make_unit, make_worker, make_child, clock):
    return make_family(make_unit, make_worker, make_child)


@pytest.fixture
def neighbour(family, make_worker, make_child):
    other = make_worker(family.site, employee_number="E2999", name="钱多多", phone="13911112222")
    make_child(other, name="钱小宝", birth_date="2015-01-01")
    return other


def actor_of(worker) -> Actor:
    return Actor(key=f"worker:{worker.id}", name=worker.name)


def test_sections_come_from_each_feature_that_holds_something(family, neighbour):
    phone_pledge(family)
    log(family.worker, 3)
    gathered = subject_data.collect(family.worker, providers())
    labels = [part.label for part in gathered]
    assert labels[:3] == ["职工与儿童", "监护责任承诺", "委托照护"]
    registry = gathered[0]
    assert [str(section.title) for section in registry.sections] == [
        "职工本人", "子女：赵小妹", "子女：赵小弟"]
    # A feature with nothing about the worker is left out (no reunion, no aid here).
    assert "节假日团聚" not in labels and "困难帮扶" not in labels


def test_the_file_holds_the_worker_and_children_from_several_features_and_nobody_else(
        family, neighbour, tmp_path):
    phone_pledge(family)
    log(family.worker, 3)
    pdf = subject_data.download_own_data(family.worker, actor_of(family.worker), today=TODAY,
                                         providers=providers())
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in ("赵铁柱的个人信息", "E2001", "13800135678", "前海项目部", "赵小妹", "赵小弟",
                     "监护责任承诺书", "手机签署", "亲子联系记录", "电话",
                     mask_id_number(WORKER_ID_NUMBER), mask_id_number(CHILD_ID_NUMBER)):
        assert expected in text, expected
    # ID numbers masked, the neighbour's family absent.
    assert WORKER_ID_NUMBER not in text and CHILD_ID_NUMBER not in text
    assert "钱多多" not in text and "钱小宝" not in text and "13911112222" not in text


def test_the_file_is_in_the_embedded_chinese_font(family, tmp_path):
    import subprocess

    path = tmp_path / "fonts.pdf"
    path.write_bytes(subject_data.render_pdf(family.worker, subject_data.collect(
        family.worker, providers()), today=TODAY))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), fonts


def test_a_worker_without_records_still_gets_their_own_record(make_unit, make_worker, clock,
                                                               tmp_path):
    lonely = make_worker(make_unit(), name="孙一人")
    text = pdf_text(subject_data.download_own_data(lonely, actor_of(lonely), today=TODAY,
                                                   providers=providers()), tmp_path)
    assert "孙一人" in text and "职工本人" in text


def test_a_few_downloads_a_day_counted_in_the_database(family):
    for _ in range(subject_data.DOWNLOADS_PER_DAY):
        subject_data.download_own_data(family.worker, actor_of(family.worker), today=TODAY,
                                       providers=providers())
    assert subject_data.downloads_today(family.worker, TODAY) == subject_data.DOWNLOADS_PER_DAY
    with pytest.raises(subject_data.DownloadLimitReached) as refused:
        subject_data.download_own_data(family.worker, actor_of(family.worker), today=TODAY,
                                       providers=providers())
    assert "今天已经下载了 3 次" in refused.value.localized()
    # The next day counts afresh; another worker has their own count.
    tomorrow = date(2026, 11, 23)
    assert subject_data.downloads_today(family.worker, tomorrow) == 0
    subject_data.download_own_data(family.worker, actor_of(family.worker), today=tomorrow,
                                   providers=providers())
    assert subject_data.downloads_today(family.worker, tomorrow) == 1


def test_each_download_is_audited_without_any_of_the_data(family):
    phone_pledge(family)
    subject_data.download_own_data(family.worker, actor_of(family.worker), today=TODAY,
                                   providers=providers())
    [event] = session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.subject_data_downloaded")).scalars()
    assert event.target_type == "worker" and event.target_id == str(family.worker.id)
    assert event.actor_key == f"worker:{family.worker.id}"
    assert event.org_unit_id == family.worker.org_unit_id
    assert set(event.details) == {"sections"} and event.details["sections"] >= 4
