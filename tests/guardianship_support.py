"""Test data and checks for guardianship tests: agreement drafts, scans, signatures, ID numbers,
PDF inspection with poppler (``pdffonts``, ``pdftoppm``, ``pdftotext``)."""
from __future__ import annotations

import base64
import io
import subprocess
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from plugin.guardianship.contacts import log_contact
from plugin.guardianship.integrity import worker_actor
from plugin.guardianship.models import AgreementSigning
from plugin.guardianship.services import AgreementDraft
from plugin.registry.idnumber import check_character

from .worker_phone_support import signed_in_phone

TODAY = date(2026, 11, 22)


def id_number(birth: date, region: str = "110105", sequence: str = "123") -> str:
    """A valid citizen ID number for someone born on ``birth``."""
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


def image_bytes(kind: str = "PNG", size=(200, 120)) -> bytes:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).line([(10, 60), (190, 70)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


PNG_SCAN = image_bytes("PNG")
JPEG_SCAN = image_bytes("JPEG")
PDF_SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def signature_data_url() -> str:
    """What the phone's signature canvas posts: a transparent PNG with a few strokes."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(60, 150), (180, 60), (300, 170), (480, 90)], fill=(0, 0, 0, 255),
                               width=7)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def paper_draft(children, **overrides) -> AgreementDraft:
    """A paper agreement for ``children`` that passes every rule unless ``overrides`` break one."""
    values = dict(
        child_ids=[child.id for child in children], carer_name="李桂英", carer_relation="外祖母",
        carer_phone="13912345678", carer_address="四川省凉山州某县某村 3 组", starts_on=TODAY,
        ends_on=TODAY + timedelta(days=365), method=AgreementSigning.PAPER, carer_capable_adult=True,
        no_bars_declared=True, duties="接送上学，照料生活", witness="王专员", signed_on=TODAY,
        scan=PNG_SCAN)
    values.update(overrides)
    return AgreementDraft(**values)


def phone_draft(children, **overrides) -> AgreementDraft:
    return paper_draft(children, method=AgreementSigning.PHONE, witness=None, signed_on=None,
                       scan=None, **overrides)


def write(tmp_path: Path, data: bytes, name: str = "document.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_fonts(path: Path) -> list[list[str]]:
    """Rows of ``pdffonts`` (name, type, encoding, emb, sub, uni, object, ID)."""
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in output.splitlines()[2:] if line.strip()]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def first_page_ink(path: Path, tmp_path: Path) -> float:
    """Share of non-white pixels of the first page rendered by ``pdftoppm -png -r 50``."""
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(prefix)],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(count for value, count in enumerate(image.histogram()) if value < 200)
    return dark / (image.width * image.height)


def phone(app, worker):
    """A test client signed in as ``worker`` on their phone."""
    return signed_in_phone(app.test_client(), worker)


def log(worker, days_ago: int):
    """The worker logs a call with their first child ``days_ago`` days before TODAY."""
    child = worker.child_links[0].child
    return log_contact(worker, child_id=child.id, party="child", kind="call",
                       contact_on=TODAY - timedelta(days=days_ago), note=None,
                       actor=worker_actor(worker), today=TODAY)
