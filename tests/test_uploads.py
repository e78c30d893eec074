"""The one upload check (plugin.core.uploads): type by content, size by the caller, one set of
messages naming the file and the reason."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from plugin.core.errors import ValidationError
from plugin.core.uploads import (
    CSV,
    DAMAGED,
    EMPTY,
    JPEG,
    MISMATCH,
    NOTHING,
    PDF,
    PNG,
    ROSTER,
    SCAN,
    TOO_BIG,
    WRONG_TYPE,
    XLSX,
    check_upload,
    megabytes,
    save_upload,
)

MB = 1024 * 1024
PDF_DATA = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format=fmt)
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def refusal(data, kind=SCAN, **options) -> ValidationError:
    options.setdefault("max_bytes", 10 * MB)
    with pytest.raises(ValidationError) as refused:
        check_upload(data, kind, **options)
    return refused.value


# -- accepted ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, filename, file_type", [
    (PDF_DATA, "scan.pdf", PDF), (image("PNG"), "scan.png", PNG), (image("JPEG"), "IMG_0001.JPG", JPEG),
    (PDF_DATA, None, PDF), (image("JPEG"), "photo.jpeg", JPEG),
])
def test_scans_are_known_by_their_content(data, filename, file_type):
    assert check_upload(data, SCAN, max_bytes=MB, filename=filename) is file_type


def test_a_name_the_browser_leaves_vague_is_fine():
    assert check_upload(PDF_DATA, SCAN, max_bytes=MB, filename="扫描 001",
                        declared_type="application/octet-stream") is PDF
    assert check_upload(image("JPEG"), SCAN, max_bytes=MB, declared_type="image/pjpeg") is JPEG


@pytest.mark.parametrize("data, filename, file_type", [
    (xlsx(), "花名册.xlsx", XLSX),
    ("工号,姓名\n1001,张伟\n".encode("gbk"), "roster.csv", CSV),
    ("工号,姓名\n1001,张伟\n".encode("utf-16"), "roster.csv", CSV),  # UTF-16 has zero bytes
])
def test_rosters_are_known_by_their_content(data, filename, file_type):
    assert check_upload(data, ROSTER, max_bytes=MB, filename=filename) is file_type


# -- refused: each reason, naming the file ---------------------------------------------------

def test_nothing_uploaded_asks_for_the_file():
    error = refusal(None, field="scan")
    assert error.message == NOTHING and error.field == "scan"
    assert str(error) == "请上传签字页的扫描件或照片"


def test_an_empty_file_is_refused_by_name():
    error = refusal(b"", filename="scan.pdf")
    assert error.message == EMPTY and str(error) == "“scan.pdf”：文件是空的"


def test_a_file_over_the_callers_limit_is_refused_with_the_limit():
    error = refusal(PDF_DATA + b"0" * (2 * MB), max_bytes=2 * MB, filename="big.pdf")
    assert error.message == TOO_BIG and error.params["megabytes"] == 2
    assert str(error) == "“big.pdf”：文件太大，最多 2 MB"
    assert check_upload(PDF_DATA + b"0" * (2 * MB - len(PDF_DATA)), SCAN, max_bytes=2 * MB) is PDF


@pytest.mark.parametrize("data, filename", [
    (b"<html><script>alert(1)</script></html>", "scan.pdf"),  # a web page renamed .pdf
    (b"MZ\x90\x00" + b"\x00" * 60, "scan.jpg"),                 # a program renamed .jpg
    (b"GIF89a" + b"\x00" * 64, "scan.gif"),
])
def test_a_file_of_another_type_is_refused_whatever_its_name(data, filename):
    error = refusal(data, filename=filename)
    assert error.message == WRONG_TYPE
    assert str(error) == f"“{filename}”：只能上传 PDF、JPG 或 PNG 文件"


@pytest.mark.parametrize("data, filename, declared", [
    (PDF_DATA, "scan.png", None),                   # the name says PNG
    (PDF_DATA, "scan", "image/png"),                 # the browser says PNG
    (image("JPEG"), "scan.pdf", "application/pdf"),
])
def test_a_file_whose_name_disguises_its_type_is_refused(data, filename, declared):
    error = refusal(data, filename=filename, declared_type=declared)
    assert error.message == MISMATCH and "文件内容与文件类型不符" in str(error)


@pytest.mark.parametrize("data, filename, message", [
    (b"<html>not a workbook</html>", "roster.xlsx", MISMATCH),  # text disguised as Excel
    (xlsx(), "roster.csv", MISMATCH),                            # Excel disguised as CSV
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "roster.xls", WRONG_TYPE),  # old binary Excel
    (b"MZ" + b"\x00" * 100, "roster.csv", WRONG_TYPE),
])
def test_rosters_of_another_type_are_refused(data, filename, message):
    error = refusal(data, ROSTER, filename=filename)
    assert error.message == message and "XLSX 或 CSV" in str(error)


def test_a_damaged_image_is_refused():
    error = refusal(image("PNG")[:60], filename="scan.png")
    assert error.message == DAMAGED and str(error) == "“scan.png”：图片已损坏，无法打开"
    assert refusal(b"\xff\xd8\xff<script>", filename="x.jpg").message == DAMAGED


def test_a_file_without_a_known_name_is_named_by_what_it_is():
    assert str(refusal(b"GIF89a" + b"\x00" * 8)) == "扫描件：只能上传 PDF、JPG 或 PNG 文件"


def test_only_the_last_part_of_a_path_names_the_file():
    assert str(refusal(b"", filename="C:\\Users\\hr\\扫描.pdf")) == "“扫描.pdf”：文件是空的"


def test_messages_are_bilingual(app):
    with app.test_request_context():
        text = refusal(PDF_DATA + b"0" * MB, max_bytes=MB, filename="a.pdf").bilingual()
    assert text.startswith("“a.pdf”：文件太大，最多 1 MB")


# -- streamed uploads (rosters) ----------------------------------------------------------------

def test_a_streamed_upload_is_saved_and_known_by_its_content(tmp_path):
    target = tmp_path / "upload"
    assert save_upload(io.BytesIO(xlsx()), target, ROSTER, max_bytes=MB,
                       filename="r.xlsx") is XLSX
    assert target.read_bytes() == xlsx()


def test_a_streamed_upload_stops_at_the_limit(tmp_path):
    with pytest.raises(ValidationError) as refused:
        save_upload(io.BytesIO(b"a,b\n" * MB), tmp_path / "upload", ROSTER, max_bytes=MB,
                    filename="r.csv")
    assert refused.value.message == TOO_BIG and (tmp_path / "upload").stat().st_size <= 2 * MB


def test_an_empty_stream_is_refused(tmp_path):
    with pytest.raises(ValidationError) as refused:
        save_upload(io.BytesIO(b""), tmp_path / "upload", ROSTER, max_bytes=MB, filename="r.csv")
    assert refused.value.message == EMPTY


def test_limits_read_in_megabytes():
    assert megabytes(10 * MB) == 10 and megabytes(MB // 2) == 0.5


def test_the_accept_attribute_lists_the_types():
    assert SCAN.accept == "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
