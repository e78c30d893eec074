import pytest
from sqlalchemy import select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.org.queries import in_subtrees, sorted_tree, subtree_unit_counts, units_in_subtrees
from plugin.org.services import create_company, create_unit, update_company, update_unit

from .conftest import SYSTEM, submit


def test_only_one_company_per_deployment(company):
    with pytest.raises(ValidationError) as refused:
        create_company("另一家公司", actor=SYSTEM)
    assert refused.value.field == "name"


def test_unknown_timezone_is_refused(app_context):
    with pytest.raises(ValidationError) as refused:
        create_company("测试公司", actor=SYSTEM, timezone="Mars/Olympus")
    assert refused.value.field == "timezone"


def test_tree_paths_and_depths(company, make_unit):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    site = make_unit(OrgKind.SITE, parent=bureau, name="前海项目部")
    team = make_unit(OrgKind.TEAM, parent=site, name="钢筋班组")
    assert team.path == f"/{company.id}/{bureau.id}/{site.id}/{team.id}/"
    assert [team.depth, site.depth, bureau.depth] == [3, 2, 1]
    assert bureau.contains(team) and not site.contains(bureau)
    assert team.ancestor_ids == [company.id, bureau.id, site.id, team.id]


@pytest.mark.parametrize("parent_kind,child_kind", [
    (OrgKind.SITE, OrgKind.SITE), (OrgKind.SITE, OrgKind.SUBSIDIARY), (OrgKind.GROUP, OrgKind.TEAM),
])
def test_kinds_must_nest_in_order(make_unit, company, parent_kind, child_kind):
    parent = company if parent_kind == OrgKind.GROUP else make_unit(parent_kind)
    with pytest.raises(ValidationError) as refused:
        create_unit(parent, child_kind, "不合规的单位", actor=SYSTEM)
    assert refused.value.field == "kind"


def test_teams_have_no_children(make_unit):
    team = make_unit(OrgKind.TEAM, parent=make_unit(OrgKind.SITE))
    with pytest.raises(ValidationError):
        create_unit(team, OrgKind.TEAM, "子班组", actor=SYSTEM)


def test_sibling_names_are_unique_but_cousins_may_share(make_unit):
    site_a, site_b = make_unit(name="甲项目部"), make_unit(name="乙项目部")
    make_unit(OrgKind.TEAM, parent=site_a, name="木工班组")
    make_unit(OrgKind.TEAM, parent=site_b, name="木工班组")
    with pytest.raises(ValidationError) as refused:
        make_unit(OrgKind.TEAM, parent=site_a, name=" 木工班组 ")
    assert "木工班组" in str(refused.value)


def test_blank_name_refused(company):
    with pytest.raises(ValidationError) as refused:
        create_unit(company, OrgKind.SITE, "   ", actor=SYSTEM)
    assert refused.value.field == "name"


def test_update_unit_records_old_and_new_values(make_unit):
    site = make_unit(name="甲项目部")
    update_unit(site, actor=SYSTEM, name="甲项目部", responsible_person="张伟",
                responsible_department=" 综合办 ")
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "org.unit_updated")).scalar_one()
    assert event.details == {"responsible_person": [None, "张伟"], "responsible_department": [None, "综合办"]}
    assert event.org_unit_id == site.id


def test_update_without_change_is_not_audited(make_unit):
    site = make_unit(name="甲项目部")
    update_unit(site, actor=SYSTEM, name="甲项目部")
    assert session.execute(select(AuditEvent).where(AuditEvent.action == "org.unit_updated")).first() is None


def test_update_company_settings(company):
    from plugin.org.queries import get_company

    update_company(get_company(), actor=SYSTEM, name="新名称集团", timezone="Asia/Urumqi")
    assert get_company().timezone == "Asia/Urumqi"


def test_subtree_queries(company, make_unit):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="一局")
    site = make_unit(parent=bureau, name="乙")
    other = make_unit(name="甲")
    team = make_unit(OrgKind.TEAM, parent=site)
    assert {u.id for u in units_in_subtrees([bureau.path])} == {bureau.id, site.id, team.id}
    counts = subtree_unit_counts([company.path])
    assert counts[company.id] == 4 and counts[bureau.id] == 2 and counts.get(other.id, 0) == 0
    names = [u.name for u in sorted_tree(units_in_subtrees([company.path]))]
    assert names.index("一局") < names.index("乙") and names[0] == company.name
    assert session.execute(select(in_subtrees(company.__class__.path, []))).scalar() in (False, 0)


def test_subtree_match_does_not_confuse_ids_with_common_prefix(company, make_unit):
    units = [make_unit(name=f"单位{i}") for i in range(12)]
    first = units[0]
    # "/1/2/" must not match "/1/20/": paths end with a slash.
    assert [u.id for u in units_in_subtrees([first.path])] == [first.id]


def test_manager_creates_and_edits_units_through_pages(make_user, login, company):
    admin = make_user()
    client = login(admin)
    response = submit(client, f"/org/units/{company.id}/new",
                      {"kind": "site", "name": "南沙项目部", "responsible_person": "孙丽",
                       "responsible_phone": "020-1234567"})
    assert response.status_code == 302
    page = client.get(response.location)
    assert "南沙项目部" in page.text and "孙丽" in page.text
    bad = submit(client, f"/org/units/{company.id}/new", {"kind": "site", "name": "南沙项目部"})
    assert bad.status_code == 422 and "已有名为" in bad.text
    phone = submit(client, f"/org/units/{company.id}/new", {"kind": "site", "name": "X", "responsible_phone": "abc"})
    assert "请输入有效的电话号码" in phone.text


def test_org_tree_page_lists_only_units_in_scope(make_user, make_unit, login):
    site_a = make_unit(name="甲项目部")
    make_unit(name="乙项目部")
    client = login(make_user(role="site_manager", unit=site_a))
    page = client.get("/org/")
    assert "甲项目部" in page.text and "乙项目部" not in page.text


def test_unit_changes_send_signals(app, make_unit):
    from plugin.signals import org_unit_created, org_unit_updated

    created, updated = [], []
    with org_unit_created.connected_to(lambda sender, unit, actor: created.append(unit.name), app), \
            org_unit_updated.connected_to(lambda sender, unit, changes, actor: updated.append(changes), app):
        site = make_unit(name="甲项目部")
        update_unit(site, actor=SYSTEM, responsible_person="张伟")
    assert created == ["甲项目部"] and updated == [{"responsible_person": [None, "张伟"]}]
