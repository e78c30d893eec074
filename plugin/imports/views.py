from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from ..access.checks import has_permission, require, require_any, scope_paths
from ..access.scope import valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, choices, flash_refusal, render_form
from ..org.labels import KIND_LABELS as UNIT_KIND_LABELS
from ..org.queries import get_unit
from ..registry.schema import field_label
from . import consent_requests, queries, services, templates_xlsx
from .forms import (
    HOW_LABELS,
    STATUS_LABELS,
    UploadForm,
    mapping_choices,
    mapping_form,
    masked_sample,
)
from .kinds import import_permissions, kind_labels, kind_spec
from .messages import awaiting_consent, job_failure, job_headline, rejected_row_errors
from .models import FileRole, ImportStatus
from .permissions import ROSTERS_IMPORT

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")

MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _job_or_404(job_id: int):
    """The job and the actor; 404 for a job on a unit outside where the actor may import its
    kind (its rows name workers and children of that unit, or the records of its feature), and
    for a job of a kind the actor imports nowhere: to whoever may import something, every job
    they may not open is one that does not exist."""
    actor = require_any(import_permissions())
    job = queries.get_job(job_id) if valid_id(job_id) else None
    try:
        permission = kind_spec(job.kind).permission if job is not None else None
    except CareBridgeError:
        permission = None  # its feature is no longer mounted
    if permission is None or not has_permission(actor.key, permission, job.org_unit):
        abort(404)
    return job, actor


@bp.route("/", methods=["GET", "POST"])
def index():
    """The upload page. ``?kind=`` preselects what is imported (a feature links here so)."""
    actor = require_any(import_permissions())
    units = queries.importing_units(actor.key)
    labels = kind_labels()
    form = UploadForm(kind=request.args.get("kind") if request.method == "GET" else None)
    form.set_kinds({code: labels[code] for code in queries.importable_kinds(actor.key)})
    form.unit.choices = choices(
        (unit.id, f"{'　' * unit.depth}{unit.name}（{UNIT_KIND_LABELS[unit.kind]}）")
        for unit in units)
    if form.validate_on_submit():
        unit = get_unit(form.unit.data)
        if unit is None:
            abort(404)
        actor = require(kind_spec(form.kind.data).permission, unit)
        upload = form.file.data
        try:
            job = services.receive_upload(
                upload.stream, upload.filename, kind=form.kind.data, base_unit=unit,
                actor=actor, dry_run=form.dry_run.data, source=form.source.data)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            if job.status == ImportStatus.MAPPING:
                return redirect(url_for(".columns", job_id=job.id))
            return redirect(url_for(".job", job_id=job.id))
    return render_form("carebridge/imports/index.html", form=form,
                       jobs=queries.recent_jobs(actor.key), kind_labels=labels,
                       status_labels=STATUS_LABELS,
                       max_megabytes=services.max_upload_bytes() // 2**20)


@bp.route("/templates/<kind>.xlsx")
def template(kind: str):
    """A blank file for ``kind`` (XLSX): the header row, an example row and a field guide,
    made from the kind's fields (:mod:`.templates_xlsx`); names no record."""
    try:
        import_kind = kind_spec(kind).code
    except CareBridgeError:
        abort(404)
    require(kind_spec(import_kind).permission)
    # In Chinese whatever the page's language: the headers are what the importer recognises, and
    # HR systems and subcontractors fill in Chinese rosters.
    with force_locale("zh_CN"):
        workbook, name = (templates_xlsx.build_template(import_kind),
                          templates_xlsx.file_name(import_kind))
    return send_file(io.BytesIO(workbook), mimetype=MIME_TYPES["xlsx"], as_attachment=True,
                     download_name=name)


@bp.route("/<int:job_id>")
def job(job_id: int):
    job, _actor = _job_or_404(job_id)
    fields = services.fields_of(job.kind)
    return render_template(
        "carebridge/imports/job.html", job=job, kind_labels=kind_labels(),
        status_labels=STATUS_LABELS, failure=job_failure(job), headline=job_headline(job),
        awaiting_consent=awaiting_consent(job),
        rejected=rejected_row_errors(job),
        has_error_file=job.is_finished and queries.has_file(job.id, FileRole.ERRORS),
        field_label=lambda code: field_label(fields, code), discard_form=ActionForm(),
        consent_form=ActionForm())


@bp.route("/<int:job_id>/ask-consent", methods=["POST"])
def ask_consent(job_id: int):
    """"请监护人确认同意": a notice to the parents, in the import's unit, of children under 14
    without consent (posted ``worker_id`` s narrow it; others are ignored)."""
    job, actor = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = consent_requests.parents_awaiting_consent(
        job.org_unit, scope_paths=scope_paths(actor.key, ROSTERS_IMPORT), today=local_today())
    posted = set(request.form.getlist("worker_id", type=int))
    if posted:
        ids = [worker_id for worker_id in ids if worker_id in posted]
    outcome = consent_requests.ask_for_consent(ids, actor=actor, unit=job.org_unit,
                                               job_id=job.id)
    flash(_("已提醒 %(sent)s 名家长；%(already)s 名今天已提醒过", sent=outcome.sent,
            already=outcome.already_sent), "success")
    return redirect(url_for(".job", job_id=job.id))


@bp.route("/<int:job_id>/progress")
def progress(job_id: int):
    """The job's state for the progress bar (polled every second by ``progress.js``)."""
    job, _actor = _job_or_404(job_id)
    return jsonify(
        status=job.status.value, status_label=str(STATUS_LABELS[job.status]),
        finished=job.is_finished, total=job.total_rows, processed=job.processed_rows,
        created=job.created_count, updated=job.updated_count, unchanged=job.unchanged_count,
        rejected=job.rejected_count)


@bp.route("/<int:job_id>/errors")
def error_file(job_id: int):
    """The rejected rows in the format of the upload, with a reason column; streamed."""
    job, actor = _job_or_404(job_id)
    errors = queries.stored_file(job.id, FileRole.ERRORS)
    if errors is None:
        abort(404)
    services.record_error_file_download(job, actor=actor)
    name = Path(job.filename)
    suffix = name.suffix.lower()
    return errors.response(download_name=f"{name.stem}.errors{suffix}",
                           fallback_name=f"import-{job.id}-errors{suffix}",
                           mimetype=MIME_TYPES.get(job.format_name, "application/octet-stream"))


@bp.route("/<int:job_id>/columns", methods=["GET", "POST"])
def columns(job_id: int):
    """The mapping step: each column of the file with its guessed field, how sure the guess is
    and sample values; the user confirms or changes each, saved for the file's source."""
    job, actor = _job_or_404(job_id)
    if job.status != ImportStatus.MAPPING:
        return redirect(url_for(".job", job_id=job.id))
    check = job.column_check or {}
    fields = services.fields_of(job.kind)
    columns = check.get("columns") or _legacy_columns(check)
    form = mapping_form(columns, fields, job.source or Path(job.filename).stem)
    if form.validate_on_submit():
        try:
            services.save_column_mapping(job, mapping_choices(form), source=form.source.data,
                                         actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存列的对应关系，导入已开始排队"), "success")
            return redirect(url_for(".job", job_id=job.id))
    plan = services.review_plan(job)
    samples = {guess.index: [masked_sample(value) for value in guess.samples]
               for guess in (plan.guesses if plan is not None else [])}
    return render_form("carebridge/imports/columns.html", job=job, form=form, check=check,
                       columns=columns, samples=samples, how_labels=HOW_LABELS,
                       field_label=lambda code: field_label(fields, code),
                       kind_labels=kind_labels())


def _legacy_columns(check: dict) -> list[dict]:
    """The columns of a job stored before the mapping step: only its unrecognised ones."""
    return [{"index": index, "header": header, "code": None, "confidence": 0, "how": "",
             "alternatives": [], "suggestion": None}
            for index, header in enumerate(check.get("unknown", []))]


@bp.route("/<int:job_id>/discard", methods=["POST"])
def discard(job_id: int):
    job, actor = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.discard_job(job, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    return redirect(url_for(".job", job_id=job.id))
