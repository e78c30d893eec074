"""What both carriers' result files share: finding the header row (title rows above it are
skipped), matching columns by their header text, and turning cells into
:class:`~plugin.family_contact.carriers.ResultRow` s exactly as the file says them (the batch
judges them)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from plugin.core.errors import ValidationError
from plugin.core.text import fold_width
from plugin.family_contact.carriers import LINE_ID, REASON, STATUS, ResultRow
from plugin.imports.formats import check_row

#: The header row is looked for in the file's first rows.
HEADER_SEARCH_ROWS = 10
#: Data rows a result file may hold (a batch of a very large company fits).
MAX_ROWS = 200_000
#: Longest text kept from a cell (a reason is cut here; a line id is far shorter).
MAX_TEXT = 300

_NOISE = re.compile(r"[\s()（）:：]")


def normalise(value: Any) -> str:
    """Header or status text compared without width, spaces, brackets or case."""
    return _NOISE.sub("", fold_width(str(value))).lower() if value is not None else ""


def cell_text(value: Any) -> str | None:
    """A cell as text: a number cell without its ``.0``, blank as None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[:MAX_TEXT] if text else None


def _header(cells: list[Any], headers: Mapping[str, tuple[str, ...]]) -> dict[str, int] | None:
    """Field code → column index when ``cells`` is the header row (it names the line id)."""
    wanted = {normalise(text): code for code, texts in headers.items() for text in texts}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        code = wanted.get(normalise(cell))
        if code is not None and code not in found:
            found[code] = index
    return found if LINE_ID in found else None


def result_rows(rows: Iterable[tuple[int, list[Any]]], *, headers: Mapping[str, tuple[str, ...]],
                outcomes: Mapping[str, str]) -> list[ResultRow]:
    """The data rows below the header. ``headers``: field code → the header texts the carrier
    uses for it (the first is the one its files carry); ``outcomes``: status word → outcome."""
    words = {normalise(word): outcome for word, outcome in outcomes.items()}
    header: dict[str, int] | None = None
    found: list[ResultRow] = []
    for row_number, cells in rows:
        check_row(row_number, cells)
        if header is None:
            header = _header(cells, headers)
            if header is None and row_number >= HEADER_SEARCH_ROWS:
                break
            if header is not None and STATUS not in header:
                raise ValidationError("结果文件缺少“%(column)s”列：请上传运营商返回的结果文件",
                                      field="file", column=headers[STATUS][0])
            continue
        values = {code: cell_text(cells[index]) if index < len(cells) else None
                  for code, index in header.items()}
        if not any(values.values()):
            continue
        if len(found) >= MAX_ROWS:
            raise ValidationError("结果文件超过 %(max)s 行：请分成几个文件导入", field="file",
                                  max=MAX_ROWS)
        status = values.get(STATUS)
        found.append(ResultRow(row=row_number, line_id=values.get(LINE_ID),
                               outcome=words.get(normalise(status)) if status else None,
                               status_text=status, reason=values.get(REASON)))
    if header is None:
        raise ValidationError("文件中找不到表头（含“%(column)s”的一行）：请上传运营商返回的"
                              "结果文件", field="file", column=headers[LINE_ID][0])
    return found
