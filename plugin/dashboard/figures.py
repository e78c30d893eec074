"""The home page's figures of a scope: key figures with the change since last month, trends and
the children's category mix, read only through :mod:`plugin.core.indicators`.

The dashboard names indicators by code and never reads a feature's tables, so a feature that is
not mounted has no indicators and nothing of it is shown (never a zero in its place). Each figure
carries the URL of the list behind it, which the caller's ``link`` function gives (or None, where
there is no such list or the user may not open it).

Periods are whole local days, as the indicators count them: *this month* runs from the 1st to
today, *last month* is the previous full month. A flow compares this month so far with last
month; a stock compares today with the last day of last month.

Speed: every figure is one indicator call, that is one or two aggregate queries run by the
database, no row is loaded into Python. Calls are memoised for the page (a stock by its last day,
a flow by its period), so the key figures reuse the trends' points; a stock trend's days are one
statement (``Indicator.series``). Figures of periods that ended before today are computed once a
day per scope and kept in the database (:mod:`.cache`), so a page computes live only what today
can still change: this month's flows and today's stocks. Stock trends have at most
:data:`STOCK_POINTS` points.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask_babel import gettext as _

from ..core import indicators
from ..core.db import reads_from_replica
from ..core.indicators import STOCK
from . import cache

#: The key figures, in the order shown, under their feature's label. Each is shown only if its
#: indicator is declared.
KEY_FIGURES = (
    "registry.workers_employed",
    "registry.children_registered",
    "registry.children_left_behind",
    "registry.children_in_difficulty",
    "registry.children_migrant",
    "lectures.sessions_held",
    "lectures.attendances",
    "lectures.workers_reached",
    "pledges.signed",
    "pledges.workers_covered",
    "guardianship.agreements_in_force",
    "guardianship.contacts_logged",
    "reunions.people_reunited",
)
#: The children's categories of the category mix (they overlap: a child can be in several).
CATEGORY_FIGURES = (
    "registry.children_left_behind",
    "registry.children_migrant",
    "registry.children_in_difficulty",
    "registry.children_de_facto_unsupported",
    "registry.children_orphan",
)
#: Months of a flow's trend (this month so far and the 11 before it).
FLOW_POINTS = 12
#: Points of a stock's trend (today and the last days of the 5 months before): a stock at a past
#: day reads the history of every record of the scope, so a year of month ends would cost twice
#: the page's whole budget at a million workers.
STOCK_POINTS = 6

ATTENDANCES = "lectures.attendances"
COVERED = "pledges.workers_covered"
EMPLOYED = "registry.workers_employed"
REUNITED = "reunions.people_reunited"
LEFT_BEHIND = "registry.children_left_behind"
AGE_BAND = "age_band"

#: ``link(code, start, end)``: the URL of the list behind the figure ``code`` of the days
#: ``start`` to ``end`` (None, None: the list as it stands), or None.
Link = Callable[..., "str | None"]


# -- periods -------------------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> tuple[date, date]:
    """The full month before the month of ``day``: its first and last days."""
    end = month_start(day) - timedelta(days=1)
    return month_start(end), end


def recent_months(today: date, count: int) -> list[tuple[date, date]]:
    """The last ``count`` months, oldest first, each as (first day, last day); this month ends
    today."""
    months = [(month_start(today), today)]
    while len(months) < count:
        months.insert(0, previous_month(months[0][0]))
    return months


def month_label(day: date, locale) -> str:
    """``2026年11月`` / ``Nov 2026``."""
    return format_skeleton("yMMM", day, locale=locale)


# -- what the page shows -------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyFigure:
    code: str
    name: str
    unit: str
    definition: str
    kind: str
    #: This month so far (a flow) or today (a stock).
    value: int
    #: Last month (a flow) or its last day (a stock).
    previous: int
    url: str | None = None

    @property
    def change(self) -> int:
        return self.value - self.previous

    @property
    def is_stock(self) -> bool:
        return self.kind == STOCK


@dataclass(frozen=True)
class Section:
    """The key figures of one feature, under its label."""

    feature: str
    title: str
    figures: list[KeyFigure]


@dataclass(frozen=True)
class Point:
    label: str
    #: The first and last day the point covers (a stock: its last day only counts).
    start: date
    end: date
    value: float | int | None
    url: str | None = None
    #: What the value was computed from, shown in the table (covered and employed workers).
    parts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Trend:
    code: str
    title: str
    unit: str
    definition: str
    points: list[Point]
    #: ``bar`` (a flow per month) or ``line`` (a stock or a rate at each point).
    chart: str = "bar"
    percent: bool = False
    url: str | None = None
    #: Headers of ``Point.parts`` in the table.
    part_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slice:
    key: str
    label: str
    value: int
    url: str | None = None


@dataclass(frozen=True)
class Mix:
    code: str
    title: str
    unit: str
    slices: list[Slice]
    #: ``pie`` when the parts add up to a whole, ``hbar`` (bars across) when they overlap.
    chart: str = "pie"
    note: str = ""
    url: str | None = None


@dataclass
class Dashboard:
    today: date
    this_month: tuple[date, date]
    last_month: tuple[date, date]
    sections: list[Section] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    mixes: list[Mix] = field(default_factory=list)

    def chart_data(self) -> list[dict]:
        """The charts' data for the page's script (``dashboard.js``): one entry per chart."""
        charts = []
        for trend in self.trends:
            charts.append({"id": chart_id(trend.code), "type": trend.chart, "title": trend.title,
                           "unit": trend.unit, "percent": trend.percent,
                           "labels": [point.label for point in trend.points],
                           "values": [point.value for point in trend.points],
                           "urls": [point.url or trend.url for point in trend.points]})
        for mix in self.mixes:
            if not mix.slices:
                continue
            charts.append({"id": chart_id(mix.code), "type": mix.chart, "title": mix.title,
                           "unit": mix.unit, "percent": False,
                           "labels": [part.label for part in mix.slices],
                           "values": [part.value for part in mix.slices],
                           "urls": [part.url or mix.url for part in mix.slices]})
        return charts


def chart_id(code: str) -> str:
    """The element the chart of ``code`` is drawn in (``data-chart``)."""
    return re.sub(r"[^a-z0-9]+", "-", code.lower())


# -- computing -----------------------------------------------------------------------------------

class _Figures:
    """Indicator values of one scope, memoised for one page. Values of periods that ended before
    today come from the day's cache (:mod:`.cache`) when this scope's page was computed earlier
    today; those computed now are stored at the end (:meth:`store`)."""

    def __init__(self, paths: list[str], today: date):
        self.paths = paths
        self.today = today
        self.declared = indicators.declared_indicators()
        self._values: dict[tuple, int] = {}
        self._cached = cache.cached_figures(paths, today)
        self._computed: dict[cache.Key, int] = {}

    def has(self, code: str) -> bool:
        return code in self.declared

    def indicator(self, code: str):
        return self.declared[code][1]

    def _key(self, code: str, start: date, end: date) -> tuple:
        return (code, end if self.indicator(code).kind == STOCK else start, end)

    def _remember(self, key: tuple, value: int) -> None:
        self._values[key] = value
        code, start, end = key
        if end < self.today and key not in self._cached:
            self._computed[key] = value

    def prefetch_stock(self, code: str, days: list[date]) -> None:
        """A stock on several days in one statement where its feature offers one (the days
        already in the day's cache are not computed again)."""
        if not self.has(code):
            return
        missing = [day for day in days if (code, day, day) not in self._cached]
        if missing:
            for day, value in indicators.compute_series(code, self.paths, missing).items():
                self._remember((code, day, day), value)

    def value(self, code: str, start: date, end: date) -> int:
        key = self._key(code, start, end)
        if key not in self._values:
            if key in self._cached:
                self._values[key] = self._cached[key]
            else:
                self._remember(key, indicators.compute(code, self.paths, start, end))
        return self._values[key]

    def store(self) -> None:
        cache.store_figures(self.paths, self.today, self._computed)


def build_dashboard(paths: list[str], today: date, *, link: Link, locale) -> Dashboard:
    """Everything the home page shows of the subtrees at ``paths`` on ``today``.

    The figures (and the day's cache) are read from the reports' replica where there is one;
    the figures computed now are stored on the primary, after the block."""
    board = Dashboard(today=today, this_month=(month_start(today), today),
                      last_month=previous_month(today))
    with reads_from_replica():
        figures = _Figures(paths, today)
        month_ends = [end for _start, end in recent_months(today, STOCK_POINTS)]
        for code in (EMPLOYED, COVERED):  # the coverage trend's points and two key figures
            figures.prefetch_stock(code, month_ends)
        board.sections = _sections(figures, board, link)
        board.trends = [trend for trend in (
            _flow_trend(figures, ATTENDANCES, today, link, locale, dated_links=True),
            _coverage_trend(figures, today, link, locale),
            _flow_trend(figures, REUNITED, today, link, locale),
        ) if trend is not None]
        board.mixes = [mix for mix in (_category_mix(figures, today, link),
                                       _age_mix(figures, today, link)) if mix is not None]
    figures.store()
    return board


def _sections(figures: _Figures, board: Dashboard, link: Link) -> list[Section]:
    sections: dict[str, Section] = {}
    for code in KEY_FIGURES:
        if not figures.has(code):
            continue
        feature, indicator = figures.declared[code]
        # A stock's list shows what stands now; a flow's, where the list takes dates, the month.
        url = link(code, None, None) if indicator.kind == STOCK else link(code, *board.this_month)
        section = sections.get(feature.name)
        if section is None:
            section = sections[feature.name] = Section(
                feature.name, str(feature.label or feature.name), [])
        section.figures.append(KeyFigure(
            code=code, name=str(indicator.name), unit=str(indicator.unit),
            definition=str(indicator.definition), kind=indicator.kind,
            value=figures.value(code, *board.this_month),
            previous=figures.value(code, *board.last_month), url=url))
    return list(sections.values())


def _flow_trend(figures: _Figures, code: str, today: date, link: Link, locale, *,
                dated_links: bool = False) -> Trend | None:
    """A flow per month over the last :data:`FLOW_POINTS` months (one call per month)."""
    if not figures.has(code):
        return None
    indicator = figures.indicator(code)
    points = [Point(month_label(start, locale), start, end, figures.value(code, start, end),
                    url=link(code, start, end) if dated_links else None)
              for start, end in recent_months(today, FLOW_POINTS)]
    return Trend(code, _("%(figure)s（每月）", figure=str(indicator.name)), str(indicator.unit),
                 str(indicator.definition), points, url=link(code, None, None))


def _coverage_trend(figures: _Figures, today: date, link: Link, locale) -> Trend | None:
    """Workers holding a pledge in force among the workers employed, in %, at the last day of
    each of the last :data:`STOCK_POINTS` months (this month: today); two stock calls a point."""
    if not (figures.has(COVERED) and figures.has(EMPLOYED)):
        return None
    points = []
    for start, end in recent_months(today, STOCK_POINTS):
        covered, employed = figures.value(COVERED, start, end), figures.value(EMPLOYED, start, end)
        rate = round(100 * covered / employed, 1) if employed else None
        points.append(Point(month_label(start, locale), start, end, rate,
                            parts=(covered, employed)))
    covered, employed = figures.indicator(COVERED), figures.indicator(EMPLOYED)
    return Trend("pledges.coverage", _("监护承诺书覆盖率"), "%",
                 _("%(covered)s占%(employed)s的比例，各月按月末（本月按今天）计",
                   covered=str(covered.name), employed=str(employed.name)), points,
                 chart="line", percent=True, url=link(COVERED, None, None),
                 part_names=(str(covered.name), str(employed.name)))


def _category_mix(figures: _Figures, today: date, link: Link) -> Mix | None:
    codes = [code for code in CATEGORY_FIGURES if figures.has(code)]
    if not codes:
        return None
    start = month_start(today)
    slices = [Slice(code, str(figures.indicator(code).name), figures.value(code, start, today),
                    link(code, None, None)) for code in codes]
    return Mix("registry.categories", _("儿童类别"), str(figures.indicator(codes[0]).unit),
               slices, chart="hbar", note=_("一名儿童可能同时属于几个类别，各类人数不能相加。"))


def _band_order(key: str) -> tuple[int, str]:
    """Age bands youngest first (``0-5``, ``6-13``…), keys without a number last."""
    number = re.match(r"\d+", key)
    return (int(number.group()) if number else 10_000, key)


def _age_mix(figures: _Figures, today: date, link: Link) -> Mix | None:
    """Left-behind children by age band today (one grouped query)."""
    if not figures.has(LEFT_BEHIND) or AGE_BAND not in figures.indicator(LEFT_BEHIND).breakdowns:
        return None
    counts = indicators.breakdown(LEFT_BEHIND, AGE_BAND, figures.paths, month_start(today), today)
    by, labels = indicators.describe_breakdown(LEFT_BEHIND, AGE_BAND, counts)
    slices = [Slice(key, labels.get(key, key), counts[key])
              for key in sorted(counts, key=_band_order)]
    indicator = figures.indicator(LEFT_BEHIND)
    return Mix(f"{LEFT_BEHIND}.{AGE_BAND}",
               _("%(figure)s（按%(by)s）", figure=str(indicator.name), by=by),
               str(indicator.unit), slices, chart="pie", url=link(LEFT_BEHIND, None, None))
