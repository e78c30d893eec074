"""Stored messages read in the reader's language, their labels too: a notification or a worker's
notice is written once (often by a scheduled job, in no one's language) and read by people who
chose Chinese or English, so a label inside it (a risk situation, a holiday, a report period) is
stored as text to translate, not as the sender's words."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from plugin.core.db import session
from plugin.core.i18n import N_, translatable, translatable_label, translate
from plugin.holiday_safety.models import (
    ChecklistItem,
    HolidayKind,
    SafetyCampaign,
    SafetyTopic,
)
from plugin.holiday_safety.notices import send_checklist
from plugin.notifications.models import Notification
from plugin.notifications.services import notify
from plugin.reports.periods import Period, PeriodKind
from plugin.risk_reports.models import Situation
from plugin.worker_notices.messages import HOLIDAY_SAFETY_CHECKLIST, notice_text
from plugin.worker_notices.models import WorkerNotice

from .conftest import SYSTEM
from .risk_reports_support import make_world, raise_for_child


def in_language(locale: str, make):
    with force_locale(locale):
        return make()


def test_translatable_text_is_translated_when_read_with_its_parameters(app_context):
    stored = translatable(N_("%(year)s年%(quarter)s"), year=2026,
                          quarter=translatable(N_("第四季度")))
    assert in_language("en", lambda: translate(stored)) == "Q4 2026"
    assert in_language("zh_CN", lambda: translate(stored)) == "2026年第四季度"
    assert translate("本部项目部") == "本部项目部"  # a name stays as it is
    summer = translatable_label(HolidayKind.SUMMER.label)
    assert summer == {"msgid": "暑假", "params": {}}
    assert in_language("en", lambda: translate(summer)) == "Summer holiday"


def test_a_report_periods_label_reads_in_each_readers_language(app_context):
    quarter = Period(PeriodKind.QUARTER, date(2026, 10, 1), date(2026, 12, 31))
    assert in_language("zh_CN", lambda: quarter.label) == "2026年第四季度"
    assert in_language("en", lambda: quarter.label) == "Q4 2026"
    notification = notify(["user:1"], N_("%(template)s：%(period)s的报告草稿已生成"),
                          params={"template": "季度报表", "period": quarter.translatable_label()})[0]
    assert in_language("en", lambda: notification.title) == "季度报表: the draft for Q4 2026 is ready"
    assert in_language("zh_CN", lambda: notification.title) == "季度报表：2026年第四季度的报告草稿已生成"


@pytest.fixture
def risk_world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def test_a_risk_reports_situation_reads_in_the_handlers_language(risk_world):
    with force_locale("zh_CN"):  # the reporter's language
        raise_for_child(risk_world, situation=Situation.ABANDONED)
    raised = list(select_notifications("儿童安全风险报告（%(site)s）：请立即向公安机关报告"))
    assert raised
    english = in_language("en", lambda: str(Situation.ABANDONED.label))
    assert english != str(Situation.ABANDONED.label)
    assert all(english in in_language("en", lambda n=n: n.body) for n in raised)
    assert all("被遗弃" in in_language("zh_CN", lambda n=n: n.body) for n in raised)


def test_a_holiday_checklist_notice_names_the_holiday_in_the_workers_language(
        site_and_worker, clock):
    site, worker = site_and_worker
    campaign = SafetyCampaign(org_unit_id=site.id, kind=HolidayKind.SUMMER, year=2027,
                              holiday_starts_on=date(2027, 7, 1),
                              topics=SafetyTopic.DROWNING.value, checklist=ChecklistItem.CARER.value)
    session.add(campaign)
    session.flush()
    with force_locale("zh_CN"):
        send_checklist(campaign, [worker.id], SYSTEM, today=date(2027, 6, 10))
    notice = session.execute(select(WorkerNotice).where(
        WorkerNotice.kind == HOLIDAY_SAFETY_CHECKLIST)).scalar_one()
    assert in_language("en", lambda: notice_text(notice.kind, notice.params)).startswith(
        "Summer holiday 2027 is coming")
    assert in_language("zh_CN", lambda: notice_text(notice.kind, notice.params)).startswith(
        "2027年暑假快到了")


@pytest.fixture
def site_and_worker(make_unit, make_worker, make_child):
    site = make_unit(name="甲项目部")
    worker = make_worker(site, employee_number="A001")
    make_child(worker, birth_date="2017-03-03")
    return site, worker


def select_notifications(title_msgid: str):
    return session.execute(select(Notification).where(
        Notification.title_msgid == title_msgid)).scalars()
