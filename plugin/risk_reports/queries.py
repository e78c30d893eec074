"""Reading risk reports. Published for other features: :func:`has_open_report` and
:func:`open_report_worker_ids` (hardship aid puts such families first)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, func, select

from ..access.scope import Scope
from ..core.db import session
from ..core.pagination import Page, paginate
from ..org.models import OrgKind, OrgUnit
from ..org.queries import get_root_unit, in_subtrees
from . import rules
from .models import ReportStatus, RiskEscalation, RiskFollowUp, RiskNotice, RiskReport

PER_PAGE = 50


def get_report(report_id: int) -> RiskReport | None:
    return session.get(RiskReport, report_id)


def has_open_report(worker_id: int) -> bool:
    """Published: is a case about one of this worker's children open?"""
    return bool(open_report_worker_ids([worker_id]))


def open_report_worker_ids(worker_ids: Iterable[int]) -> set[int]:
    """Published: which of these workers have a case about their child open."""
    ids = list(worker_ids)
    if not ids:
        return set()
    return set(session.scalars(select(RiskReport.worker_id).where(
        RiskReport.worker_id.in_(ids), RiskReport.status == ReportStatus.OPEN)))


def case_page(scope: Scope, now: datetime, *, status: ReportStatus | None = None,
              page: int = 1) -> Page:
    """Cases of ``scope``, open first (then the latest raised), each row ``(report, overdue)``.
    Two queries: the unit comes joined."""
    overdue = rules.overdue_condition(now).label("overdue")
    statement = select(RiskReport, overdue).where(scope.contains_unit_id(RiskReport.org_unit_id))
    if status is not None:
        statement = statement.where(RiskReport.status == status)
    statement = statement.order_by(case((RiskReport.status == ReportStatus.OPEN, 0), else_=1),
                                   RiskReport.raised_at.desc(), RiskReport.id.desc())
    return paginate(statement, page, PER_PAGE, scalars=False)


def status_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """Open and closed cases of ``scope``, and the open ones overdue."""
    row = session.execute(select(
        func.count().filter(RiskReport.status == ReportStatus.OPEN),
        func.count().filter(RiskReport.status == ReportStatus.CLOSED),
        func.count().filter(rules.overdue_condition(now)))
        .where(scope.contains_unit_id(RiskReport.org_unit_id))).one()
    return {"open": row[0], "closed": row[1], "overdue": row[2]}


def notices_of(report_id: int) -> list[RiskNotice]:
    return list(session.scalars(select(RiskNotice).where(RiskNotice.report_id == report_id)
                                .order_by(RiskNotice.notified_at, RiskNotice.id)))


def follow_ups_of(report_id: int) -> list[RiskFollowUp]:
    return list(session.scalars(select(RiskFollowUp).where(RiskFollowUp.report_id == report_id)
                                .order_by(RiskFollowUp.occurred_at, RiskFollowUp.id)))


def escalations_of(report_id: int) -> list[RiskEscalation]:
    return list(session.scalars(select(RiskEscalation)
                                .where(RiskEscalation.report_id == report_id)
                                .order_by(RiskEscalation.escalated_at, RiskEscalation.id)))


def latest_follow_up_at(report_id: int) -> datetime | None:
    return session.scalar(select(func.max(RiskFollowUp.occurred_at))
                          .where(RiskFollowUp.report_id == report_id))


def reports_of_reporter(index: str) -> list[RiskReport]:
    """A reporter's own (not anonymous) reports, newest first, by their blind index."""
    return list(session.scalars(select(RiskReport).where(RiskReport.reporter_index == index)
                                .order_by(RiskReport.raised_at.desc(), RiskReport.id.desc())))


def company_sites() -> list[OrgUnit]:
    """Every site of the company, in the tree's order (where a concern may be sent)."""
    root = get_root_unit()
    if root is None:
        return []
    return list(session.scalars(select(OrgUnit).where(
        OrgUnit.kind == OrgKind.SITE, in_subtrees(OrgUnit.path, [root.path]))
        .order_by(OrgUnit.path)))
