from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template

from ..access.checks import require, scope_paths
from ..access.roles import Permission
from ..core.clock import utcnow
from ..org.forms import KIND_LABELS
from ..org.models import OrgKind
from ..org.queries import get_company
from .queries import AUDIT_COUNT_CAP, dashboard_figures

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/")
def home():
    actor = require(Permission.ORG_VIEW)
    figures = dashboard_figures(scope_paths(actor.key, Permission.ORG_VIEW),
                                since=utcnow() - timedelta(days=7))
    return render_template("carebridge/dashboard/home.html", figures=figures, company=get_company(),
                           kinds=list(OrgKind), kind_labels=KIND_LABELS, audit_cap=AUDIT_COUNT_CAP)
