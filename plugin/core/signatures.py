"""Handwritten signatures drawn with a finger on a phone (pledges, agreements, consents).

The page's canvas (``carebridge/signature.html``, ``static/signature/``) posts the drawing as a
``data:image/png;base64,...`` URL in a hidden field. :func:`decode_signature` checks that it is a
real PNG of sensible size with enough ink to be a signature, and returns it normalised: cropped
to the ink, at most :data:`MAX_OUTPUT_SIZE`, dark ink on white, grey-scale, without metadata.
"""
from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image, ImageChops, UnidentifiedImageError

from .errors import ValidationError
from .uploads import PNG_MAGIC

DATA_URL_PREFIX = "data:image/png;base64,"
#: Largest drawing accepted, decoded (a phone canvas at 3x density is well under 100 KB).
MAX_BYTES = 200 * 1024
MIN_SIZE = (60, 30)
MAX_SIZE = (3000, 1500)
#: The stored signature is scaled down to fit this box (documents print it about 6 cm wide).
MAX_OUTPUT_SIZE = (900, 360)
#: A pixel is ink when it is this opaque and this dark.
INK_ALPHA = 64
INK_LUMINANCE = 160
#: Ink pixels needed: at least this many, and at least this share of the canvas.
MIN_INK_PIXELS = 150
MIN_INK_SHARE = 0.001
#: The ink must stretch over this share of the canvas width or height (not just a dot).
MIN_INK_EXTENT = 0.1
MARGIN = 8
FIELD = "signature"


def decode_signature(data_url: str | None) -> bytes:
    """The signature in ``data_url`` as normalised PNG bytes; ``ValidationError`` otherwise."""
    image = _open(_decode(data_url))
    width, height = image.size
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ValidationError("签名图片的尺寸不合适，请清除后重新签名", field=FIELD)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError("签名图片无效，请清除后重新签名", field=FIELD) from error
    ink = _ink_mask(image)
    box = ink.getbbox()
    ink_pixels = ink.histogram()[255]
    if box is None or ink_pixels < max(MIN_INK_PIXELS, MIN_INK_SHARE * width * height):
        raise ValidationError("请用手指在框内写下您的名字", field=FIELD)
    if (box[2] - box[0]) < MIN_INK_EXTENT * width and (box[3] - box[1]) < MIN_INK_EXTENT * height:
        raise ValidationError("签名太小了，请在框内写下您的名字", field=FIELD)
    return _normalised(image, box)


def _decode(data_url: str | None) -> bytes:
    text = (data_url or "").strip()
    if not text:
        raise ValidationError("请用手指在框内写下您的名字", field=FIELD)
    if text[:len(DATA_URL_PREFIX)].lower() != DATA_URL_PREFIX:
        raise ValidationError("签名图片无效，请清除后重新签名", field=FIELD)
    encoded = text[len(DATA_URL_PREFIX):]
    if len(encoded) > (MAX_BYTES * 4) // 3 + 4:
        raise ValidationError("签名图片太大（最多 %(kilobytes)s KB），请清除后重新签名",
                              field=FIELD, kilobytes=MAX_BYTES // 1024)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError("签名图片无效，请清除后重新签名", field=FIELD) from error
    if not data.startswith(PNG_MAGIC):
        raise ValidationError("签名图片无效，请清除后重新签名", field=FIELD)
    return data


def _open(data: bytes) -> Image.Image:
    """Open the PNG reading its header only (the size is checked before pixels are decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ValidationError("签名图片无效，请清除后重新签名", field=FIELD) from error
    return image


def _ink_mask(image: Image.Image) -> Image.Image:
    """255 where the drawing has ink (opaque enough and dark enough), 0 elsewhere."""
    rgba = image.convert("RGBA")
    opaque = rgba.getchannel("A").point(lambda value: 255 if value >= INK_ALPHA else 0)
    dark = rgba.convert("RGB").convert("L").point(lambda value: 255 if value < INK_LUMINANCE else 0)
    return ImageChops.multiply(opaque, dark)


def _normalised(image: Image.Image, box: tuple[int, int, int, int]) -> bytes:
    """Ink on white, grey-scale, cropped to the ink plus a margin and scaled to fit."""
    left, top, right, bottom = box
    box = (max(0, left - MARGIN), max(0, top - MARGIN),
           min(image.width, right + MARGIN), min(image.height, bottom + MARGIN))
    rgba = image.convert("RGBA").crop(box)
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(paper, rgba).convert("L")
    flat.thumbnail(MAX_OUTPUT_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    return out.getvalue()
