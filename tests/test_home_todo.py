"""The home page's to-do list (slot ``home.todo``): each item counts within the user's scope and
permission, links to the list behind it, and is hidden from users who may not open that list;
levels of the organisation the user has no unit of are not shown as tiles."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.core.features import SLOTS
from plugin.org.models import OrgKind
from plugin.pledges.models import Pledge, PledgeTemplate, SigningMethod
from plugin.registry.consent import awaiting_consent_condition
from plugin.registry.models import Child

from .imports_support import (
    WORKER_HEADER,
    id_number,
    import_roster,
    worker,
    wrong_check,
    xlsx_roster,
)
from .lectures_support import make_lecture

ITEMS = ("lectures_today", "pledges_expiring", "children_awaiting_consent", "children_to_review",
         "imports_rejected")


def make_pledge(worker, *, valid_until: date, code: str) -> Pledge:
    template = session.execute(select(PledgeTemplate)).scalars().first()
    if template is None:
        template = PledgeTemplate(version=1, title_zh="监护责任承诺书", title_en="Pledge",
                                  body_zh="我承诺……", body_en="I pledge…", created_by="tests")
        session.add(template)
    pledge = Pledge(worker=worker, template=template, text_sha256="0" * 64,
                    method=SigningMethod.PHONE, signed_on=valid_until - timedelta(days=364),
                    valid_until=valid_until, recorded_by="tests", verification_code=code)
    session.add(pledge)
    session.flush()
    return pledge


@pytest.fixture
def world(app, clock, make_unit, make_worker, make_child, tmp_path):
    """Two sites; in site A: a lecture today (and a cancelled one today, one tomorrow), a pledge
    lapsing within 30 days (and one valid for longer), a child under 14 without consent and one
    aged 16, an import with a rejected row; site B has one of each that A's users never count."""
    # The frozen clock: 2026-11-22 10:00 in Shanghai.
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    noon = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    make_lecture(site_a, starts_at=noon)
    make_lecture(site_a, starts_at=noon, cancelled=True)
    make_lecture(site_a, starts_at=noon + timedelta(days=1))
    make_lecture(site_b, starts_at=noon)
    father_a = make_worker(site_a, employee_number="A001", name="张三")
    father_b = make_worker(site_b, employee_number="B001", name="李四")
    make_pledge(father_a, valid_until=date(2026, 12, 10), code="TODOA1")
    make_pledge(father_a, valid_until=date(2027, 6, 1), code="TODOA2")
    make_pledge(father_b, valid_until=date(2026, 12, 1), code="TODOB1")
    make_child(father_a, name="张小一", birth_date="2016-05-05")
    make_child(father_a, name="张小二", birth_date="2010-05-05")
    make_child(father_b, name="李小一", birth_date="2017-05-05")
    rows = [worker("A101", "王五", site=None, team=None),
            worker("A102", "赵六", site=None, team=None, id=wrong_check(id_number()))]
    import_roster(xlsx_roster(tmp_path / "a.xlsx", WORKER_HEADER, rows), site_a)
    import_roster(xlsx_roster(tmp_path / "b.xlsx", WORKER_HEADER, rows), site_b)
    session.commit()
    return site_a, site_b


def todo(page: str) -> dict[str, tuple[int, str]]:
    """Item code → (count, link) of the home page's to-do list."""
    items = {}
    for code, href, count in re.findall(
            r'data-todo="([a-z_]+)">\s*<a href="([^"]+)"[^>]*>[^<]*</a>\s*'
            r'<span[^>]*data-todo-count="[a-z_]+">(\d+)</span>', page):
        items[code] = (int(count), href.replace("&amp;", "&"))
    return items


def test_the_slot_is_declared():
    assert "home.todo" in SLOTS


def test_an_hr_officer_sees_every_item_of_the_site_with_working_links(world, make_user, login):
    site_a, _ = world
    client = login(make_user(Role.HR_OFFICER, site_a))
    page = client.get("/").text
    items = todo(page)
    assert set(items) == set(ITEMS), items
    assert items["lectures_today"][0] == 1
    assert items["pledges_expiring"][0] == 1
    assert items["imports_rejected"][0] == 1
    expected_consent = session.execute(select(Child.id).where(
        Child.org_unit_id == site_a.id, awaiting_consent_condition(date(2026, 11, 22)))).all()
    assert items["children_awaiting_consent"][0] == len(expected_consent) == 1
    for code, (_count, link) in items.items():
        target = client.get(link)
        assert target.status_code == 200, (code, link)
    # The list behind the consent item shows the parent of the child awaiting consent.
    workers = client.get(items["children_awaiting_consent"][1]).text
    assert "张三" in workers and "李四" not in workers and 'id="consent-filter"' in workers
    lectures = client.get(items["lectures_today"][1]).text
    assert lectures.count("防溺水安全宣讲") >= 1


def test_a_site_manager_sees_lectures_and_pledges_but_not_imports_or_consent(world, make_user, login):
    site_a, _ = world
    client = login(make_user(Role.SITE_MANAGER, site_a))
    items = todo(client.get("/").text)
    assert items["lectures_today"][0] == 1 and items["pledges_expiring"][0] == 1
    assert "imports_rejected" not in items and "children_awaiting_consent" not in items
    assert "children_to_review" in items  # site managers see children


def test_the_whole_company_counts_both_sites(world, make_user, login):
    client = login(make_user(Role.HR_OFFICER))
    items = todo(client.get("/").text)
    assert items["lectures_today"][0] == 2 and items["pledges_expiring"][0] == 2
    assert items["imports_rejected"][0] == 2 and items["children_awaiting_consent"][0] == 2


def test_roles_without_the_lists_see_no_items(world, make_user, login):
    client = login(make_user(Role.AUDITOR))
    page = client.get("/").text
    assert todo(page) == {}
    report = login(make_user(Role.REPORT_OFFICER))
    assert set(todo(report.get("/").text)) == {"lectures_today"}


def test_consent_given_takes_the_child_off_the_list(world, make_user, login):
    from plugin.core.host import Actor
    from plugin.registry.consent import record_consent
    from plugin.registry.models import ConsentMethod

    site_a, _ = world
    child = session.execute(select(Child).where(Child.name == "张小一")).scalar_one()
    record_consent(child, guardian_name="张三", method=ConsentMethod.PAPER, given_on=date(2026, 11, 20), today=date(2026, 11, 22),
                   actor=Actor.system("tests"))
    session.commit()
    client = login(make_user(Role.HR_OFFICER, site_a))
    assert todo(client.get("/").text)["children_awaiting_consent"][0] == 0


def test_tiles_of_levels_the_user_lacks_are_hidden(world, make_user, login):
    site_a, _ = world
    site = login(make_user(Role.SITE_MANAGER, site_a)).get("/").text
    assert 'data-count="site"' in site and 'data-count="group"' not in site
    whole = login(make_user(Role.ADMIN)).get("/").text
    assert 'data-count="group"' in whole and 'data-count="site"' in whole
