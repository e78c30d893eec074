from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..audit.actions import action_label
from ..audit.exports import audited_export, list_filters
from ..audit.permissions import AUDIT_VIEW
from ..audit.text import target_type_labels
from ..core.forms import choices
from ..org.queries import get_root_unit
from .audit_exports import AUDIT_TABLE, event_rows
from .audit_forms import AuditFilterForm
from .audit_queries import AuditFilter, known_actions, known_target_types, search_events
from .audit_text import read_events

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


def _local_midnight_utc(day) -> datetime:
    zone = ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _audit_filters(actor):
    """The log's filter form and criteria from the query string (the page and its export), and
    where the actor reads it: (form, criteria, scope paths, whole company)."""
    form = AuditFilterForm(request.args)
    form.action.choices = choices(
        [("", _("全部"))] + [(code, action_label(code)) for code in known_actions()])
    form.target_type.choices = choices(
        [("", _("全部"))] + target_type_labels(known_target_types()))
    criteria = AuditFilter()
    if form.validate():
        criteria = AuditFilter(
            action=form.action.data or None,
            actor=(form.actor.data or "").strip() or None,
            target_type=form.target_type.data or None,
            target_id=(form.target_id.data or "").strip() or None,
            since=_local_midnight_utc(form.since.data) if form.since.data else None,
            until=(_local_midnight_utc(form.until.data + timedelta(days=1))
                   if form.until.data else None),
        )
    root = get_root_unit()
    return (form, criteria, scope_paths(actor.key, AUDIT_VIEW),
            root is not None and has_permission(actor.key, AUDIT_VIEW, root))


@bp.route("/")
def events():
    actor = require(AUDIT_VIEW)
    form, criteria, paths, whole_company = _audit_filters(actor)
    page = search_events(criteria, scope_paths=paths, whole_company=whole_company,
                         page=request.args.get("page", 1, type=int))
    return render_template("carebridge/audit/events.html", form=form, page=page,
                           texts=read_events(page.items, actor.key))


@bp.route("/export.<any(xlsx, csv):fmt>")
def export_events(fmt: str):
    """The log as filtered on screen, every page of it (the download is itself audited)."""
    actor = require(AUDIT_VIEW)
    _form, criteria, paths, whole_company = _audit_filters(actor)
    rows = event_rows(criteria, scope_paths=paths, whole_company=whole_company,
                      reader_key=actor.key)
    return audited_export(AUDIT_TABLE, rows, fmt, actor=actor, filters=list_filters(),
                          scope_paths=None if whole_company else paths)
