"""Funds and their books: opening and closing a fund, recording income (a company allocation or
a donation), reversing an entry made by mistake, and the reads of the fund pages.

Each service checks everything first, then moves money through :mod:`plugin.aid.ledger` (the
only code that does), flushes and audits; the caller commits.

*Who sees a fund*: a fund belongs to a unit (the company's special fund to the top unit, a
site's union fund to the site). It is seen by those who see aid in its unit's subtree, and by
those whose subtree it covers from above (a site's officers see the company's fund their
families are paid from). Only those holding :data:`~.permissions.AID_FUNDS` on the fund's own
unit keep its books.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import lock_rows, session
from ..core.errors import ErrorList, InputInvalid, ValidationError
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import MAX_FEN, format_yuan
from ..core.pagination import Page, paginate
from ..core.text import clean_code, clean_free_text
from ..org.models import OrgUnit
from ..org.queries import in_subtrees
from . import ledger
from .models import (
    AID_REASON_LABELS,
    UNRESTRICTED,
    AidApplication,
    AidFund,
    AidReason,
    ApplicationStatus,
    EntryKind,
    FundBalance,
    FundKind,
    LedgerEntry,
)

NAME_MAX = 100
KEEPER_MAX = 100
DONOR_MAX = 100
RECEIPT_MAX = 64
NOTE_MAX = 300
LEDGER_PAGE_SIZE = 50

NEED_UNIT = N_("请选择基金所属单位")
NEED_NAME = N_("请填写基金名称")
NAME_TAKEN = N_("%(unit)s已有名为“%(name)s”的基金")
NEED_FUND_KIND = N_("请选择基金类型")
ALREADY_CLOSED = N_("%(fund)s已经关闭")
NEED_CLOSE_REASON = N_("请写明关闭原因")
STILL_RESERVED = N_("%(fund)s还有 %(amount)s 元已批准待发放的救助，发放或撤销后才能关闭")
STILL_PAYING = N_("还有 %(count)s 户按月救助从%(fund)s发放，结案后才能关闭")
NEED_INCOME_KIND = N_("请选择收入类型（拨款或捐赠）")
NEED_AMOUNT = N_("请填写金额（大于 0 元）")
AMOUNT_TOO_LARGE = N_("金额不能超过 %(max)s 元")
NEED_BOOKED_ON = N_("请填写入账日期")
BOOKED_IN_FUTURE = N_("入账日期不能晚于今天")
NEED_PURPOSE = N_("请选择资金用途")
NEED_DONOR = N_("捐赠请填写捐赠人")
NEED_RECEIPT = N_("捐赠请填写收据编号")
RECEIPT_TAKEN = N_("收据编号 %(receipt)s 已在%(fund)s登记过（第 %(entry)s 号流水）")

#: Kinds of income :func:`record_income` takes.
INCOME_KINDS = ledger.INCOME_KINDS
#: Purposes money may be given for, in the order pages list them.
PURPOSES = (UNRESTRICTED, *(reason.value for reason in AidReason))


def purpose_label(purpose: str):
    """"不限用途" for unrestricted money, the reason's label for restricted money."""
    if purpose == UNRESTRICTED:
        return ledger.PURPOSE_LABEL_GENERAL
    try:
        return AID_REASON_LABELS[AidReason(purpose)]
    except ValueError:
        return purpose


def is_reversible(entry: LedgerEntry) -> bool:
    """Kinds that a person may reverse (reservations and releases follow the applications)."""
    return entry.kind in (*INCOME_KINDS, EntryKind.PAYOUT)


# -- who sees which fund --------------------------------------------------------------------------

def _prefixes(path: str) -> list[str]:
    """``/1/4/9/`` → ``/1/``, ``/1/4/``, ``/1/4/9/``: the paths of the unit and its ancestors."""
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[:end]) + "/" for end in range(1, len(parts) + 1)]


def reaches(fund: AidFund, scope: Scope) -> bool:
    """Does ``scope`` see ``fund``: its unit within the scope, or above a unit of it?"""
    if scope.whole_company:
        return True
    path = fund.org_unit.path
    return any(path.startswith(own) or own.startswith(path) for own in scope.paths)


def _reach_condition(scope: Scope):
    if scope.whole_company:
        return true()
    if not scope.paths:
        return false()
    above = sorted({prefix for path in scope.paths for prefix in _prefixes(path)})
    return AidFund.org_unit_id.in_(select(OrgUnit.id).where(or_(
        in_subtrees(OrgUnit.path, list(scope.paths)), OrgUnit.path.in_(above))))


def funds_in(scope: Scope) -> list[AidFund]:
    """The funds ``scope`` sees, open ones first, by unit and name."""
    return list(session.scalars(
        select(AidFund).join(OrgUnit, OrgUnit.id == AidFund.org_unit_id)
        .where(_reach_condition(scope))
        .order_by(AidFund.closed_at.is_not(None), OrgUnit.path, AidFund.name)))


def get_entry(entry_id: int) -> LedgerEntry | None:
    return session.get(LedgerEntry, entry_id)


def balances_of(fund: AidFund) -> list[FundBalance]:
    """The fund's money by purpose: unrestricted first, then the reasons in their order."""
    rows = list(session.scalars(select(FundBalance).where(FundBalance.fund_id == fund.id)))
    order = {purpose: index for index, purpose in enumerate(PURPOSES)}
    rows.sort(key=lambda row: (order.get(row.purpose, len(order)), row.purpose))
    return rows


def ledger_page(fund: AidFund, page: int = 1, per_page: int = LEDGER_PAGE_SIZE) -> Page:
    """The fund's entries, newest first."""
    return paginate(select(LedgerEntry).where(LedgerEntry.fund_id == fund.id)
                    .order_by(LedgerEntry.booked_on.desc(), LedgerEntry.id.desc()),
                    page, per_page)


def reversals_of(entries: Sequence[LedgerEntry]) -> dict[int, LedgerEntry]:
    """For the entries among ``entries`` that were reversed: entry id → its reversal."""
    ids = [entry.id for entry in entries]
    if not ids:
        return {}
    return {entry.reverses_id: entry for entry in session.scalars(
        select(LedgerEntry).where(LedgerEntry.reverses_id.in_(ids)))}


def reversed_kinds(entries: Sequence[LedgerEntry]) -> dict[int, EntryKind]:
    """For the reversals among ``entries``: reversal id → the kind of the entry it undid."""
    original = aliased(LedgerEntry)
    ids = [entry.id for entry in entries if entry.reverses_id is not None]
    if not ids:
        return {}
    return dict(session.execute(
        select(LedgerEntry.id, original.kind).join(original, original.id == LedgerEntry.reverses_id)
        .where(LedgerEntry.id.in_(ids))).all())


# -- opening and closing a fund -------------------------------------------------------------------

def create_fund(unit: OrgUnit | None, name: str | None, kind: FundKind | None,
                keeper: str | None, actor: Actor) -> AidFund:
    """Open a fund of ``unit``; its name is unique within the unit."""
    errors = ErrorList()
    if unit is None:
        errors.add(ValidationError(NEED_UNIT, field="unit"))
    name = errors.collect(lambda: clean_free_text(name, max_length=NAME_MAX, field="name"))
    if not name and not _has(errors, "name"):
        errors.add(ValidationError(NEED_NAME, field="name"))
    if not isinstance(kind, FundKind):
        errors.add(ValidationError(NEED_FUND_KIND, field="kind"))
    keeper = errors.collect(lambda: clean_free_text(keeper, max_length=KEEPER_MAX,
                                                    field="keeper"))
    if unit is not None and name and _name_taken(unit, name):
        errors.add(ValidationError(NAME_TAKEN, field="name", unit=unit.name, name=name))
    InputInvalid.raise_if_any(errors)
    fund = AidFund(org_unit_id=unit.id, name=name, kind=kind, keeper=keeper,
                   created_at=utcnow(), created_by=actor.key)
    try:
        with session.begin_nested():
            session.add(fund)
            session.flush()
    except IntegrityError:  # the same name made at the same moment: the unique key says no
        raise ValidationError(NAME_TAKEN, field="name", unit=unit.name, name=name) from None
    record_event("aid.fund_created", actor, target_type="aid_fund", target_id=fund.id,
                 org_unit_id=unit.id, details={"aid_fund": name, "aid_fund_kind": kind.value,
                                               "aid_keeper": keeper})
    return fund


def _name_taken(unit: OrgUnit, name: str) -> bool:
    return session.scalar(select(AidFund.id).where(AidFund.org_unit_id == unit.id,
                                                   AidFund.name == name)) is not None


def _has(errors: ErrorList, field: str) -> bool:
    return any(error.field == field for error in errors)


def close_fund(fund: AidFund, actor: Actor, *, reason: str | None) -> None:
    """Close a fund: it takes no more income or reservations; its books stay. Refused while
    it still holds money for approved applications or pays recurring aid."""
    lock_rows(AidFund, [fund.id])
    session.refresh(fund)
    if fund.closed_at is not None:
        raise ValidationError(ALREADY_CLOSED, fund=fund.name)
    reason = clean_free_text(reason, max_length=NOTE_MAX, field="reason", multiline=True)
    if not reason:
        raise ValidationError(NEED_CLOSE_REASON, field="reason")
    reserved = ledger.fund_totals([fund.id])[fund.id]["reserved"]
    if reserved:
        raise ValidationError(STILL_RESERVED, fund=fund.name, amount=format_yuan(reserved))
    paying = len(session.scalars(select(AidApplication.id).where(
        AidApplication.fund_id == fund.id, AidApplication.status.in_(
            (ApplicationStatus.APPROVED, ApplicationStatus.PAYING)))).all())
    if paying:
        raise ValidationError(STILL_PAYING, fund=fund.name, count=paying)
    fund.closed_at = utcnow()
    session.flush()
    totals = ledger.fund_totals([fund.id])[fund.id]
    record_event("aid.fund_closed", actor, target_type="aid_fund", target_id=fund.id,
                 org_unit_id=fund.org_unit_id,
                 details={"aid_fund": fund.name, "aid_reason_text": reason,
                          "aid_available_fen": totals["available"]})


# -- income and reversals -------------------------------------------------------------------------

def record_income(fund: AidFund, kind: EntryKind | None, amount_fen: int | None,
                  booked_on: date | None, purpose: str | None, donor: str | None,
                  receipt_number: str | None, note: str | None, actor: Actor) -> LedgerEntry:
    """Money in: a company (or union) allocation, or a donation (donor and receipt number
    required), unrestricted or given for one purpose (an :class:`AidReason` value)."""
    errors = ErrorList()
    if fund.closed_at is not None:
        errors.add(ValidationError(ledger.FUND_CLOSED, fund=fund.name))
    if kind not in INCOME_KINDS:
        errors.add(ValidationError(NEED_INCOME_KIND, field="kind"))
    if not amount_fen or amount_fen <= 0:
        errors.add(ValidationError(NEED_AMOUNT, field="amount_fen"))
    elif amount_fen > MAX_FEN:
        errors.add(ValidationError(AMOUNT_TOO_LARGE, field="amount_fen",
                                   max=format_yuan(MAX_FEN, grouping=True)))
    if booked_on is None:
        errors.add(ValidationError(NEED_BOOKED_ON, field="booked_on"))
    elif booked_on > local_today():
        errors.add(ValidationError(BOOKED_IN_FUTURE, field="booked_on"))
    if purpose not in PURPOSES:
        errors.add(ValidationError(NEED_PURPOSE, field="purpose"))
    donor = errors.collect(lambda: clean_free_text(donor, max_length=DONOR_MAX, field="donor"))
    receipt_number = errors.collect(lambda: clean_code(receipt_number, max_length=RECEIPT_MAX,
                                                       field="receipt_number"))
    note = errors.collect(lambda: clean_free_text(note, max_length=NOTE_MAX, field="note"))
    if kind == EntryKind.DONATION:
        if not donor and not _has(errors, "donor"):
            errors.add(ValidationError(NEED_DONOR, field="donor"))
        if not receipt_number and not _has(errors, "receipt_number"):
            errors.add(ValidationError(NEED_RECEIPT, field="receipt_number"))
    if receipt_number:
        taken = _receipt_entry(fund, receipt_number)
        if taken is not None:
            errors.add(ValidationError(RECEIPT_TAKEN, field="receipt_number",
                                       receipt=receipt_number, fund=fund.name, entry=taken))
    InputInvalid.raise_if_any(errors)
    entry = ledger.receive(fund, kind, amount_fen, booked_on=booked_on, actor=actor,
                           purpose=purpose, donor=donor, receipt_number=receipt_number,
                           note=note)
    record_event("aid.income_recorded", actor, target_type="aid_fund", target_id=fund.id,
                 org_unit_id=fund.org_unit_id,
                 details={"aid_fund": fund.name, "aid_entry": entry.id,
                          "aid_entry_kind": kind.value, "aid_amount_fen": amount_fen,
                          "aid_purpose": purpose, "aid_booked_on": booked_on.isoformat(),
                          "aid_donor": donor, "aid_receipt_number": receipt_number})
    return entry


def _receipt_entry(fund: AidFund, receipt_number: str) -> int | None:
    """The entry of ``fund`` already holding this receipt (and not reversed), if any."""
    reversal = aliased(LedgerEntry)
    return session.scalar(
        select(LedgerEntry.id).outerjoin(reversal, reversal.reverses_id == LedgerEntry.id)
        .where(LedgerEntry.fund_id == fund.id, LedgerEntry.receipt_number == receipt_number,
               LedgerEntry.kind.in_(INCOME_KINDS), reversal.id.is_(None)).limit(1))


def reverse_entry(entry: LedgerEntry, reason: str | None, actor: Actor) -> LedgerEntry:
    """Undo an allocation, a donation or a payout entered by mistake, with a reason. Income
    already spent cannot be reversed; an entry is reversed once."""
    reason = clean_free_text(reason, max_length=NOTE_MAX, field="reason", multiline=True)
    if not reason:
        raise ValidationError(ledger.REASON_NEEDED, field="reason")
    # One reversal of this money at a time: a second waits here, then finds the first.
    lock_rows(FundBalance, [entry.balance_id])
    reversal = ledger.reverse(entry, reason=reason, booked_on=local_today(), actor=actor)
    record_event("aid.entry_reversed", actor, target_type="aid_fund", target_id=entry.fund_id,
                 org_unit_id=entry.fund.org_unit_id,
                 details={"aid_fund": entry.fund.name, "aid_entry": entry.id,
                          "aid_entry_kind": entry.kind.value, "aid_reversal": reversal.id,
                          "aid_amount_fen": entry.amount_fen, "aid_reason_text": reason})
    return reversal
