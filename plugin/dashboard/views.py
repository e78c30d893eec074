from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from ..access.checks import has_permission, require, scope_paths
from ..core.clock import local_today, utcnow
from ..org.labels import KIND_LABELS
from ..org.models import OrgKind
from ..org.permissions import ORG_VIEW
from ..org.queries import get_company
from ..registry.labels import FACT_LABELS
from ..registry.notes import registry_notes
from ..registry.permissions import CHILDREN_VIEW, WORKERS_VIEW
from ..registry.queries import UNDETERMINED
from .figures import build_dashboard, chart_id
from .links import ListLinks
from .queries import AUDIT_COUNT_CAP, org_figures, recent_activity_since

bp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static",
               static_url_path="/dashboard/static")


@bp.route("/")
def home():
    actor = require(ORG_VIEW)
    paths = scope_paths(actor.key, ORG_VIEW)
    locale = get_locale()
    board = build_dashboard(paths, local_today(), link=ListLinks(actor.key),
                            locale=locale or "zh_CN")
    return render_template(
        "carebridge/dashboard/home.html", board=board, company=get_company(),
        org=org_figures(paths, since=recent_activity_since(utcnow())),
        notes=registry_notes(paths), chart_id=chart_id,
        chart_locale="EN" if locale is not None and locale.language == "en" else "ZH",
        kinds=list(OrgKind), kind_labels=KIND_LABELS, audit_cap=AUDIT_COUNT_CAP,
        fact_labels=FACT_LABELS, undetermined=UNDETERMINED, actor=actor,
        may_list_workers=has_permission(actor.key, WORKERS_VIEW),
        may_review=has_permission(actor.key, CHILDREN_VIEW))
