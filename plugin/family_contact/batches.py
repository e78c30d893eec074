"""Carrier batches: a month's grants sent to a carrier in its file, and its answer read back.

**Export.** :func:`export_batch` takes the month's grants that are still *granted* (not yet in a
batch), whose policy names the carrier, of the workers of a unit's subtree, and puts them in one
new batch (status *exported*, ``batch_id`` set) with a single conditional ``UPDATE``: two
officers exporting at once never put a grant in two batches (the second finds it exported). A
grant without a phone number (neither when granted nor on the roster now) is left out and stays
granted: the page lists it as needing a phone. The file is written by the carrier's registered
format (:mod:`.carriers`) and can be downloaded again at any time: it is made again from the
batch's grants (:func:`batch_file`), each download audited (the file holds phone numbers).

**Impact assessment.** A batch file carries workers' phone numbers to the carrier, a third party:
exporting one names a current impact assessment for carriers covering the unit and the purpose
(:mod:`plugin.privacy.assessments`, PIPL Art. 55); without them nothing is exported and the form
says why, and a batch made is tied to them by an export record.

**Results.** :func:`import_results` reads the carrier's result file and checks every row before
anything changes: a row without a line id, with a line id that is not one of this batch's lines
(unknown, or another batch's: the same words), named twice, with a status the carrier's format
does not know, a failure without a reason, or a failure of a line already credited, refuses the
whole file (:class:`ResultsRefused` names each row, column and reason) and nothing changes. Then
each line becomes *credited* or *failed* (with the reason) and ``result_at`` is set. A line
already in the state the file gives is left as it is, so importing the same file twice changes
nothing the second time; a later file may credit a line that failed (the carrier retried it).
The failures are listed for follow-up (:mod:`.allowance_queries`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit.services import record_event
from ..core.clock import local_today, utcnow
from ..core.db import lock_rows, session
from ..core.errors import CareBridgeError, ErrorList, InputInvalid, ValidationError, bilingual
from ..core.host import Actor
from ..core.i18n import N_
from ..core.text import clean_free_text
from ..core.uploads import UploadKind, check_upload
from ..org.models import OrgUnit
from ..org.queries import unit_id_in_subtrees
from ..privacy import assessments
from ..privacy.assessments_models import RecipientKind
from ..registry.models import Worker
from .carriers import (
    CREDITED,
    FAILED,
    LINE_ID,
    REASON,
    STATUS,
    BatchLine,
    CarrierFormat,
    ResultRow,
    carrier_format,
    carrier_label,
)
from .models import AllowanceGrant, AllowancePolicy, CarrierBatch, GrantStatus

#: What a batch export sends out, for its impact assessment.
CARRIER_EXPORT = assessments.ExportKind("family_contact.carrier_batch", _l("运营商批量赠送文件"),
                                        (RecipientKind.CARRIER,))
BATCH_EXPORTED = "family_contact.batch_exported"
BATCH_DOWNLOADED = "family_contact.batch_downloaded"
RESULTS_IMPORTED = "family_contact.results_imported"
#: Largest result file taken.
MAX_RESULT_BYTES = 20 * 1024 * 1024
#: Longest failure reason kept (the column's length).
REASON_MAX = 300
#: The field of an error about the whole file.
FILE_FIELD = "file"

MONTH_REQUIRED = N_("请选择月份")
CARRIER_REQUIRED = N_("请选择运营商")
UNIT_REQUIRED = N_("请选择单位")
NOTHING_TO_EXPORT = N_("%(month)s 没有待报送%(carrier)s的发放记录")
ALL_NEED_PHONE = N_("%(month)s 待报送%(carrier)s的 %(count)s 条发放记录都没有手机号码：请先在"
                    "花名册中补上")
FORMAT_MISSING = N_("系统中没有运营商“%(code)s”的文件格式，请联系管理员")
NO_ROWS = N_("结果文件中没有数据行")
LINE_REQUIRED = N_("请填写业务流水号")
DUPLICATE = N_("业务流水号 %(line)s 在第 %(first)s 行已经出现过")
NOT_IN_BATCH = N_("本批次中没有业务流水号 %(line)s（是否上传了其他批次的结果文件？）")
STATUS_REQUIRED = N_("请填写处理结果：%(words)s")
STATUS_UNKNOWN = N_("无法识别的处理结果“%(value)s”：应为%(words)s")
REASON_REQUIRED = N_("失败的记录请填写失败原因")
ALREADY_CREDITED = N_("业务流水号 %(line)s 已经到账，不能改为失败")


class ResultsRefused(InputInvalid):
    """The result file has bad rows (or cannot be read): nothing changed. ``errors`` names each,
    by row and column."""


@dataclass
class ExportOutcome:
    batch: CarrierBatch
    #: Grants of the month and carrier left out for want of a phone number.
    needing_phone: int


@dataclass
class ImportOutcome:
    rows: int = 0
    credited: int = 0
    failed: int = 0
    #: Lines that had failed and are now credited.
    retried: int = 0
    #: Rows whose line already was as the file says.
    unchanged: int = 0


@dataclass(frozen=True)
class BatchFile:
    content: bytes
    content_type: str
    filename: str
    ascii_filename: str


def _expire_grants() -> None:
    """Grants this session holds are read again after an UPDATE statement changed them."""
    for held in list(session.identity_map.values()):
        if isinstance(held, AllowanceGrant):
            session.expire(held)


# -- export --------------------------------------------------------------------------------------

def _phone_now():
    """SQL: the grant's phone, else the worker's on the roster now (None when neither)."""
    roster = select(func.nullif(Worker.phone, "")).where(
        Worker.id == AllowanceGrant.worker_id).scalar_subquery()
    return func.coalesce(func.nullif(AllowanceGrant.phone, ""), roster)


def _waiting(month: date, carrier: str, unit: OrgUnit) -> list:
    """SQL conditions: the month's grants not yet sent, of the carrier's policies, in the
    subtree of ``unit``."""
    return [AllowanceGrant.month == month, AllowanceGrant.status == GrantStatus.GRANTED,
            AllowanceGrant.batch_id.is_(None),
            AllowanceGrant.policy_id.in_(select(AllowancePolicy.id).where(
                AllowancePolicy.carrier == carrier)),
            unit_id_in_subtrees(AllowanceGrant.org_unit_id, [unit.path])]


def export_batch(month: date | None, carrier: str | None, unit: OrgUnit | None,
                 actor: Actor, *, assessment_id: int | None,
                 purpose: str | None) -> ExportOutcome:
    """A new batch of the month's grants for ``carrier`` in the subtree of ``unit`` (see the
    module), relying on the impact assessment ``assessment_id`` for ``purpose``;
    :class:`~plugin.core.errors.InputInvalid` when there is nothing to send or no assessment
    holds."""
    today = local_today()
    errors: list[CareBridgeError] = []
    if month is None or month.day != 1:
        errors.append(ValidationError(MONTH_REQUIRED, field="month"))
    if not carrier:
        errors.append(ValidationError(CARRIER_REQUIRED, field="carrier"))
    elif carrier_format(carrier) is None:
        errors.append(ValidationError(FORMAT_MISSING, field="carrier", code=carrier))
    if unit is None:
        errors.append(ValidationError(UNIT_REQUIRED, field="unit"))
    basis = assessments.check_export(CARRIER_EXPORT, assessment_id, purpose, unit=unit,
                                     today=today)
    errors += basis.errors
    InputInvalid.raise_if_any(errors)
    phone = _phone_now()
    with session.begin_nested():  # a batch that would be empty is rolled back with its row
        batch = CarrierBatch(org_unit_id=unit.id, month=month, carrier=carrier, lines=0,
                             exported_by=actor.key[:100])
        session.add(batch)
        session.flush()
        result = session.execute(
            update(AllowanceGrant).where(*_waiting(month, carrier, unit), phone.is_not(None))
            .values(status=GrantStatus.EXPORTED, batch_id=batch.id, phone=phone)
            .execution_options(synchronize_session=False))
        _expire_grants()
        batch.lines = result.rowcount
        needing = session.scalar(select(func.count()).select_from(AllowanceGrant).where(
            *_waiting(month, carrier, unit)))
        if not batch.lines:
            words = {"month": month.strftime("%Y-%m"), "carrier": carrier_label(carrier)}
            if needing:
                raise ValidationError(ALL_NEED_PHONE, field="month", count=needing, **words)
            raise ValidationError(NOTHING_TO_EXPORT, field="month", **words)
    session.flush()
    record_event(BATCH_EXPORTED, actor, target_type="contact_batch", target_id=batch.id,
                 org_unit_id=unit.id, details={
                     "contact_month": f"{month:%Y-%m}", "contact_carrier": carrier,
                     "contact_lines": batch.lines, "contact_needing_phone": needing})
    assessments.record_export(basis, CARRIER_EXPORT, unit=unit, people=batch.lines, actor=actor,
                              today=today, reference=f"contact_batch:{batch.id}",
                              file_format=carrier_format(carrier).file_type.extensions[0]
                              .lstrip("."))
    return ExportOutcome(batch, needing)


def batch_lines(batch: CarrierBatch) -> list[BatchLine]:
    """The batch's lines, in the order of the grants."""
    return [BatchLine(line_id=line_id, phone=phone or "", minutes=minutes, data_mb=data_mb,
                      month=month)
            for line_id, phone, minutes, data_mb, month in session.execute(
                select(AllowanceGrant.line_id, AllowanceGrant.phone, AllowanceGrant.minutes,
                       AllowanceGrant.data_mb, AllowanceGrant.month)
                .where(AllowanceGrant.batch_id == batch.id).order_by(AllowanceGrant.id))]


def _format_of(batch: CarrierBatch) -> CarrierFormat:
    fmt = carrier_format(batch.carrier)
    if fmt is None:
        raise ValidationError(FORMAT_MISSING, field=FILE_FIELD, code=batch.carrier)
    return fmt


def batch_file(batch: CarrierBatch, actor: Actor) -> BatchFile:
    """The batch's file, made again from its grants; the download is audited."""
    fmt = _format_of(batch)
    content = fmt.write_batch(batch_lines(batch))
    ending = fmt.file_type.extensions[0]
    record_event(BATCH_DOWNLOADED, actor, target_type="contact_batch", target_id=batch.id,
                 details={"contact_month": f"{batch.month:%Y-%m}",
                          "contact_carrier": batch.carrier, "contact_lines": batch.lines})
    month = batch.month.strftime("%Y%m")
    name = _("%(carrier)s亲情通话%(month)s第%(batch)s批", carrier=carrier_label(batch.carrier),
             month=month, batch=batch.id)
    return BatchFile(content, fmt.file_type.content_type, name + ending,
                     f"carebridge-{batch.carrier}-{month}-batch-{batch.id}{ending}")


def batch_unit(batch: CarrierBatch) -> OrgUnit | None:
    """The unit the batch was exported for: who may see and act on it is decided on it."""
    return batch.org_unit


def get_batch(batch_id: int) -> CarrierBatch | None:
    return session.get(CarrierBatch, batch_id)


# -- results -------------------------------------------------------------------------------------

def column_label(fmt: CarrierFormat | None, code: str):
    """The column an error names: the header in the carrier's file (or the file itself)."""
    if code == FILE_FIELD or fmt is None:
        return _l("文件")
    return fmt.columns.get(code, code)


def describe(errors: ErrorList, fmt: CarrierFormat | None) -> list[dict]:
    """Each error as the page lists it: its row, its column and the reason, in both languages."""
    return [{"row": error.row,
             "column": bilingual(lambda error=error: column_label(fmt, error.field))
             if error.field else "",
             "reason": error.bilingual()} for error in errors]


def _read(fmt: CarrierFormat, data: bytes | None, filename: str | None) -> list[ResultRow]:
    kind = UploadKind((fmt.file_type,), _l("运营商结果文件"), _l("结果文件"),
                      fmt.file_type.extensions[0].lstrip(".").upper())
    try:
        check_upload(data, kind, max_bytes=MAX_RESULT_BYTES, filename=filename,
                     field=FILE_FIELD)
        rows = fmt.read_results(data)
    except CareBridgeError as error:
        raise ResultsRefused([ValidationError(error.message, field=FILE_FIELD,
                                              **error.params)]) from None
    if not rows:
        raise ResultsRefused([ValidationError(NO_ROWS, field=FILE_FIELD)])
    return rows


def _check_row(row: ResultRow, lines: dict, seen: dict[str, int], fmt: CarrierFormat,
               errors: list[CareBridgeError]):
    """The change a good row asks for, ``(grant id, outcome, reason)``; None when it is bad (the
    errors added) or asks for nothing new."""
    found = len(errors)
    line = lines.get(row.line_id) if row.line_id else None
    if not row.line_id:
        errors.append(ValidationError(LINE_REQUIRED, field=LINE_ID, row=row.row))
    elif row.line_id in seen:
        errors.append(ValidationError(DUPLICATE, field=LINE_ID, row=row.row, line=row.line_id,
                                      first=seen[row.line_id]))
    else:
        seen[row.line_id] = row.row
        if line is None:
            errors.append(ValidationError(NOT_IN_BATCH, field=LINE_ID, row=row.row,
                                          line=row.line_id))
    if row.outcome is None:
        errors.append(ValidationError(STATUS_UNKNOWN, field=STATUS, row=row.row,
                                      value=row.status_text, words=fmt.status_words)
                      if row.status_text else
                      ValidationError(STATUS_REQUIRED, field=STATUS, row=row.row,
                                      words=fmt.status_words))
    reason = clean_free_text(row.reason)
    reason = reason[:REASON_MAX] if reason else None
    if row.outcome == FAILED and not reason:
        errors.append(ValidationError(REASON_REQUIRED, field=REASON, row=row.row))
    if line is None or len(errors) > found:
        return None
    grant_id, status, failure_reason = line
    if row.outcome == FAILED and status == GrantStatus.CREDITED:
        errors.append(ValidationError(ALREADY_CREDITED, field=STATUS, row=row.row,
                                      line=row.line_id))
        return None
    if row.outcome == CREDITED:
        return None if status == GrantStatus.CREDITED else (grant_id, CREDITED, None, status)
    if status == GrantStatus.FAILED and failure_reason == reason:
        return None
    return grant_id, FAILED, reason, status


def import_results(batch: CarrierBatch, data: bytes | None, actor: Actor, *,
                   filename: str | None = None) -> ImportOutcome:
    """Read the carrier's result file for ``batch`` and record it, all or nothing (see the
    module)."""
    fmt = carrier_format(batch.carrier)
    if fmt is None:
        raise ResultsRefused([ValidationError(FORMAT_MISSING, field=FILE_FIELD,
                                              code=batch.carrier)])
    rows = _read(fmt, data, filename)
    lock_rows(CarrierBatch, [batch.id])  # two imports of one batch run one after the other
    lines = {line_id: (grant_id, status, reason) for grant_id, line_id, status, reason in
             session.execute(select(AllowanceGrant.id, AllowanceGrant.line_id,
                                    AllowanceGrant.status, AllowanceGrant.failure_reason)
                             .where(AllowanceGrant.batch_id == batch.id))}
    errors: list[CareBridgeError] = []
    seen: dict[str, int] = {}
    changes = []
    outcome = ImportOutcome(rows=len(rows))
    for row in rows:
        change = _check_row(row, lines, seen, fmt, errors)
        if change is not None:
            changes.append(change)
    if errors:
        raise ResultsRefused(errors)
    outcome.unchanged = len(rows) - len(changes)
    now = utcnow()
    values = []
    for grant_id, result, reason, before in changes:
        if result == CREDITED:
            outcome.credited += 1
            outcome.retried += before == GrantStatus.FAILED
        else:
            outcome.failed += 1
        values.append({"id": grant_id, "result_at": now, "failure_reason": reason,
                       "status": GrantStatus.CREDITED if result == CREDITED
                       else GrantStatus.FAILED})
    if values:
        session.execute(update(AllowanceGrant), values)
        _expire_grants()
        batch.results_imported_at = now
        session.flush()
    record_event(RESULTS_IMPORTED, actor, target_type="contact_batch", target_id=batch.id,
                 details={"contact_month": f"{batch.month:%Y-%m}",
                          "contact_carrier": batch.carrier, "contact_rows": outcome.rows,
                          "contact_credited": outcome.credited, "contact_failed": outcome.failed,
                          "contact_retried": outcome.retried,
                          "contact_unchanged": outcome.unchanged})
    return outcome
