from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.queries import grants_on_unit
from ..access.scope import load_in_scope
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, render_form
from ..core.roles import Permission
from ..org import queries, services
from ..org.labels import KIND_LABELS
from ..org.permissions import COMPANY_MANAGE, ORG_MANAGE, ORG_VIEW
from .org_forms import CompanyForm, NewUnitForm, UnitForm

bp = Blueprint("org", __name__, url_prefix="/org", template_folder="templates")


def _unit_for(unit_id: int, permission: Permission):
    """The unit and the signed-in actor who may ``permission`` on it. A unit outside the
    subtrees the actor sees answers 404, exactly like one that does not exist."""
    return load_in_scope(queries.get_unit, unit_id, permission, unit=lambda unit: unit,
                         seen_with=ORG_VIEW)


@bp.route("/")
def tree():
    actor = require(ORG_VIEW)
    roots = scope_paths(actor.key, ORG_VIEW)
    units = queries.sorted_tree(queries.units_in_subtrees(roots))
    return render_template("carebridge/org/tree.html", units=units,
                           descendant_counts=queries.subtree_unit_counts(roots),
                           kind_labels=KIND_LABELS)


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int):
    unit, actor = _unit_for(unit_id, ORG_VIEW)
    grants = grants_on_unit(unit.id)
    names = current_app.extensions["carebridge"].adapter.user_names({g.user_key for g in grants})
    return render_template(
        "carebridge/org/unit.html", unit=unit,
        children=queries.sorted_tree(queries.children_of(unit.id)), grants=grants,
        user_names=names, kind_labels=KIND_LABELS,
        may_manage=has_permission(actor.key, ORG_MANAGE, unit),
    )


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int):
    unit, actor = _unit_for(unit_id, ORG_MANAGE)
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            services.update_unit(unit, actor=actor, name=form.name.data,
                                 responsible_department=form.responsible_department.data,
                                 responsible_person=form.responsible_person.data,
                                 responsible_phone=form.responsible_phone.data)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".unit", unit_id=unit.id))
    return render_form("carebridge/org/unit_form.html", form=form, unit=unit, parent=unit.parent)


@bp.route("/units/<int:unit_id>/new", methods=["GET", "POST"])
def new_unit(unit_id: int):
    parent, actor = _unit_for(unit_id, ORG_MANAGE)
    form = NewUnitForm(parent.kind)
    if not form.kind.choices:
        abort(404)
    if form.validate_on_submit():
        try:
            unit = services.create_unit(
                parent, form.kind.data, form.name.data, actor=actor,
                responsible_department=form.responsible_department.data,
                responsible_person=form.responsible_person.data,
                responsible_phone=form.responsible_phone.data)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已新建“%(name)s”", name=unit.name), "success")
            return redirect(url_for(".unit", unit_id=unit.id))
    return render_form("carebridge/org/unit_form.html", form=form, unit=None, parent=parent)


@bp.route("/company", methods=["GET", "POST"])
def company():
    root = queries.get_root_unit()
    actor = require(COMPANY_MANAGE, root)
    company = queries.get_company()
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            services.update_company(company, actor=actor, name=form.name.data,
                                    timezone=form.timezone.data.strip())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".company"))
    return render_form("carebridge/org/company.html", form=form, company=company)
