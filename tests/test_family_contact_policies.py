"""Allowance policies: versions added (never changed), a subsidiary's overriding the company's,
a suspended version, every error of a version reported at once with nothing stored, and the
policies page with its form."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.family_contact import policies
from plugin.family_contact.models import AllowancePolicy
from plugin.org.models import OrgKind

from .conftest import SYSTEM, submit
from .contact_allowances_support import DEC, NOV, add_policy, grant, policy_input

JAN = date(2027, 1, 1)


@pytest.fixture
def tree(company, make_unit, make_worker, make_child, clock):
    site = make_unit(OrgKind.SITE, name="前海项目部")
    subsidiary = make_unit(OrgKind.SUBSIDIARY, name="二公司")
    factory = make_unit(OrgKind.SITE, parent=subsidiary, name="二公司工厂")
    ours, theirs = make_worker(site, name="前海家长"), make_worker(factory, name="工厂家长")
    for worker in (ours, theirs):
        make_child(worker, left_behind=True)
    return {"company": company, "site": site, "subsidiary": subsidiary, "factory": factory,
            "ours": ours, "theirs": theirs}


def policy_count() -> int:
    return session.scalar(select(func.count(AllowancePolicy.id)))


def test_versions_are_added_in_order_and_the_newest_started_applies(tree):
    company, site = tree["company"], tree["site"]
    first = add_policy(company, minutes_per_month=100)
    second = add_policy(company, minutes_per_month=200, starts_on=DEC)
    assert (first.version, second.version) == (1, 2)
    assert [each.version for each in policies.versions_of(company)] == [2, 1]
    assert policies.policy_for_unit(site, NOV) == first
    assert policies.policy_for_unit(site, DEC) == second
    assert policies.in_force(company, JAN) == second
    assert policies.latest_version(company) == second
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "family_contact.policy_added",
        AuditEvent.target_id == str(second.id))).one()
    assert event.org_unit_id == company.id
    assert event.details["contact_version"] == 2
    assert event.details["contact_starts_on"] == "2026-12-01"
    assert all(key.startswith("contact_") for key in event.details)


def test_a_subsidiarys_version_overrides_the_companys_in_its_subtree(tree):
    company_policy = add_policy(tree["company"])
    own = add_policy(tree["subsidiary"], minutes_per_month=50, carrier="china_unicom")
    assert policies.policy_for_unit(tree["factory"], NOV) == own
    assert policies.policy_for_unit(tree["site"], NOV) == company_policy
    granted = grant()
    assert granted[tree["theirs"].id].minutes == 50
    assert granted[tree["ours"].id].minutes == 300
    listed = policies.versions_in_subtrees([tree["company"].path])
    assert list(listed) == [tree["company"], tree["subsidiary"]]


def test_a_suspended_version_needs_only_its_month_and_stops_the_grants_there(tree):
    add_policy(tree["company"])
    add_policy(tree["subsidiary"], minutes_per_month=50)
    stopped = policies.add_policy_version(
        tree["subsidiary"], policies.PolicyInput(starts_on=DEC, suspended=True), SYSTEM)
    assert stopped.suspended and stopped.version == 2
    # The other fields are the previous version's, shown but never used.
    assert (stopped.minutes_per_month, stopped.carrier) == (50, "china_mobile")
    granted = grant(DEC)
    assert tree["theirs"].id not in granted and tree["ours"].id in granted
    # A unit without any version may suspend the company's scheme for its subtree.
    alone = policies.add_policy_version(
        tree["site"], policies.PolicyInput(starts_on=JAN, suspended=True), SYSTEM)
    assert alone.version == 1 and alone.minutes_per_month == 0


def test_every_error_is_reported_at_once_and_nothing_is_stored(tree):
    data = policy_input(eligibility=None, minutes_per_month=-1, data_mb_per_month=10**6,
                        carrier="china_telecom", minute_cost_fen=None,
                        mb_cost_fen=policies.MAX_UNIT_COST_FEN + 1, starts_on=date(2026, 10, 1))
    with pytest.raises(policies.PolicyRefused) as refused:
        policies.add_policy_version(None, data, SYSTEM)
    fields = {error.field: error for error in refused.value.errors}
    assert set(fields) == {"unit", "eligibility", "minutes_per_month", "data_mb_per_month",
                           "carrier", "minute_cost_fen", "mb_cost_fen", "starts_on"}
    assert "2026-11" in fields["starts_on"].bilingual()
    assert "china_telecom" in fields["carrier"].bilingual()
    assert policy_count() == 0


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"starts_on": date(2026, 12, 15)}, "starts_on", policies.NOT_FIRST_OF_MONTH),
    ({"starts_on": None}, "starts_on", policies.MONTH_REQUIRED),
    ({"minutes_per_month": 0, "data_mb_per_month": 0}, "minutes_per_month",
     policies.NOTHING_GRANTED),
    ({"minutes_per_month": None}, "minutes_per_month", policies.AMOUNT_REQUIRED),
    ({"carrier": None}, "carrier", policies.CARRIER_REQUIRED),
])
def test_one_rule_each(tree, overrides, field, message):
    with pytest.raises(policies.PolicyRefused) as refused:
        add_policy(tree["company"], **overrides)
    assert [(error.field, error.message) for error in refused.value.errors] == [(field, message)]
    assert policy_count() == 0


# -- the page ------------------------------------------------------------------------------------

FORM = {"unit": "", "eligibility": "left_behind_parents", "minutes_per_month": "300",
        "data_mb_per_month": "1024", "carrier": "china_mobile", "minute_cost_fen": "0.10",
        "mb_cost_fen": "0.02", "starts_on": "2026-12"}
URL, FORM_URL = "/contact/allowances/policies", "/contact/allowances/"


def test_an_officer_adds_a_version_from_the_page(tree, make_user, login):
    client = login(make_user(Role.HR_OFFICER, tree["company"]))
    response = submit(client, URL, {**FORM, "unit": str(tree["subsidiary"].id),
                                    "prorate_joiners": "y"}, form_url=FORM_URL)
    assert response.status_code == 302, response.text
    made = policies.latest_version(tree["subsidiary"])
    assert (made.minute_cost_fen, made.mb_cost_fen, made.starts_on, made.prorate_joiners) == (
        10, 2, DEC, True)
    page = client.get(FORM_URL)
    assert f'id="unit-{tree["subsidiary"].id}"' in page.text and "中国移动" in page.text
    # The "new version" link fills the form in with the newest version.
    filled = client.get(f"{FORM_URL}?unit={tree['subsidiary'].id}")
    assert 'value="1024"' in filled.text and 'value="2026-12"' in filled.text


def test_a_refused_form_shows_each_error_and_stores_nothing(tree, make_user, login):
    client = login(make_user(Role.HR_OFFICER, tree["company"]))
    response = submit(client, URL, {**FORM, "unit": str(tree["site"].id),
                                    "minutes_per_month": "很多", "mb_cost_fen": "0.005",
                                    "carrier": "", "starts_on": "2026-10"}, form_url=FORM_URL)
    assert response.status_code == 422
    assert "请选择运营商" in response.text
    assert "开始月份不能早于本月" in response.text
    assert "金额最多精确到分" in response.text
    assert policy_count() == 0


def test_a_site_officer_sees_the_companys_policy_but_sets_only_their_own(tree, make_user,
                                                                         login):
    add_policy(tree["company"])
    officer = login(make_user(Role.HR_OFFICER, tree["site"]))
    page = officer.get(FORM_URL)
    assert page.status_code == 200 and f'data-from-above="{tree["site"].id}"' in page.text
    assert f'value="{tree["factory"].id}"' not in page.text
    response = submit(officer, URL, {**FORM, "unit": str(tree["factory"].id)},
                      form_url=FORM_URL)
    assert response.status_code == 422 and "请选择政策适用的单位" in response.text
    assert policy_count() == 1


def test_who_may_open_the_policies(tree, make_user, login):
    care = login(make_user(Role.CARE_WORKER, tree["site"]))
    assert care.get(FORM_URL).status_code == 200
    assert 'id="policy-form"' not in care.get(FORM_URL).text
    assert submit(care, URL, FORM, form_url=FORM_URL).status_code == 403
    auditor = login(make_user(Role.AUDITOR, tree["site"]))
    assert auditor.get(FORM_URL).status_code == 403
