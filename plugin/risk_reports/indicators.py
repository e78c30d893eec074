"""Risk reports' indicators (declared in its Feature): reports raised, reported to the police (and
within the statutory hours), the median minutes from learning of a danger to the police report,
escalations and closures. Aggregates only: no figure, breakdown or record list names a child or a
reporter. Each is aggregate SQL for organisation subtrees and a period of whole local days (both
ends included) in the company's time zone; a case counts under its responsible site
(``RiskReport.org_unit_id``). Moments are UTC, compared with the UTC bounds of the period's days.
"""
from __future__ import annotations

import enum
import math
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..core.dates import day_bounds
from ..core.db import session
from ..core.indicators import FLOW, Indicator, ListPage
from ..org.queries import unit_id_in_subtrees
from . import rules
from .models import LABELS, EscalationReason, Outcome, RiskEscalation, RiskReport, Situation
from .permissions import RISK_VIEW


class minutes_between(FunctionElement):
    """Minutes from the first UTC moment to the second, a number on either database."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between)
def _minutes_between(element, compiler, **kw):  # PostgreSQL: interval → seconds
    first, second = element.clauses
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(second, **kw)} - "
            f"{compiler.process(first, **kw)})) / 60.0)")


@compiles(minutes_between, "sqlite")
def _minutes_between_sqlite(element, compiler, **kw):  # naive UTC text
    first, second = element.clauses
    return (f"((julianday({compiler.process(second, **kw)}) - "
            f"julianday({compiler.process(first, **kw)})) * 1440.0)")


def _key(value) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


def _grouped(statement) -> dict[str, int]:
    return {_key(key): int(value) for key, value in session.execute(statement)}


def _in_scope(paths: list[str]):
    return unit_id_in_subtrees(RiskReport.org_unit_id, paths)


def _between(column, start: date, end: date):
    since, until = day_bounds(start, end)
    return and_(column >= since, column < until)


def _count(condition) -> int:
    return session.execute(select(func.count()).select_from(RiskReport).where(condition)
                           ).scalar_one()


# -- raised --------------------------------------------------------------------------------------

def _raised(paths, start, end):
    return and_(_in_scope(paths), _between(RiskReport.raised_at, start, end))


def reports_raised(paths: list[str], start: date, end: date) -> int:
    return _count(_raised(paths, start, end))


def reports_raised_records(paths: list[str], start: date, end: date) -> Select:
    return select(RiskReport.id).where(_raised(paths, start, end))


def reports_raised_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = RiskReport.situation.label("key")
    return _grouped(select(key, func.count()).where(_raised(paths, start, end)).group_by(key))


# -- the police report ---------------------------------------------------------------------------

def _reported(paths, start, end):
    return and_(_in_scope(paths), _between(RiskReport.reported_to_police_at, start, end))


_WAIT = minutes_between(RiskReport.learned_at, RiskReport.reported_to_police_at)


def _in_time():
    return rules.police_hours() * 60 >= _WAIT


def reported_to_police(paths: list[str], start: date, end: date) -> int:
    return _count(_reported(paths, start, end))


def reported_to_police_records(paths: list[str], start: date, end: date) -> Select:
    return select(RiskReport.id).where(_reported(paths, start, end))


def reported_in_time(paths: list[str], start: date, end: date) -> int:
    return _count(and_(_reported(paths, start, end), _in_time()))


def reported_in_time_records(paths: list[str], start: date, end: date) -> Select:
    return select(RiskReport.id).where(_reported(paths, start, end), _in_time())


def median_minutes_to_police(paths: list[str], start: date, end: date) -> int:
    waits = select(_WAIT.label("minutes")).where(_reported(paths, start, end)).subquery()
    ranked = select(waits.c.minutes,
                    func.row_number().over(order_by=waits.c.minutes).label("rank"),
                    func.count().over().label("total")).subquery()
    median = session.execute(select(func.avg(ranked.c.minutes)).where(
        ranked.c.rank >= (ranked.c.total + 1) // 2,
        ranked.c.rank <= (ranked.c.total + 2) // 2)).scalar_one()
    return 0 if median is None else math.floor(float(median) + 0.5)


def median_minutes_to_police_records(paths: list[str], start: date, end: date) -> Select:
    return reported_to_police_records(paths, start, end)


# -- escalations ---------------------------------------------------------------------------------

def _escalations(paths, start, end, *columns) -> Select:
    return (select(*columns).select_from(RiskEscalation)
            .join(RiskReport, RiskReport.id == RiskEscalation.report_id)
            .where(_in_scope(paths), _between(RiskEscalation.escalated_at, start, end)))


def escalations(paths: list[str], start: date, end: date) -> int:
    return session.execute(_escalations(paths, start, end, func.count())).scalar_one()


def escalations_records(paths: list[str], start: date, end: date) -> Select:
    return _escalations(paths, start, end, RiskReport.id).distinct()


def escalations_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = RiskEscalation.reason.label("key")
    return _grouped(_escalations(paths, start, end, key, func.count()).group_by(key))


# -- closures ------------------------------------------------------------------------------------

def _closed(paths, start, end):
    return and_(_in_scope(paths), _between(RiskReport.closed_at, start, end))


def closures(paths: list[str], start: date, end: date) -> int:
    return _count(_closed(paths, start, end))


def closures_records(paths: list[str], start: date, end: date) -> Select:
    return select(RiskReport.id).where(_closed(paths, start, end))


def closures_breakdown(paths: list[str], start: date, end: date, by: str) -> dict[str, int]:
    key = RiskReport.outcome.label("key")
    return _grouped(select(key, func.count()).where(_closed(paths, start, end)).group_by(key))


# -- how breakdowns read -------------------------------------------------------------------------

BREAKDOWN_TITLES = {"situation": _l("情况"), "reason": _l("上报原因"), "outcome": _l("结案结果")}
_LABELS = {"situation": LABELS[Situation], "reason": LABELS[EscalationReason],
           "outcome": LABELS[Outcome]}


def describe_breakdown(by: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    labels = {_key(key): str(label) for key, label in _LABELS.get(by, {}).items()}
    return str(BREAKDOWN_TITLES.get(by, by)), labels


_CASES = ListPage("carebridge.risk_reports.index", RISK_VIEW)
_DESCRIBE = "indicators:describe_breakdown"

INDICATORS = (
    Indicator("risk_reports.raised", _l("儿童安全风险报告"), _l("份"),
              _l("报告时间在统计期内的儿童安全风险报告份数（含匿名报告），按负责的项目部或厂区统计。"
                 "可按情况（独自居住或无人照料、失踪、被遗弃、疑似遭受暴力或虐待、严重受伤、自伤自"
                 "残、其他紧急危险）分组。明细为这些报告"),
              "indicators:reports_raised", "indicators:reports_raised_records", "risk_report",
              FLOW, ("situation",), "indicators:reports_raised_breakdown", _DESCRIBE,
              list_page=_CASES),
    Indicator("risk_reports.reported_to_police", _l("已向公安机关报告的风险报告"), _l("份"),
              _l("登记的报警时间在统计期内的风险报告份数，按负责单位统计。明细为这些报告"),
              "indicators:reported_to_police", "indicators:reported_to_police_records",
              "risk_report", FLOW, list_page=_CASES),
    Indicator("risk_reports.reported_in_time", _l("及时报警的风险报告"), _l("份"),
              _l("登记的报警时间在统计期内、且从知道情况到报警不超过规定时限（默认 2 小时，即"
                 "CAREBRIDGE_RISK_POLICE_REPORT_HOURS）的风险报告份数，按负责单位统计；与“已向"
                 "公安机关报告的风险报告”相除即为及时报警的比例。明细为这些报告"),
              "indicators:reported_in_time", "indicators:reported_in_time_records",
              "risk_report", FLOW, list_page=_CASES),
    Indicator("risk_reports.median_minutes_to_police", _l("从知道情况到报警的时间（中位数）"),
              _l("分钟"),
              _l("报警时间在统计期内的风险报告，从报告人知道情况到向公安机关报告相隔分钟数的中位数"
                 "（不是平均数；份数为偶数时取中间两份的平均），四舍五入到整分钟；期内没有报警时为"
                 " 0。按负责单位统计。明细为这些报告"),
              "indicators:median_minutes_to_police", "indicators:median_minutes_to_police_records",
              "risk_report", FLOW, list_page=_CASES),
    Indicator("risk_reports.escalations", _l("风险报告逐级上报"), _l("次"),
              _l("统计期内风险报告因超时未登记报警或超时未跟进而逐级上报的次数（每上报一级算一次），"
                 "按案件的负责单位统计。可按上报原因分组。明细为有上报的报告"),
              "indicators:escalations", "indicators:escalations_records", "risk_report", FLOW,
              ("reason",), "indicators:escalations_breakdown", _DESCRIBE, list_page=_CASES),
    Indicator("risk_reports.closures", _l("结案的风险报告"), _l("份"),
              _l("结案时间在统计期内的风险报告份数，按负责单位统计。可按结案结果分组。明细为这些报告"),
              "indicators:closures", "indicators:closures_records", "risk_report", FLOW,
              ("outcome",), "indicators:closures_breakdown", _DESCRIBE, list_page=_CASES),
)
