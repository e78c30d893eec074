from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from plugin.access import services as access_services
from plugin.access.checks import forget_cached_grants, require, scope_paths
from plugin.access.permissions import USERS_MANAGE
from plugin.access.queries import get_grant, grants_for_users
from plugin.core.boundary import commit_on_success, commit_refusal_record
from plugin.core.errors import CareBridgeError
from plugin.core.forms import attach_error, flash_refusal, render_form
from plugin.core.urls import local_path
from plugin.org.labels import KIND_LABELS
from plugin.org.queries import get_unit, sorted_tree, units_in_subtrees

from . import queries, services
from .forms import EditUserForm, GrantForm, LoginForm, NewUserForm, SetPasswordForm

auth_bp = Blueprint("auth", __name__, template_folder="../templates")
users_bp = Blueprint("users", __name__, url_prefix="/users", template_folder="../templates")
auth_bp.after_request(commit_on_success)
users_bp.after_request(commit_on_success)


@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("carebridge.dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.username.data, form.password.data,
                                    ip=request.remote_addr, user_agent=request.user_agent.string)
        except services.SignInRefused as refusal:
            # The attempt's count and audit row are the record of this refusal: kept on purpose.
            commit_refusal_record()
            form.form_errors.append(refusal.localized())
        else:
            login_user(user)
            return redirect(local_path(request.args.get("next"))
                            or url_for("carebridge.dashboard.home"))
    return render_form("portal/login.html", form=form)


@auth_bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.record_sign_out(current_user._get_current_object(), ip=request.remote_addr,
                             user_agent=request.user_agent.string)
    logout_user()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))


def _units_for_grants(actor):
    return sorted_tree(units_in_subtrees(scope_paths(actor.key, USERS_MANAGE)))


@users_bp.route("/")
def index():
    actor = require(USERS_MANAGE)
    search = (request.args.get("q") or "").strip()[:100] or None
    page = queries.list_users(actor=actor, search=search,
                              page=request.args.get("page", 1, type=int))
    grants = grants_for_users(user.key for user in page.items)
    return render_template("portal/users/index.html", page=page, grants=grants, search=search)


@users_bp.route("/new", methods=["GET", "POST"])
def new():
    actor = require(USERS_MANAGE)
    form = NewUserForm()
    form.set_units(_units_for_grants(actor), KIND_LABELS)
    if form.validate_on_submit():
        try:
            user = services.create_staff_user(
                form.username.data, form.display_name.data, form.password.data,
                role=form.role.data, unit=get_unit(form.unit.data) or abort(400), actor=actor,
                employee_number=form.employee_number.data)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已新建用户“%(name)s”", name=user.display_name), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return render_form("portal/users/new.html", form=form)


@users_bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    actor = require(USERS_MANAGE)
    # Beyond the actor's reach a user does not exist: 404 for the page and for every action.
    user = queries.get_manageable_user(actor, user_id) or abort(404)
    form = EditUserForm(obj=user, prefix="profile")
    password_form = SetPasswordForm(prefix="password")
    grant_form = GrantForm(prefix="grant")
    grant_form.set_units(_units_for_grants(actor), KIND_LABELS)
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "profile" and form.validate():
                services.update_user(user, actor=actor, display_name=form.display_name.data,
                                     active=form.active.data,
                                     employee_number=form.employee_number.data)
            elif action == "password" and password_form.validate():
                services.set_password(user, password_form.password.data, actor=actor)
                if user.key == actor.key:
                    login_user(user)  # the new password ended every session, this one included
            elif action == "unlock":
                services.unlock(user, actor=actor)
            elif action == "grant" and grant_form.validate():
                unit = get_unit(grant_form.unit.data) or abort(400)
                access_services.grant_role(user.key, grant_form.role.data, unit, actor=actor)
            else:
                raise _FormInvalid()
        except CareBridgeError as error:
            attach_error({"profile": form, "password": password_form, "grant": grant_form}.get(
                action, form), error)
        except _FormInvalid:
            pass
        else:
            forget_cached_grants()
            flash(_("已保存"), "success")
            return redirect(url_for(".edit", user_id=user.id))
    grants = grants_for_users([user.key])[user.key]
    return render_form("portal/users/edit.html", user=user, form=form, grants=grants,
                       password_form=password_form, grant_form=grant_form, kind_labels=KIND_LABELS)


@users_bp.route("/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
def revoke(user_id: int, grant_id: int):
    actor = require(USERS_MANAGE)
    user = queries.get_manageable_user(actor, user_id) or abort(404)
    grant = get_grant(grant_id) if 0 < grant_id < 2**31 else None
    if grant is None or grant.user_key != user.key:
        abort(404)
    try:
        access_services.revoke_role(grant, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已撤销角色"), "success")
    forget_cached_grants()
    return redirect(url_for(".edit", user_id=user_id))


class _FormInvalid(Exception):
    """The posted form did not validate; its errors are shown on the page."""
