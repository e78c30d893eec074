"""Admin pages: list the tokens in one's scope, issue one (its secret shown once), revoke one."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..access.checks import require, scope_paths
from ..access.scope import load_in_scope
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, flash_refusal, render_form
from ..org.labels import KIND_LABELS
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from ..privacy import show_once
from . import queries, services
from .forms import SCOPE_LABELS, IssueTokenForm
from .models import TokenScope
from .permissions import API_TOKENS_MANAGE

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens", template_folder="templates")


@bp.route("/")
def index():
    actor = require(API_TOKENS_MANAGE)
    tokens = queries.tokens_in_subtrees(scope_paths(actor.key, API_TOKENS_MANAGE))
    adapter = current_app.extensions["carebridge"].adapter
    people = adapter.user_names({token.created_by for token in tokens}
                                | {token.revoked_by for token in tokens if token.revoked_by})
    return render_template("carebridge/api_tokens/index.html", tokens=tokens, people=people,
                           scope_labels=SCOPE_LABELS, revoke_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor = require(API_TOKENS_MANAGE)
    form = IssueTokenForm()
    scope = scope_paths(actor.key, API_TOKENS_MANAGE)
    form.set_units(sorted_tree(units_in_subtrees(scope)), KIND_LABELS)
    if form.validate_on_submit():
        unit = get_unit(form.unit.data) or abort(400)
        require(API_TOKENS_MANAGE, unit)
        try:
            token, secret = services.issue_token(form.name.data, unit, TokenScope(form.scope.data),
                                                 actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            # Shown once by the page this redirects to (only a hash is stored): a reload of that
            # page does not issue (and audit) another token.
            show_once.stash(f"api_token:{token.id}", {"secret": secret})
            return redirect(url_for(".issued", token_id=token.id))
    return render_form("carebridge/api_tokens/new.html", form=form)


@bp.route("/<int:token_id>/issued")
def issued(token_id: int):
    """A token's secret, on the one view right after it was issued."""
    token, _actor = load_in_scope(queries.get_token, token_id, API_TOKENS_MANAGE)
    stashed = show_once.take(f"api_token:{token.id}")
    if stashed is None:
        flash(_("令牌只在签发后显示一次；如已遗失，请撤销它并签发新的令牌。"), "warning")
        return redirect(url_for(".index"))
    page = render_template("carebridge/api_tokens/issued.html", token=token,
                           secret=stashed["secret"], scope_labels=SCOPE_LABELS)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    token, actor = load_in_scope(queries.get_token, token_id, API_TOKENS_MANAGE)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_token(token, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已撤销令牌“%(name)s”", name=token.name), "success")
    return redirect(url_for(".index"))
