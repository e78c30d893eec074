"""The registry's indicators (declared in its Feature): workers and children, counted by
aggregate SQL for organisation subtrees and a period of local days.

Children are stocks, as their records stood at the end of the period's last day
(:func:`plugin.registry.history.children_on`); a child counts under the unit of its record that
day. Workers are a stock too: employed on the last day by their entry and leaving dates, under
their current unit (the registry keeps no history of workers' units).
"""
from __future__ import annotations

from datetime import date
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, func, literal, select, type_coerce

from ..core.db import session
from ..core.indicators import STOCK, Indicator, ListPage, memoized
from ..org.models import OrgKind, OrgUnit
from ..org.queries import unit_id_in_subtrees
from .categories import FOCUS_FLAG_CODES
from .history import children_on
from .labels import FLAG_LABELS
from .models import Sex, Worker
from .permissions import WORKERS_VIEW
from .queries import employed_on
from .regions import region_name

#: Category indicators: code → (column of the child's record, name, definition); each code is
#: also the name of its function below.
CATEGORIES = {
    "children_left_behind": ("left_behind", _l("农村留守儿童"),
                             _l("期末当天认定为农村留守儿童的职工子女人数（DOMAIN §3）")),
    "children_migrant": ("migrant", _l("流动儿童"),
                         _l("期末当天认定为流动儿童的职工子女人数")),
    "children_in_difficulty": ("in_difficulty", _l("困境儿童"),
                               _l("期末当天认定为困境儿童的职工子女人数")),
    "children_de_facto_unsupported": ("de_facto_unsupported", _l("事实无人抚养儿童"),
                                      _l("期末当天认定为事实无人抚养儿童的职工子女人数")),
    "children_orphan": ("orphan", _l("孤儿"),
                        _l("期末当天父母均已去世、未满 18 周岁的职工子女人数")),
}


def _children(paths: list[str], end: date, column: str | None, rows=None):
    rows = children_on(end) if rows is None else rows
    statement = select(rows.c.child_id).where(unit_id_in_subtrees(rows.c.org_unit_id, paths))
    if column is not None:
        statement = statement.where(getattr(rows.c, column).is_(True))
    return statement


def _count(statement) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def _counts_on(paths: list[str], end: date) -> dict[str | None, dict[str, int]]:
    """The children registered at the end of ``end`` and those of each category, by age band,
    in one statement remembered for the session (:func:`plugin.core.indicators.memoized`): a
    report or the dashboard asks for all six figures of a day and their age bands, each in
    turn. ``{None: {band: count}, "left_behind": {band: count}, …}``."""
    def count() -> dict[str | None, dict[str, int]]:
        rows = children_on(end)
        columns = [None, *(column for column, _name, _definition in CATEGORIES.values())]
        band = _age_band(rows.c.birth_date, end).label("band")
        counted = [func.count() if column is None
                   else func.count().filter(getattr(rows.c, column).is_(True))
                   for column in columns]
        statement = (select(band, *counted).select_from(rows)
                     .where(unit_id_in_subtrees(rows.c.org_unit_id, paths)).group_by(band))
        found: dict[str | None, dict[str, int]] = {column: {} for column in columns}
        for key, *counts in session.execute(statement):
            for column, number in zip(columns, counts, strict=True):
                if number:
                    found[column][key] = number
        return found
    return memoized(("registry.children", tuple(sorted(paths)), end), count)


def children_registered(paths: list[str], start: date, end: date) -> int:
    return sum(_counts_on(paths, end)[None].values())


def children_registered_records(paths: list[str], start: date, end: date):
    return _children(paths, end, None)


def _category_count(column: str, paths: list[str], start: date, end: date) -> int:
    return sum(_counts_on(paths, end)[column].values())


def _category_records(column: str, paths: list[str], start: date, end: date):
    return _children(paths, end, column)


# One function per category, as the indicators name them ("indicators:children_left_behind").
children_left_behind = partial(_category_count, "left_behind")
children_left_behind_records = partial(_category_records, "left_behind")
children_migrant = partial(_category_count, "migrant")
children_migrant_records = partial(_category_records, "migrant")
children_in_difficulty = partial(_category_count, "in_difficulty")
children_in_difficulty_records = partial(_category_records, "in_difficulty")
children_de_facto_unsupported = partial(_category_count, "de_facto_unsupported")
children_de_facto_unsupported_records = partial(_category_records, "de_facto_unsupported")
children_orphan = partial(_category_count, "orphan")
children_orphan_records = partial(_category_records, "orphan")


# -- breakdowns of the children's figures ----------------------------------------------------

#: What the children's figures split by. Focus flags are several per child: a child counts under
#: each of its flags (those parts do not add up to the figure).
CHILD_BREAKDOWNS = ("sex", "age_band", "hukou_province", "three_areas", "hukou_rural",
                    "focus_flag")
#: Age bands of DOMAIN §9 (0–5, 6–13, 14–15), then the older children the other categories
#: count, by whole years on the period's last day.
AGE_BANDS = (("0-5", 0, 6), ("6-13", 6, 14), ("14-15", 14, 16), ("16-17", 16, 18))
UNKNOWN = "unknown"


def years_before(day: date, years: int) -> date:
    """The latest birth date of someone ``years`` old on ``day`` (29 February → 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_band(birth_date_column, end: date):
    cases = [(birth_date_column.is_(None), UNKNOWN)]
    cases += [(birth_date_column > years_before(end, upper), band) for band, _, upper in AGE_BANDS]
    return case(*cases, else_="18+")


def _known(column):
    return case((column.is_(True), "true"), (column.is_(False), "false"), else_=UNKNOWN)


def _children_breakdown(column: str | None, paths: list[str], start: date, end: date,
                        by: str) -> dict[str, int]:
    if by == "age_band":
        return dict(_counts_on(paths, end)[column])
    rows = children_on(end)
    in_scope = [unit_id_in_subtrees(rows.c.org_unit_id, paths)]
    if column is not None:
        in_scope.append(getattr(rows.c, column).is_(True))
    if by == "focus_flag":
        # A child counts under each of its flags: one pass counting every flag at once.
        padded = literal(" ") + rows.c.focus_flags + literal(" ")
        counted = [func.count().filter(padded.contains(f" {flag} ", autoescape=True))
                   for flag in FOCUS_FLAG_CODES]
        counts = session.execute(select(*counted).select_from(rows).where(*in_scope)).one()
        return {flag: count for flag, count in zip(FOCUS_FLAG_CODES, counts, strict=True)
                if count}
    key = {
        "sex": func.coalesce(type_coerce(rows.c.sex, String), UNKNOWN),
        "hukou_province": func.coalesce(func.substr(rows.c.hukou_region_code, 1, 2), UNKNOWN),
        "three_areas": _known(rows.c.in_three_areas),
        "hukou_rural": _known(rows.c.hukou_rural),
    }[by].label("key")
    statement = select(key, func.count()).select_from(rows).where(*in_scope).group_by(key)
    return dict(session.execute(statement).all())


children_registered_breakdown = partial(_children_breakdown, None)
children_left_behind_breakdown = partial(_children_breakdown, "left_behind")
children_migrant_breakdown = partial(_children_breakdown, "migrant")
children_in_difficulty_breakdown = partial(_children_breakdown, "in_difficulty")
children_de_facto_unsupported_breakdown = partial(_children_breakdown, "de_facto_unsupported")
children_orphan_breakdown = partial(_children_breakdown, "orphan")


def _workers(paths: list[str], end: date):
    return select(Worker.id).where(unit_id_in_subtrees(Worker.org_unit_id, paths),
                                   employed_on(end))


def workers_employed(paths: list[str], start: date, end: date) -> int:
    return _count(_workers(paths, end))


def workers_employed_series(paths: list[str], days: list[date]) -> dict[date, int]:
    """Workers employed at the end of each day, in one pass over the workers."""
    counted = [func.count().filter(employed_on(day)) for day in days]
    row = session.execute(select(*counted).select_from(Worker).where(
        unit_id_in_subtrees(Worker.org_unit_id, paths))).one()
    return dict(zip(days, row, strict=True))


def workers_employed_records(paths: list[str], start: date, end: date):
    return _workers(paths, end)


#: What the workers' figure splits by: the site (a team's workers under its site; a unit with no
#: site above it stands for itself), and the labour subcontractor ("" when directly employed).
WORKER_BREAKDOWNS = ("site", "subcontractor")


def workers_employed_breakdown(paths: list[str], start: date, end: date,
                               by: str) -> dict[str, int]:
    if by == "subcontractor":
        key = func.coalesce(Worker.subcontractor, "").label("key")
        statement = _workers(paths, end).with_only_columns(key, func.count()).group_by(key)
        return dict(session.execute(statement).all())
    # Counted per unit first (a few hundred groups), then each unit's count goes to its site.
    statement = (_workers(paths, end).with_only_columns(Worker.org_unit_id, func.count())
                 .group_by(Worker.org_unit_id))
    per_unit = dict(session.execute(statement).all())
    units = {unit.id: unit for unit in session.execute(
        select(OrgUnit).where(OrgUnit.id.in_(per_unit))).scalars()}
    sites = {unit.id: unit for unit in session.execute(
        select(OrgUnit).where(OrgUnit.kind == OrgKind.SITE)).scalars()}
    counts: dict[str, int] = {}
    for unit_id, count in per_unit.items():
        key = str(_site_of(units[unit_id], sites))
        counts[key] = counts.get(key, 0) + count
    return counts


def _site_of(unit: OrgUnit, sites: dict[int, OrgUnit]) -> int:
    """The site a unit lies in (itself, or the site above a team); a unit with no site above it
    stands for itself."""
    for ancestor_id in reversed(unit.ancestor_ids):
        if ancestor_id in sites:
            return ancestor_id
    return unit.id


BREAKDOWN_TITLES = {
    "sex": _l("性别"), "age_band": _l("年龄段"), "hukou_province": _l("户籍省份"),
    "three_areas": _l("是否三区三州"), "hukou_rural": _l("是否农村户籍"),
    "focus_flag": _l("重点关注情形"), "site": _l("项目部/厂区"),
    "subcontractor": _l("劳务分包单位"),
}


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    """How a breakdown of the registry's figures reads: its title and a label per key."""
    labels: dict[str, str] = {UNKNOWN: str(_l("未登记"))}
    if by == "sex":
        labels.update({sex.value: str(sex.label) for sex in Sex})
    elif by == "age_band":
        labels.update({band: str(_l("%(band)s 岁", band=band)) for band, _, _ in AGE_BANDS})
        labels["18+"] = str(_l("18 岁及以上"))
    elif by == "hukou_province":
        labels.update({key: region_name(f"{key}0000") or key for key in keys if key != UNKNOWN})
    elif by in ("three_areas", "hukou_rural"):
        labels.update({"true": str(_l("是")), "false": str(_l("否"))})
    elif by == "focus_flag":
        labels.update({code: str(label) for code, label in FLAG_LABELS.items()})
    elif by == "site":
        ids = [int(key) for key in keys if key.isdigit()]
        labels.update({str(unit_id): name for unit_id, name in session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))})
    elif by == "subcontractor":
        labels.update({key: key or str(_l("直接雇用")) for key in keys})
    return str(BREAKDOWN_TITLES.get(by, by)), labels


#: The workers list, filtered by a category of their children, is the list behind a figure.
_WORKERS = "carebridge.registry.workers"

INDICATORS = (
    Indicator("registry.workers_employed", _l("在职职工"), _l("人"),
              _l("期末当天在职的职工人数：入职日期不晚于期末（未登记的算在内），且期末前没有离职"),
              "indicators:workers_employed", "indicators:workers_employed_records", "worker",
              STOCK, WORKER_BREAKDOWNS, "indicators:workers_employed_breakdown",
              "indicators:describe_breakdown", "indicators:workers_employed_series",
              list_page=ListPage(_WORKERS, WORKERS_VIEW, {"status": "active"})),
    Indicator("registry.children_registered", _l("登记的职工子女"), _l("人"),
              _l("期末当天登记在册的职工子女人数"),
              "indicators:children_registered", "indicators:children_registered_records",
              "child", STOCK, CHILD_BREAKDOWNS, "indicators:children_registered_breakdown",
              "indicators:describe_breakdown"),
    *(Indicator(f"registry.{code}", name, _l("人"), definition, f"indicators:{code}",
                f"indicators:{code}_records", "child", STOCK, CHILD_BREAKDOWNS,
                f"indicators:{code}_breakdown", "indicators:describe_breakdown",
                list_page=ListPage(_WORKERS, WORKERS_VIEW, {"category": column}))
      for code, (column, name, definition) in CATEGORIES.items()),
)
