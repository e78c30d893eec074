"""Staff pages about a worker's phone sign-in (HR officers and admins, within their subtrees):
the remembered phones and whether a PIN is set, a one-time activation code (shown once), and
revoking phones. Linked from the registry's worker page (``_worker_links`` in the extension)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..access.scope import load_in_scope
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, flash_refusal
from ..privacy import show_once
from ..registry.permissions import WORKERS_VIEW
from ..registry.queries import get_worker
from .forms import RevokePhonesForm
from .permissions import WORKER_PHONES_MANAGE
from .phones import IssuedCode, issue_activation_code, phone_access, revoke_phones, unlock_sign_in
from .services import HR_CODE_VALIDITY

staff_bp = Blueprint("worker_phones", __name__, url_prefix="/workers", template_folder="templates")

NO_STORE = {"Cache-Control": "no-store"}


def _worker_and_actor(worker_id: int):
    """The worker and the acting user; 404 for a worker outside the user's subtrees."""
    return load_in_scope(get_worker, worker_id, WORKER_PHONES_MANAGE,
                         seen_with=WORKERS_VIEW)


def _page(worker, actor, *, issued=None):
    access = phone_access(worker, actor=actor)
    adapter = current_app.extensions["carebridge"].adapter
    people = adapter.user_names({code.issued_by for code in access.pending_codes})
    page = render_template("carebridge/worker_access/staff_phones.html", worker=worker,
                           access=access, issued=issued, people=people, issue_form=ActionForm(),
                           code_days=HR_CODE_VALIDITY.days,
                           revoke_form=RevokePhonesForm())
    return page, 200, NO_STORE


@staff_bp.route("/<int:worker_id>/phones")
def phones(worker_id: int):
    worker, actor = _worker_and_actor(worker_id)
    # A code just issued (the POST redirected here) is shown on this view only.
    stashed = show_once.take(f"activation_code:{worker.id}")
    issued = (IssuedCode(code=stashed["code"],
                         expires_at=datetime.fromisoformat(stashed["expires_at"]))
              if stashed else None)
    return _page(worker, actor, issued=issued)


@staff_bp.route("/<int:worker_id>/phones/code", methods=["POST"])
def issue_code(worker_id: int):
    worker, actor = _worker_and_actor(worker_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        issued = issue_activation_code(worker, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
        return redirect(url_for(".phones", worker_id=worker.id))
    # Shown once by the page this redirects to (only its hash is stored): a reload of that page
    # does not issue (and audit) another code.
    show_once.stash(f"activation_code:{worker.id}",
                    {"code": issued.code, "expires_at": issued.expires_at.isoformat()})
    return redirect(url_for(".phones", worker_id=worker.id))


@staff_bp.route("/<int:worker_id>/phones/unlock", methods=["POST"])
def unlock(worker_id: int):
    worker, actor = _worker_and_actor(worker_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if unlock_sign_in(worker, actor=actor):
        flash(_("已解除登录锁定，职工可以重新输入个人密码或激活码"), "success")
    else:
        flash(_("这名职工的手机登录没有被锁定"), "info")
    return redirect(url_for(".phones", worker_id=worker.id))


@staff_bp.route("/<int:worker_id>/phones/revoke", methods=["POST"])
def revoke(worker_id: int):
    worker, actor = _worker_and_actor(worker_id)
    form = RevokePhonesForm()
    if not form.validate_on_submit():
        abort(400)
    device_id = int(form.device_id.data) if (form.device_id.data or "").isdigit() else None
    try:
        count = revoke_phones(worker, actor=actor, device_id=device_id,
                                       clear_pin=bool(form.clear_pin.data))
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已注销 %(count)s 部手机，并清除了个人密码", count=count) if form.clear_pin.data
              else _("已注销 %(count)s 部手机", count=count), "success")
    return redirect(url_for(".phones", worker_id=worker.id))
