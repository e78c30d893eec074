"""Files people upload (scans of signed paper, rosters): the one check, with one set of messages.

A file's type is known by its content, never by its name: the first bytes (a PDF starts with
``%PDF-``, a PNG with its signature, an XLSX is a zip) or, for CSV, text without the zero bytes
of a binary file. The name and the type the browser declared only have to agree with the content
(a PDF renamed ``.png`` is refused, so is an HTML page renamed ``.pdf``), and an image has to open
(its structure is verified: a truncated photo is refused). Each caller says what it accepts
(:data:`SCAN`, :data:`ROSTER`) and how big a file may be: limits are the features' settings.

Every refusal is a :class:`~plugin.core.errors.ValidationError` naming the form field, whose
message names the file and says what is wrong, in Chinese and English like every message::

    “scan.pdf”：文件太大，最多 10 MB  /  “scan.pdf”: the file is too large, at most 10 MB

A file whose name the caller does not know is named by what it is (``扫描件``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from .errors import ValidationError
from .i18n import N_

#: Nothing was uploaded.
NOTHING = N_("请上传%(what)s")
EMPTY = N_("%(name)s：文件是空的")
TOO_BIG = N_("%(name)s：文件太大，最多 %(megabytes)s MB")
WRONG_TYPE = N_("%(name)s：只能上传 %(types)s 文件")
#: The content is an accepted type, but not the one the name or the browser says.
MISMATCH = N_("%(name)s：文件内容与文件类型不符，请上传真正的 %(types)s 文件")
DAMAGED = N_("%(name)s：图片已损坏，无法打开")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Bytes read to tell a file's type (a CSV's first lines are enough to tell text from binary).
SNIFF_BYTES = 8192
CHUNK_BYTES = 1 << 20
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class FileType:
    """A kind of file by its content."""

    #: The content type stored with the file and sent back when it is downloaded.
    content_type: str
    #: File name endings of this type (lower case).
    extensions: tuple[str, ...]
    #: The file starts with one of these; none: it is text (no zero bytes outside UTF-16).
    magic: tuple[bytes, ...] = ()
    #: Other content types browsers declare for it.
    aliases: tuple[str, ...] = ()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def matches(self, head: bytes) -> bool:
        if self.magic:
            return head.startswith(self.magic)
        return head.startswith(_UTF16_BOMS) or b"\x00" not in head

    def named_by(self, declared: str | None, filename: str | None) -> bool:
        """Whether a declared content type or a file name says this type."""
        return (declared in (self.content_type, *self.aliases)
                or (filename or "").lower().endswith(self.extensions))


PDF = FileType("application/pdf", (".pdf",), (b"%PDF-",))
PNG = FileType("image/png", (".png",), (PNG_MAGIC,))
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",),
                aliases=("image/jpg", "image/pjpeg"))
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
                (b"PK\x03\x04",))
CSV = FileType("text/csv", (".csv",), aliases=("application/csv", "text/plain"))
#: Files that are never text, whatever their name says (so a renamed one is not read as CSV).
_BINARY = (b"%PDF-", PNG_MAGIC, b"\xff\xd8\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"GIF8",
           b"MZ", b"\x7fELF", b"\x1f\x8b")


@dataclass(frozen=True)
class UploadKind:
    """What a form accepts: the file types (in the order tried), and words for messages."""

    types: tuple[FileType, ...]
    #: What to upload, as asked for when nothing came (a msgid).
    what: Any
    #: The file when its name is not known (a msgid).
    noun: Any
    #: The accepted types as listed in messages (a msgid: "PDF、JPG 或 PNG").
    types_label: Any

    @property
    def accept(self) -> str:
        """For ``<input type="file" accept=…>``."""
        return ",".join([kind.content_type for kind in self.types]
                        + [ext for kind in self.types for ext in kind.extensions])


#: A scan or photo of a signed paper (pledges, agreements).
SCAN = UploadKind((PDF, JPEG, PNG), _l("签字页的扫描件或照片"), _l("扫描件"), _l("PDF、JPG 或 PNG"))
#: A document supporting an application: a diagnosis, a school bill, a photo of the damage.
EVIDENCE = UploadKind((PDF, JPEG, PNG), _l("证明材料"), _l("证明材料"), _l("PDF、JPG 或 PNG"))
#: A photo taken on a visit.
PHOTO = UploadKind((JPEG, PNG), _l("照片"), _l("照片"), _l("JPG 或 PNG"))
#: A roster exported from an HR system.
ROSTER = UploadKind((XLSX, CSV), _l("花名册文件"), _l("花名册"), _l("XLSX 或 CSV"))


def check_upload(data: bytes | None, kind: UploadKind, *, max_bytes: int,
                 filename: str | None = None, declared_type: str | None = None,
                 field: str = "file") -> FileType:
    """The type of the uploaded ``data``, or :class:`ValidationError` naming ``field``.

    Read at most ``max_bytes + 1`` bytes of the upload, so a file too big is refused without
    reading it all (``storage.stream.read(max_bytes + 1)``).
    """
    name = _name(filename, kind)
    if not data:
        raise _nothing(filename, kind, name, field)
    _check_size(len(data), max_bytes, name, field)
    file_type = _sniff(data[:SNIFF_BYTES], kind, name, declared_type, filename, field)
    if file_type.is_image:
        _check_image(data, name, field)
    return file_type


def save_upload(stream: IO[bytes], path: Path, kind: UploadKind, *, max_bytes: int,
                filename: str | None, declared_type: str | None = None,
                field: str = "file") -> FileType:
    """Copy an upload to ``path`` chunk by chunk (never the whole file in memory), refusing it
    as :func:`check_upload` does as soon as it is too big; ``path`` is left for the caller to
    delete when refused."""
    name = _name(filename, kind)
    size = 0
    head = b""
    with open(path, "wb") as target:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            _check_size(size, max_bytes, name, field)
            if len(head) < SNIFF_BYTES:
                head += chunk[:SNIFF_BYTES - len(head)]
            target.write(chunk)
    if size == 0:
        raise _nothing(filename, kind, name, field)
    file_type = _sniff(head, kind, name, declared_type, filename, field)
    if file_type.is_image:
        with open(path, "rb") as source:
            _check_image(source.read(), name, field)
    return file_type


def megabytes(max_bytes: int) -> int | float:
    """A limit as it reads in messages and forms: ``10``, ``0.5``."""
    value = round(max_bytes / (1024 * 1024), 1)
    return int(value) if value == int(value) else value


def _name(filename: str | None, kind: UploadKind) -> Any:
    if filename:
        return f"“{Path(filename.replace(chr(92), '/')).name[-100:]}”"
    return kind.noun


def _nothing(filename: str | None, kind: UploadKind, name: Any, field: str) -> ValidationError:
    """An empty file, or no file at all (no name either)."""
    if filename:
        return ValidationError(EMPTY, field=field, name=name)
    return ValidationError(NOTHING, field=field, what=kind.what)


def _check_size(size: int, max_bytes: int, name: Any, field: str) -> None:
    if size > max_bytes:
        raise ValidationError(TOO_BIG, field=field, name=name, megabytes=megabytes(max_bytes))


def _sniff(head: bytes, kind: UploadKind, name: Any, declared_type: str | None,
           filename: str | None, field: str) -> FileType:
    binary = head.startswith(_BINARY)
    actual = next((file_type for file_type in kind.types
                   if file_type.matches(head) and (file_type.magic or not binary)), None)
    if actual is None:
        raise ValidationError(WRONG_TYPE, field=field, name=name, types=kind.types_label)
    declared = (declared_type or "").split(";")[0].strip().lower()
    if any(other is not actual and other.named_by(declared, None) for other in kind.types) or (
            filename and not actual.named_by(None, filename)
            and any(other.named_by(None, filename) for other in kind.types)):
        raise ValidationError(MISMATCH, field=field, name=name, types=kind.types_label)
    return actual


def _check_image(data: bytes, name: Any, field: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise ValidationError(DAMAGED, field=field, name=name) from error
