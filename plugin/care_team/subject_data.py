"""What the care team holds about a worker and their children, for the worker's own-data file
(:mod:`plugin.privacy.subject_data`): the services they received (kind, date, which children,
the outcome as recorded), their membership of the team and their commendations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.db import session
from ..core.features import DataSection
from ..registry.models import Child, Worker
from .models import CareTeamMember, Commendation, CommendationStatus, ServiceChild, ServiceRecord


def subject_data(worker: Worker) -> list[DataSection]:
    sections = []
    services = list(session.scalars(select(ServiceRecord).where(
        ServiceRecord.worker_id == worker.id).order_by(ServiceRecord.occurred_on)))
    if services:
        children: dict[int, list[str]] = {}
        for service_id, name in session.execute(
                select(ServiceChild.service_id, Child.name)
                .join(Child, Child.id == ServiceChild.child_id)
                .where(ServiceChild.service_id.in_([service.id for service in services]))):
            children.setdefault(service_id, []).append(name)
        sections.append(DataSection(_l("接受的关爱服务"), tuple(
            (service.occurred_on, "；".join(part for part in (
                str(service.kind.label), "、".join(children.get(service.id, [])),
                service.outcome or "") if part))
            for service in services)))
    memberships = list(session.scalars(select(CareTeamMember).where(
        CareTeamMember.worker_id == worker.id).order_by(CareTeamMember.joined_on)))
    if memberships:
        sections.append(DataSection(_l("参加关爱服务队伍"), tuple(
            (member.joined_on, f"{member.kind.label}（{member.org_unit.name}）"
             + (f"，至 {member.left_on.isoformat()}" if member.left_on else ""))
            for member in memberships)))
    commendations = list(session.scalars(select(Commendation).where(
        Commendation.worker_id == worker.id,
        Commendation.status == CommendationStatus.AWARDED).order_by(Commendation.decided_on)))
    if commendations:
        sections.append(DataSection(_l("获得的表彰"), tuple(
            (award.decided_on, f"{award.category.label}（{award.awarding_body}）")
            for award in commendations)))
    return sections
