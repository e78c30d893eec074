"""Finger-drawn signatures: what :func:`decode_signature` accepts, refuses and returns."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageDraw

from plugin.core.errors import ValidationError
from plugin.core.signatures import MAX_BYTES, MAX_OUTPUT_SIZE, decode_signature


def png_bytes(image: Image.Image, **save_options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save_options)
    return out.getvalue()


def data_url(data: bytes, prefix: str = "data:image/png;base64,") -> str:
    return prefix + base64.b64encode(data).decode("ascii")


def drawing(size=(1000, 500), *, strokes=True, colour=(0, 0, 0, 255), background=(0, 0, 0, 0),
            mode="RGBA") -> Image.Image:
    """A canvas like signature_pad's: transparent, with a few thick strokes across it."""
    image = Image.new(mode, size, background)
    if strokes:
        pen = ImageDraw.Draw(image)
        width, height = size
        pen.line([(width * 0.1, height * 0.6), (width * 0.3, height * 0.3), (width * 0.5, height * 0.7),
                  (width * 0.8, height * 0.4)], fill=colour, width=8)
    return image


def refused(value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        decode_signature(value)
    assert caught.value.field == "signature"
    return caught.value


def test_a_drawn_signature_comes_back_as_a_cropped_grey_png_without_transparency():
    result = decode_signature(data_url(png_bytes(drawing())))
    image = Image.open(io.BytesIO(result))
    assert image.format == "PNG"
    assert image.mode == "L"
    # Cropped to the ink (700 x 200 of the 1000 x 500 canvas, plus a margin), scaled to fit.
    assert image.width <= MAX_OUTPUT_SIZE[0] and image.height <= MAX_OUTPUT_SIZE[1]
    assert image.width < 1000 and image.height < 300
    # Dark ink on white paper, where the canvas was transparent.
    assert image.getpixel((0, 0)) == 255
    assert image.getextrema()[0] < 50


def test_the_prefix_is_accepted_in_any_case_and_a_white_canvas_with_blue_ink_works():
    image = drawing(colour=(20, 40, 200, 255), background=(255, 255, 255, 255))
    assert decode_signature(data_url(png_bytes(image), prefix="DATA:image/PNG;base64,"))


@pytest.mark.parametrize("value", [None, "", "   "])
def test_nothing_drawn_asks_for_the_signature(value):
    assert refused(value).message == "请用手指在框内写下您的名字"


def test_an_empty_transparent_canvas_is_blank():
    assert refused(data_url(png_bytes(drawing(strokes=False)))).message == "请用手指在框内写下您的名字"


def test_a_white_canvas_without_ink_is_blank():
    blank = drawing(strokes=False, background=(255, 255, 255, 255))
    assert refused(data_url(png_bytes(blank))).message == "请用手指在框内写下您的名字"


def test_a_single_dot_is_not_a_signature():
    image = drawing(strokes=False)
    ImageDraw.Draw(image).ellipse((500, 250, 520, 270), fill=(0, 0, 0, 255))
    assert refused(data_url(png_bytes(image))).message in {"请用手指在框内写下您的名字",
                                                          "签名太小了，请在框内写下您的名字"}


def test_a_tight_scribble_in_a_corner_is_too_small():
    image = drawing(strokes=False)
    ImageDraw.Draw(image).rectangle((10, 10, 60, 40), fill=(0, 0, 0, 255))
    assert refused(data_url(png_bytes(image))).message == "签名太小了，请在框内写下您的名字"


def test_faint_or_nearly_transparent_strokes_are_not_ink():
    faint = drawing(colour=(0, 0, 0, 20))
    assert refused(data_url(png_bytes(faint))).message == "请用手指在框内写下您的名字"
    light = drawing(colour=(230, 230, 230, 255))
    assert refused(data_url(png_bytes(light))).message == "请用手指在框内写下您的名字"


@pytest.mark.parametrize("value", [
    "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==",
    "https://example.com/signature.png",
    "data:image/png;base64,not base64 at all!",
    data_url(b"GIF89a" + b"\0" * 100),
])
def test_anything_but_a_png_data_url_is_invalid(value):
    assert refused(value).message == "签名图片无效，请清除后重新签名"


def test_a_jpeg_sent_under_a_png_label_is_invalid():
    out = io.BytesIO()
    drawing(mode="RGB", background=(255, 255, 255)).save(out, format="JPEG")
    assert refused(data_url(out.getvalue())).message == "签名图片无效，请清除后重新签名"


def test_a_truncated_png_is_invalid():
    data = png_bytes(drawing())
    assert refused(data_url(data[: len(data) // 2])).message == "签名图片无效，请清除后重新签名"


def test_too_many_bytes_are_refused_with_the_limit_in_the_message():
    noisy = Image.frombytes("RGBA", (1000, 500), bytes(range(256)) * (1000 * 500 * 4 // 256 + 1))
    data = png_bytes(noisy, compress_level=0)
    assert len(data) > MAX_BYTES
    error = refused(data_url(data))
    assert error.message.startswith("签名图片太大")
    assert error.params == {"kilobytes": MAX_BYTES // 1024}


@pytest.mark.parametrize("size", [(40, 200), (600, 20), (4000, 400), (1200, 2000)])
def test_odd_dimensions_are_refused(size):
    image = Image.new("1", size, 1)
    assert refused(data_url(png_bytes(image))).message == "签名图片的尺寸不合适，请清除后重新签名"


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = png_bytes(Image.new("1", (20000, 20000), 0), optimize=True)
    assert len(bomb) < MAX_BYTES
    assert refused(data_url(bomb)).message in {"签名图片的尺寸不合适，请清除后重新签名",
                                               "签名图片无效，请清除后重新签名"}
