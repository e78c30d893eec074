"""Members, services and commendations for the care-team tests, made through the real services
(:mod:`plugin.care_team.members`, :mod:`~plugin.care_team.service_records`,
:mod:`~plugin.care_team.commendations`), so records are valid and audited as in production::

    member = add_member(site, kind=MemberKind.VOLUNTEER)        # joined 100 days ago
    service = record_service(worker, [member])                  # counselling, yesterday
    nominated = nominate_guardian(worker)                       # a model guardian
"""
from __future__ import annotations

from datetime import date, timedelta

from plugin.access.scope import Scope
from plugin.care_team import commendations, members, service_records
from plugin.care_team.models import CommendationCategory, MemberKind, ServiceKind
from plugin.core.host import Actor

from .conftest import SYSTEM

#: The ``clock`` fixture's today (2026-11-22, Shanghai).
TODAY = date(2026, 11, 22)


def actor_of(user) -> Actor:
    """A portal user as the services' actor."""
    return Actor(key=user.key, name=user.display_name)


def member_input(unit, **overrides) -> members.MemberInput:
    values = dict(unit=unit, kind=MemberKind.VOLUNTEER, name="周小燕",
                  joined_on=TODAY - timedelta(days=100), specialties="课业辅导",
                  available_days=(6, 7), availability_note="周末", phone="13800138000")
    values.update(overrides)
    return members.MemberInput(**values)


def add_member(unit, *, actor: Actor = SYSTEM, scope: Scope | None = None, **overrides):
    return members.add_member(member_input(unit, **overrides), scope=scope or Scope.company(),
                              actor=actor, today=TODAY)


def service_input(providers, **overrides) -> service_records.ServiceInput:
    values = dict(kind=ServiceKind.COUNSELLING, occurred_on=TODAY - timedelta(days=1),
                  member_ids=[member.id for member in providers],
                  description="孩子想念父母，进行了一次心理疏导", outcome="情绪好转")
    values.update(overrides)
    return service_records.ServiceInput(**values)


def record_service(worker, providers, *, actor: Actor = SYSTEM, **overrides):
    return service_records.record_service(worker, service_input(providers, **overrides),
                                          actor=actor, today=TODAY)


def nominate_guardian(worker, *, actor: Actor = SYSTEM, scope: Scope | None = None,
                      **overrides):
    values = dict(category=CommendationCategory.MODEL_GUARDIAN, awarding_body="集团工会",
                  nominated_on=TODAY - timedelta(days=20),
                  reason="每周与孩子视频通话，按时参加家长学校",
                  employee_number=worker.employee_number)
    values.update(overrides)
    return commendations.nominate(commendations.NominationInput(**values),
                                  scope=scope or Scope.company(), actor=actor, today=TODAY)


def award(commendation, *, actor: Actor = SYSTEM, awarded_on: date | None = None):
    return commendations.decide(commendation, commendations.AWARD,
                                awarded_on=awarded_on or TODAY - timedelta(days=2), note=None,
                                actor=actor, today=TODAY)
