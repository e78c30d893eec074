"""Booking: the agent's results imported back, ID numbers revealed to the booking officer, and
what happens after the trip (travelled, no-show, a cancelled ticket and its refund).

**The results file** is the manifest (:mod:`.manifests`) with the agent's columns filled in:
ticket number, carrier, train or coach number, seat and the actual price in yuan. Headers are
matched in Chinese or English, title rows above the header are skipped. Every row is checked
before anything is written, and a file with one bad row stores nothing: the refusal
(:class:`BookingImportRefused`) names each bad row, its column and the reason, in Chinese and
English. A row is bad when its traveller is not one of this campaign's travellers within the
officer's scope (an unknown number, another campaign's, another site's: the same words, so
nothing is told about records outside the scope), when the name is not the traveller's, when the
application is not approved, when the ticket number, carrier, train or coach number or price is
missing, or when the price is not an amount in yuan with at most two decimals (no rounding:
``12.345`` is refused). A row with no ticket columns filled in is a traveller the agent did not
book yet: skipped. A row of an application already booked, with the same ticket, changes
nothing (importing a file again is harmless); with another ticket it is refused.

When every row is good, the travellers get their tickets and each approved application whose
travellers all have one is booked (:func:`.services.book`: the subsidy from the actual prices,
the budget taking the difference); an application the budget cannot take refuses its rows,
and so the whole file.

Seat is optional (coaches and chartered buses often have none).
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access.scope import Scope
from ..audit.services import record_event
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import (
    CareBridgeError,
    ErrorList,
    InputInvalid,
    ValidationError,
    bilingual,
)
from ..core.host import Actor
from ..core.i18n import N_
from ..core.money import (
    NOT_AN_AMOUNT,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    AmountInvalid,
    format_yuan,
    parse_yuan,
)
from ..core.text import clean_free_text, clean_person_name, fold_width
from ..core.uploads import XLSX, UploadKind, save_upload
from ..imports.formats import check_row, format_named
from . import services
from .manifests import COLUMNS
from .models import Application, ApplicationStatus, Campaign, Traveller

#: The upload: an XLSX workbook (the manifest, filled in).
RESULTS_UPLOAD = UploadKind((XLSX,), _l("出票结果文件"), _l("出票结果文件"), _l("XLSX"))
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Data rows a results file may hold.
MAX_ROWS = 10_000
#: The header row is looked for in the file's first rows (title rows above it are skipped).
HEADER_SEARCH_ROWS = 10
#: Columns the file must have (seat may be empty in a row, but the column is the manifest's).
REQUIRED_COLUMNS = ("traveller_id", "name", "ticket_number", "carrier", "service_number", "seat",
                    "price")
#: The agent's columns: a row with none of them filled in is not booked yet.
TICKET_COLUMNS = ("ticket_number", "carrier", "service_number", "seat", "price")
#: Longest text of each ticket column (the columns of :class:`~.models.Traveller`).
TICKET_LENGTHS = {"ticket_number": 64, "carrier": 100, "service_number": 32, "seat": 32}
#: The dearest ticket the file may carry: 10,000 yuan.
MAX_PRICE_FEN = 1_000_000
#: The field of an error about the whole file.
FILE_FIELD = "file"

REQUIRED = N_("请填写这一项")
TOO_LONG = N_("不能超过 %(max)s 个字符")
NO_HEADER = N_("文件中找不到表头（含“出行人编号”的一行）：请在下载的出票名单上填写")
MISSING_COLUMNS = N_("文件缺少这些列：%(columns)s")
NO_ROWS = N_("文件中没有出行人")
TOO_MANY_ROWS = N_("文件超过 %(max)s 行，请分成几个文件导入")
TRAVELLER_ID_INVALID = N_("出行人编号应为整数，请照出票名单填写")
TRAVELLER_UNKNOWN = N_("本活动中没有编号为 %(id)s 的出行人，或不在您负责的范围内")
DUPLICATE = N_("出行人 %(id)s 在第 %(first)s 行已经出现过")
NAME_MISMATCH = N_("姓名与出行人 %(id)s 登记的“%(name)s”不一致")
NOT_APPROVED = N_("出行人 %(id)s 的申请现在是“%(status)s”，只有已批准的申请可以登记出票")
BOOKED_OTHERWISE = N_("出行人 %(id)s 的申请已经出票，这一行与登记的车票不同；"
                      "如需更改，请先退票")
PRICE_INVALID = N_("请填写票价（元），例如 356 或 128.50")
PRICE_DECIMALS = N_("票价最多保留两位小数（到分），例如 128.50")
PRICE_TOO_HIGH = N_("票价不能超过 %(max)s 元")

_PRICE_MESSAGES = {NOT_AN_AMOUNT: PRICE_INVALID, TOO_MANY_DECIMALS: PRICE_DECIMALS,
                   TOO_LARGE: PRICE_TOO_HIGH}
_HEADER_NOISE = re.compile(r"[\s()（）]")


class BookingImportRefused(InputInvalid):
    """The results file has bad rows (or cannot be read): nothing was stored. ``errors`` names
    each, by row and column."""


@dataclass(frozen=True)
class Ticket:
    ticket_number: str
    carrier: str
    service_number: str
    seat: str | None
    price_fen: int

    def matches(self, traveller: Traveller) -> bool:
        return (traveller.ticket_number, traveller.carrier, traveller.service_number,
                traveller.seat, traveller.ticket_price_fen) == (
            self.ticket_number, self.carrier, self.service_number, self.seat, self.price_fen)


@dataclass(frozen=True)
class FileRow:
    #: The row as the user sees it in the spreadsheet (1 is the first).
    row: int
    values: dict[str, Any]


@dataclass
class BookingOutcome:
    rows: int = 0
    #: Travellers whose ticket this file recorded.
    tickets: int = 0
    #: Rows of applications already booked with the same ticket.
    unchanged: int = 0
    #: Rows without a ticket (not booked yet).
    skipped: int = 0
    booked: list[Application] = field(default_factory=list)
    #: Approved applications that got some tickets, still waiting for the rest of the household.
    waiting: list[Application] = field(default_factory=list)


def column_label(code: str):
    """The label of a column code (or of the file itself), for the text of an error."""
    if code == FILE_FIELD:
        return _l("文件")
    column = COLUMNS.get(code)
    return column.header if column is not None else code


def describe(errors: ErrorList) -> list[dict[str, Any]]:
    """Each error as the page lists it: its row, its column and the reason, both bilingual."""
    return [{"row": error.row,
             "column": bilingual(lambda error=error: column_label(error.field))
             if error.field else "",
             "reason": error.bilingual()} for error in errors]


# -- reading the file ------------------------------------------------------------------------------

def _normalise_header(value: Any) -> str:
    return _HEADER_NOISE.sub("", fold_width(str(value))).lower() if value is not None else ""


def _header_names() -> dict[str, str]:
    """Normalised header text (Chinese or English) → column code."""
    names: dict[str, str] = {}
    for code, column in COLUMNS.items():
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                names[_normalise_header(str(column.header))] = code
        names[_normalise_header(code)] = code
    return names


def _header(cells: list[Any], names: dict[str, str]) -> dict[str, int] | None:
    """Column code → index, when ``cells`` is the header row (it names the traveller id)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        code = names.get(_normalise_header(cell))
        if code is not None and code not in found:
            found[code] = index
    if "traveller_id" not in found:
        return None
    missing = [code for code in REQUIRED_COLUMNS if code not in found]
    if missing:
        raise BookingImportRefused([ValidationError(
            MISSING_COLUMNS, field=FILE_FIELD,
            columns="、".join(str(column_label(code)) for code in missing))])
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(path: Path) -> list[FileRow]:
    """The data rows of the results file at ``path``, cells by column code (hostile files are
    refused by the registered XLSX reader, :mod:`plugin.imports.formats`)."""
    names = _header_names()
    header: dict[str, int] | None = None
    rows: list[FileRow] = []
    with closing(format_named("xlsx").open(path)) as sheet:
        for row_number, cells in sheet:
            check_row(row_number, cells)
            if header is None:
                header = _header(cells, names)
                if header is None and row_number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if all(_blank(cell) for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise BookingImportRefused([ValidationError(TOO_MANY_ROWS, field=FILE_FIELD,
                                                            max=MAX_ROWS)])
            rows.append(FileRow(row_number, {
                code: cells[index] if index < len(cells) else None
                for code, index in header.items()}))
    if header is None:
        raise BookingImportRefused([ValidationError(NO_HEADER, field=FILE_FIELD)])
    if not rows:
        raise BookingImportRefused([ValidationError(NO_ROWS, field=FILE_FIELD)])
    return rows


def parse_price(value: Any) -> int:
    """A price cell (a number, or text such as ``128.50``, ``¥128.5``, ``128.50元``) in integer
    fen (:func:`plugin.core.money.parse_yuan`: nothing is rounded); ``ValueError`` carrying the
    ticket's own msgid when it is not an amount in yuan with at most two decimals."""
    try:
        fen = parse_yuan(value, max_fen=MAX_PRICE_FEN)
    except AmountInvalid as refused:
        raise ValueError(_PRICE_MESSAGES[refused.message]) from None
    if fen is None:
        raise ValueError(PRICE_INVALID)
    return fen


def _traveller_id(value: Any) -> int | None:
    """The traveller id of a cell; None when it is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 < value < 2**31 else None
    if isinstance(value, int):
        return value if 0 < value < 2**31 else None
    text = fold_width(str(value)).strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _text(row: FileRow, code: str, errors: list[CareBridgeError]) -> str | None:
    value = row.values.get(code)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell: 12345.0 was typed as 12345
    text = clean_free_text(value) if value is not None else None
    if text is not None and len(text) > TICKET_LENGTHS[code]:
        errors.append(ValidationError(TOO_LONG, field=code, row=row.row,
                                      max=TICKET_LENGTHS[code]))
        return None
    return text


def _ticket(row: FileRow, errors: list[CareBridgeError]) -> Ticket | None:
    """The row's ticket; None when no ticket column is filled in (or when one is bad: the error
    is in ``errors``)."""
    if all(_blank(row.values.get(code)) for code in TICKET_COLUMNS):
        return None
    found = len(errors)
    texts = {code: _text(row, code, errors) for code in TICKET_LENGTHS}
    for code in ("ticket_number", "carrier", "service_number"):
        if texts[code] is None and not any(error.field == code for error in errors[found:]):
            errors.append(ValidationError(REQUIRED, field=code, row=row.row))
    price = row.values.get("price")
    price_fen = None
    if _blank(price):
        errors.append(ValidationError(REQUIRED, field="price", row=row.row))
    else:
        try:
            price_fen = parse_price(price)
        except ValueError as error:
            errors.append(ValidationError(str(error.args[0]), field="price", row=row.row,
                                          **({"max": MAX_PRICE_FEN // 100}
                                             if error.args[0] == PRICE_TOO_HIGH else {})))
    if len(errors) > found:
        return None
    return Ticket(texts["ticket_number"], texts["carrier"], texts["service_number"],
                  texts["seat"], price_fen)


# -- importing -----------------------------------------------------------------------------------

def _travellers_of(campaign: Campaign, ids: Iterable[int], scope: Scope) -> dict[int, Traveller]:
    """The travellers with these ids in the campaign's applications within ``scope``."""
    ids = sorted(set(ids))
    found: dict[int, Traveller] = {}
    for start in range(0, len(ids), 500):
        found.update((traveller.id, traveller) for traveller in session.execute(
            select(Traveller).join(Application, Application.id == Traveller.application_id)
            .where(Traveller.id.in_(ids[start:start + 500]),
                   Application.campaign_id == campaign.id,
                   scope.contains_unit_id(Application.org_unit_id))).scalars())
    return found


def import_results(campaign: Campaign, stream: BinaryIO, filename: str | None, *, scope: Scope,
                   actor: Actor) -> BookingOutcome:
    """Read an uploaded results file and book from it, all or nothing (see the module)."""
    with tempfile.TemporaryDirectory(prefix="carebridge-bookings-") as work:
        path = Path(work) / "results.xlsx"
        try:
            save_upload(stream, path, RESULTS_UPLOAD, max_bytes=MAX_UPLOAD_BYTES,
                        filename=filename, field=FILE_FIELD)
            rows = read_rows(path)
        except BookingImportRefused:
            raise
        except CareBridgeError as error:
            raise BookingImportRefused([ValidationError(error.message, field=FILE_FIELD,
                                                        **error.params)]) from None
    return book_rows(campaign, rows, scope=scope, actor=actor)


def book_rows(campaign: Campaign, rows: list[FileRow], *, scope: Scope,
              actor: Actor) -> BookingOutcome:
    """Check every row, then record the tickets and book the households they complete; any
    bad row refuses all (:class:`BookingImportRefused`) and nothing is stored."""
    errors: list[CareBridgeError] = []
    ids = {row.row: _traveller_id(row.values.get("traveller_id")) for row in rows}
    known = _travellers_of(campaign, [value for value in ids.values() if value], scope)
    seen: dict[int, int] = {}
    planned: list[tuple[FileRow, Traveller, Ticket]] = []
    outcome = BookingOutcome(rows=len(rows))
    for row in rows:
        row_errors: list[CareBridgeError] = []
        traveller_id = ids[row.row]
        traveller = None
        raw_id = row.values.get("traveller_id")
        if _blank(raw_id):
            row_errors.append(ValidationError(REQUIRED, field="traveller_id", row=row.row))
        elif traveller_id is None:
            row_errors.append(ValidationError(TRAVELLER_ID_INVALID, field="traveller_id",
                                              row=row.row))
        elif traveller_id in seen:
            row_errors.append(ValidationError(DUPLICATE, field="traveller_id", row=row.row,
                                              id=traveller_id, first=seen[traveller_id]))
        else:
            seen[traveller_id] = row.row
            traveller = known.get(traveller_id)
            if traveller is None:
                row_errors.append(ValidationError(TRAVELLER_UNKNOWN, field="traveller_id",
                                                  row=row.row, id=traveller_id))
        if traveller is not None:
            name = _name(row.values.get("name"))
            if name is None:
                row_errors.append(ValidationError(REQUIRED, field="name", row=row.row))
            elif name != traveller.name:
                row_errors.append(ValidationError(NAME_MISMATCH, field="name", row=row.row,
                                                  id=traveller.id, name=traveller.name))
        ticket = _ticket(row, row_errors)
        if traveller is not None and ticket is not None and not row_errors:
            status = traveller.application.status
            if status == ApplicationStatus.BOOKED and ticket.matches(traveller):
                outcome.unchanged += 1
            elif status == ApplicationStatus.BOOKED:
                row_errors.append(ValidationError(BOOKED_OTHERWISE, field="ticket_number",
                                                  row=row.row, id=traveller.id))
            elif status != ApplicationStatus.APPROVED:
                row_errors.append(ValidationError(NOT_APPROVED, field="traveller_id",
                                                  row=row.row, id=traveller.id,
                                                  status=str(status.label)))
            else:
                planned.append((row, traveller, ticket))
        elif ticket is None and not row_errors:
            outcome.skipped += 1
        errors += row_errors
    if errors:
        raise BookingImportRefused(errors)
    with session.begin_nested():
        _record(planned, outcome, errors, actor)
        if errors:
            raise BookingImportRefused(errors)  # leaving the block rolls the savepoint back
    outcome.tickets = len(planned)
    record_event("reunion.bookings_imported", actor, target_type="reunion_campaign",
                 target_id=campaign.id, org_unit_id=campaign.org_unit_id,
                 details={"rows": outcome.rows, "tickets": outcome.tickets,
                          "unchanged": outcome.unchanged, "skipped": outcome.skipped,
                          "booked": [application.id for application in outcome.booked],
                          "waiting": [application.id for application in outcome.waiting]})
    return outcome


def _name(value: Any) -> str | None:
    try:
        return clean_person_name(value)
    except ValidationError:
        return str(value)


def _record(planned: list[tuple[FileRow, Traveller, Ticket]], outcome: BookingOutcome,
            errors: list[CareBridgeError], actor: Actor) -> None:
    rows_of: dict[int, list[int]] = {}
    applications: dict[int, Application] = {}
    for row, traveller, ticket in planned:
        traveller.ticket_number = ticket.ticket_number
        traveller.carrier = ticket.carrier
        traveller.service_number = ticket.service_number
        traveller.seat = ticket.seat
        traveller.ticket_price_fen = ticket.price_fen
        rows_of.setdefault(traveller.application_id, []).append(row.row)
        applications[traveller.application_id] = traveller.application
    session.flush()
    for application_id in sorted(applications):
        application = applications[application_id]
        if not all(traveller.ticket_number and traveller.ticket_price_fen is not None
                   for traveller in application.travellers):
            outcome.waiting.append(application)
            continue
        try:
            services.book(application, actor=actor)
        except CareBridgeError as error:
            errors.extend(ValidationError(error.message, field="price", row=row, **error.params)
                          for row in rows_of[application_id])
        else:
            outcome.booked.append(application)


# -- the ID number, to the booking officer -----------------------------------------------------

def reveal_id_number(traveller: Traveller, *, reason: str | None, actor: Actor) -> str:
    """A traveller's full ID number for the booking officer who gave a reason; audited."""
    text = clean_free_text(reason, max_length=200, field="reason") or ""
    if len(text) < 4:
        raise ValidationError(N_("请说明查看完整号码的原因（至少 4 个字）"), field="reason")
    if not traveller.id_number:
        raise ValidationError(N_("这位出行人没有登记身份证号码"), field="reason")
    record_event("reunion.id_revealed", actor, target_type="reunion_traveller",
                 target_id=traveller.id, org_unit_id=traveller.application.org_unit_id,
                 details={"reason": text, "application": traveller.application_id})
    return traveller.id_number


# -- after the trip ------------------------------------------------------------------------------

def record_travel(application: Application, *, travelled: bool, actor: Actor,
                  today: date | None = None) -> Application:
    """The household travelled, or did not show (its tickets' money stays spent): known on the
    day of departure at the earliest."""
    today = today or local_today()
    if application.status == ApplicationStatus.BOOKED and application.depart_on > today:
        raise ValidationError(N_("出发日期（%(date)s）还没到，不能登记是否出行"),
                              date=application.depart_on.isoformat())
    return services.mark_travelled(application, travelled=travelled, actor=actor)


def tickets_total(application: Application) -> int:
    return sum(traveller.ticket_price_fen or 0 for traveller in application.travellers)


def cancel_ticket(application: Application, *, reason: str | None, refund_fen: int | None,
                  actor: Actor) -> Application:
    """Cancel a booked household's tickets, with the refund the carrier paid back (0 when none;
    never more than the tickets cost); the places go to the waiting list."""
    if application.status != ApplicationStatus.BOOKED:
        raise ValidationError(N_("只有已出票的申请可以退票"))
    errors: list[CareBridgeError] = []
    total = tickets_total(application)
    if refund_fen is None:
        errors.append(ValidationError(N_("请填写退款金额（没有退款请填 0）"), field="refund"))
    elif refund_fen > total:
        errors.append(ValidationError(N_("退款金额不能超过票价合计 %(total)s 元"), field="refund",
                                      total=format_yuan(total)))
    try:
        text = clean_free_text(reason, max_length=services.REASON_MAX, field="reason")
    except ValidationError as error:
        errors.append(error)
    else:
        if not text:
            errors.append(ValidationError(N_("请填写原因"), field="reason"))
    InputInvalid.raise_if_any(errors)
    services.cancel(application, text, actor=actor, refund_fen=refund_fen)
    record_event("reunion.ticket_refunded", actor, target_type="reunion_application",
                 target_id=application.id, org_unit_id=application.org_unit_id,
                 details={"refund_fen": refund_fen, "tickets_fen": total})
    return application
