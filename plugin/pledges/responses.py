"""What officer and worker pages share: the pledge PDF response and verification links."""
from __future__ import annotations

from flask import Response

from ..core.clock import local_today
from ..core.http import attachment_disposition
from ..core.urls import public_url
from .documents import render_pledge_pdf, status_note_for
from .models import Pledge


def verify_url(code: str) -> str:
    """Absolute URL of the public verification page of one document (its QR code)."""
    return public_url("carebridge.pledges_public.verify", code=code)


def verify_url_base() -> str:
    """Absolute URL of the verification page's root; a code appended gives a document's page."""
    return public_url("carebridge.pledges_public.index")


def pdf_response(pledge: Pledge) -> Response:
    pdf = render_pledge_pdf(pledge, verify_url(pledge.verification_code),
                            status_note=status_note_for(pledge, local_today()))
    name = f"{pledge.worker.name}-{pledge.signed_on.isoformat()}-监护责任承诺书.pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(f"pledge-{pledge.id}.pdf",
                                                                     name)
    response.headers["Cache-Control"] = "no-store"
    return response
