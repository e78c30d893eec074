"""The worker's own pledge pages on a phone (``/w/pledges/``): see one's pledges, download
them, and sign a new one with a finger. Signing is the only page with JavaScript (the pad)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..core.signatures import decode_signature
from ..registry.queries import children_of
from ..worker_access.cookies import request_worker_actor, require_worker
from . import queries, services
from .forms import PhonePledgeForm, child_choices
from .responses import pdf_response
from .rules import status_of

bp = Blueprint("pledges_worker", __name__, url_prefix="/w/pledges", template_folder="templates",
               static_folder="static")


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@bp.route("/")
def mine():
    worker = require_worker()
    today = local_today()
    children = children_of(worker)
    opens_on = services.renewal_opens_on(worker, children, today) if children else None
    return render_template("carebridge/pledges/worker_mine.html", worker=worker,
                           pledges=queries.pledges_of(worker.id), has_children=bool(children),
                           renewal_opens_on=opens_on,
                           status_of=lambda pledge: status_of(pledge, today))


@bp.route("/sign", methods=["GET", "POST"])
def sign():
    worker = require_worker()
    children = children_of(worker)
    template = services.current_template()
    form = PhonePledgeForm(data=None if request.method == "POST" else {
        "children": [child.id for child in children], "template_id": template.id})
    form.children.choices = child_choices(children)
    if form.validate_on_submit():
        chosen = {child.id: child for child in children}
        try:
            signature = decode_signature(form.signature.data)
            shown = queries.get_template(_number(form.template_id.data)) or template
            services.sign_on_phone(worker, [chosen[i] for i in form.children.data if i in chosen],
                                   signature, template=shown, actor=request_worker_actor(worker))
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".mine", signed=1))
    return render_form("carebridge/pledges/worker_sign.html", worker=worker, form=form,
                       template=template, has_children=bool(children))


@bp.route("/<int:pledge_id>/pdf")
def pdf(pledge_id: int):
    worker = require_worker()
    pledge = queries.get_pledge(pledge_id)
    if pledge is None or pledge.worker_id != worker.id:
        abort(404)
    services.record_pdf_download(pledge, request_worker_actor(worker))
    return pdf_response(pledge)
