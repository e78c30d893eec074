"""The staff menu puts a feature's several links under the feature's name (a drop-down), so the
menu stays on one line as features are added; a feature with one link keeps it in the menu."""
from __future__ import annotations

import re

from plugin.access.roles import Role
from plugin.core.features import Feature
from plugin.extension import ShownLink, group_navigation


def shown(endpoint: str) -> ShownLink:
    return ShownLink(endpoint, f"/{endpoint}", None, endpoint)


def test_a_features_links_stand_together_where_its_first_link_stands():
    one = Feature(name="zz_nav_one", package=__name__, label="一")
    many = Feature(name="zz_nav_many", package=__name__, label="多")
    unlabelled = Feature(name="zz_nav_bare", package=__name__)
    owner = {"a": one, "b": many, "c": unlabelled, "d": many, "e": unlabelled, "f": many}
    try:
        groups = group_navigation([shown(code) for code in "abcdef"],
                                  lambda item: owner[item.endpoint])
        assert [(group.label, group.endpoints) for group in groups] == [
            (None, ("a",)), ("多", ("b", "d", "f")), (None, ("c",)), (None, ("e",))]
        # A user who may follow only one of a feature's links sees it as a plain entry.
        groups = group_navigation([shown("a"), shown("d")], lambda item: owner[item.endpoint])
        assert [(group.label, group.endpoints) for group in groups] == [
            (None, ("a",)), (None, ("d",))]
    finally:
        from plugin.core.features import forget_feature
        for name in ("zz_nav_one", "zz_nav_many", "zz_nav_bare"):
            forget_feature(name)


def test_the_portal_menu_shows_hardship_aid_as_one_drop_down(login, make_user, company):
    page = login(make_user(Role.UNION_OFFICER, company)).get("/")
    menu = page.get_data(as_text=True)
    toggle = re.search(r'dropdown-toggle[^>]*>困难帮扶</a>\s*<ul class="dropdown-menu">(.*?)</ul>',
                       menu, re.S)
    assert toggle, "the aid links are not grouped"
    assert re.findall(r'class="dropdown-item[^"]*" href="[^"]+">([^<]+)<', toggle.group(1)) == [
        "困难帮扶", "结对帮扶", "工会慰问", "帮扶基金"]
    assert re.search(r'class="nav-link[^"]*" href="/lectures/">宣讲活动</a>', menu)
