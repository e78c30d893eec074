"""The published read the risk reports pre-fill referrals with: the county's entries, then its
prefecture's, then its province's, then the national hotlines; within the county the child's
village and township first; deactivated entries never; a renumbered county finds the entries
of its new (or old) code; one query whatever the number of entries."""
from __future__ import annotations

import dataclasses

import pytest

from plugin.referrals import contacts
from plugin.referrals.queries import ReferralSuggestion, suggested_contacts

from .conftest import SYSTEM
from .referrals_support import COUNTY, PREFECTURE, PROVINCE, make_contact
from .support import recorded_statements

HOTLINE_PHONES = ["110", "12355", "12338"]


def phones(suggestions):
    return [suggestion.phone for suggestion in suggestions]


@pytest.fixture
def directory(company, make_unit):
    """Entries of 南部县, 南充市, 四川省 and of another county, made in a shuffled order."""
    made = {
        "province_hotline": make_contact(company, "hotline", PROVINCE, phone="12355",
                                         organisation="四川青少年服务台"),
        "other_village_director": make_contact(company, "child_director", COUNTY,
                                               phone="13700000002", village="西村",
                                               person_name="李桂兰"),
        "county_police": make_contact(company, "police_station", COUNTY, phone="0817-5512110",
                                      organisation="南部县公安局"),
        "prefecture_civil": make_contact(company, "civil_affairs", PREFECTURE,
                                         phone="0817-2221234", organisation="南充市民政局"),
        "township_supervisor": make_contact(company, "township_supervisor", COUNTY,
                                            phone="13900000001", township="大桥镇",
                                            person_name="赵德华"),
        "village_director": make_contact(company, "child_director", COUNTY,
                                         phone="13700000001", township="大桥镇",
                                         village="东村", person_name="王秀英"),
        "county_civil": make_contact(company, "civil_affairs", COUNTY, phone="0817-5523456",
                                     organisation="南部县民政局"),
        "elsewhere": make_contact(company, "police_station", "511302", phone="0817-2600000",
                                  organisation="顺庆区公安分局"),
    }
    return made


def test_county_then_prefecture_then_province_then_the_national_hotlines(directory):
    found = suggested_contacts(COUNTY)
    assert phones(found) == [
        # County-wide entries by kind (police before Civil Affairs), then the townships' and
        # villages' entries (no village or township given: none is closer), by kind and name.
        "0817-5512110", "0817-5523456", "13700000002", "13700000001", "13900000001",
        "0817-2221234", "12355"] + HOTLINE_PHONES
    assert "0817-2600000" not in phones(found)  # another county of the prefecture
    first = found[0]
    assert first == ReferralSuggestion(
        kind="police_station", kind_label="派出所", organisation="南部县公安局", person_name=None,
        phone="0817-5512110", region_code=COUNTY, region_name="四川省南充市南部县",
        township=None, village=None, contact_id=directory["county_police"].id)
    assert found[-3:] == [dataclasses.replace(found[-3], phone=phone,
                                              organisation=found[-3 + n].organisation)
                          for n, phone in enumerate(HOTLINE_PHONES)]
    assert [(s.kind, s.contact_id, s.region_code) for s in found[-3:]] == [("hotline", None, None)] * 3
    assert [s.organisation for s in found[-3:]] == ["公安报警", "青少年服务台", "妇女儿童维权热线"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.phone = "1"


def test_the_childs_village_then_township_come_first_within_the_county(directory):
    found = phones(suggested_contacts(COUNTY, township=" 大桥镇 ", village="东村"))
    assert found[:4] == ["13700000001", "13900000001", "0817-5512110", "0817-5523456"]
    assert found[4] == "13700000002"  # another village of the county, after the county-wide
    # Only the township known: its supervisor first, then county-wide, then the villages.
    found = phones(suggested_contacts(COUNTY, township="大桥镇"))
    assert found[:3] == ["13900000001", "0817-5512110", "0817-5523456"]


def test_deactivated_entries_are_not_suggested(directory):
    contacts.set_active(directory["county_police"], False, actor=SYSTEM)
    assert "0817-5512110" not in phones(suggested_contacts(COUNTY))
    contacts.set_active(directory["county_police"], True, actor=SYSTEM)
    assert phones(suggested_contacts(COUNTY))[0] == "0817-5512110"


def test_a_prefecture_or_province_code_gets_its_own_level_and_those_above(directory):
    assert phones(suggested_contacts(PREFECTURE)) == ["0817-2221234", "12355"] + HOTLINE_PHONES
    assert phones(suggested_contacts(PROVINCE)) == ["12355"] + HOTLINE_PHONES
    # Another county of the prefecture: its own entry, then the prefecture's and province's.
    assert phones(suggested_contacts("511302")) == [
        "0817-2600000", "0817-2221234", "12355"] + HOTLINE_PHONES


@pytest.mark.parametrize("code", [None, "", "5113", "abcdef", "9999999"])
def test_without_a_usable_code_only_the_hotlines(directory, code):
    assert phones(suggested_contacts(code)) == HOTLINE_PHONES


def test_a_withdrawn_code_finds_the_entries_of_its_successor_and_the_other_way_round(company):
    # 镇雄县: 532128 in 昭通地区 until 2000, 530627 in 昭通市 since 2001.
    today = make_contact(company, "police_station", "530627", phone="0870-4121110",
                         organisation="镇雄县公安局")
    old = make_contact(company, "civil_affairs", "532128", phone="0870-4122222",
                       organisation="镇雄县民政局")
    prefecture = make_contact(company, "civil_affairs", "530600", phone="0870-2121234",
                              organisation="昭通市民政局")
    province = make_contact(company, "hotline", "530000", phone="12355",
                            organisation="云南青少年服务台")
    expected = ["0870-4121110", "0870-4122222", "0870-2121234", "12355"] + HOTLINE_PHONES
    assert phones(suggested_contacts("532128")) == expected
    assert phones(suggested_contacts("530627")) == expected
    names = {s.contact_id: s.region_name for s in suggested_contacts("532128")}
    assert names[old.id] == "云南省昭通地区镇雄县" and names[today.id] == "云南省昭通市镇雄县"
    assert names[prefecture.id] == "云南省昭通市" and names[province.id] == "云南省"


def test_one_query_whatever_the_number_of_entries(directory, company):
    for number in range(20):
        make_contact(company, "child_director", COUNTY, phone=f"1370000{number + 100:04d}",
                     village=f"{number}村", person_name="儿童主任")
    with recorded_statements() as statements:
        found = suggested_contacts(COUNTY, village="5村")
    assert len(statements) == 1, statements
    assert found[0].village == "5村" and len(found) == 7 + 20 + 3
