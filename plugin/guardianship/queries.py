"""Reads for agreement, contact, follow-up and integrity pages: scoped, paginated, no query per
row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..access.queries import grants_table
from ..access.roles import Role
from ..core.db import session
from ..core.pagination import Page, paginate
from ..core.settings import setting
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from ..registry.models import Child, ChildParent, EmploymentStatus, Worker
from .models import (
    AgreementStatus,
    ContactLog,
    EntrustmentAgreement,
    EntrustmentChild,
    IntegrityEntry,
)

FOLLOW_UP_SETTING = "CAREBRIDGE_CONTACT_FOLLOW_UP_DAYS"
#: Weeks the contact-regularity summary looks back over.
REGULARITY_WEEKS = 12
#: Who is told about workers out of touch: the care team (the role holds GUARDIANSHIP_VIEW).
CARE_TEAM_ROLE = Role.CARE_WORKER


def follow_up_days() -> int:
    """Days without a logged contact after which a worker needs a follow-up."""
    return setting(FOLLOW_UP_SETTING)


def get_agreement(agreement_id: int) -> EntrustmentAgreement | None:
    return session.get(EntrustmentAgreement, agreement_id)


def agreement_by_code(code: str) -> EntrustmentAgreement | None:
    return session.execute(select(EntrustmentAgreement).where(
        EntrustmentAgreement.verification_code == code)).scalar_one_or_none()


def search_agreements(*, scope_paths: list[str], status: AgreementStatus | None = None,
                      search: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Agreements of workers in scope, newest first; search by employee number or name."""
    return paginate(agreements_statement(scope_paths=scope_paths, status=status, search=search),
                    page, per_page)


def agreements_statement(*, scope_paths: list[str], status: AgreementStatus | None = None,
                         search: str | None = None) -> Select:
    """The query of :func:`search_agreements`, unpaginated (the list's export)."""
    statement = (select(EntrustmentAgreement)
                 .join(Worker, EntrustmentAgreement.worker_id == Worker.id)
                 .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
                 .where(in_subtrees(OrgUnit.path, scope_paths))
                 .order_by(EntrustmentAgreement.recorded_at.desc(), EntrustmentAgreement.id.desc()))
    if status is not None:
        statement = statement.where(EntrustmentAgreement.status == status)
    if search:
        statement = statement.where(or_(Worker.employee_number == search.upper(),
                                        Worker.name.contains(search, autoescape=True)))
    return statement


def agreements_of(worker: Worker) -> list[EntrustmentAgreement]:
    """Agreements naming the worker as a parent, newest first."""
    return list(session.execute(select(EntrustmentAgreement).where(or_(
        EntrustmentAgreement.worker_id == worker.id,
        EntrustmentAgreement.other_parent_worker_id == worker.id))
        .order_by(EntrustmentAgreement.recorded_at.desc(), EntrustmentAgreement.id.desc())
    ).scalars())


def current_carers(children: list[Child], today: date) -> dict[int, str]:
    """Child id → who cares for the child now: the carer of a current agreement, else the carer
    in the child's record."""
    carers = {child.id: child.carer_name for child in children if child.carer_name}
    if children:
        rows = session.execute(
            select(EntrustmentChild.child_id, EntrustmentAgreement.carer_name)
            .join(EntrustmentAgreement, EntrustmentChild.agreement_id == EntrustmentAgreement.id)
            .where(EntrustmentChild.child_id.in_([child.id for child in children]),
                   EntrustmentAgreement.status == AgreementStatus.ACTIVE,
                   EntrustmentAgreement.starts_on <= today, EntrustmentAgreement.ends_on >= today))
        carers.update(dict(rows.all()))
    return carers


def contacts_of(worker: Worker, *, page: int = 1, per_page: int = 50) -> Page:
    return paginate(select(ContactLog).where(ContactLog.worker_id == worker.id)
                    .order_by(ContactLog.contact_on.desc(), ContactLog.id.desc()), page, per_page)


def timeline(worker: Worker, *, page: int = 1, per_page: int = 50) -> Page:
    return paginate(select(IntegrityEntry).where(IntegrityEntry.worker_id == worker.id)
                    .order_by(IntegrityEntry.occurred_on.desc(), IntegrityEntry.id.desc()),
                    page, per_page)


@dataclass
class Regularity:
    """How regularly a worker logged contacts: per 7-day window, oldest first, ending today."""

    weeks: list[bool]
    last_contact_on: date | None
    days_since: int | None

    @property
    def weeks_with_contact(self) -> int:
        return sum(self.weeks)


def contact_regularity(worker: Worker, today: date, weeks: int = REGULARITY_WEEKS) -> Regularity:
    since = today - timedelta(days=7 * weeks - 1)
    days = set(session.execute(select(ContactLog.contact_on).distinct().where(
        ContactLog.worker_id == worker.id, ContactLog.contact_on >= since,
        ContactLog.contact_on <= today)).scalars())
    last = session.execute(select(func.max(ContactLog.contact_on)).where(
        ContactLog.worker_id == worker.id)).scalar()
    flags = [any(since + timedelta(days=7 * week + offset) in days for offset in range(7))
             for week in range(weeks)]
    return Regularity(weeks=flags, last_contact_on=last,
                      days_since=(today - last).days if last is not None else None)


def _last_contacts():
    return (select(ContactLog.worker_id, func.max(ContactLog.contact_on).label("last_on"))
            .group_by(ContactLog.worker_id).subquery())


def _needs_follow_up(last, today: date, days: int):
    """Active workers with a left-behind child and no contact logged in the last ``days`` days
    (today included): the last contact is ``days`` or more days ago, or there is none."""
    recent_since = today - timedelta(days=days - 1)
    has_left_behind = exists(
        select(ChildParent.id).join(Child, ChildParent.child_id == Child.id)
        .where(ChildParent.worker_id == Worker.id, Child.left_behind.is_(True)))
    return and_(Worker.employment_status == EmploymentStatus.ACTIVE, has_left_behind,
                or_(last.c.last_on.is_(None), last.c.last_on < recent_since))


def follow_up_statement(*, scope_paths: list[str], today: date, days: int) -> Select:
    """Rows of (worker, last contact date) needing follow-up, longest silence first."""
    last = _last_contacts()
    return (select(Worker, last.c.last_on)
            .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
            .outerjoin(last, last.c.worker_id == Worker.id)
            .where(in_subtrees(OrgUnit.path, scope_paths), _needs_follow_up(last, today, days))
            .order_by(last.c.last_on.asc().nulls_first(), Worker.id))


def follow_up_page(*, scope_paths: list[str], today: date, days: int, page: int = 1,
                   per_page: int = 50) -> Page:
    return paginate(follow_up_statement(scope_paths=scope_paths, today=today, days=days), page,
                    per_page, scalars=False)


def follow_up_counts_by_user(*, today: date, days: int) -> dict[str, int]:
    """Care-team user key → number of workers needing follow-up in the subtrees of their grants
    (a worker is counted once per user, however many grants cover it)."""
    last = _last_contacts()
    grant_unit = aliased(OrgUnit)
    grants = grants_table([CARE_TEAM_ROLE])
    rows = session.execute(
        select(grants.c.user_key, func.count(distinct(Worker.id)))
        .select_from(Worker)
        .join(OrgUnit, Worker.org_unit_id == OrgUnit.id)
        .outerjoin(last, last.c.worker_id == Worker.id)
        .join(grant_unit, OrgUnit.path.startswith(grant_unit.path))
        .join(grants, grants.c.org_unit_id == grant_unit.id)
        .where(_needs_follow_up(last, today, days))
        .group_by(grants.c.user_key))
    return dict(rows.all())
