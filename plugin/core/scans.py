"""Scans of signed paper (pledges, entrusted-guardianship agreements): the one upload check.

A scan is a PDF, a JPEG or a PNG, known by its first bytes, never by its name; a type the browser
declared must agree with them, and an image must open (its structure is verified, so a renamed
HTML page or a truncated photo is refused). Features pass their own size limit.
"""
from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from .errors import ValidationError
from .signatures import PNG_MAGIC

#: Content types of scans, by the bytes they start with.
SCAN_MAGIC = ((b"%PDF-", "application/pdf"), (PNG_MAGIC, "image/png"),
              (b"\xff\xd8\xff", "image/jpeg"))
SCAN_TYPES = frozenset(kind for _magic, kind in SCAN_MAGIC)
#: Names browsers give JPEG besides ``image/jpeg``.
_JPEG_ALIASES = {"image/jpg", "image/pjpeg"}


def check_scan(data: bytes | None, declared: str | None = None, *, max_bytes: int,
               field: str = "scan") -> str:
    """The scan's content type, from its first bytes; ``ValidationError`` naming ``field``."""
    if not data:
        raise ValidationError("请上传签字页的扫描件或照片", field=field)
    if len(data) > max_bytes:
        raise ValidationError("文件太大：最多 %(megabytes)s MB", field=field,
                              megabytes=max_bytes // (1024 * 1024))
    actual = next((kind for magic, kind in SCAN_MAGIC if data.startswith(magic)), None)
    if actual is None:
        raise ValidationError("只能上传 PDF、JPG 或 PNG 文件", field=field)
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in _JPEG_ALIASES:
        declared = "image/jpeg"
    if declared in SCAN_TYPES and declared != actual:
        raise ValidationError("文件内容与文件类型不符，请上传真正的 PDF、JPG 或 PNG 文件", field=field)
    if actual.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError) as error:
            raise ValidationError("图片已损坏，无法打开", field=field) from error
    return actual
