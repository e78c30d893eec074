"""Pages of the referral directory (``/referrals/…``): the search, each entry's page, and the
forms to add, change, deactivate and activate again an entry.

The directory is company-wide reference data: holding ``referrals.view`` on any unit is enough to
search it and open its entries. Changing an entry needs ``referrals.manage`` over the unit that
keeps it; outside that subtree the change pages answer 404.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, choices, flash_refusal, render_form
from ..core.pagination import Page
from . import contacts, queries
from .forms import ContactForm, SearchForm
from .models import ContactKind
from .permissions import REFERRALS_MANAGE, REFERRALS_VIEW

bp = Blueprint("referrals", __name__, url_prefix="/referrals", template_folder="templates")

PAGES = "carebridge/referrals/"


@bp.route("/")
def index():
    actor = require(REFERRALS_VIEW)
    form = SearchForm(request.args)
    kind = form.kind.data if form.kind.data in {each.value for each in ContactKind} else None
    try:
        page = queries.search(region=form.region.data, kind=ContactKind(kind) if kind else None,
                              text=form.text.data, include_inactive=bool(form.inactive.data),
                              page=request.args.get("page", 1, type=int))
    except CareBridgeError as error:
        attach_error(form, error)
        page = Page(items=[], page=1, per_page=50, total=0)
    return render_template(PAGES + "index.html", form=form, page=page,
                           region_label=queries.region_label,
                           may_add=has_permission(actor.key, REFERRALS_MANAGE))


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor = require(REFERRALS_MANAGE)
    scope = Scope.of_actor(actor, REFERRALS_MANAGE)
    units = contacts.units_for_entries(scope)
    form = ContactForm()
    form.unit.choices = choices([(str(unit.id), "　" * (unit.depth or 0) + unit.name)
                                 for unit in units])
    if form.validate_on_submit():
        by_id = {str(unit.id): unit for unit in units}
        try:
            created = contacts.save_contact(None, form.values(),
                                            unit=by_id.get(form.unit.data or ""), scope=scope,
                                            actor=actor, today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已添加转介资源“%(name)s”", name=_name(created)), "success")
            return redirect(url_for(".contact", contact_id=created.id))
    return render_form(PAGES + "form.html", form=form, contact=None)


@bp.route("/<int:contact_id>")
def contact(contact_id: int):
    actor = require(REFERRALS_VIEW)
    found = contacts.get_contact(contact_id) if valid_id(contact_id) else None
    if found is None:
        abort(404)
    return render_template(PAGES + "contact.html", contact=found,
                           region_label=queries.region_label, action_form=ActionForm(),
                           may_change=has_permission(actor.key, REFERRALS_MANAGE,
                                                     found.org_unit))


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int):
    found, actor = load_in_scope(contacts.get_contact, contact_id, REFERRALS_MANAGE)
    form = ContactForm(obj=None if request.method == "POST" else found)
    if request.method != "POST":
        form.kind.data = found.kind.value
    del form.unit
    if form.validate_on_submit():
        try:
            contacts.save_contact(found, form.values(), unit=None,
                                  scope=Scope.of_actor(actor, REFERRALS_MANAGE), actor=actor,
                                  today=local_today())
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存转介资源“%(name)s”", name=_name(found)), "success")
            return redirect(url_for(".contact", contact_id=found.id))
    return render_form(PAGES + "form.html", form=form, contact=found)


@bp.route("/<int:contact_id>/deactivate", methods=["POST"])
def deactivate(contact_id: int):
    return _set_active(contact_id, False)


@bp.route("/<int:contact_id>/activate", methods=["POST"])
def activate(contact_id: int):
    return _set_active(contact_id, True)


def _set_active(contact_id: int, active: bool):
    found, actor = load_in_scope(contacts.get_contact, contact_id, REFERRALS_MANAGE)
    if not ActionForm().validate_on_submit():
        flash_refusal(_("页面已过期，请重新操作"))
        return redirect(url_for(".contact", contact_id=found.id))
    try:
        contacts.set_active(found, active, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已重新启用“%(name)s”", name=_name(found)) if active
              else _("已停用“%(name)s”，转介时不再推荐", name=_name(found)), "success")
    return redirect(url_for(".contact", contact_id=found.id))


def _name(contact) -> str:
    return contact.organisation or contact.person_name or ""
