"""China Mobile (中国移动) group-account batch gifts of call minutes and data: a CSV file.

The batch file is comma-separated UTF-8 with a byte order mark (Excel and WPS open it as UTF-8;
every header and value is also representable in GBK, which the enterprise portal's older
uploader expects), columns 手机号码, 通话分钟, 流量MB, 业务流水号, 赠送月份. The result file the
portal gives back has the same columns and two more, 处理结果 (成功 / 失败) and 失败原因; it
comes as UTF-8 (with or without a BOM) or GBK, which is how it is read. Text a spreadsheet would
run as a formula is written with an apostrophe in front and read back without it
(:mod:`plugin.core.spreadsheets`).
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from plugin.core.errors import ValidationError
from plugin.core.spreadsheets import neutralise, restore
from plugin.core.uploads import CSV
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

HEADER = ("手机号码", "通话分钟", "流量MB", "业务流水号", "赠送月份")
#: Header texts of the result file's columns (the first is the one the portal writes).
RESULT_HEADERS = {LINE_ID: ("业务流水号", "流水号", "line id"),
                  STATUS: ("处理结果", "办理结果", "状态", "status"),
                  REASON: ("失败原因", "原因", "备注", "reason")}
OUTCOMES = {"成功": CREDITED, "已到账": CREDITED, "success": CREDITED,
            "失败": FAILED, "fail": FAILED, "failed": FAILED}


def decode(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (a BOM is dropped) or GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件的编码：请上传运营商返回的 CSV 结果文件（UTF-8 或 GBK）",
                          field="file")


class ChinaMobileFormat:
    code = "china_mobile"
    label = _l("中国移动")
    file_type = CSV
    columns = {LINE_ID: RESULT_HEADERS[LINE_ID][0], STATUS: RESULT_HEADERS[STATUS][0],
               REASON: RESULT_HEADERS[REASON][0]}
    status_words = "“成功”或“失败”"

    def write_batch(self, lines: Sequence[BatchLine]) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for line in lines:
            writer.writerow([neutralise(line.phone), line.minutes, line.data_mb,
                             neutralise(line.line_id), f"{line.month:%Y%m}"])
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")

    def read_results(self, data: bytes) -> list[ResultRow]:
        reader = csv.reader(io.StringIO(decode(data), newline=""))

        def rows():
            try:
                for number, cells in enumerate(reader, start=1):
                    yield number, [restore(cell) for cell in cells]
            except csv.Error as error:
                raise ValidationError("CSV 文件第 %(line)s 行格式错误：%(reason)s", field="file",
                                      line=reader.line_num, reason=str(error)) from None

        return result_rows(rows(), headers=RESULT_HEADERS, outcomes=OUTCOMES)
