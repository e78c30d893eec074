"""The worker's pages on a phone (``/w/positions/``): the company's open positions near home —
within the home province, nearest first, each site's county and the distance in words (同县/
同市/同省) — for workers with left-behind children (others read why there is nothing), asking
for a transfer with one button, their requests with where each stands (the reason when
declined), and withdrawing one not decided yet. Plain forms, no JavaScript (a cheap phone's
WeChat browser over plain http). Only the signed-in worker's own requests, and only openings
suggested to them: any other answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ..access.scope import valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, render_form, render_refused
from ..worker_access.cookies import request_worker_actor, require_worker
from . import queries, transfers
from .forms import TransferForm
from .models import TransferStatus

bp = Blueprint("positions_phone", __name__, url_prefix="/w/positions",
               template_folder="templates")

INDEX_PAGE = "carebridge/positions/phone_index.html"
OPENING_PAGE = "carebridge/positions/phone_opening.html"
MINE_PAGE = "carebridge/positions/phone_requests.html"
EXPIRED = _l("页面已过期，请返回后重新操作")

#: Where a request stands, in the worker's words.
STATUS_WORDS = {
    TransferStatus.REQUESTED: _l("已提交，等待单位答复"),
    TransferStatus.APPROVED: _l("单位已同意调动"),
    TransferStatus.DECLINED: _l("单位没有同意"),
    TransferStatus.WITHDRAWN: _l("您已撤回"),
}


@bp.route("/")
def index():
    worker = require_worker()
    eligible = transfers.has_left_behind_child(worker)
    suggestions = queries.suggestions_for(worker, local_today()) if eligible else []
    return render_template(INDEX_PAGE, worker=worker, eligible=eligible,
                           has_home=bool(worker.hukou_region_code), suggestions=suggestions)


def _suggested(worker, opening_id: int):
    """The suggestion for ``opening_id`` among the worker's, or 404."""
    if not valid_id(opening_id) or not transfers.has_left_behind_child(worker):
        abort(404)
    for suggestion in queries.suggestions_for(worker, local_today()):
        if suggestion.opening.id == opening_id:
            return suggestion
    abort(404)


@bp.route("/openings/<int:opening_id>", methods=["GET", "POST"])
def opening(opening_id: int):
    worker = require_worker()
    suggestion = _suggested(worker, opening_id)
    form = TransferForm()
    if request.method == "POST":
        if not form.validate():
            form.form_errors.append(str(EXPIRED))
        else:
            try:
                transfers.request_transfer(worker, suggestion.opening, form.note.data,
                                           actor=request_worker_actor(worker))
            except CareBridgeError as error:
                attach_error(form, error)
            else:
                return redirect(url_for(".mine", asked=1))
    return render_form(OPENING_PAGE, worker=worker, suggestion=suggestion, form=form)


def _mine_page(worker, *, error: str | None = None, refused: bool = False):
    render = render_refused if refused else render_template
    return render(MINE_PAGE, worker=worker, requests=queries.requests_of_worker(worker.id),
                  words=STATUS_WORDS, error=error, form=ActionForm(),
                  asked=request.args.get("asked") == "1",
                  withdrawn=request.args.get("withdrawn") == "1")


@bp.route("/requests")
def mine():
    return _mine_page(require_worker())


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int):
    worker = require_worker()
    found = transfers.get_request(request_id) if valid_id(request_id) else None
    if found is None or found.worker_id != worker.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        return _mine_page(worker, error=str(EXPIRED), refused=True)
    try:
        transfers.withdraw(found, actor=request_worker_actor(worker))
    except CareBridgeError as error:
        return _mine_page(worker, error=error.localized(), refused=True)
    return redirect(url_for(".mine", withdrawn=1))
