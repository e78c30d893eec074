"""The public verification page a filed report's QR code opens (``/verify/<code>``): no sign-in.

It recomputes the filing's fingerprints and seal from what is stored and says whether the report
is genuine, current or superseded (by which filing), and shows the SHA-256 of the PDF and XLSX
so a recipient can compare the file they hold; a file can also be checked by uploading it. It
shows no personal data: company, recipient, unit, period, filing number and dates only.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, render_template, request

from ..core.forms import ActionForm
from .queries import filing_by_code, filing_status

bp = Blueprint("reports_public", __name__, url_prefix="/verify", template_folder="templates")

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer"}
#: The largest file checked by upload (a filed PDF or XLSX is far smaller).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


@bp.route("/<code>", methods=["GET", "POST"])
def verify(code: str):
    filing = filing_by_code(code)
    if filing is None:
        return render_template("carebridge/reports/verify.html", filing=None), 404, NO_STORE
    status = filing_status(filing)
    form = ActionForm()
    upload = None
    if request.method == "POST" and form.validate():
        upload = _uploaded_match(filing)
    return render_template("carebridge/reports/verify.html", filing=filing, status=status,
                           form=form, upload=upload), 200, NO_STORE


def _uploaded_match(filing) -> str:
    """``pdf`` / ``xlsx`` when the uploaded file is the filed one, ``none`` when it is not,
    ``missing`` when no file came."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return "missing"
    data = file.stream.read(UPLOAD_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    if digest == filing.pdf_sha256:
        return "pdf"
    if digest == filing.xlsx_sha256:
        return "xlsx"
    return "none"
