from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_user

from plugin.core.boundary import commit_on_success
from plugin.core.errors import CareBridgeError
from plugin.core.forms import attach_error, render_form
from plugin.core.host import Actor

from .forms import SetupForm
from .services import is_set_up, set_up_company

bp = Blueprint("setup", __name__, template_folder="../templates")
bp.after_request(commit_on_success)


@bp.route("/setup", methods=["GET", "POST"])
def index():
    if is_set_up():
        return redirect(url_for("carebridge.dashboard.home"))
    form = SetupForm()
    if form.validate_on_submit():
        actor = Actor(key="setup", name=_("首次设置"), ip=request.remote_addr,
                      user_agent=request.user_agent.string[:300] or None)
        try:
            admin = set_up_company(form.company_name.data, form.username.data,
                                   form.display_name.data, form.password.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            login_user(admin)
            return redirect(url_for("carebridge.dashboard.home"))
    return render_form("portal/setup.html", form=form)
