"""The lectures' indicators (declared in their Feature): flows over a period of local days, by
aggregate SQL, counting exactly what the statistics page counts (the definitions and statement
builders of :mod:`plugin.lectures.statistics`).

Sessions, attendances and brochures belong to the unit holding the session; a worker reached
counts under their current unit, wherever the session was held.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core.db import session
from ..core.indicators import FLOW, Indicator, ListPage
from .models import LectureSession
from .periods import period_bounds
from .permissions import LECTURES_VIEW
from .statistics import (
    sessions_held_statement,
    valid_attendances_statement,
    workers_reached_statement,
)


def _count(statement) -> int:
    return session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


def sessions_held(paths: list[str], start: date, end: date) -> int:
    return session.execute(sessions_held_statement(paths, *period_bounds(start, end),
                                                   func.count())).scalar_one()


def sessions_held_records(paths: list[str], start: date, end: date):
    return sessions_held_statement(paths, *period_bounds(start, end))


def attendances(paths: list[str], start: date, end: date) -> int:
    return session.execute(valid_attendances_statement(paths, *period_bounds(start, end),
                                                       func.count())).scalar_one()


def attendances_records(paths: list[str], start: date, end: date):
    return valid_attendances_statement(paths, *period_bounds(start, end))


def workers_reached(paths: list[str], start: date, end: date) -> int:
    return _count(workers_reached_records(paths, start, end))


def workers_reached_records(paths: list[str], start: date, end: date):
    return workers_reached_statement(paths, *period_bounds(start, end))


def brochures_handed_out(paths: list[str], start: date, end: date) -> int:
    total = func.coalesce(func.sum(LectureSession.brochures_handed_out), 0)
    return int(session.execute(sessions_held_statement(paths, *period_bounds(start, end),
                                                       total)).scalar_one())


def brochures_handed_out_records(paths: list[str], start: date, end: date):
    """The sessions held that handed out brochures."""
    return sessions_held_records(paths, start, end).where(LectureSession.brochures_handed_out > 0)


_STATISTICS = ListPage("carebridge.lectures.statistics_page", LECTURES_VIEW, dated=True)

INDICATORS = (
    Indicator("lectures.sessions_held", _l("宣讲场次"), _l("场"),
              _l("期内开始、未取消的宣讲场次，按举办宣讲的单位统计"),
              "indicators:sessions_held", "indicators:sessions_held_records",
              "lecture_session", FLOW,
              list_page=ListPage("carebridge.lectures.index", LECTURES_VIEW, dated=True)),
    Indicator("lectures.attendances", _l("宣讲参加人次"), _l("人次"),
              _l("期内举办的宣讲（未取消）的有效签到人次（作废的签到不计），按举办宣讲的单位统计，"
                 "参加者在哪个单位工作都计入"),
              "indicators:attendances", "indicators:attendances_records", "attendance", FLOW,
              list_page=_STATISTICS),
    Indicator("lectures.workers_reached", _l("宣讲覆盖职工"), _l("人"),
              _l("期内至少有一次有效签到（宣讲未取消，在哪里举办都算）的职工人数，按职工当前所在单位"
                 "统计，每人只计一次"),
              "indicators:workers_reached", "indicators:workers_reached_records", "worker", FLOW,
              list_page=_STATISTICS),
    Indicator("lectures.brochures_handed_out", _l("发放宣传资料"), _l("份资料"),
              _l("期内举办的宣讲（未取消）登记发放的宣传资料份数之和，按举办宣讲的单位统计"),
              "indicators:brochures_handed_out", "indicators:brochures_handed_out_records",
              "lecture_session", FLOW),
)
