"""The administrators' retention page (``/privacy/retention/``): every rule with its months, what
it erases and keeps, and what a dry run would purge today; a rule can be run at once (audited).
Needs ``privacy.retention`` at the company's top unit (administrators hold it)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..access.checks import require
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm
from ..org.queries import get_root_unit
from . import retention
from .retention_permissions import RETENTION_MANAGE

bp = Blueprint("privacy_retention", __name__, url_prefix="/privacy/retention",
               template_folder="templates")


def _require():
    root = get_root_unit()
    if root is None:
        abort(404)
    return require(RETENTION_MANAGE, root)


@bp.route("/")
def index():
    _require()
    today = local_today()
    return render_template("carebridge/privacy/retention.html", today=today,
                           rules=retention.dry_run(today), run_form=ActionForm())


@bp.route("/<code>/run", methods=["POST"])
def run(code: str):
    actor = _require()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rule, count = retention.run_now(code, local_today(), actor=actor)
    except CareBridgeError:
        abort(404)
    flash(_("已执行“%(rule)s”：清除或匿名化 %(count)s 条记录", rule=rule.rule.label, count=count),
          "success")
    return redirect(url_for(".index"))
