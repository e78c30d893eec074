"""Test data for the pledge tests: a site with a worker and children, scans, drawn signatures,
and helpers that read PDFs with poppler (``pdffonts``, ``pdftotext``, ``pdftoppm``)."""
from __future__ import annotations

import base64
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from plugin.core.db import session
from plugin.core.host import Actor
from plugin.core.signatures import decode_signature
from plugin.org.models import OrgKind
from plugin.pledges import services

#: An officer acting in service tests.
OFFICER = Actor(key="officer-1", name="李专员")
WORKER_ID_NUMBER = "11010519491231002X"
CHILD_ID_NUMBER = "110105201105050017"


@dataclass
class Family:
    site: object
    worker: object
    children: list


def make_family(make_unit, make_worker, make_child) -> Family:
    """赵铁柱 of 前海项目部 (phone ending 5678) with two left-behind children, the elder with an ID
    number. Test modules wrap it in a ``family`` fixture that also freezes the clock."""
    site = make_unit(OrgKind.SITE, name="前海项目部")
    worker = make_worker(site, employee_number="E2001", name="赵铁柱", phone="13800135678",
                         id_number=WORKER_ID_NUMBER)
    first = make_child(worker, left_behind=True, name="赵小妹", birth_date="2011-05-05",
                       id_number=CHILD_ID_NUMBER)
    second = make_child(worker, left_behind=True, name="赵小弟", birth_date="2018-03-03")
    session.flush()
    return Family(site, worker, [first, second])


def drawn_signature_url(size=(900, 300)) -> str:
    """What the phone's canvas posts: a transparent PNG with a few strokes, as a data URL."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    width, height = size
    pen.line([(width * 0.1, height * 0.7), (width * 0.25, height * 0.2), (width * 0.4, height * 0.8),
              (width * 0.6, height * 0.3), (width * 0.85, height * 0.6)], fill=(0, 0, 0, 255), width=7)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def signature_png() -> bytes:
    return decode_signature(drawn_signature_url())


def scan_png() -> bytes:
    image = Image.new("RGB", (400, 560), (255, 255, 255))
    ImageDraw.Draw(image).line([(50, 500), (300, 480)], fill=(0, 0, 0), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def scan_pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def paper_pledge(family: Family, *, children=None, signed_on=None, actor=OFFICER, **extra):
    from plugin.core.clock import local_today

    return services.log_paper_pledge(family.worker, family.children if children is None else children,
                                     signed_on or local_today(), "李专员", scan_png(), "image/png",
                                     actor, **extra)


def phone_pledge(family: Family, *, children=None):
    return services.sign_on_phone(family.worker, family.children if children is None else children,
                                  signature_png(), template=services.current_template(),
                                  actor=Actor(key=f"worker:{family.worker.id}", name=family.worker.name))


# -- reading PDFs -------------------------------------------------------------------------------

def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def first_page_png(pdf: bytes, tmp_path: Path) -> Image.Image:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True, capture_output=True)
    [png] = sorted(tmp_path.glob("page*.png"))
    return Image.open(png).convert("L")


def dark_share(image: Image.Image, below: int = 128) -> float:
    """Share of the page's pixels darker than ``below`` (text, QR code, signature)."""
    histogram = image.histogram()
    return sum(histogram[:below]) / (image.width * image.height)
