"""The public verification page a pledge's QR code opens (``/v/<code>``): no sign-in, and
nothing but whether the document is genuine and valid, the masked name and the dates."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.clock import local_today
from .queries import pledge_by_code
from .rules import display_code, mask_name, normalise_code, status_of

bp = Blueprint("pledges_public", __name__, url_prefix="/v", template_folder="templates")

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer"}


@bp.route("/")
def index():
    """Type in the code printed under the QR code."""
    code = normalise_code(request.args.get("code"))
    if code:
        return redirect(url_for(".verify", code=code))
    return render_template("carebridge/pledges/verify.html", result=None, code=None), 200, NO_STORE


@bp.route("/<code>")
def verify(code: str):
    pledge = pledge_by_code(code)
    result = None
    if pledge is not None:
        result = {"status": status_of(pledge, local_today()), "name": mask_name(pledge.worker.name),
                  "signed_on": pledge.signed_on, "valid_until": pledge.valid_until,
                  "revoked_on": pledge.revoked_at}
    status = 200 if pledge is not None else 404
    return render_template("carebridge/pledges/verify.html", result=result,
                           code=display_code(normalise_code(code))), status, NO_STORE
