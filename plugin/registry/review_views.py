"""Presumptions to confirm: the list of children whose categories rest on a presumption or could
not be decided, and the bulk fill of one fact (:mod:`.review`)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from ..access.checks import has_permission, require
from ..access.scope import Scope
from ..audit.exports import audited_export, list_filters
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..privacy.masking import mask_name
from . import queries, review
from .categories import CATEGORY_CODES, FACT_CODES
from .exports import REVIEW_TABLE, review_export_rows
from .labels import CATEGORY_LABELS, FACT_LABELS, PRESUMED_LABELS
from .permissions import CHILDREN_MANAGE, CHILDREN_VIEW, WORKERS_VIEW

bp = Blueprint("registry_review", __name__, url_prefix="/children/review",
               template_folder="templates")

TEMPLATE = "carebridge/registry/review.html"


class FillForm(FlaskForm):
    """One fact for the children ticked in the list (``child``), or for all matching the list's
    filter (``all_matching``, with the count the user saw in ``expected``)."""

    fact = HiddenField()
    unit = HiddenField()
    category = HiddenField()
    value = StringField(_l("填写内容"))
    child = SelectMultipleField(coerce=int, validate_choice=False)
    all_matching = BooleanField()
    expected = IntegerField(widget=HiddenInput(), validators=[Optional()])


def _criteria(actor, fact: str | None, unit_id: str | None, category: str | None):
    """The filter, and the units the actor may filter by (a unit outside them is ignored)."""
    units = queries.units_for_assignment(list(Scope.of_actor(actor, CHILDREN_VIEW).paths))
    unit = next((unit for unit in units if str(unit.id) == (unit_id or "")), None)
    return review.ReviewFilter(fact=fact if fact in FACT_CODES else None, unit=unit,
                               category=category if category in CATEGORY_CODES else None), units


def _render(actor, criteria, units, form: FillForm):
    scope = Scope.of_actor(actor, CHILDREN_VIEW)
    page = review.search_review(criteria, scope=scope, page=request.args.get("page", 1, type=int))
    may_fill = (criteria.fact in review.FILLABLE_FACTS
                and has_permission(actor.key, CHILDREN_MANAGE))
    manageable = Scope.of_actor(actor, CHILDREN_MANAGE)
    parents_seen = Scope.of_actor(actor, WORKERS_VIEW)
    return render_form(
        TEMPLATE, page=page, rows=review.review_rows(page.items), criteria=criteria, units=units,
        counts=review.counts_by_fact(criteria, scope=scope), form=form,
        may_fill=may_fill,
        matching=review.count_matching(criteria, scope=manageable) if may_fill else 0,
        may_manage=lambda child: manageable.covers(child.org_unit),
        may_see_parent=lambda worker: parents_seen.sees_worker(worker),
        may_open=lambda child: scope.covers(child.org_unit),
        date_facts=review.DATE_FACTS, fact_labels=FACT_LABELS, presumed_labels=PRESUMED_LABELS,
        category_labels=CATEGORY_LABELS, mask_name=mask_name, labels=_labels,
        filter_args=_filter_args(criteria))


def _labels(codes, labels) -> list:
    return [labels.get(code, code) for code in codes]


@bp.route("/export.<any(xlsx, csv):fmt>")
def export(fmt: str):
    """The list as on screen (same filter and scope), every page of it."""
    actor = require(CHILDREN_VIEW)
    criteria, _units = _criteria(actor, request.args.get("fact"), request.args.get("unit"),
                                 request.args.get("category"))
    rows = review_export_rows(criteria, scope=Scope.of_actor(actor, CHILDREN_VIEW),
                              parents_seen=Scope.of_actor(actor, WORKERS_VIEW))
    return audited_export(REVIEW_TABLE, rows, fmt, actor=actor, filters=list_filters(),
                          org_unit_id=criteria.unit.id if criteria.unit else None)


@bp.route("/")
def index():
    actor = require(CHILDREN_VIEW)
    criteria, units = _criteria(actor, request.args.get("fact"), request.args.get("unit"),
                                request.args.get("category"))
    form = FillForm(data={"fact": criteria.fact or "", "category": criteria.category or "",
                          "unit": criteria.unit.id if criteria.unit else ""})
    return _render(actor, criteria, units, form)


@bp.route("/fill", methods=["POST"])
def fill():
    actor = require(CHILDREN_MANAGE)
    form = FillForm()
    criteria, units = _criteria(actor, form.fact.data, form.unit.data, form.category.data)
    if form.validate_on_submit():
        try:
            outcome = review.fill_fact(
                form.fact.data or "", form.value.data, actor=actor, today=local_today(),
                child_ids=form.child.data or (),
                criteria=criteria if form.all_matching.data else None,
                expected=form.expected.data)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_outcome_message(outcome), "success")
            return redirect(url_for(".index", **_filter_args(criteria)))
    return _render(actor, criteria, units, form)


def _filter_args(criteria: review.ReviewFilter) -> dict:
    return {"fact": criteria.fact, "category": criteria.category,
            "unit": criteria.unit.id if criteria.unit else None}


def _outcome_message(outcome: review.FillOutcome) -> str:
    """What the fill changed, in one notice."""
    parts = [_("已为 %(n)s 名儿童填写“%(fact)s”。", n=outcome.children,
               fact=FACT_LABELS[outcome.fact])]
    if outcome.categories_changed:
        changes = [_("%(category)s增加 %(n)s 名", category=CATEGORY_LABELS[code], n=count)
                   for code, count in outcome.became.items()]
        changes += [_("%(category)s减少 %(n)s 名", category=CATEGORY_LABELS[code], n=count)
                    for code, count in outcome.ceased.items()]
        parts.append(_("%(n)s 名儿童的类别随之改变：%(changes)s。", n=outcome.categories_changed,
                       changes=_("、").join(changes)) if changes
                     else _("%(n)s 名儿童的类别随之改变。", n=outcome.categories_changed))
    else:
        parts.append(_("儿童的类别没有改变。"))
    return "".join(parts)
