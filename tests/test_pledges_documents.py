"""The pledge PDF: embedded Chinese font, renders (not blank), the right content, masked IDs."""
from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
import qrcode
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from plugin.core.clock import local_today
from plugin.core.pdf import QR_QUIET_ZONE, draw_qr
from plugin.pledges import services
from plugin.pledges.documents import render_pledge_pdf, status_note_for, wrap
from plugin.pledges.responses import verify_url
from plugin.pledges.rules import display_code

from .pledges_support import (
    CHILD_ID_NUMBER,
    OFFICER,
    WORKER_ID_NUMBER,
    Family,
    dark_share,
    first_page_png,
    make_family,
    paper_pledge,
    pdf_fonts,
    pdf_text,
    phone_pledge,
)


@pytest.fixture
def family(make_unit, make_worker, make_child, clock) -> Family:
    return make_family(make_unit, make_worker, make_child)


def render(pledge) -> bytes:
    return render_pledge_pdf(pledge, verify_url(pledge.verification_code),
                             status_note=status_note_for(pledge, local_today()))


def test_the_pdf_embeds_the_chinese_truetype_font_and_nothing_else(family, tmp_path):
    pdf = render(phone_pledge(family))
    fonts = pdf_fonts(pdf, tmp_path)
    rows = fonts.strip().splitlines()[2:]
    assert rows, fonts
    for row in rows:
        columns = row.split()
        assert "TrueType" in row and columns[-5:-2] == ["yes", "yes", "yes"], fonts  # emb sub uni
    assert "Helvetica" not in fonts and "STSong" not in fonts


def test_the_first_page_renders_with_text_qr_and_signature(family, tmp_path):
    pdf = render(phone_pledge(family))
    page = first_page_png(pdf, tmp_path)
    assert page.size[0] > 300
    share = dark_share(page)
    assert 0.01 < share < 0.5, share
    # The QR code sits in the lower right quarter of the page: that corner is not blank.
    corner = page.crop((page.width // 2, page.height // 2, page.width, page.height))
    assert dark_share(corner) > 0.01


def test_the_text_of_a_phone_pledge(family, tmp_path):
    pledge = phone_pledge(family)
    text = pdf_text(render(pledge), tmp_path)
    flat = "".join(text.split())
    for expected in ("监护责任承诺书", "GuardianshipResponsibilityPledge", "赵铁柱", "E2001", "前海项目部",
                     "赵小妹", "赵小弟", "2026-11-22", "2027-11-21", "手机上手写签名",
                     display_code(pledge.verification_code), "每周至少与子女和照护人联系一次",
                     "Englishtranslationforreference"):
        assert expected in flat, expected
    # ID numbers masked: the worker's (first 3, last 4); the child's shows masked, or its birth date.
    assert "110***********002X" in flat and WORKER_ID_NUMBER not in flat
    assert CHILD_ID_NUMBER not in flat
    assert "110***********0017" in flat or "2011-05-05" in flat
    assert "2018-03-03" in flat  # the younger child has no ID number: its birth date
    assert f"/v/{pledge.verification_code}" in flat


def test_a_paper_pledge_names_the_witness_and_the_original(family, tmp_path):
    flat = "".join(pdf_text(render(paper_pledge(family)), tmp_path).split())
    assert "纸质签字，原件存档" in flat and "见证人Witness李专员" in flat
    assert "手机上手写签名" not in flat


def test_the_pdf_keeps_the_text_it_was_signed_under(family, tmp_path):
    first = services.current_template()
    pledge = paper_pledge(family)
    services.save_template(title_zh=first.title_zh, title_en=first.title_en,
                           body_zh="全新的承诺文本。", body_en="A new text.", actor=OFFICER)
    flat = "".join(pdf_text(render(pledge), tmp_path).split())
    assert "每周至少与子女和照护人联系一次" in flat and "全新的承诺文本" not in flat
    assert "文本版本v1" in flat


def test_revoked_and_expired_documents_carry_a_stamp(family, tmp_path, clock):
    pledge = paper_pledge(family)
    assert status_note_for(pledge, local_today()) is None
    assert status_note_for(pledge, date(2027, 11, 22)) == "已过期 Expired"
    services.revoke(pledge, "重签", OFFICER)
    assert "已撤销Revoked" in "".join(pdf_text(render(pledge), tmp_path).split())


@pytest.mark.parametrize("text, width, lines", [
    ("一二三四五六七八九十", 50, ["一二三四", "五六七八", "九十"]),
    ("甲乙丙，丁", 37.5, ["甲乙丙，", "丁"]),  # punctuation hangs instead of starting a line
    ("keep words together please", 80, ["keep words", "together", "please"]),
])
def test_wrapping_breaks_between_chinese_characters_and_latin_words(app_context, text, width, lines):
    assert wrap(text, 12.5, width) == lines


def test_the_qr_code_is_drawn_module_for_module(tmp_path):
    """``draw_qr`` paints exactly the modules of the code qrcode computes (sampled at the centre
    of each module on a rendered page), with the quiet zone light."""
    value = "https://care.example.com/v/ABCDEFGHJKMNPQRS"
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 200))
    draw_qr(canvas, value, 20, 20, 160)
    canvas.showPage()
    canvas.save()
    (tmp_path / "qr.pdf").write_bytes(out.getvalue())
    subprocess.run(["pdftoppm", "-png", "-r", "288", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")],
                   check=True)
    [png] = tmp_path.glob("qr*.png")
    image = Image.open(png).convert("L")
    scale = image.width / 200
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_ZONE)
    code.add_data(value)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = 160 / len(matrix)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            centre = ((20 + (column + 0.5) * module) * scale, (20 + (row + 0.5) * module) * scale)
            assert (image.getpixel(centre) < 128) == dark, (row, column)
