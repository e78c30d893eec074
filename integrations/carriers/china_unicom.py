"""China Unicom (中国联通) enterprise-account bulk gifts: an XLSX workbook.

One sheet, 批量赠送, columns 用户号码, 赠送语音(分钟), 赠送流量(MB), 订单编号, 账期 (yyyymm).
Phone numbers and order numbers are text cells (a number cell would lose nothing at 11 digits,
but the portal refuses them), amounts number cells. The result workbook has the same columns
and two more, 受理状态 (成功 / 失败) and 失败原因. It is read through the roster reader's guards
(:mod:`integrations.rosters.xlsx_format`: zip bombs, entity tricks and oversized rows are
refused before openpyxl parses them).
"""
from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from integrations.rosters.xlsx_format import XlsxRoster
from plugin.core.spreadsheets import as_text
from plugin.core.uploads import XLSX
from plugin.family_contact.carriers import (
    CREDITED,
    FAILED,
    LINE_ID,
    REASON,
    STATUS,
    BatchLine,
    ResultRow,
)

from .common import result_rows

SHEET_TITLE = "批量赠送"
HEADER = ("用户号码", "赠送语音(分钟)", "赠送流量(MB)", "订单编号", "账期")
WIDTHS = (16, 14, 14, 18, 10)
RESULT_HEADERS = {LINE_ID: ("订单编号", "订单号", "业务流水号"),
                  STATUS: ("受理状态", "处理结果", "状态"),
                  REASON: ("失败原因", "原因", "备注")}
OUTCOMES = {"成功": CREDITED, "受理成功": CREDITED, "已到账": CREDITED,
            "失败": FAILED, "受理失败": FAILED}


class ChinaUnicomFormat:
    code = "china_unicom"
    label = _l("中国联通")
    file_type = XLSX
    columns = {LINE_ID: RESULT_HEADERS[LINE_ID][0], STATUS: RESULT_HEADERS[STATUS][0],
               REASON: RESULT_HEADERS[REASON][0]}
    status_words = "“成功”或“失败”"

    def write_batch(self, lines: Sequence[BatchLine]) -> bytes:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(SHEET_TITLE)
        for index, width in enumerate(WIDTHS):
            sheet.column_dimensions["ABCDE"[index]].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for text in HEADER:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for line in lines:
            sheet.append([self._text(sheet, line.phone), line.minutes, line.data_mb,
                          self._text(sheet, line.line_id), f"{line.month:%Y%m}"])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    @staticmethod
    def _text(sheet, value: str) -> WriteOnlyCell:
        """A text cell that stays text (never a formula, never a number)."""
        cell = as_text(WriteOnlyCell(sheet, value=value))
        cell.data_type = "s"
        return cell

    def read_results(self, data: bytes) -> list[ResultRow]:
        with tempfile.TemporaryDirectory(prefix="carebridge-unicom-") as work:
            path = Path(work) / "results.xlsx"
            path.write_bytes(data)
            with closing(XlsxRoster(path)) as sheet:
                return result_rows(iter(sheet), headers=RESULT_HEADERS, outcomes=OUTCOMES)
