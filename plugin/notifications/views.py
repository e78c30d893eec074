from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ..core.errors import NotFound
from ..core.forms import ActionForm
from ..core.urls import local_path
from . import queries, services

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


def _signed_in_actor():
    adapter = current_app.extensions["carebridge"].adapter
    actor = adapter.current_actor()
    if actor is None:
        abort(redirect(adapter.login_url(request.path)))
    return actor


@bp.route("/")
def index():
    actor = _signed_in_actor()
    unread_only = request.args.get("unread") == "1"
    page = queries.notifications_for(actor.key, unread_only=unread_only,
                                     page=request.args.get("page", 1, type=int))
    return render_template("carebridge/notifications/index.html", page=page,
                           unread_only=unread_only)


def _check_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    actor = _signed_in_actor()
    _check_action_form()
    try:
        notification = services.mark_read(actor.key, notification_id)
    except NotFound:
        abort(404)
    # The link is built now (the host's URL prefix as it is today); one that no longer builds,
    # or a stored path that is not on this site, leads back to the list.
    return redirect(local_path(notification.link) or url_for(".index"))


@bp.route("/read-all", methods=["POST"])
def read_all():
    actor = _signed_in_actor()
    _check_action_form()
    services.mark_all_read(actor.key)
    return redirect(url_for(".index"))
