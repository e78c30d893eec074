"""A child-protection case and hardship aid meet through the platform, not each other's tables:
aid asks ``open_concerns_asked`` (risk reports answer) and puts such a family first; the case
page shows the family's aid applications and a link to apply (aid's panel and link in the
``risk_report`` slot), to those who may see aid for the family."""
from __future__ import annotations

import pytest

from plugin.aid import services as aid_services
from plugin.aid.models import AidReason, PaymentMethod
from plugin.risk_reports import services
from plugin.risk_reports.models import Outcome

from .risk_reports_support import actor_of, make_world, raise_for_child


@pytest.fixture
def world(clock, make_unit, make_worker, make_child, make_user):
    return make_world(make_unit, make_worker, make_child, make_user)


def apply_for(world):
    return aid_services.apply(world.worker, aid_services.ApplicationInput(
        reason=AidReason.ILLNESS, circumstances="孩子一个人在家，需要请人照看",
        amount_fen=50_000, payment_method=PaymentMethod.BANK, account_holder="冯长江",
        bank_name="农业银行", account_number="6228480012345678"), actor_of(world.care_worker))


def test_an_open_case_puts_the_family_first_until_it_is_closed(world):
    assert apply_for(world).priority == 3
    report = raise_for_child(world)
    application = apply_for(world)
    assert (application.priority, application.priority_reasons) == (1, "risk")
    services.record_police_report(report, services.PoliceReportInput(
        reported_at=report.raised_at, station="大桥派出所", officer="王警官", receipt="J001"),
        actor_of(world.site_manager))
    services.close_report(report, services.CloseInput(
        outcome=Outcome.PARENT_RETURNED, summary="父亲已返乡照顾孩子"), actor_of(world.site_manager))
    assert apply_for(world).priority == 3


def test_the_case_page_shows_the_family_s_aid_to_those_who_see_aid(world, login):
    application = apply_for(world)
    report = raise_for_child(world)
    page = login(world.care_worker).get(f"/risk-reports/{report.id}").text
    assert 'id="aid-family-applications"' in page
    assert f'data-application="{application.id}"' in page
    assert f'href="/aid/workers/{world.worker.id}/apply"' in page  # the slot's link
    # an HR officer may not see this case; a site manager sees the case and the family's aid
    manager_page = login(world.site_manager).get(f"/risk-reports/{report.id}").text
    assert f'data-application="{application.id}"' in manager_page


def test_a_described_child_has_no_family_panel(world, login):
    from .risk_reports_support import raise_described

    report = raise_described(world, anonymous=True)
    page = login(world.care_worker).get(f"/risk-reports/{report.id}").text
    assert 'id="aid-family-applications"' not in page and 'id="aid-risk-link"' not in page
