"""The daily job: reminders 30 days before a pledge lapses, and marking lapsed pledges."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.clock import local_today
from plugin.core.db import session
from plugin.jobs import default_jobs
from plugin.notifications.models import Notification
from plugin.org.models import OrgKind
from plugin.pledges import services
from plugin.pledges.jobs import pledge_lifecycle_today
from plugin.pledges.rules import PledgeStatus, status_of
from plugin.signals import pledge_expired

from .pledges_support import OFFICER, Family, make_family, paper_pledge, phone_pledge

JOBS = default_jobs()


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)


@pytest.fixture
def officers(family, make_user, make_unit):
    """An HR officer of the site, one of the whole company, a site manager (sees pledges but does
    not manage them) and an HR officer of another site."""
    other_site = make_unit(OrgKind.SITE, name="后海项目部")
    return {"site_hr": make_user(Role.HR_OFFICER, family.site),
            "company_hr": make_user(Role.HR_OFFICER),
            "manager": make_user(Role.SITE_MANAGER, family.site),
            "other_hr": make_user(Role.HR_OFFICER, other_site)}


@pytest.fixture
def expired_signals(app):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["pledge"])

    pledge_expired.connect(receiver, sender=app)
    yield seen
    pledge_expired.disconnect(receiver, sender=app)


def notifications():
    return list(session.execute(select(Notification).where(Notification.category == "pledges.expiring")
                                .order_by(Notification.recipient_key)).scalars())


def test_both_daily_jobs_are_scheduled():
    ids = {job.id: job for job in JOBS}
    assert ids["pledges.lifecycle"].trigger == "cron"
    assert ids["pledges.run_batches"].trigger == "interval"


def test_officers_are_reminded_once_thirty_days_before_expiry(family, officers, clock):
    pledge = paper_pledge(family)  # valid until 2027-11-21
    clock.advance(days=333)  # 2027-10-21: 31 days before the last valid day
    assert local_today() == date(2027, 10, 21)
    assert pledge_lifecycle_today()["reminded"] == 0 and notifications() == []
    clock.advance(days=1)  # 30 days before
    assert status_of(pledge, local_today()) == PledgeStatus.EXPIRING
    assert pledge_lifecycle_today() == {"expired": 0, "reminded": 1, "zips_deleted": 0}
    reminded = notifications()
    assert sorted(n.recipient_key for n in reminded) == sorted(
        [officers["site_hr"].key, officers["company_hr"].key])
    assert reminded[0].params == {"unit": "前海项目部", "count": 1, "days": 30, "date": "2027-11-21"}
    assert reminded[0].link == f"/pledges/?unit={family.site.id}&status=expiring"
    assert reminded[0].title == "前海项目部：1 份监护承诺书将在 30 天内到期"
    assert pledge.expiry_reminded_at == clock.now
    clock.advance(days=1)
    assert pledge_lifecycle_today()["reminded"] == 0
    assert len(notifications()) == 2


def test_renewed_and_revoked_pledges_are_not_reminded_about(family, officers, clock):
    first = paper_pledge(family, children=family.children[:1])
    revoked = paper_pledge(family, children=family.children[1:])
    services.revoke(revoked, "签错了", OFFICER)
    clock.advance(days=340)
    phone_pledge(family, children=family.children[:1])  # renews the first
    assert pledge_lifecycle_today()["reminded"] == 0
    assert first.expiry_reminded_at is None and notifications() == []


def test_the_reminder_window_is_configurable(family, officers, clock, app, set_setting):
    set_setting("CAREBRIDGE_PLEDGE_REMINDER_DAYS", 7)
    paper_pledge(family)
    clock.advance(days=350)  # 14 days left
    assert pledge_lifecycle_today()["reminded"] == 0
    clock.advance(days=7)
    assert pledge_lifecycle_today()["reminded"] == 1


def test_a_pledge_expires_the_day_after_its_last_valid_day(family, clock, expired_signals):
    pledge = paper_pledge(family)
    clock.advance(days=364)  # 2027-11-21, the last valid day
    assert pledge_lifecycle_today()["expired"] == 0
    assert status_of(pledge, local_today()) == PledgeStatus.EXPIRING
    clock.advance(days=1)
    assert status_of(pledge, local_today()) == PledgeStatus.EXPIRED  # before the job, too
    assert pledge_lifecycle_today()["expired"] == 1
    assert pledge.expired_at == clock.now and expired_signals == [pledge]
    [event] = session.execute(select(AuditEvent).where(AuditEvent.action == "pledge.expired")).scalars()
    assert event.actor_key == "system:scheduler" and event.target_id == str(pledge.id)
    clock.advance(days=1)
    assert pledge_lifecycle_today()["expired"] == 0 and expired_signals == [pledge]


def test_revoked_pledges_do_not_expire(family, clock, expired_signals):
    pledge = paper_pledge(family)
    services.revoke(pledge, "离职前撤回", OFFICER)
    clock.advance(days=400)
    assert pledge_lifecycle_today()["expired"] == 0 and pledge.expired_at is None
    assert expired_signals == []


def test_local_midnight_decides_the_day(family, clock, expired_signals):
    paper_pledge(family)
    clock.advance(days=364, hours=15)  # 2027-11-21 17:00 UTC = 2027-11-22 01:00 in Shanghai
    assert local_today() == date(2027, 11, 22)
    assert pledge_lifecycle_today()["expired"] == 1
