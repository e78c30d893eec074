"""CSV rosters: encoding and delimiter detected (never asked), rows streamed.

HR offices save CSV from Excel or from their HR system as UTF-8 (with or without a byte order
mark), as GBK/GB18030 (what Chinese Excel calls "CSV (逗号分隔)"), or as UTF-16 ("Unicode 文本",
tab-separated). The encoding is decided by decoding the raw bytes of the *whole* file once, in
chunks, with every candidate at the same time (UTF-8 first, then GB18030, a superset of GBK):
a sample alone can be pure ASCII and say nothing (English headers, Chinese names further
down), and a file that is half one encoding and half another is refused before any row is
imported rather than failing half-way. The same pass counts lines for the progress bar.

Rows are read with bounded reads: a line is never read past :data:`MAX_ROW_CHARS` characters,
nor a row (quoted fields may hold line breaks) past the same, so a 10 MB header line or a file
without line breaks is refused after reading 1 MB of it, and a row of more than
:data:`~plugin.imports.formats.MAX_COLUMNS` fields or with a field longer than
:data:`~plugin.imports.formats.MAX_CELL_CHARS` characters is refused as soon as it is read.
Error files are written with formula-like cells neutralised (:mod:`plugin.core.spreadsheets`),
and reading takes that apostrophe off again.
"""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from plugin.core.errors import ValidationError
from plugin.core.spreadsheets import neutralise, restore
from plugin.imports.formats import REASON_HEADER, check_row

CHUNK_BYTES = 1 << 20
#: Characters looked at to choose the delimiter.
SAMPLE_CHARS = 64 * 1024
DELIMITERS = (",", "\t", ";")
#: Candidate encodings when the file has no byte order mark, most likely first.
CANDIDATES = ("utf-8", "gb18030")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
#: Longest line, and longest row (its lines together), in characters: a roster row is a few
#: hundred; Excel's widest possible row of short cells fits.
MAX_ROW_CHARS = 1024 * 1024


def detect_encoding(path: Path) -> tuple[str, int]:
    """``(encoding, number of lines)`` of a CSV file, or :class:`ValidationError`."""
    with open(path, "rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        candidates = [name for bom, name in BOMS if head.startswith(bom)][:1] or list(CANDIDATES)
        decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates}
        lines = 0
        last_byte = b""
        while True:
            chunk = raw.read(CHUNK_BYTES)
            final = not chunk
            for name, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk, final)
                except UnicodeDecodeError as error:
                    del decoders[name]
                    if not decoders:
                        line = lines + chunk[:max(error.start, 0)].count(b"\n") + 1
                        raise ValidationError(
                            "无法识别文件的编码（第 %(line)s 行附近）："
                            "请另存为 UTF-8 或 GBK 编码的 CSV，"
                            "或直接上传 Excel 文件", field="file", line=line) from None
            if final:
                break
            lines += chunk.count(b"\n")
            last_byte = chunk[-1:]
    if last_byte not in (b"\n", b""):
        lines += 1
    encoding = next(iter(decoders))
    return encoding, lines


def sniff_delimiter(sample: str) -> str:
    """The delimiter used most in the first lines (title rows have few, the header has many)."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    counts = {delimiter: sum(line.count(delimiter) for line in lines) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class CsvRoster:
    def __init__(self, path: Path):
        self.encoding, self.size_hint = detect_encoding(path)
        # Kept open while the rows stream; close() closes it.
        self._file = open(path, encoding=self.encoding, newline="", errors="strict")  # noqa: SIM115
        sample = self._file.read(SAMPLE_CHARS)
        self._file.seek(0)
        self.delimiter = sniff_delimiter(sample)

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        self._row_chars = 0
        reader = csv.reader(self._bounded_lines(), delimiter=self.delimiter)
        self._row_number = 0
        try:
            for self._row_number, cells in enumerate(reader, start=1):
                self._row_chars = 0
                check_row(self._row_number, cells)
                yield self._row_number, [restore(cell) for cell in cells]
        except csv.Error as error:
            raise ValidationError("CSV 文件第 %(line)s 行格式错误：%(reason)s", field="file",
                                  line=self._row_number + 1, reason=str(error)) from None

    def _bounded_lines(self) -> Iterator[str]:
        """The file's lines for the csv reader, never one longer than :data:`MAX_ROW_CHARS`, nor
        more than that many characters for one row however many lines its quoted fields span."""
        readline = self._file.readline
        while line := readline(MAX_ROW_CHARS + 1):
            self._row_chars += len(line)
            if self._row_chars > MAX_ROW_CHARS:
                raise ValidationError("CSV 文件第 %(line)s 行太长（超过 %(max)s 个字符），"
                                      "不是正常的花名册："
                                      "请确认选对了文件", field="file", line=self._row_number + 1,
                                      max=MAX_ROW_CHARS)
            yield line

    def close(self) -> None:
        self._file.close()


class CsvFormat:
    """Comma-, tab- or semicolon-separated rosters in UTF-8, GBK/GB18030 or UTF-16."""

    name = "csv"
    suffixes = (".csv",)

    def open(self, path: Path) -> CsvRoster:
        return CsvRoster(Path(path))

    def write_errors(self, path: Path, header: Sequence[str],
                     rows: Iterable[tuple[Sequence[Any], str]], title: str | None = None) -> None:
        """UTF-8 with a byte order mark, comma-separated, whatever the source used; ``title``
        (what went wrong with the whole file, "dry run") on a line above the header, which
        the importer skips when the file comes back.

        UTF-8 holds every character (a rare character in a name may not exist in GBK), the BOM
        makes Excel open it as UTF-8 rather than guess, and the importer reads it back. Text a
        spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+cmd|…``) gets an apostrophe in
        front (:func:`plugin.core.spreadsheets.neutralise`), which reading takes off again.
        """
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            if title:
                writer.writerow([neutralise(title)])
            writer.writerow([neutralise(text) for text in [*header, REASON_HEADER]])
            for cells, reason in rows:
                writer.writerow([*("" if cell is None else _text(cell) for cell in cells),
                                 neutralise(reason)])


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (int, float)):
        return str(cell)  # a number, negative or not, is no formula
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return neutralise(str(cell))
