"""Pictures for the demo company's documents (``carebridge seed-demo``): a photographed signed
page and a signature drawn on a phone, made with Pillow so they pass the same upload and
signature checks as real ones."""
from __future__ import annotations

import base64
import io
import random

from PIL import Image, ImageDraw


def scan_png(rng: random.Random) -> bytes:
    """A white A4-ish page with lines of "text" and a signature stroke near the bottom."""
    image = Image.new("RGB", (420, 594), (250, 250, 247))
    pen = ImageDraw.Draw(image)
    for row in range(60, 460, 22):
        pen.line([(40, row), (40 + rng.randint(250, 340), row)], fill=(90, 90, 90), width=3)
    pen.line(_strokes(rng, (240, 500), (150, 50)), fill=(20, 20, 120), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def signature_data_url(rng: random.Random) -> str:
    """What a phone's signature canvas posts: strokes on a transparent PNG, as a data URL."""
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(_strokes(rng, (90, 60), (720, 180)), fill=(0, 0, 0, 255), width=7)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _strokes(rng: random.Random, origin: tuple[int, int],
             size: tuple[int, int]) -> list[tuple[float, float]]:
    left, top = origin
    width, height = size
    count = rng.randint(5, 8)
    return [(left + width * index / (count - 1), top + height * rng.uniform(0.1, 0.9))
            for index in range(count)]
