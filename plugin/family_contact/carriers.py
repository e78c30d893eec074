"""Carrier batch files: the shape in which a carrier's enterprise account takes the month's
allowances, and in which it answers what it credited.

The plugin reads and writes no carrier's file itself. An adapter (``integrations.carriers`` in
the standalone portal) implements :class:`CarrierFormat` and the host registers it with
:func:`register_carrier_format`; a policy names the format by its ``code`` (``china_mobile``), the
batches (:mod:`.batches`) write through it and read its result files back.

A format writes one line per grant (phone, minutes, data in MB, the stable line id…) with text a
spreadsheet cannot run as a formula (:mod:`plugin.core.spreadsheets`), and reads a result file
into :class:`ResultRow` s, one per data row, exactly as the file says: the batch checks every row
(line id known, outcome, reason) before anything changes. A file that cannot be read at all (not
the format's kind, no header, a hostile workbook) is refused with a
:class:`~plugin.core.errors.ValidationError` on the field ``file``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask import Flask, current_app

from ..core.uploads import FileType

#: Key of the registered formats in ``app.extensions``.
EXTENSION_KEY = "carebridge_carriers"

#: The outcomes a result row may give.
CREDITED = "credited"
FAILED = "failed"

#: Field codes of a result file's columns (a format names each with its own header).
LINE_ID = "line_id"
STATUS = "status"
REASON = "reason"


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch file: a grant as the carrier needs it."""

    line_id: str
    phone: str
    minutes: int
    data_mb: int
    #: The month granted for (its 1st).
    month: date


@dataclass(frozen=True)
class ResultRow:
    """One data row of a carrier's result file, as the file says it."""

    #: The row as the user sees it in the file (1 is the first line or sheet row).
    row: int
    line_id: str | None
    #: :data:`CREDITED`, :data:`FAILED`, or None when the status cell is empty or a word the
    #: format does not know (``status_text`` then says what it held).
    outcome: str | None
    status_text: str | None
    reason: str | None


class CarrierFormat(Protocol):
    """A carrier's batch file: how to write one, and how to read the carrier's answer."""

    #: Stored with policies and batches (``"china_mobile"``).
    code: str
    #: The carrier as people call it (a lazy msgid or text).
    label: Any
    #: What the files are: :data:`plugin.core.uploads.CSV` or :data:`~plugin.core.uploads.XLSX`
    #: (the download's type and ending; result uploads are checked against it).
    file_type: FileType
    #: Field code (:data:`LINE_ID`, :data:`STATUS`, :data:`REASON`) → the header of that column
    #: in the carrier's file, so an error names the column the person sees.
    columns: Mapping[str, str]
    #: The words of the status column, as a message lists them (``“成功”或“失败”``).
    status_words: str

    def write_batch(self, lines: Sequence[BatchLine]) -> bytes:
        """The batch file of ``lines`` (in the order given)."""

    def read_results(self, data: bytes) -> list[ResultRow]:
        """The data rows of a result file; :class:`ValidationError` (field ``file``) when the
        file cannot be read as this carrier's result file."""


def register_carrier_format(app: Flask, carrier_format: CarrierFormat) -> None:
    """Make ``carrier_format`` available to policies and batches in ``app`` (replaces one of the
    same code)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[carrier_format.code] = carrier_format


def carrier_formats() -> dict[str, CarrierFormat]:
    """The registered formats by code, in the order registered."""
    return current_app.extensions.get(EXTENSION_KEY, {})


def carrier_format(code: str | None) -> CarrierFormat | None:
    return carrier_formats().get(code or "")


def carrier_label(code: str | None) -> str:
    """A carrier code as people read it (the code itself for a format no longer registered)."""
    found = carrier_format(code)
    return str(found.label) if found is not None else (code or "—")


def carrier_choices() -> list[tuple[str, str]]:
    return [(code, str(fmt.label)) for code, fmt in carrier_formats().items()]
