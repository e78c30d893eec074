"""Confirming a unit's own figures (``/reports/confirm/…``): the responsible person of a
subsidiary or site checks the unit's figures for a period and confirms them, before the group
files; after a change in the data the page says so, and they confirm again."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import require, scope_paths
from ..access.scope import load_in_scope
from ..core import indicators
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import flash_refusal
from ..org.models import OrgUnit
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from . import services
from .forms import ConfirmForm
from .periods import Period, PeriodKind
from .permissions import REPORTS_CONFIRM
from .units import CONFIRMING_KINDS, confirmations_for, figures_sha256, unit_figures

bp = Blueprint("reports_confirm", __name__, url_prefix="/reports/confirm",
               template_folder="templates")


def _period() -> Period:
    """The period in the URL, else the last quarter that has ended."""
    return (Period.from_code(request.args.get("period"))
            or Period.containing(PeriodKind.QUARTER, local_today()).previous())


def _period_choices(current: Period) -> list[Period]:
    today = local_today()
    choices = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR):
        period = Period.containing(kind, today)
        for _step in range(2 if kind in (PeriodKind.HALF_YEAR, PeriodKind.YEAR) else 3):
            period = period.previous()
            choices.append(period)
    if current not in choices:
        choices.insert(0, current)
    return choices


@bp.route("/")
def index():
    actor = require(REPORTS_CONFIRM)
    period = _period()
    units = [unit for unit in sorted_tree(units_in_subtrees(scope_paths(actor.key,
                                                                        REPORTS_CONFIRM)))
             if unit.kind in CONFIRMING_KINDS]
    return render_template("carebridge/reports/confirm_index.html", period=period,
                           periods=_period_choices(period), units=units,
                           confirmations=confirmations_for([unit.id for unit in units], period))


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    unit, actor = load_in_scope(get_unit, unit_id, REPORTS_CONFIRM, unit=lambda unit: unit)
    if unit.kind not in CONFIRMING_KINDS:
        abort(404)
    period = _period()
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        try:
            services.confirm_figures(unit, period, actor, note=form.note.data)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            flash(_("已确认 %(unit)s %(period)s的数据", unit=unit.name, period=period.label),
                  "success")
        return redirect(url_for(".unit", unit_id=unit.id, period=period.code))
    return render_template("carebridge/reports/confirm_unit.html", **_unit_page(unit, period),
                           form=form)


def _unit_page(unit: OrgUnit, period: Period) -> dict:
    figures = unit_figures(unit, period)
    declared = indicators.declared_indicators()
    confirmation = confirmations_for([unit.id], period).get(unit.id)
    changed = {}
    if confirmation is not None and confirmation.figures_sha256 != figures_sha256(figures):
        changed = {code: confirmation.figures.get(code) for code, value in figures.items()
                   if confirmation.figures.get(code) != value}
    rows = [(declared[code][0], declared[code][1], value) for code, value in figures.items()]
    return {"unit": unit, "period": period, "periods": _period_choices(period), "rows": rows,
            "confirmation": confirmation, "changed": changed}
