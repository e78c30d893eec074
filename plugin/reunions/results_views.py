"""A campaign's results: figures, PDF summary and XLSX detail (``/reunions/…/results``).

A reader sees the results of a campaign run within their subtrees or covering them from above,
over the applications of their subtrees only (a site manager: their site's part); any other
campaign answers 404, as one that does not exist.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _

from ..access.checks import require
from ..access.scope import Scope, valid_id
from ..audit.exports import audited_export
from ..core.clock import local_today
from ..core.host import Actor
from ..core.http import attachment_disposition
from ..org.queries import get_unit
from . import queries, statistics, summary
from .models import Campaign
from .permissions import REUNIONS_VIEW

bp = Blueprint("reunions_results", __name__, url_prefix="/reunions", template_folder="templates")


def _campaign(campaign_id: int) -> tuple[Campaign, Scope, Actor]:
    """The campaign, the reader's scope and the reader; 404 unless the campaign is visible in
    the scope."""
    actor = require(REUNIONS_VIEW)
    campaign = queries.get_campaign(campaign_id) if valid_id(campaign_id) else None
    scope = Scope.of_actor(actor, REUNIONS_VIEW)
    if campaign is None or not queries.campaign_reaches(campaign, scope):
        abort(404)
    return campaign, scope, actor


def scope_label(campaign: Campaign, scope: Scope) -> str:
    """What the figures cover: the whole campaign, or the reader's units within it."""
    if scope.covers(campaign.org_unit):
        return _("全部参加单位")
    names = []
    for path in scope.paths:
        if path.startswith(campaign.org_unit.path):
            unit = get_unit(int(path.strip("/").split("/")[-1]))
            if unit is not None:
                names.append(unit.name)
    return "、".join(names)


@bp.route("/<int:campaign_id>/results")
def results(campaign_id: int):
    campaign, scope, _actor = _campaign(campaign_id)
    return render_template("carebridge/reunions/results.html", campaign=campaign,
                           results=statistics.campaign_results(campaign, scope),
                           scope_label=scope_label(campaign, scope),
                           share=summary.share)


@bp.route("/<int:campaign_id>/results.pdf")
def results_pdf(campaign_id: int):
    campaign, scope, _actor = _campaign(campaign_id)
    today = local_today()
    pdf = summary.render_summary_pdf(statistics.campaign_results(campaign, scope),
                                     scope_label=scope_label(campaign, scope), today=today)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(
        f"reunion-{campaign.id}-results.pdf", f"{campaign.name}-{_('活动总结')}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:campaign_id>/results.xlsx")
def results_xlsx(campaign_id: int):
    """One row per application in the reader's subtrees; the download is audited."""
    campaign, scope, actor = _campaign(campaign_id)
    return audited_export(summary.DETAIL_TABLE, summary.detail_rows(campaign, scope), "xlsx",
                          actor=actor, filters={"campaign": campaign.id},
                          org_unit_id=campaign.org_unit_id if scope.covers(campaign.org_unit)
                          else None, scope_paths=list(scope.paths))
