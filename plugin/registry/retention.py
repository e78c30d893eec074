"""The registry's retention rules (``Feature.retention``, run by :mod:`plugin.privacy.retention`).

A worker's or child's row is never deleted: figures of past periods count it (workers employed
on a day read the entry and leaving dates and the unit, children read
:mod:`~plugin.registry.history`), sealed filings list its id behind a figure, and other
features' rows point at it. Anonymising blanks what identifies the person and keeps:

* of a child, the columns the children's history copies (unit, sex, birth date, hukou region,
  categories and focus flags) and the facts that decide the categories (who the child lives
  with and where, disability, family poverty, harm, the status phrase of the roster), so that
  recomputing the categories later changes nothing and the history opens no new row;
* of a worker, the dates and unit the workers' figures read, the subcontractor, the hukou
  *province* (campaign figures by province) and the facts the children's categories read
  (employment status, own and other parent's status and capacity). The employee number is
  replaced by ``已清除-<id>``: kept, the HR system could name the person again, and an
  anonymised worker must not be matched by a later roster (a rehired worker gets a new row).

:func:`workers_left_by` is published for other features' rules ("N months after the worker
left").
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import String, cast, exists, func, literal, select

from ..core.clock import utcnow
from ..privacy.purge import ANONYMISED_NAME, anonymise, erase, months_before
from .categories import add_months
from .consent import ERASABLE_CHILD_FIELDS
from .models import (
    Child,
    ChildConsent,
    ChildHeldDetails,
    ChildParent,
    EmploymentStatus,
    Worker,
)

ADULT_MONTHS = 18 * 12


def workers_left_by(day: date):
    """SQL: ids of the workers who left on or before ``day`` (a leaver without a leaving date
    is not among them: nothing says when their retention started)."""
    return select(Worker.id).where(Worker.employment_status == EmploymentStatus.LEFT,
                                   Worker.left_on <= day)


def _child_values() -> dict:
    values = dict.fromkeys(ERASABLE_CHILD_FIELDS)
    values.update(name=ANONYMISED_NAME, name_initials="", id_number_index=None,
                  anonymised_at=utcnow())
    return values


def _anonymise_children(ids, *, dry_run: bool) -> int:
    """Blank the children's personal columns, erase what was held for lack of consent and the
    guardians' names on the consent records (the record of the consent itself stays)."""
    if not dry_run:
        chosen = ids.subquery()
        erase(ChildHeldDetails, select(ChildHeldDetails.id).where(
            ChildHeldDetails.child_id.in_(select(chosen.c.id))), dry_run=False)
        anonymise(ChildConsent, select(ChildConsent.id).where(
            ChildConsent.child_id.in_(select(chosen.c.id)),
            ChildConsent.guardian_name != ANONYMISED_NAME),
            {"guardian_name": ANONYMISED_NAME, "withdrawal_reason": None}, dry_run=False)
    return anonymise(Child, ids, _child_values(), dry_run=dry_run)


def purge_children_of_leavers(today: date, months: int, *, dry_run: bool) -> int:
    """Children every one of whose parents at the company left ``months`` or more ago."""
    left = workers_left_by(months_before(today, months))
    ids = select(Child.id).where(
        Child.anonymised_at.is_(None),
        exists().where(ChildParent.child_id == Child.id),
        ~exists().where(ChildParent.child_id == Child.id, ChildParent.worker_id.not_in(left)))
    return _anonymise_children(ids, dry_run=dry_run)


def purge_adult_children(today: date, months: int, *, dry_run: bool) -> int:
    """Children who turned 18 ``months`` or more ago (born on 29 February: 18 on 1 March)."""
    born_by = add_months(months_before(today, months), -ADULT_MONTHS)
    ids = select(Child.id).where(Child.anonymised_at.is_(None), Child.birth_date <= born_by)
    return _anonymise_children(ids, dry_run=dry_run)


def purge_leavers(today: date, months: int, *, dry_run: bool) -> int:
    """Workers who left ``months`` or more ago: name, ID number, phone, sex and the hukou
    county go; the employee number becomes a placeholder."""
    ids = select(Worker.id).where(Worker.anonymised_at.is_(None),
                                  Worker.id.in_(workers_left_by(months_before(today, months))))
    # NULL stays NULL (NULL || '0000' is NULL in both databases).
    province = func.substr(Worker.hukou_region_code, 1, 2, type_=String) + literal("0000")
    values = {
        "employee_number": literal(f"{ANONYMISED_NAME}-") + cast(Worker.id, String),
        "name": ANONYMISED_NAME, "name_initials": "", "id_number": None,
        "id_number_index": None, "phone": None, "sex": None,
        "hukou_region_code": province,
        "anonymised_at": utcnow(),
    }
    return anonymise(Worker, ids, values, dry_run=dry_run)


__all__ = ["purge_adult_children", "purge_children_of_leavers", "purge_leavers",
           "workers_left_by"]
