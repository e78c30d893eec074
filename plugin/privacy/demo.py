"""Correction requests of the demo company (``carebridge seed-demo``), made through the
services: two workers of the first site asked on their phones, one answered (the record was
corrected) and one still waiting for HR."""
from __future__ import annotations

from ..access.queries import grants_for_users
from ..core.features import DemoContext
from ..org.models import OrgKind
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, search_workers
from ..worker_access.services import worker_actor
from . import corrections

#: (the record, what is wrong, what is right, what HR changed — None: still waiting).
REQUESTS = (
    ("大女儿的学校", "学校写的是镇中心小学", "已转到县第二实验小学读四年级",
     "已把学校改为县第二实验小学，年级改为四年级"),
    ("我的手机号码", "登记的是旧号码 138****0000", "现在用的是 139****6655", None),
)


def load(context: DemoContext) -> None:
    hr = context.accounts.get("hrofficer", context.actor)
    # Workers where the demo's HR officer answers requests (the units of their grants).
    unit_ids = {grant.org_unit_id for grant in grants_for_users([hr.key])[hr.key]}
    scope = [unit.path for unit in context.units.values() if unit.id in unit_ids] or \
        [unit.path for unit in context.units.values() if unit.kind == OrgKind.SITE]
    if not scope:
        return
    workers = search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE), scope_paths=scope,
                             per_page=10).items
    for worker, (record, wrong, right, changed) in zip(workers, REQUESTS, strict=False):
        request = corrections.ask(worker, record=record, wrong=wrong, right=right,
                                  actor=worker_actor(worker))
        if changed:
            corrections.mark_made(request, changed=changed, actor=hr)
