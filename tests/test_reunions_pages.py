"""The officers' reunion pages: creating a campaign (the holiday suggestion, every error named),
deciding applications with reasons, the per-record scope, applying for a worker."""
import pytest
from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry.regions import region_name
from plugin.reunions import services
from plugin.reunions.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Campaign,
    CampaignKind,
    SubsidyKind,
)

from .conftest import SYSTEM, submit
from .factories import make_child, make_worker
from .reunions_support import apply, make_campaign
from .support import recorded_statements


@pytest.fixture
def sites(make_unit):
    return make_unit(OrgKind.SITE, name="甲项目部"), make_unit(OrgKind.SITE, name="乙项目部")


def campaign_fields(sites, **overrides):
    site_a, site_b = sites
    fields = {"name": "2027 春节返乡", "kind": "spring_festival",
              "applications_open_on": "2026-11-22", "applications_close_on": "2026-12-31",
              "travel_from": "2027-01-25", "travel_until": "2027-02-20",
              "budget_fen": "120000.50", "household_limit": "4", "eligibility": "all_workers",
              "subsidy_kind": "percent", "subsidy_percent": "80", "subsidy_amount_fen": "600",
              "travel_modes": ["train", "coach"], "offer_hours": "48",
              f"quota-{site_a.id}": "20", f"quota-{site_b.id}": "5"}
    fields.update(overrides)
    return fields


def test_a_union_officer_creates_a_campaign_through_the_form(company, sites, make_user, login,
                                                             clock):
    client = login(make_user(Role.UNION_OFFICER, company))
    index = client.get("/reunions/")
    assert index.status_code == 200 and 'id="new-campaign"' in index.text
    url = f"/reunions/new?unit={company.id}&kind=spring_festival"
    page = client.get(url)
    assert page.status_code == 200
    # One input of places per site of the subtree.
    assert f'name="quota-{sites[0].id}"' in page.text and f'name="quota-{sites[1].id}"' in page.text
    response = submit(client, url, campaign_fields(sites))
    assert response.status_code == 302, response.text
    campaign = session.execute(select(Campaign)).scalar_one()
    assert campaign.budget_fen == 12_000_050 and campaign.subsidy_amount_fen == 60_000
    assert campaign.subsidy_kind == SubsidyKind.PERCENT_CAPPED and campaign.subsidy_percent == 80
    assert {quota.org_unit.name: quota.places for quota in campaign.quotas} == {
        "甲项目部": 20, "乙项目部": 5}
    shown = client.get(response.headers["Location"])
    assert "120,000.50" in shown.text and "甲项目部" in shown.text
    listed = client.get("/reunions/")
    assert "2027 春节返乡" in listed.text and "0 / 25" in listed.text


def test_the_campaign_form_names_every_error_at_once(company, sites, make_user, login, clock):
    client = login(make_user(Role.UNION_OFFICER, company))
    url = f"/reunions/new?unit={company.id}&kind=spring_festival"
    response = submit(client, url, campaign_fields(
        sites, name=" ", budget_fen="1000.005", travel_until="2027-01-01",
        subsidy_percent="150", subsidy_amount_fen="", travel_modes=[],
        **{f"quota-{sites[0].id}": "十", f"quota-{sites[1].id}": ""}))
    assert response.status_code == 422
    text = response.text
    for message in ("金额最多精确到分", "请填写活动名称", "出行结束日期不能早于出行开始日期",
                    "补贴比例应在 1% 到 100% 之间", "请填写每人补贴上限", "请至少选择一种出行方式",
                    "甲项目部 的名额请填写整数"):
        assert message in text, message
    for field in ("budget_fen", "name", "travel_until", "subsidy_percent", "subsidy_amount_fen",
                  "travel_modes", "quotas"):
        assert f'id="{field}-errors"' in text, field
    # The budget's own error is not repeated by the service ("请填写这一项").
    assert "请填写这一项" not in text
    assert 'value="1000.005"' in text  # the input is kept
    assert session.execute(select(func.count()).select_from(Campaign)).scalar_one() == 0


def test_the_form_suggests_the_travel_window_from_the_holiday_calendar(company, make_user, login,
                                                                      clock):
    client = login(make_user(Role.UNION_OFFICER, company))
    page = client.get(f"/reunions/new?unit={company.id}&kind=spring_festival&year=2026")
    # 2026: 15–23 February off (14 and 28 February are working Saturdays), ten days each side.
    assert 'id="holiday-suggestion"' in page.text
    assert 'value="2026-02-05"' in page.text and 'value="2026-03-05"' in page.text
    national = client.get(f"/reunions/new?unit={company.id}&kind=national_day&year=2026")
    assert 'value="2026-09-29"' in national.text and 'value="2026-10-08"' in national.text
    # A year the calendar has no data for: the officer types the dates, nothing breaks.
    later = client.get(f"/reunions/new?unit={company.id}&kind=spring_festival&year=2040")
    assert later.status_code == 200 and "请手工填写出行时间" in later.text
    assert 'id="travel_from" name="travel_from" type="date" value=""' in later.text
    # Without a year: the next Spring Festival from the clock's today (2026-11-22), i.e. 2027.
    default = client.get(f"/reunions/new?unit={company.id}&kind=spring_festival")
    assert 'id="scope-year" name="year" value="2027"' in default.text


@pytest.fixture
def campaign_with_applications(sites, clock):
    site_a, site_b = sites
    campaign = make_campaign(site_a.parent, {site_a: 5, site_b: 5})
    mine = apply(campaign, make_worker(site_a, name="王大山"))
    theirs = apply(campaign, make_worker(site_b, name="李四"))
    return campaign, mine, theirs


def test_officers_approve_reject_and_change_priority_with_reasons(
        campaign_with_applications, sites, make_user, login):
    campaign, mine, theirs = campaign_with_applications
    client = login(make_user(Role.UNION_OFFICER, sites[0].parent))
    listed = client.get(f"/reunions/{campaign.id}")
    assert listed.status_code == 200 and "王大山" in listed.text and "李四" in listed.text
    approved = submit(client, f"/reunions/applications/{mine.id}/approve?back=campaign", {},
                      form_url=f"/reunions/{campaign.id}")
    assert approved.status_code == 302 and approved.headers["Location"].endswith(
        f"/reunions/{campaign.id}")
    assert mine.status == ApplicationStatus.APPROVED and campaign.committed_fen == 30_000

    page_url = f"/reunions/applications/{theirs.id}"
    no_reason = submit(client, f"{page_url}/priority", {"priority-band": "1",
                                                         "priority-reason": " "},
                       form_url=page_url)
    assert no_reason.status_code == 422 and "请填写原因" in no_reason.text
    assert theirs.priority_band == 3
    moved = submit(client, f"{page_url}/priority", {"priority-band": "1",
                                                     "priority-reason": "孩子重病住院"},
                   form_url=page_url)
    assert moved.status_code == 302 and theirs.priority_band == 1
    rejected = submit(client, f"{page_url}/reject", {"reject-reason": "已离职"},
                      form_url=page_url)
    assert rejected.status_code == 302
    assert theirs.status == ApplicationStatus.REJECTED and theirs.reject_reason == "已离职"
    history = client.get(page_url).text
    assert "孩子重病住院" in history and "已离职" in history and "第一优先" in history
    events = session.execute(select(ApplicationEvent.action, ApplicationEvent.reason).where(
        ApplicationEvent.application_id == theirs.id).order_by(ApplicationEvent.id)).all()
    assert [tuple(event) for event in events] == [
        ("applied", None), ("priority:3->1", "孩子重病住院"), ("rejected", "已离职")]
    # From a page shown before the rejection: refused, and the page says why at the top (the
    # forms that would show it are gone for a rejected application).
    again = submit(client, f"{page_url}/reject", {"reject-reason": "重复提交"}, form_url=page_url)
    assert again.status_code == 422 and 'id="application-error"' in again.text
    assert "不能这样办理" in again.text
    stale = submit(client, f"{page_url}/priority", {"priority-band": "2",
                                                     "priority-reason": "再调整"},
                   form_url=page_url)
    assert stale.status_code == 422 and "只能调整待审批或候补中的申请的优先级" in stale.text


def test_a_refused_approval_shows_why_and_stores_nothing(sites, make_user, login, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 1})
    first, second = apply(campaign, make_worker(site)), apply(campaign, make_worker(site))
    client = login(make_user(Role.UNION_OFFICER, site.parent))
    assert submit(client, f"/reunions/applications/{first.id}/approve", {},
                  form_url=f"/reunions/applications/{first.id}").status_code == 302
    refused = submit(client, f"/reunions/applications/{second.id}/approve", {},
                     form_url=f"/reunions/applications/{second.id}")
    assert refused.status_code == 422 and "名额已满" in refused.text
    assert second.status == ApplicationStatus.APPLIED


def test_an_officer_of_another_site_gets_404(campaign_with_applications, sites, make_user,
                                              login):
    campaign, mine, theirs = campaign_with_applications
    client = login(make_user(Role.UNION_OFFICER, sites[1]))
    assert client.get(f"/reunions/applications/{mine.id}").status_code == 404
    assert client.get(f"/reunions/applications/{theirs.id}").status_code == 200
    assert client.get("/reunions/applications/999999").status_code == 404
    # The campaign covers their site from above: they see it, with their site's applications.
    page = client.get(f"/reunions/{campaign.id}")
    assert page.status_code == 200 and "李四" in page.text and "王大山" not in page.text
    # Acting on the other site's application: 404 too (CSRF token from a page they may see).
    refused = submit(client, f"/reunions/applications/{mine.id}/approve", {},
                     form_url=f"/reunions/applications/{theirs.id}")
    assert refused.status_code == 404 and mine.status == ApplicationStatus.APPLIED
    # Running the whole campaign needs the campaign's own unit.
    assert submit(client, f"/reunions/{campaign.id}/allocate", {},
                  form_url=f"/reunions/{campaign.id}").status_code == 403


def test_the_campaign_list_of_applications_is_read_in_a_fixed_number_of_queries(
        sites, make_user, login, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 50})
    client = login(make_user(Role.UNION_OFFICER, site.parent))
    counts = []
    for _round in range(2):
        for _each in range(3):
            parent = make_worker(site)
            apply(campaign, parent, children=[make_child(parent)])
        with recorded_statements() as statements:
            assert client.get(f"/reunions/{campaign.id}").status_code == 200
        counts.append(len(statements))
    assert counts[1] <= counts[0] < 15, counts


def test_applying_for_a_worker_looks_them_up_within_scope(sites, make_user, login, clock):
    site_a, site_b = sites
    campaign = make_campaign(site_a.parent, {site_a: 5, site_b: 5},
                             kind=CampaignKind.SUMMER_VISIT)
    outsider = make_worker(site_b, employee_number="B001")
    parent = make_worker(site_a, employee_number="A001", name="张大山",
                         hukou_region_code="511302")
    child = make_child(parent, left_behind=True, name="张小明")
    client = login(make_user(Role.UNION_OFFICER, site_a))
    url = f"/reunions/{campaign.id}/apply"
    outside = client.get(f"{url}?employee_number={outsider.employee_number}")
    missing = client.get(f"{url}?employee_number=NOPE1")
    assert outside.status_code == missing.status_code == 200
    assert "找不到这个工号的职工" in outside.text and "找不到这个工号的职工" in missing.text
    assert outsider.name not in outside.text and 'id="apply-form"' not in outside.text
    posted = submit(client, url, {"employee_number": "B001", "depart_on": "2027-02-01"},
                    form_url=f"{url}?employee_number=A001")
    assert posted.status_code == 422 and "找不到这个工号的职工" in posted.text
    assert session.execute(select(func.count()).select_from(Application)).scalar_one() == 0

    form = client.get(f"{url}?employee_number=a001")
    hukou = region_name("511302")
    # A summer visit: the child comes from the hukou county to the site.
    assert f'value="{hukou}"' in form.text and "张小明" in form.text
    refused = submit(client, url, {"employee_number": "A001", "children": [str(child.id)],
                                   "from_place": hukou, "to_place": site_a.name,
                                   "depart_on": "2030-01-01", "travel_mode": "train",
                                   "estimated_fare_fen": "12.345"},
                     form_url=f"{url}?employee_number=A001")
    assert refused.status_code == 422
    assert "出发日期应在活动的出行时间内" in refused.text and "金额最多精确到分" in refused.text
    done = submit(client, url, {"employee_number": "A001", "children": [str(child.id)],
                                "relatives-0-name": "李秀英", "relatives-0-relation": "祖母",
                                "from_place": hukou, "to_place": site_a.name,
                                "depart_on": "2027-02-01", "travel_mode": "train",
                                "estimated_fare_fen": "215.5"},
                  form_url=f"{url}?employee_number=A001")
    assert done.status_code == 302, done.text
    application = session.execute(select(Application)).scalar_one()
    assert application.places == 2 and application.estimated_fare_fen == 21_550
    assert [t.name for t in application.travellers] == ["张小明", "李秀英"]
    page = client.get(done.headers["Location"])
    assert page.status_code == 200 and "李秀英" in page.text and "祖母" in page.text
    assert client.get(f"/reunions/workers/{parent.id}").status_code == 200
    assert client.get(f"/reunions/workers/{outsider.id}").status_code == 404


def test_the_lottery_seed_is_published_before_the_draw(sites, make_user, login, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 1})
    for _each in range(3):
        apply(campaign, make_worker(site))
    client = login(make_user(Role.UNION_OFFICER, site.parent))
    url = f"/reunions/{campaign.id}"
    assert submit(client, f"{url}/publish_seed", {}, form_url=url).status_code == 302
    page = client.get(url).text
    assert campaign.lottery_seed in page and 'id="draw-lottery"' in page
    assert submit(client, f"{url}/draw", {}, form_url=url).status_code == 302
    assert submit(client, f"{url}/allocate", {}, form_url=url).status_code == 302
    statuses = sorted(a.status.value for a in session.execute(select(Application)).scalars())
    assert statuses == ["approved", "waitlisted", "waitlisted"]
    again = submit(client, f"{url}/draw", {}, form_url=url)
    assert again.status_code == 422 and "已经抽过签" in again.text


def test_places_of_a_unit_are_changed_on_the_campaign_page(sites, make_user, login, clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 2})
    services.approve(apply(campaign, make_worker(site)), actor=SYSTEM)
    client = login(make_user(Role.UNION_OFFICER, site.parent))
    url = f"/reunions/{campaign.id}"
    refused = submit(client, f"{url}/quotas", {"quota-unit_id": str(site.id),
                                               "quota-places": "0"}, form_url=url)
    assert refused.status_code == 422 and 'id="quota-errors"' in refused.text
    changed = submit(client, f"{url}/quotas", {"quota-unit_id": str(site.id),
                                               "quota-places": "10"}, form_url=url)
    assert changed.status_code == 302 and campaign.quotas[0].places == 10


def test_applications_waiting_for_a_decision_are_on_the_home_page_and_the_list(
        campaign_with_applications, sites, make_user, login):
    campaign, _mine, _theirs = campaign_with_applications
    client = login(make_user(Role.UNION_OFFICER, sites[0].parent))
    home = client.get("/").text
    assert 'data-todo="reunion_applications"' in home
    assert 'data-todo-count="reunion_applications">2<' in home
    listed = client.get("/reunions/").text
    waiting = listed.split(f'data-waiting="{campaign.id}">')[1].split("</td>")[0]
    assert ">2<" in waiting and "status=applied" in waiting
    # A site manager decides nothing: no such to-do.
    manager = login(make_user(Role.SITE_MANAGER, sites[0]))
    assert 'data-todo="reunion_applications"' not in manager.get("/").text


def test_ending_a_campaign_stops_applications_and_the_waiting_list(sites, make_user, login,
                                                                 clock):
    site, _ = sites
    campaign = make_campaign(site.parent, {site: 1})
    holder, waiting = apply(campaign, make_worker(site)), apply(campaign, make_worker(site))
    services.approve(holder, actor=SYSTEM)
    services.waitlist(waiting, actor=SYSTEM)
    client = login(make_user(Role.UNION_OFFICER, site.parent))
    url = f"/reunions/{campaign.id}"
    assert submit(client, f"{url}/close", {}, form_url=url).status_code == 302
    assert campaign.closed_at is not None and 'id="close-campaign"' not in client.get(url).text
    services.cancel(holder, "改期", actor=SYSTEM)
    assert waiting.status == ApplicationStatus.WAITLISTED  # nobody moves up any more
    again = submit(client, f"{url}/close", {}, form_url=url)
    assert again.status_code == 422 and "这项活动已经结束" in again.text
