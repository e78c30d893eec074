"""Reporting periods: a month, a quarter, a half-year, a year or custom days, in local dates.

A period is whole local days of the company's time zone, both ends included, as indicators
count them (:mod:`plugin.core.indicators`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationError
from ..core.i18n import N_, translatable, translate


class PeriodKind(str, enum.Enum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    CUSTOM = "custom"

    @property
    def label(self):
        return PERIOD_KIND_LABELS[self]

    @property
    def months(self) -> int | None:
        return {"month": 1, "quarter": 3, "half_year": 6, "year": 12}.get(self.value)

    @property
    def count_in_year(self) -> int | None:
        return 12 // self.months if self.months else None


PERIOD_KIND_LABELS = {
    PeriodKind.MONTH: _l("月报"),
    PeriodKind.QUARTER: _l("季报"),
    PeriodKind.HALF_YEAR: _l("半年报"),
    PeriodKind.YEAR: _l("年报"),
    PeriodKind.CUSTOM: _l("自定义期间"),
}

#: The longest custom period accepted (a report over years is a year report per year).
MAX_CUSTOM_DAYS = 3 * 366


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date

    @classmethod
    def numbered(cls, kind: PeriodKind, year: int, number: int = 1) -> Period:
        """The ``number``-th period of ``kind`` in ``year`` (the third quarter: ``number=3``)."""
        if kind is PeriodKind.CUSTOM:
            raise ValueError("a custom period has dates, not a number")
        if not 2000 <= year <= 2100:
            raise ValidationError(N_("年份应在 2000 到 2100 之间"), field="year")
        if not 1 <= number <= kind.count_in_year:
            raise ValidationError(N_("%(kind)s的序号应在 1 到 %(count)s 之间"), field="number",
                                  kind=kind.label, count=kind.count_in_year)
        first_month = (number - 1) * kind.months + 1
        last_month = first_month + kind.months - 1
        return cls(kind, date(year, first_month, 1), _month_end(year, last_month))

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        if start > end:
            raise ValidationError(N_("起始日期不能晚于截止日期"), field="start")
        if (end - start).days >= MAX_CUSTOM_DAYS:
            raise ValidationError(N_("自定义期间最长三年"), field="end")
        return cls(PeriodKind.CUSTOM, start, end)

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        return cls.numbered(kind, day.year, (day.month - 1) // kind.months + 1)

    @property
    def number(self) -> int | None:
        if self.kind is PeriodKind.CUSTOM:
            return None
        return (self.start.month - 1) // self.kind.months + 1

    def previous(self) -> Period:
        """The period of the same kind just before (a custom period: as many days before)."""
        if self.kind is PeriodKind.CUSTOM:
            length = self.end - self.start
            end = self.start - timedelta(days=1)
            return Period(PeriodKind.CUSTOM, end - length, end)
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        if self.kind is PeriodKind.CUSTOM:
            length = self.end - self.start
            start = self.end + timedelta(days=1)
            return Period(PeriodKind.CUSTOM, start, start + length)
        return Period.containing(self.kind, self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        """"2026年第四季度", "2026年10月", "2026年上半年", "2026年度", or the dates."""
        return translate(self.translatable_label())

    def translatable_label(self) -> dict:
        """The label as text to store and translate when shown (a notification's)."""
        year = self.start.year
        if self.kind is PeriodKind.MONTH:
            return translatable(N_("%(year)s年%(month)s月"), year=year, month=self.start.month)
        if self.kind is PeriodKind.QUARTER:
            names = {1: N_("第一季度"), 2: N_("第二季度"), 3: N_("第三季度"), 4: N_("第四季度")}
            return translatable(N_("%(year)s年%(quarter)s"), year=year,
                                quarter=translatable(names[self.number]))
        if self.kind is PeriodKind.HALF_YEAR:
            half = N_("上半年") if self.number == 1 else N_("下半年")
            return translatable(N_("%(year)s年%(half)s"), year=year, half=translatable(half))
        if self.kind is PeriodKind.YEAR:
            return translatable(N_("%(year)s年度"), year=year)
        return translatable(N_("%(start)s至%(end)s"), start=self.start.isoformat(),
                            end=self.end.isoformat())

    @property
    def code(self) -> str:
        """For URLs: ``quarter-2026-4``, ``year-2026-1``, ``custom-2026-01-01-2026-03-31``."""
        if self.kind is PeriodKind.CUSTOM:
            return f"custom-{self.start.isoformat()}-{self.end.isoformat()}"
        return f"{self.kind.value}-{self.start.year}-{self.number}"

    @classmethod
    def from_code(cls, code: str | None) -> Period | None:
        """The period a :attr:`code` names, or None for anything else."""
        parts = (code or "").split("-")
        try:
            if parts[0] == "custom" and len(parts) == 7:
                return cls.custom(date(*map(int, parts[1:4])), date(*map(int, parts[4:7])))
            if len(parts) == 3 and parts[0] in {kind.value for kind in PeriodKind}:
                return cls.numbered(PeriodKind(parts[0]), int(parts[1]), int(parts[2]))
        except (ValueError, ValidationError):
            return None
        return None

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "label": self.label}


def periods_ending_on(day: date) -> list[Period]:
    """The month, quarter, half-year and year periods whose last day is ``day``."""
    found = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR):
        period = Period.containing(kind, day)
        if period.end == day:
            found.append(period)
    return found
