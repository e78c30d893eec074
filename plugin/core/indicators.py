"""Indicators: the figures features publish for reports, filings and the dashboard (DOMAIN §9).

Each feature declares its indicators once, in its :class:`~plugin.core.features.Feature`
(``indicators=``); reports and the dashboard read figures only through :func:`compute` and
:func:`counted_records`, never a feature's tables, and a feature that is not mounted has no
indicators (never a made-up zero).

An indicator is computed by aggregate SQL in the database for organisation subtrees (their
paths) and a period of whole local days, both ends included, in the company's time zone:

* a *flow* counts what happened in the period (sessions held, pledges signed);
* a *stock* counts what stood at the end of its last day (left-behind children on 31 December),
  from the history the feature keeps, so a past period gives that period's figure.

``counted_records`` lists the ids of the records a figure counted, so a filed number can be
explained later even after the data changed.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import session
from .errors import ValidationError
from .features import Feature, declared_features
from .i18n import N_

FLOW = "flow"
STOCK = "stock"
T = TypeVar("T")
_MEMO = "carebridge.indicator_memo"


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered in the current database session until it writes anything.

    For a feature computing several of its figures in one statement (the registry counts every
    children's category of a day at once): the page or report asking for each figure in turn
    runs the statement once. Any flush, commit or rollback forgets what was remembered, so a
    figure never outlives a change made in the same session.
    """
    memo = session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_memo(changed: Session, *_args) -> None:
    changed.info.pop(_MEMO, None)


@dataclass(frozen=True)
class ListPage:
    """The staff list that shows a figure's records, for the dashboard's links: its endpoint,
    the permission it needs, the filters selecting the figure's records and whether it takes
    the period as ``start`` and ``end`` (ISO dates)."""

    endpoint: str
    permission: str
    args: Mapping[str, str] = field(default_factory=dict)
    dated: bool = False


@dataclass(frozen=True)
class Indicator:
    #: ``<feature>.<name>``, stable: filings store it.
    code: str
    #: Chinese msgid (lazy), translated when shown.
    name: Any
    #: The unit the number counts (人, 名, 场, 份, 元…), a lazy msgid.
    unit: Any
    #: What is counted, in a sentence a recipient can check (lazy msgid).
    definition: Any
    #: ``"module:function"`` in the feature's package: ``(paths, start, end) -> int``.
    compute: str
    #: ``"module:function"``: ``(paths, start, end) -> Select`` of the counted records' ids.
    records: str
    #: What those ids are (``child``, ``lecture_session``…), for the list behind a figure.
    record_type: str
    kind: str = FLOW
    #: What the figure can be split by, for the recipients (``sex``, ``age_band``,
    #: ``hukou_province``…): the parts add up to the figure unless the breakdown says otherwise.
    breakdowns: tuple[str, ...] = ()
    #: ``"module:function"``: ``(paths, start, end, by) -> {key: count}`` for those breakdowns.
    breakdown: str | None = None
    #: ``"module:function"``: ``(by, keys) -> (title, {key: label})``, how a breakdown and its
    #: keys read (``"sex"`` → 性别, ``"female"`` → 女); keys it does not name show as they are.
    breakdown_labels: str | None = None
    #: For a stock, ``"module:function"``: ``(paths, days) -> {day: value}``, the figure on
    #: several days in one statement (a trend); without it each day is one :func:`compute`.
    series: str | None = None
    #: The list behind the figure (:class:`ListPage`), if the feature has one.
    list_page: ListPage | None = None

    @property
    def is_money(self) -> bool:
        """The figure is an amount of money in integer fen (its code ends in ``_fen``)."""
        return self.code.endswith("_fen")

    def __post_init__(self) -> None:
        if self.kind not in (FLOW, STOCK):
            raise ValueError(f"indicator {self.code}: kind is {FLOW!r} or {STOCK!r}")


def declared_indicators() -> dict[str, tuple[Feature, Indicator]]:
    """Every declared indicator by code, with the feature declaring it (declaration order)."""
    found: dict[str, tuple[Feature, Indicator]] = {}
    for feature in declared_features():
        for indicator in feature.load(feature.indicators) if feature.indicators else ():
            if not indicator.code.startswith(f"{feature.name}."):
                raise ValueError(f"indicator {indicator.code} of feature {feature.name} must be "
                                 f"named {feature.name}.<name>")
            if indicator.code in found:
                raise ValueError(f"two indicators are called {indicator.code}")
            found[indicator.code] = (feature, indicator)
    return found


def _declared(code: str) -> tuple[Feature, Indicator]:
    try:
        return declared_indicators()[code]
    except KeyError:
        raise ValidationError(N_("没有这个指标：%(code)s"), field="indicator", code=code) from None


def _checked(start: date, end: date) -> None:
    if start > end:
        raise ValidationError(N_("起始日期不能晚于截止日期"), field="start")


def compute(code: str, paths: Sequence[str], start: date, end: date) -> int:
    """The figure of ``code`` for the subtrees at ``paths`` and the local days ``start`` to
    ``end``, both included."""
    _checked(start, end)
    feature, indicator = _declared(code)
    return int(feature.load(indicator.compute)(list(paths), start, end))


def compute_series(code: str, paths: Sequence[str], days: Sequence[date]) -> dict[date, int]:
    """A stock's figure at the end of each of ``days``, in one statement where the feature
    offers one (``Indicator.series``)."""
    feature, indicator = _declared(code)
    if indicator.kind != STOCK:
        raise ValueError(f"{code} is a flow: a series is for stocks")
    wanted = sorted(set(days))
    # One day is the figure itself: a series statement pays for a pass over every day's rows.
    if indicator.series is None or len(wanted) == 1:
        return {day: compute(code, paths, day, day) for day in wanted}
    found = feature.load(indicator.series)(list(paths), wanted)
    return {day: int(found[day]) for day in wanted}


def breakdown(code: str, by: str, paths: Sequence[str], start: date,
              end: date) -> dict[str, int]:
    """The figure of ``code`` split ``by`` one of its breakdowns: key → count, keys with no
    records left out."""
    _checked(start, end)
    feature, indicator = _declared(code)
    if by not in indicator.breakdowns or indicator.breakdown is None:
        raise ValidationError(N_("指标 %(code)s 不能按 %(by)s 分组"), field="breakdown", code=code,
                              by=by)
    return {str(key): int(count) for key, count in
            feature.load(indicator.breakdown)(list(paths), start, end, by).items()}


def describe_breakdown(code: str, by: str, keys) -> tuple[str, dict[str, str]]:
    """The title of the breakdown ``by`` of ``code`` and a label for each of ``keys``."""
    feature, indicator = _declared(code)
    if indicator.breakdown_labels is None:
        return by, {str(key): str(key) for key in keys}
    title, labels = feature.load(indicator.breakdown_labels)(by, [str(key) for key in keys])
    return str(title), {str(key): str(labels.get(str(key), key)) for key in keys}


def record_page(record_type: str) -> tuple[str, str] | None:
    """The staff page of a record type (endpoint, id argument) a feature declares, if any."""
    for feature in declared_features():
        if record_type in feature.record_pages:
            return feature.record_pages[record_type]
    return None


def counted_records(code: str, paths: Sequence[str], start: date, end: date) -> list[int]:
    """The ids of the records the figure counted, in id order."""
    _checked(start, end)
    feature, indicator = _declared(code)
    statement = feature.load(indicator.records)(list(paths), start, end)
    return sorted(session.execute(statement).scalars())
