"""XLSX rosters, read and written with openpyxl in its streaming modes.

Reading uses ``read_only=True`` (rows parsed from the sheet's XML as they are asked for) and
``data_only=True`` (formulas give their cached values). Cells keep their Python types: date
cells arrive as ``datetime``, numbers as ``int`` or ``float``, which is how the importer tells an
Excel date or a phone number stored as a number from text. Merged title rows arrive as a row
with one value; the importer skips them while looking for the header row.

An XLSX file is a zip of XML parts, and an upload may be hostile. Before openpyxl parses
anything, :class:`GuardedArchive` reads the zip's central directory and refuses a file whose
parts say they hold more than a roster can (:data:`MAX_TOTAL_BYTES`, :data:`MAX_PART_BYTES`,
:data:`MAX_SHARED_STRINGS_BYTES`) or that compress better than real spreadsheets do
(:data:`MAX_RATIO`): a zip bomb is refused from its declared sizes, and zipfile never inflates
more than a part declares. Then every XML part openpyxl reads passes through a guard as it is
inflated, chunk by chunk, before openpyxl sees the chunk: no DTD or entity declaration (billion
laughs, external entities), no XML token longer than :data:`MAX_TOKEN_CHARS`, no row of more than
:data:`~plugin.imports.formats.MAX_COLUMNS` cells, no cell or shared string longer than
:data:`~plugin.imports.formats.MAX_CELL_CHARS` characters, and parts that openpyxl keeps whole in
memory stay small. So memory stays bounded whatever the file says, and every refusal is a
:class:`ValidationError` that names the reason. openpyxl itself parses with defusedxml, which
``setup.cfg`` installs, as a second line.
"""
from __future__ import annotations

import codecs
import logging
import struct
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.parsers import expat

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font

from plugin.core.errors import ValidationError
from plugin.core.spreadsheets import as_text, is_formula_like
from plugin.imports.formats import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    REASON_HEADER,
    cell_too_long,
    too_many_columns,
)

log = logging.getLogger(__name__)

ERROR_SHEET_TITLE = "错误行"
MB = 1024 * 1024

#: Largest central directory (the zip's list of parts): a real workbook's is a few KB.
MAX_DIRECTORY_BYTES = 4 * MB
#: Most parts in the zip.
MAX_PARTS = 10_000
#: All parts together, uncompressed: a little over what a 50 MB upload of rows holds.
MAX_TOTAL_BYTES = 1024 * MB
#: One part that openpyxl keeps whole in memory (styles, workbook, relationships…). Worksheets
#: (``xl/worksheets/``) are streamed and only bound by :data:`MAX_TOTAL_BYTES`.
MAX_PART_BYTES = 16 * MB
#: The shared strings table, kept whole in memory: about 250,000 rows of distinct names,
#: numbers and phones; larger rosters are split or saved as CSV.
MAX_SHARED_STRINGS_BYTES = 32 * MB
#: Most strings in the shared strings table, and most elements of any other part read whole.
MAX_SHARED_STRINGS = 1_000_000
MAX_PART_ELEMENTS = 250_000
#: Real sheets deflate 5 to 30 times; a bomb about 1,000 times. Checked on parts over 1 MB.
MAX_RATIO = 250
RATIO_CHECKED_FROM = MB
#: Longest stretch of XML without a new tag: a whole cell value, escaped (``&quot;`` is 6
#: characters for one), fits many times over.
MAX_TOKEN_CHARS = 256 * 1024
#: Bytes handed on per read: the guard checks each chunk before openpyxl parses it.
CHUNK_BYTES = 64 * 1024
#: Parts that are never XML (pictures, macros, printer settings): read as they are, if at all.
BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf",
                   ".wmf", ".svg", ".wdp", ".ttf", ".odttf")


def _unreadable(reason: str) -> ValidationError:
    return ValidationError("无法读取这个 Excel 文件（%(reason)s）：请确认是 .xlsx 格式，"
                           "旧的 .xls 请先另存为 .xlsx", field="file", reason=reason)


def _too_big(limit: int) -> ValidationError:
    return ValidationError("Excel 文件解压后太大（超过 %(megabytes)s MB），可能是恶意构造的文件："
                           "请只保留花名册所在的工作表，或另存为 CSV 后再导入", field="file",
                           megabytes=limit // MB)


def _too_many(count: int) -> ValidationError:
    return ValidationError("Excel 文件中的部件或条目太多（超过 %(count)s 个），"
                           "可能是恶意构造的文件："
                           "请拆分文件，或另存为 CSV 后再导入", field="file", count=count)


def _part_limit(name: str) -> int:
    """Worksheets are streamed through the guard; anything else may be held whole."""
    if (name.startswith("xl/worksheets/") and not name.startswith("xl/worksheets/_rels/")
            and not name.lower().endswith(BINARY_SUFFIXES)):
        return MAX_TOTAL_BYTES
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_BYTES
    return MAX_PART_BYTES


def check_directory(path: Path) -> None:
    """Refuse a zip whose central directory is too large to list, from its end record alone."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        tail_size = min(size, 22 + 0xFFFF)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return  # not a zip: zipfile says so
        entries, directory_bytes = struct.unpack("<2xHL", tail[at + 8:at + 16])
        if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # ZIP64: the numbers are elsewhere
            locator = tail[at - 20:at] if at >= 20 else b""
            if locator[:4] == b"PK\x06\x07":
                handle.seek(struct.unpack("<Q", locator[8:16])[0])
                record = handle.read(56)
                if record[:4] == b"PK\x06\x06":
                    entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    if directory_bytes > MAX_DIRECTORY_BYTES or entries > MAX_PARTS:
        raise _too_many(MAX_PARTS)


class GuardedArchive(zipfile.ZipFile):
    """A zip whose declared sizes were checked, and whose XML parts are read through a guard."""

    def __init__(self, path: Path):
        check_directory(path)
        super().__init__(path)
        try:
            self._check_sizes()
        except ValidationError:
            self.close()
            raise

    def _check_sizes(self) -> None:
        parts = self.infolist()
        if len(parts) > MAX_PARTS:
            raise _too_many(MAX_PARTS)
        total = 0
        for info in parts:
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise _too_big(MAX_TOTAL_BYTES)
            limit = _part_limit(info.filename)
            if info.file_size > limit:
                raise _too_big(limit)
            ratio = info.file_size // max(info.compress_size, 1)
            if info.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
                raise ValidationError("Excel 文件的压缩比异常（%(ratio)s 倍），"
                                      "可能是恶意构造的文件，已拒绝", field="file", ratio=ratio)

    def open(self, name, mode="r", pwd=None, **kwargs):
        stream = super().open(name, mode, pwd, **kwargs)
        if mode != "r":
            return stream
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if filename.lower().endswith(BINARY_SUFFIXES):
            return stream
        # Anything else may be parsed as XML: a workbook may name a sheet "xl/x" or "x.dat".
        return GuardedPart(stream)


class GuardedPart:
    """One XML part, handed to openpyxl chunk by chunk once each chunk has passed the guards."""

    def __init__(self, stream):
        self._stream = stream
        self._tokens = _TokenGuard()
        self._xml = _XmlGuard()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(CHUNK_BYTES):
                chunks.append(chunk)
            return b"".join(chunks)
        if self._done or size == 0:
            return b""
        data = self._stream.read(min(size, CHUNK_BYTES))
        self._tokens.feed(data, final=not data)
        self._xml.feed(data, final=not data)
        self._done = not data
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _TokenGuard:
    """Bounds the longest run of XML without a new tag, on the decoded text.

    A comment, CDATA section, processing instruction or declaration is held whole by a parser
    whatever ``<`` it contains, so it counts with the text around it, up to its end marker."""

    OPENERS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">"))
    LONGEST_OPENER = 9

    def __init__(self):
        self._decoder = None
        self._carry = ""
        self._run = 0
        #: The end marker looked for, inside a comment, CDATA section, instruction, declaration.
        self._until: str | None = None

    def feed(self, data: bytes, final: bool) -> None:
        if self._decoder is None:
            if not data:
                return
            self._decoder = codecs.getincrementaldecoder(_encoding_of(data))("replace")
        text = self._carry + self._decoder.decode(data, final)
        self._carry = ""
        self._scan(text, final)

    def _scan(self, text: str, final: bool) -> None:
        at, end = 0, len(text)
        # Where the next "<!" and "<?" are, looked for again only once passed (-1: none left):
        # searching from every comment for a "<?" the text does not hold was quadratic.
        next_at = {"<!": -2, "<?": -2}
        while at < end:
            if self._until is not None:
                found = text.find(self._until, at)
                if found < 0:
                    keep = 0 if final else min(len(self._until) - 1, end - at)
                    self._grow(end - keep - at)
                    self._carry = text[end - keep:]
                    return
                self._grow(found + len(self._until) - at)
                at, self._until = found + len(self._until), None
                continue
            for marker, found in next_at.items():
                if -1 != found < at:
                    next_at[marker] = text.find(marker, at)
            special = min((found for found in next_at.values() if found >= 0), default=-1)
            if special < 0:
                self._plain(text[at:] if at else text, final)
                return
            self._plain(text[at:special], final=True)
            head = text[special:special + self.LONGEST_OPENER]
            if not final and len(head) < self.LONGEST_OPENER and any(
                    start.startswith(head) for start, _ in self.OPENERS):
                self._carry = text[special:]  # which markup starts here: the next chunk says
                return
            start, self._until = next((start, until) for start, until in self.OPENERS
                                      if head.startswith(start))
            self._grow(len(start))
            at = special + len(start)

    def _plain(self, text: str, final: bool) -> None:
        """Text with ordinary tags only: the longest piece between two ``<``. Unless ``final``,
        a short last piece is carried over: it may be the start of ``<!--`` or ``<?``."""
        pieces = text.split("<")
        if len(pieces) == 1:
            self._grow(len(text))
            return
        self._grow(len(pieces[0]))
        if len(pieces) > 2:
            self._run = max(map(len, pieces[1:-1])) + 1
            self._grow(0)
            self._run = len(pieces[-2]) + 1  # the run the last "<" ends, or that a comment goes on
        last = pieces[-1]
        if not final and len(last) < self.LONGEST_OPENER:
            self._carry = "<" + last
        else:
            self._run = 1
            self._grow(len(last))

    def _grow(self, count: int) -> None:
        self._run += count
        if self._run > MAX_TOKEN_CHARS:
            raise ValidationError("Excel 文件中有过长的 XML 内容（超过 %(max)s 个字符），"
                                  "可能是恶意构造的文件，已拒绝", field="file", max=MAX_TOKEN_CHARS)


def _encoding_of(data: bytes) -> str:
    """The encoding of an XML part (XML allows UTF-8 and UTF-16), for the token guard only."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith(b"<\x00"):
        return "utf-16-le"
    if data.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8-sig"


class _XmlGuard:
    """A second, bookkeeping-only expat parser over the same bytes: refuses DTDs and entities
    anywhere, counts cells per row and characters per cell in worksheets, characters per string
    in the shared strings table, and elements in parts that openpyxl reads whole."""

    def __init__(self):
        self._parser = parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse_dtd
        parser.EntityDeclHandler = self._refuse_dtd
        parser.ExternalEntityRefHandler = self._refuse_dtd
        parser.StartElementHandler = self._root
        self._bytes = 0
        self._byte_limit = MAX_TOTAL_BYTES
        self._row = 0
        self._cells = 0
        self._chars = 0
        self._count = 0
        self._count_limit = 0

    def feed(self, data: bytes, final: bool) -> None:
        self._bytes += len(data)
        if self._bytes > self._byte_limit:
            raise _too_big(self._byte_limit)
        try:
            self._parser.Parse(data, final)
        except expat.ExpatError as error:
            raise _unreadable(f"XML: {expat.ErrorString(error.code)}") from None

    @staticmethod
    def _refuse_dtd(*args) -> None:
        raise ValidationError("Excel 文件中含有 DTD 或实体声明，可能是恶意构造的文件，已拒绝",
                              field="file")

    # The root element says how openpyxl reads the part, whatever its name.
    def _root(self, name: str, attrs) -> None:
        parser = self._parser
        local = name.rpartition(":")[2]
        # Text is counted from the start of each cell (string) to the start of the next one: no
        # end-tag callback for millions of elements, and whitespace between them is a few bytes.
        if local == "worksheet":
            parser.StartElementHandler = self._sheet_start
            parser.CharacterDataHandler = self._cell_text
        elif local == "sst":
            self._limit(MAX_SHARED_STRINGS_BYTES, MAX_SHARED_STRINGS)
            parser.StartElementHandler = self._strings_start
            parser.CharacterDataHandler = self._string_text
        else:
            self._limit(MAX_PART_BYTES, MAX_PART_ELEMENTS)
            parser.StartElementHandler = self._element

    def _limit(self, byte_limit: int, count_limit: int) -> None:
        self._byte_limit, self._count_limit = byte_limit, count_limit
        if self._bytes > byte_limit:
            raise _too_big(byte_limit)

    def _element(self, name: str, attrs) -> None:
        self._count += 1
        if self._count > self._count_limit:
            raise _too_many(self._count_limit)

    def _sheet_start(self, name: str, attrs) -> None:
        if name == "c" or name.endswith(":c"):
            self._cells += 1
            if self._cells > MAX_COLUMNS:
                raise too_many_columns(self._row)
            self._chars = 0
        elif name == "row" or name.endswith(":row"):
            number = attrs.get("r", "")
            self._row = int(number) if number.isdigit() and len(number) < 10 else self._row + 1
            self._cells = 0

    def _cell_text(self, data: str) -> None:
        self._chars += len(data)
        if self._chars > MAX_CELL_CHARS:
            raise cell_too_long(self._row)

    def _strings_start(self, name: str, attrs) -> None:
        if name == "si" or name.endswith(":si"):
            self._element(name, attrs)
            self._chars = 0

    def _string_text(self, data: str) -> None:
        self._chars += len(data)
        if self._chars > MAX_CELL_CHARS:
            raise cell_too_long(None)


def open_workbook(path: Path):
    """The workbook in ``path`` for streaming (openpyxl read-only, cached values), read through
    :class:`GuardedArchive`; :class:`ValidationError` for anything that is not a sound XLSX."""
    archive = None
    try:
        archive = GuardedArchive(path)
        with open(path, "rb") as handle:
            reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False)
            reader.archive.close()
        reader.archive = archive
        reader.valid_files = archive.namelist()
        reader.read()
        return reader.wb
    except ValidationError:
        if archive is not None:
            archive.close()
        raise
    except Exception as error:  # anything openpyxl or zipfile raise on a broken file
        if archive is not None:
            archive.close()
        log.info("unreadable XLSX: %s", error, exc_info=True)
        raise _unreadable(type(error).__name__) from None


class XlsxRoster:
    def __init__(self, path: Path, sheet_name: str | None = None):
        self._book = open_workbook(path)
        try:
            self._sheet = self._choose_sheet(sheet_name)
        except ValidationError:
            self._book.close()
            raise
        #: From the sheet's <dimension> record, which Excel always writes; may be absent.
        self.size_hint = self._sheet.max_row
        # Some programs write a wrong (too small) dimension; rows are then read as they are.
        self._sheet.reset_dimensions()

    def _choose_sheet(self, sheet_name: str | None):
        if sheet_name is not None:
            if sheet_name not in self._book.sheetnames:
                raise ValidationError("文件中没有名为“%(name)s”的工作表", field="file",
                                      name=sheet_name)
            return self._book[sheet_name]
        visible = [sheet for sheet in self._book.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise ValidationError("文件中没有工作表", field="file")
        return visible[0]

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        rows = enumerate(self._sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                row_number, values = next(rows)
            except StopIteration:
                return
            except ValidationError:
                raise
            except Exception as error:  # a broken sheet found while streaming it
                log.info("unreadable XLSX sheet: %s", error, exc_info=True)
                raise _unreadable(type(error).__name__) from None
            yield row_number, list(values)

    def close(self) -> None:
        self._book.close()


class XlsxFormat:
    """Excel 2007+ workbooks; the first visible sheet unless ``sheet_name`` is given."""

    name = "xlsx"
    suffixes = (".xlsx",)

    def __init__(self, sheet_name: str | None = None):
        self.sheet_name = sheet_name

    def open(self, path: Path) -> XlsxRoster:
        return XlsxRoster(Path(path), self.sheet_name)

    def write_errors(self, path: Path, header: Sequence[str],
                     rows: Iterable[tuple[Sequence[Any], str]], title: str | None = None) -> None:
        """Every text cell is written as text: a cell the user sent as ``=HYPERLINK(…)`` comes
        back as that text, never as a formula (:func:`plugin.core.spreadsheets.as_text`).
        ``title`` (what went wrong with the whole file, "dry run") goes in a row above the
        header, which the importer skips when the file comes back."""
        book = Workbook(write_only=True)
        sheet = book.create_sheet(ERROR_SHEET_TITLE)
        for index in range(len(header)):
            sheet.column_dimensions[_column_letter(index)].width = 16
        sheet.column_dimensions[_column_letter(len(header))].width = 60
        sheet.freeze_panes = "A3" if title else "A2"
        bold = Font(bold=True)
        if title:
            sheet.append([_header_cell(sheet, title, bold)])
        sheet.append([_header_cell(sheet, text, bold) for text in [*header, REASON_HEADER]])
        wrap = Alignment(wrap_text=True, vertical="top")
        for cells, reason in rows:
            reason_cell = as_text(WriteOnlyCell(sheet, value=_clean(reason)))
            reason_cell.alignment = wrap
            sheet.append([*(_value(cell, sheet) for cell in cells), reason_cell])
        book.save(path)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_cell(sheet, text: str, font: Font) -> WriteOnlyCell:
    cell = as_text(WriteOnlyCell(sheet, value=_clean(text)))
    cell.font = font
    return cell


def _clean(text: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", text) if isinstance(text, str) else text


def _value(cell: Any, sheet) -> Any:
    """The cell as read, so the person fixing the file sees what they sent; text stays text (an
    ID number must not become a number again), dates stay dates."""
    if isinstance(cell, str):
        return _text_cell(_clean(cell), sheet)
    if isinstance(cell, datetime):
        written = WriteOnlyCell(sheet, value=cell)
        written.number_format = "yyyy-mm-dd" if cell.time() == time(0) else "yyyy-mm-dd hh:mm"
        return written
    if isinstance(cell, date):
        written = WriteOnlyCell(sheet, value=cell)
        written.number_format = "yyyy-mm-dd"
        return written
    if isinstance(cell, int) and not isinstance(cell, bool) and abs(cell) >= 10 ** 15:
        return str(cell)  # Excel keeps 15 digits of a number: a long one is written as text
    if cell is None or isinstance(cell, (bool, int, float)):
        return cell
    return _text_cell(_clean(str(cell)), sheet)


def _text_cell(text: str, sheet) -> Any:
    """Plain text as it is; text a spreadsheet would run as a formula as a quote-prefixed string
    cell (a plain ``str`` starting with ``=`` would be written as a formula)."""
    if not is_formula_like(text):
        return text
    return as_text(WriteOnlyCell(sheet, value=text))
