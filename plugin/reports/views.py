"""Report officers' pages (``/reports/…``): the filing calendar, templates, drafts, filing,
filings with their status, corrections and the records behind each filed figure.

Drafts and filings are named by id and loaded in the actor's subtree (outside it: 404).
Reports to recipients are in Chinese; the pages are in the officer's language.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.scope import Scope, load_in_scope, require_in_scope, valid_id
from ..audit.services import record_event
from ..core import indicators
from ..core.clock import local_today
from ..core.errors import CareBridgeError, ValidationError
from ..core.forms import ActionForm, attach_error, choices, flash_refusal, render_form
from ..core.http import attachment_disposition
from ..core.i18n import N_
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from . import queries, services
from .content import template_sections
from .documents import render_report_pdf
from .forms import FileForm, NewReportForm, TemplateForm
from .periods import Period, PeriodKind
from .permissions import REPORTS_FILE, REPORTS_VIEW
from .recipients import TEXT_SECTIONS
from .workbook import render_report_xlsx

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _draft(draft_id: int, permission=REPORTS_VIEW):
    return load_in_scope(queries.get_draft, draft_id, permission, seen_with=REPORTS_VIEW)


def _filing(filing_id: int, permission=REPORTS_VIEW):
    return load_in_scope(queries.get_filing, filing_id, permission, seen_with=REPORTS_VIEW)


def _template(template_id: int, permission=REPORTS_VIEW):
    """The template and the actor: a built-in template is everyone's who sees reports, a
    company's own copy belongs to its unit's subtree."""
    template = queries.get_template(template_id) if valid_id(template_id) else None
    if template is not None and template.builtin is not None:
        return template, require(permission)
    unit = queries.template_unit(template) if template is not None else None
    return template, require_in_scope(permission, unit, seen_with=REPORTS_VIEW)


def breakdown_title(code: str, by: str) -> str:
    return indicators.describe_breakdown(code, by, [])[0]


def _download(data: bytes, mimetype: str, ascii_name: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_disposition(ascii_name, name)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the index: calendar, drafts, filings --------------------------------------------------------

@bp.route("/")
def index():
    actor = require(REPORTS_VIEW)
    scope = Scope.of_actor(actor, REPORTS_VIEW)
    services.ensure_builtin_templates()
    page = request.args.get("page", 1, type=int)
    return render_template("carebridge/reports/index.html",
                           calendar=queries.filing_calendar(scope, local_today()),
                           drafts=queries.open_drafts(scope), filings=queries.filings(scope, page),
                           may_file=has_permission(actor.key, REPORTS_FILE))


# -- templates -----------------------------------------------------------------------------------

@bp.route("/templates/")
def templates():
    actor = require(REPORTS_VIEW)
    services.ensure_builtin_templates()
    return render_template("carebridge/reports/templates.html",
                           templates=queries.templates(Scope.of_actor(actor, REPORTS_VIEW)),
                           may_file=has_permission(actor.key, REPORTS_FILE),
                           form=ActionForm())


@bp.route("/templates/<int:template_id>")
def template(template_id: int):
    template, actor = _template(template_id)
    return render_template("carebridge/reports/template.html", template=template,
                           sections=template_sections(template.lines), text_labels=TEXT_SECTIONS,
                           breakdown_title=breakdown_title,
                           may_file=has_permission(actor.key, REPORTS_FILE), form=ActionForm())


@bp.route("/templates/<int:template_id>/copy", methods=["POST"])
def copy_template(template_id: int):
    template, actor = _template(template_id)
    require(REPORTS_FILE)
    if not ActionForm().validate():
        abort(400)
    unit = queries.template_unit(template)
    if not has_permission(actor.key, REPORTS_FILE, unit):
        unit = units_in_subtrees(scope_paths(actor.key, REPORTS_FILE))[0]
    copy = services.copy_template(template, actor, unit)
    flash(_("已复制模板，请调整后保存"), "success")
    return redirect(url_for(".edit_template", template_id=copy.id))


def _line_input(declared) -> list[dict]:
    lines = []
    for code, (_feature, indicator) in declared.items():
        if request.form.get(f"indicator-{code}"):
            lines.append({"code": code, "breakdowns": [
                by for by in indicator.breakdowns if request.form.get(f"breakdown-{code}-{by}")]})
    return lines


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
def edit_template(template_id: int):
    template, actor = _template(template_id, REPORTS_FILE)
    if template.builtin is not None:
        abort(404)
    units = sorted_tree(units_in_subtrees(scope_paths(actor.key, REPORTS_FILE)))
    form = TemplateForm(data=None if request.method == "POST" else {
        "name": template.name, "schedule": template.schedule.value if template.schedule else "",
        "unit": queries.template_unit(template).id})
    form.unit.choices = choices((unit.id, unit.name) for unit in units)
    declared = indicators.declared_indicators()
    chosen = {line["code"]: set(line["breakdowns"]) for line in template.lines}
    texts = list(template.text_sections)
    if request.method == "POST" and form.validate():
        lines = _line_input(declared)
        texts = [key for key in TEXT_SECTIONS if request.form.get(f"text-{key}")]
        chosen = {line["code"]: set(line["breakdowns"]) for line in lines}
        unit = get_unit(form.unit.data)
        if unit is None or not any(unit.path.startswith(path) for path in
                                   scope_paths(actor.key, REPORTS_FILE)):
            abort(404)
        try:
            services.update_template(
                template, actor, name=form.name.data, lines=lines, text_sections=texts,
                schedule=PeriodKind(form.schedule.data) if form.schedule.data else None,
                org_unit=unit)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存模板"), "success")
            return redirect(url_for(".template", template_id=template.id))
    return render_form("carebridge/reports/template_form.html", form=form, template=template,
                       declared=declared, chosen=chosen, texts=texts, text_labels=TEXT_SECTIONS,
                       breakdown_title=breakdown_title)


# -- drafts --------------------------------------------------------------------------------------

def _period_from(form: NewReportForm) -> Period:
    kind = PeriodKind(form.period_kind.data)
    if kind is PeriodKind.CUSTOM:
        if form.start.data is None or form.end.data is None:
            raise ValidationError(N_("请填写起始日期和截止日期"), field="start")
        return Period.custom(form.start.data, form.end.data)
    if form.year.data is None:
        raise ValidationError(N_("请填写年份"), field="year")
    return Period.numbered(kind, form.year.data, form.number.data or 1)


@bp.route("/new", methods=["GET", "POST"])
def new_report():
    actor = require(REPORTS_FILE)
    services.ensure_builtin_templates()
    scope = Scope.of_actor(actor, REPORTS_FILE)
    offered = [template for template in queries.templates(scope) if template.archived_at is None]
    units = sorted_tree(units_in_subtrees(scope_paths(actor.key, REPORTS_FILE)))
    today = local_today()
    last_quarter = Period.containing(PeriodKind.QUARTER, today).previous()
    form = NewReportForm(data=None if request.method == "POST" else {
        "template": request.args.get("template", type=int), "period_kind": "quarter",
        "year": last_quarter.start.year, "number": last_quarter.number,
        "unit": units[0].id if units else None})
    form.template.choices = choices((template.id, f"{template.recipient.label} · {template.name}")
                                    for template in offered)
    form.unit.choices = choices((unit.id, "　" * max(unit.depth, 0) + unit.name)
                                for unit in units)
    if request.method == "POST" and form.validate():
        template = next((each for each in offered if each.id == form.template.data), None)
        unit = next((each for each in units if each.id == form.unit.data), None)
        if template is None or unit is None:
            abort(404)
        try:
            period = _period_from(form)
            draft = services.create_draft(template, unit, period, actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".draft", draft_id=draft.id))
    return render_form("carebridge/reports/new.html", form=form)


@bp.route("/drafts/<int:draft_id>")
def draft(draft_id: int):
    draft, actor = _draft(draft_id)
    if draft.filing_id is not None:
        return redirect(url_for(".filing", filing_id=draft.filing_id))
    superseded = queries.get_filing(draft.supersedes_id) if draft.supersedes_id else None
    return render_template("carebridge/reports/draft.html", draft=draft,
                           content=services.draft_content(draft), superseded=superseded,
                           may_file=has_permission(actor.key, REPORTS_FILE, draft.org_unit),
                           file_form=FileForm(), action_form=ActionForm())


@bp.route("/drafts/<int:draft_id>/texts", methods=["POST"])
def save_texts(draft_id: int):
    draft, actor = _draft(draft_id, REPORTS_FILE)
    if not ActionForm().validate():
        abort(400)
    texts = {key: request.form.get(f"text-{key}") for key in draft.template.text_sections}
    try:
        services.save_texts(draft, actor, texts)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已保存文字部分"), "success")
    return redirect(url_for(".draft", draft_id=draft.id))


@bp.route("/drafts/<int:draft_id>/report.<any(pdf, xlsx):fmt>")
def draft_document(draft_id: int, fmt: str):
    draft, _actor = _draft(draft_id)
    content = services.draft_content(draft)
    name = f"{_('草稿')}-{content['title']}.{fmt}"
    if fmt == "pdf":
        return _download(render_report_pdf(content), "application/pdf",
                         f"report-draft-{draft.id}.pdf", name)
    return _download(render_report_xlsx(content), XLSX, f"report-draft-{draft.id}.xlsx", name)


@bp.route("/drafts/<int:draft_id>/file", methods=["POST"])
def file_draft(draft_id: int):
    draft, actor = _draft(draft_id, REPORTS_FILE)
    form = FileForm()
    if not form.validate():
        abort(400)
    try:
        filing = services.file_draft(draft, actor, reason=form.reason.data)
    except CareBridgeError as error:
        flash_refusal(error.localized())
        return redirect(url_for(".draft", draft_id=draft.id))
    flash(_("已报送，第 %(number)s 号", number=filing.number), "success")
    return redirect(url_for(".filing", filing_id=filing.id))


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
def delete_draft(draft_id: int):
    draft, actor = _draft(draft_id, REPORTS_FILE)
    if not ActionForm().validate():
        abort(400)
    try:
        services.delete_draft(draft, actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
        return redirect(url_for(".draft", draft_id=draft.id))
    flash(_("已删除草稿"), "success")
    return redirect(url_for(".index"))


# -- filings -------------------------------------------------------------------------------------

@bp.route("/filings/<int:filing_id>")
def filing(filing_id: int):
    filing, actor = _filing(filing_id)
    status = queries.filing_status(filing)
    content = queries.filing_content(filing)
    changes = None
    if status.supersedes is not None:
        changes = queries.differences(queries.filing_content(status.supersedes), content)
    return render_template("carebridge/reports/filing.html", filing=filing, status=status,
                           content=content, changes=changes,
                           may_file=has_permission(actor.key, REPORTS_FILE, filing.org_unit),
                           form=ActionForm())


@bp.route("/filings/<int:filing_id>/report.<any(pdf, xlsx, json):fmt>")
def filing_document(filing_id: int, fmt: str):
    filing, _actor = _filing(filing_id)
    data, mimetype = {"pdf": (filing.pdf, "application/pdf"), "xlsx": (filing.xlsx, XLSX),
                      "json": (filing.content_json.encode(), "application/json")}[fmt]
    return _download(data, mimetype, f"filing-{filing.number}.{fmt}",
                     f"{_('第%(number)s号报送', number=filing.number)}-{filing.title}.{fmt}")


@bp.route("/filings/<int:filing_id>/correct", methods=["POST"])
def correct(filing_id: int):
    filing, actor = _filing(filing_id, REPORTS_FILE)
    if not ActionForm().validate():
        abort(400)
    try:
        draft = services.start_correction(filing, actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
        return redirect(url_for(".filing", filing_id=filing.id))
    flash(_("已生成更正草稿：核对后说明原因并报送"), "success")
    return redirect(url_for(".draft", draft_id=draft.id))


@bp.route("/filings/<int:filing_id>/records/<code>")
def filed_records(filing_id: int, code: str):
    """The ids of the records a filed figure counted, as filed (the data may have changed
    since); each links to its page, which checks access to that record."""
    filing, actor = _filing(filing_id, REPORTS_FILE)
    row, ids = queries.filed_records(filing, code)
    if row is None:
        abort(404)
    record_event("report.records_opened", actor, target_type="report_filing",
                 target_id=filing.id, org_unit_id=filing.org_unit_id,
                 details={"indicator": code, "count": row.count})
    content = queries.filing_content(filing)
    item = next((each for section in content["sections"] if section["type"] == "figures"
                 for each in section["figures"] if each["code"] == code), None)
    page = max(1, request.args.get("page", 1, type=int))
    per_page = 200
    return render_template("carebridge/reports/filed_records.html", filing=filing, row=row,
                           item=item, ids=ids[(page - 1) * per_page:page * per_page],
                           page=page, pages=max(1, -(-len(ids) // per_page)),
                           record_page=indicators.record_page(row.record_type))


@bp.route("/chain")
def chain():
    """Walks every filing's seal and link (the company's whole chain)."""
    require_in_scope(REPORTS_FILE, queries.root_unit())
    return render_template("carebridge/reports/chain.html", broken=queries.chain_breaks(),
                           count=queries.filings(Scope.company()).total)
