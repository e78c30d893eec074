from __future__ import annotations

from flask import Blueprint, render_template

from ..access.checks import has_permission, require, scope_paths
from ..core.clock import utcnow
from ..org.labels import KIND_LABELS
from ..org.models import OrgKind
from ..org.permissions import ORG_VIEW
from ..org.queries import get_company
from ..registry.labels import FACT_LABELS
from ..registry.permissions import CHILDREN_VIEW, WORKERS_VIEW
from ..registry.queries import UNDETERMINED
from .queries import AUDIT_COUNT_CAP, dashboard_figures, recent_activity_since

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/")
def home():
    actor = require(ORG_VIEW)
    figures = dashboard_figures(scope_paths(actor.key, ORG_VIEW),
                                since=recent_activity_since(utcnow()))
    return render_template("carebridge/dashboard/home.html", figures=figures, company=get_company(),
                           kinds=list(OrgKind), kind_labels=KIND_LABELS, audit_cap=AUDIT_COUNT_CAP,
                           fact_labels=FACT_LABELS, undetermined=UNDETERMINED, actor=actor,
                           may_list_workers=has_permission(actor.key, WORKERS_VIEW),
                           may_review=has_permission(actor.key, CHILDREN_VIEW))
