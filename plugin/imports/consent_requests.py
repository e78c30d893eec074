"""Asking guardians for consent after an import ("请监护人确认同意"): a notice on the phone of each
active worker of the import's unit whose child under 14 has no guardian's consent, pointing to
"我的子女" (``/w/children/``) where the notice is read and consent given."""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from ..core.db import session
from ..core.host import Actor
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.consent import needs_consent
from ..registry.models import Child, ChildConsent, ChildParent, EmploymentStatus, Worker
from ..worker_notices.messages import GUARDIAN_CONSENT
from ..worker_notices.services import SendOutcome, send_notices


def parents_awaiting_consent(unit: OrgUnit, *, scope_paths: list[str], today: date) -> list[int]:
    """Ids of the active workers in ``unit``'s subtree (and in ``scope_paths``) who are parents
    of a child under 14 (or of unknown age) without an active consent."""
    rows = session.execute(
        select(ChildParent.worker_id, Child.birth_date)
        .join(Child, Child.id == ChildParent.child_id)
        .join(Worker, Worker.id == ChildParent.worker_id)
        .join(OrgUnit, OrgUnit.id == Worker.org_unit_id)
        .where(OrgUnit.path.startswith(unit.path, autoescape=True),
               in_subtrees(OrgUnit.path, scope_paths),
               Worker.employment_status == EmploymentStatus.ACTIVE,
               ~exists().where(ChildConsent.child_id == Child.id,
                               ChildConsent.withdrawn_at.is_(None)))).all()
    return sorted({worker_id for worker_id, born in rows if needs_consent(born, today)})


def ask_for_consent(worker_ids: list[int], *, actor: Actor, unit: OrgUnit,
                    job_id: int | None = None) -> SendOutcome:
    return send_notices(worker_ids, GUARDIAN_CONSENT, None,
                        ("carebridge.worker_children.mine", {}), actor, org_unit_id=unit.id,
                        audit_details={"import_job": job_id} if job_id else None)
