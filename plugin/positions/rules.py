"""How far a site is from a worker's home, by the region hierarchy (no map service needed).

*Product rule* (the six-body guidance asks firms to help workers find work near home, 就近就业;
the Yunnan opinion to offer them jobs near home): a site is

- **0, same county** (同县) when its county is the worker's hukou county;
- **1, same prefecture** (同市) when they share the prefecture (the code's first four digits);
- **2, same province** (同省) when they share the province (the first two digits);
- otherwise it is not near home and never suggested.

Both codes are compared as they are today (:func:`plugin.registry.regions.current_code`): a
hukou recorded under a withdrawn code (镇雄县 532128, now 530627; 密云县 110228, now 密云区
110118) is at home where its successor is. A renumbering never leaves its province, so the
province test needs no mapping; the prefecture test does (昭通地区 5321 is 昭通市 5306 today).

Suggestions are ranked by distance, then by the earliest first day of work, then by the site's
name (:func:`rank_key`). :func:`distance` is the rule; :func:`distance_sql` its SQL twin for the
figures, which maps the withdrawn codes it is given with a ``CASE``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, null

from ..registry.regions import current_code

SAME_COUNTY, SAME_PREFECTURE, SAME_PROVINCE = 0, 1, 2

#: The distance in the worker's words.
DISTANCE_WORDS = {SAME_COUNTY: _l("同县"), SAME_PREFECTURE: _l("同市"),
                  SAME_PROVINCE: _l("同省")}


def is_county_code(code: str | None) -> bool:
    """A county-level code (the last two digits are not ``00``)."""
    return bool(code) and len(code) == 6 and code.isdigit() and code[2:4] != "00" \
        and code[4:] != "00"


def distance(home: str | None, site: str | None) -> int | None:
    """How far the county ``site`` is from the hukou region ``home``: 0, 1, 2, or None when it
    is in another province (or either is unknown)."""
    if not home or not site or len(home) != 6 or len(site) != 6:
        return None
    home, site = current_code(home), current_code(site)
    if home == site:
        return SAME_COUNTY
    if home[:4] == site[:4] and home[2:4] != "00":
        return SAME_PREFECTURE
    if home[:2] == site[:2]:
        return SAME_PROVINCE
    return None


def rank_key(distance_: int, starts_on: date, site_name: str, opening_id: int) -> tuple:
    """The order of suggestions: nearest first, then the earliest start, then the site's name
    (the opening's id last, so the order is total)."""
    return (distance_, starts_on, site_name, opening_id)


def _current(column, codes: Iterable[str | None]):
    """SQL: ``column`` as :func:`current_code` reads it, for the values in ``codes`` (the
    codes the column may hold; others stay as they are)."""
    renumbered = {code: current_code(code) for code in set(codes)
                  if code and current_code(code) != code}
    if not renumbered:
        return column
    return case(renumbered, value=column, else_=column)


def distance_sql(home_column, site_column, homes: Iterable[str | None],
                 sites: Iterable[str | None]):
    """SQL twin of :func:`distance`: an integer expression, NULL when not near home.
    ``homes`` and ``sites`` are the codes the columns may hold (read beforehand, a few hundred
    counties at most), whose withdrawn ones are mapped."""
    home = _current(home_column, homes)
    site = _current(site_column, sites)
    return case(
        (home_column.is_(None) | site_column.is_(None), null()),
        (func.length(home_column) != 6, null()),
        (home == site, literal(SAME_COUNTY)),
        ((func.substr(home, 1, 4) == func.substr(site, 1, 4))
         & (func.substr(home, 3, 2) != "00"), literal(SAME_PREFECTURE)),
        (func.substr(home, 1, 2) == func.substr(site, 1, 2), literal(SAME_PROVINCE)),
        else_=null())
