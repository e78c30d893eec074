"""The company's approval chains of hardship aid (``/aid/chain/``): amount tiers, each with its
ordered steps (who decides, at which level, what the step is called). Administrators only
(``AID_CONFIGURE`` at the company's top unit); applications already in review keep the chain
they entered with.

No JavaScript adds rows: each tier shows its steps and blank rows, and one blank tier follows
the configured ones; a blank row is ignored.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..access.checks import require
from ..access.roles import roles_holding
from ..core.errors import CareBridgeError
from ..core.forms import render_form
from ..core.roles import Role
from ..org.queries import get_root_unit
from . import chains, queries, rules
from .forms import BLANK_TIERS, STEP_ROWS, ChainForm
from .permissions import AID_CONFIGURE, AID_DECIDE

bp = Blueprint("aid_chain", __name__, url_prefix="/aid/chain", template_folder="templates")

CHAIN_PAGE = "carebridge/aid/chain.html"


def _blank_steps(count: int) -> list[dict]:
    return [{"role": "", "company_level": False, "name": ""} for _ in range(count)]


def _tier_data(max_fen, steps) -> dict:
    rows = [{"role": role, "company_level": company_level, "name": name}
            for role, company_level, name in steps]
    return {"max_fen": max_fen, "steps": rows + _blank_steps(max(STEP_ROWS - len(rows), 1))}


def _current_data() -> dict:
    """The configured tiers (or the defaults a company starts with) and a blank tier."""
    tiers = queries.approval_tiers()
    if tiers:
        data = [_tier_data(tier.max_fen, [(step.role, step.company_level, step.name)
                                          for step in tier.steps]) for tier in tiers]
    else:
        data = [_tier_data(max_fen, steps) for max_fen, steps in chains.DEFAULT_TIERS]
    return {"tiers": data + [_tier_data(None, []) for _ in range(BLANK_TIERS)]}


def _role_choices() -> list[tuple[str, str]]:
    """Roles that may open the decision form (those holding AID_DECIDE, and administrators)."""
    roles = [role for role in Role if role == Role.ADMIN or role in roles_holding(AID_DECIDE)]
    return [(role.value, role.label) for role in roles]


def _tier_inputs(form: ChainForm) -> list[chains.TierInput]:
    tiers = []
    for entry in form.tiers.entries:
        tier = entry.form
        if tier.is_blank():
            continue
        steps = [rules.ChainStep(step.form.role.data or "", bool(step.form.company_level.data),
                                 (step.form.name.data or "").strip())
                 for step in tier.steps.entries if not step.form.is_blank()]
        tiers.append(chains.TierInput(max_fen=tier.max_fen.data, steps=steps))
    return tiers


@bp.route("/", methods=["GET", "POST"])
def chain():
    root = get_root_unit()
    if root is None:
        abort(404)
    actor = require(AID_CONFIGURE, root)
    form = ChainForm(data=None if request.method == "POST" else _current_data())
    form.set_role_choices(_role_choices())
    if request.method == "POST" and form.validate():
        try:
            chains.configure_tiers(_tier_inputs(form), actor)
        except CareBridgeError as error:
            form.form_errors.extend(each.localized()
                                    for each in getattr(error, "errors", None) or [error])
        else:
            flash(_("已保存审批流程；审批中的申请仍按提交时的流程办理"), "success")
            return redirect(url_for(".chain"))
    return render_form(CHAIN_PAGE, form=form, role_labels=dict(_role_choices()))
