"""The risk reports' demo loader (``carebridge seed-demo`` calls it with the demo company): a
closed case with its police report, notices, follow-ups and admonition, an open one in the middle
of its follow-up, and an anonymous one escalated because nobody reported it to the police."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from plugin.access.roles import Role
from plugin.core.db import session
from plugin.core.features import DemoContext
from plugin.guardianship.models import IntegrityEntry
from plugin.org.models import OrgKind
from plugin.risk_reports.demo import load
from plugin.risk_reports.models import (
    ReportStatus,
    RiskEscalation,
    RiskFollowUp,
    RiskNotice,
    RiskReport,
)

from .conftest import SYSTEM
from .risk_reports_support import actor_of


def test_the_demo_loads_a_closed_an_open_and_an_escalated_case(company, make_unit, make_user,
                                                               make_worker, make_child, clock):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="第一工程局")
    site = make_unit(parent=bureau, name="张伟的项目部", responsible_person="张伟")
    accounts = {"site": actor_of(make_user(Role.SITE_MANAGER, site, name="张伟")),
                "care": actor_of(make_user(Role.CARE_WORKER, name="陈静"))}
    for number in range(3):
        worker = make_worker(site, name=f"张伟职工{number}")
        make_child(worker, name=f"张伟孩子{number}", birth_date="2016-01-01")
    load(DemoContext(units={company.name: company, bureau.name: bureau, site.name: site},
                     actor=SYSTEM, today=date(2026, 11, 22), accounts=accounts))
    reports = session.scalars(select(RiskReport).order_by(RiskReport.id)).all()
    closed, open_, escalated = reports
    assert closed.status == ReportStatus.CLOSED and closed.guardianship_neglected
    assert session.scalar(select(func.count()).select_from(RiskNotice)) == 2
    assert session.scalar(select(func.count()).select_from(RiskFollowUp)) == 3
    [entry] = session.scalars(select(IntegrityEntry).where(
        IntegrityEntry.kind == "admonition")).all()
    assert entry.reference_id == closed.id
    assert open_.status == ReportStatus.OPEN and open_.reported_to_police_at is not None
    assert escalated.anonymous and escalated.reporter_key is None
    assert escalated.reported_to_police_at is None and escalated.escalation_level == 2
    assert [row.level for row in session.scalars(select(RiskEscalation))] == [1, 2]
