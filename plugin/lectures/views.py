"""Officer pages of lectures: list, calendar, session form and detail, cancel and reschedule,
sign-in sheets, the lecture team and the statistics. Views parse input, call one service or
query, render."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import load_in_scope
from ..audit.exports import audited_export, list_filters
from ..core.clock import local_today, utcnow
from ..core.errors import CareBridgeError
from ..core.forms import ActionForm, attach_error, choices, render_form
from ..core.http import attachment_disposition
from ..org.queries import get_unit, sorted_tree, units_in_subtrees
from ..registry.permissions import WORKERS_VIEW
from ..registry.queries import children_counts
from . import queries, reminders, services, statistics
from .exports import DEFAULT_BLANK_ROWS, MAX_BLANK_ROWS, SignInSheet, sign_in_pdf, sign_in_xlsx
from .forms import (
    CancelForm,
    EditSessionForm,
    LecturerForm,
    NewLecturerForm,
    RescheduleForm,
    SessionFilterForm,
    SessionForm,
    StatisticsFilterForm,
)
from .labels import (
    FORMAT_LABELS,
    LECTURER_KIND_LABELS,
    METHOD_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    WEEKDAY_LABELS,
)
from .list_exports import (
    NEVER_ATTENDED_TABLE,
    STATISTICS_TABLE,
    never_attended_rows,
    statistics_rows,
)
from .models import SessionStatus
from .month_calendar import build_month, grid_days, parse_month
from .periods import company_zone, local_to_utc, period_bounds, utc_to_local
from .permissions import LECTURES_MANAGE, LECTURES_VIEW

bp = Blueprint("lectures", __name__, url_prefix="/lectures", template_folder="templates")

LABELS = {"format_labels": FORMAT_LABELS, "topic_labels": TOPIC_LABELS,
          "status_labels": STATUS_LABELS, "kind_labels": LECTURER_KIND_LABELS,
          "method_labels": METHOD_LABELS}
EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _session_for(session_id: int, permission: Permission):
    """The session and the signed-in actor who may ``permission`` on it. A session outside the
    subtrees where the actor sees lectures answers 404, exactly like one that does not exist."""
    return load_in_scope(queries.get_session, session_id, permission,
                         seen_with=LECTURES_VIEW)


def _lecturer_for(lecturer_id: int, permission: Permission):
    return load_in_scope(queries.get_lecturer, lecturer_id, permission,
                         seen_with=LECTURES_VIEW)


def _unit_choices(actor, permission, *, blank=None):
    units = sorted_tree(units_in_subtrees(scope_paths(actor.key, permission)))
    pairs = [(unit.id, "　" * unit.depth + unit.name) for unit in units]
    return choices([("", blank), *pairs] if blank is not None else pairs)


def _lecturer_choices(actor, keep=()):
    lecturers = queries.lecturers_to_choose(scope_paths(actor.key, LECTURES_MANAGE),
                                            keep=list(keep))
    return choices((lecturer.id, _("%(name)s（%(kind)s · %(unit)s）", name=lecturer.name,
                                   kind=LECTURER_KIND_LABELS[lecturer.kind],
                                   unit=lecturer.org_unit.name))
                   for lecturer in lecturers)


def _unit_from_query() -> dict | None:
    """A new form's unit preset with ``?unit=`` (on GET; a POST reads the form)."""
    return None if request.method == "POST" else {"unit": request.args.get("unit", type=int)}


def _utc(value):
    return local_to_utc(value) if value is not None else None


def _local(value):
    return utc_to_local(value).replace(tzinfo=None) if value is not None else None


def _chosen_unit(form):
    return get_unit(form.unit.data) if form.unit.data else None


def _details(form) -> services.SessionDetails:
    return services.SessionDetails(
        title=form.title.data, format=form.format.data, unit=_chosen_unit(form),
        venue=form.venue.data,
        topics=form.topics.data or [], lecturer_ids=form.lecturers.data or [],
        check_in_opens_minutes=form.check_in_opens_minutes.data,
        check_in_closes_minutes=form.check_in_closes_minutes.data,
        brochures_handed_out=form.brochures_handed_out.data, description=form.description.data)


# --- lists ---------------------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(LECTURES_VIEW)
    scope = scope_paths(actor.key, LECTURES_VIEW)
    form = SessionFilterForm(request.args)
    form.unit.choices = _unit_choices(actor, LECTURES_VIEW, blank=_("全部"))
    criteria = queries.SessionFilter()
    if form.validate():
        status = form.status.data
        known = {member.value for member in SessionStatus}
        criteria = queries.SessionFilter(
            unit=_chosen_unit(form), start=form.start.data, end=form.end.data,
            status=SessionStatus(status) if status in known else None)
    page = queries.search_sessions(criteria, scope_paths=scope,
                                   page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/lectures/index.html", page=page, form=form,
        counts=queries.attendance_counts([lecture.id for lecture in page.items]),
        may_manage=has_permission(actor.key, LECTURES_MANAGE), **LABELS)


@bp.route("/calendar")
def calendar():
    actor = require(LECTURES_VIEW)
    today = local_today()
    month = parse_month(request.args.get("month"), today)
    unit_id = request.args.get("unit", type=int)
    unit = get_unit(unit_id) if unit_id else None
    first, last = grid_days(month)
    since, until = period_bounds(first, last)
    scope = scope_paths(actor.key, LECTURES_VIEW)
    sessions = queries.sessions_between(since, until, unit=unit, scope_paths=scope)
    return render_template(
        "carebridge/lectures/calendar.html", unit=unit, weekdays=WEEKDAY_LABELS,
        calendar=build_month(month, sessions, zone=company_zone(), today=today),
        units=_unit_choices(actor, LECTURES_VIEW, blank=_("全部")), **LABELS)


# --- one session ---------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def new_session():
    actor = require(LECTURES_MANAGE)
    form = SessionForm(data=_unit_from_query())
    form.unit.choices = _unit_choices(actor, LECTURES_MANAGE, blank="—")
    form.lecturers.choices = _lecturer_choices(actor)
    if form.validate_on_submit():
        try:
            lecture = services.create_session(_details(form), starts_at=_utc(form.starts_at.data),
                                              ends_at=_utc(form.ends_at.data), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已安排宣讲"), "success")
            return redirect(url_for(".detail", session_id=lecture.id))
    return render_form("carebridge/lectures/session_form.html", form=form, lecture=None)


@bp.route("/<int:session_id>")
def detail(session_id: int):
    lecture, actor = _session_for(session_id, LECTURES_VIEW)
    opens_at, closes_at = lecture.check_in_window()
    return render_template(
        "carebridge/lectures/detail.html", lecture=lecture,
        figures=statistics.session_figures(lecture),
        opens_at=opens_at, closes_at=closes_at, started=lecture.starts_at <= utcnow(),
        may_manage=has_permission(actor.key, LECTURES_MANAGE, lecture.org_unit),
        may_export=has_permission(actor.key, WORKERS_VIEW, lecture.org_unit), **LABELS)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    lecture, actor = _session_for(session_id, LECTURES_MANAGE)
    if lecture.is_cancelled:
        flash(_("这场宣讲已经取消"), "warning")
        return redirect(url_for(".detail", session_id=lecture.id))
    data = None if request.method == "POST" else {
        "title": lecture.title, "format": lecture.format.value, "unit": lecture.org_unit_id,
        "venue": lecture.venue, "topics": [topic.value for topic in lecture.topics],
        "lecturers": [lecturer.id for lecturer in lecture.lecturers],
        "check_in_opens_minutes": lecture.check_in_opens_minutes,
        "check_in_closes_minutes": lecture.check_in_closes_minutes,
        "brochures_handed_out": lecture.brochures_handed_out, "description": lecture.description}
    form = EditSessionForm(data=data)
    form.unit.choices = _unit_choices(actor, LECTURES_MANAGE, blank="—")
    form.lecturers.choices = _lecturer_choices(actor, keep=lecture.lecturers)
    if form.validate_on_submit():
        try:
            services.update_session(lecture, _details(form), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".detail", session_id=lecture.id))
    return render_form("carebridge/lectures/session_form.html", form=form, lecture=lecture)


@bp.route("/<int:session_id>/cancel", methods=["GET", "POST"])
def cancel(session_id: int):
    lecture, actor = _session_for(session_id, LECTURES_MANAGE)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_session(lecture, form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已取消宣讲，已通知相关人员"), "success")
            return redirect(url_for(".detail", session_id=lecture.id))
    return render_form("carebridge/lectures/cancel.html", form=form, lecture=lecture)


@bp.route("/<int:session_id>/reschedule", methods=["GET", "POST"])
def reschedule(session_id: int):
    lecture, actor = _session_for(session_id, LECTURES_MANAGE)
    form = RescheduleForm(data=None if request.method == "POST" else {
        "starts_at": _local(lecture.starts_at), "ends_at": _local(lecture.ends_at)})
    if form.validate_on_submit():
        try:
            services.reschedule_session(lecture, starts_at=_utc(form.starts_at.data),
                                        ends_at=_utc(form.ends_at.data), reason=form.reason.data,
                                        actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已改期，已通知相关人员"), "success")
            return redirect(url_for(".detail", session_id=lecture.id))
    return render_form("carebridge/lectures/reschedule.html", form=form, lecture=lecture)


@bp.route("/<int:session_id>/sign-in-sheet.<kind>")
def sign_in_sheet(session_id: int, kind: str):
    """Before the lecture the sheet has blank rows to sign on paper (``?blank=`` sets how many)."""
    if kind not in EXPORT_TYPES:
        abort(404)
    lecture, actor = _session_for(session_id, LECTURES_VIEW)
    if not has_permission(actor.key, WORKERS_VIEW, lecture.org_unit):
        abort(403)
    blank = request.args.get("blank", type=int)
    if blank is None:
        blank = DEFAULT_BLANK_ROWS if utcnow() < lecture.starts_at else 0
    rows = queries.sign_in_rows(lecture, scope_paths(actor.key, WORKERS_VIEW))
    sheet = SignInSheet(lecture, rows, company_zone(),
                        blank_rows=min(max(blank, 0), MAX_BLANK_ROWS))
    content = sign_in_pdf(sheet) if kind == "pdf" else sign_in_xlsx(sheet)
    services.record_sign_in_sheet_download(lecture, kind, rows=len(sheet.rows), actor=actor)
    name = f"{_('签到表')}-{lecture.title}.{kind}"
    response = Response(content, mimetype=EXPORT_TYPES[kind])
    response.headers["Content-Disposition"] = attachment_disposition(
        f"lecture-{lecture.id}-sign-in.{kind}", name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _statistics_filters(actor):
    """The statistics page's filters (the page and its exports): the form, the unit chosen (or
    None: the whole scope), the subtrees' paths and the period."""
    scope = scope_paths(actor.key, LECTURES_VIEW)
    form = StatisticsFilterForm(request.args)
    form.unit.choices = _unit_choices(actor, LECTURES_VIEW, blank=_("全部"))
    form.validate()
    unit = get_unit(form.unit.data) if form.unit.data and not form.unit.errors else None
    if unit is not None:
        require(LECTURES_VIEW, unit)
    paths = [unit.path] if unit is not None else scope
    default_start, default_end = statistics.default_period(local_today())
    start = form.start.data if form.start.data and not form.start.errors else default_start
    end = form.end.data if form.end.data and not form.end.errors else default_end
    return form, unit, paths, start, end


def _never_attended_paths(actor, paths: list[str]) -> list[str]:
    """The never-attended list names people: only where the user also sees workers."""
    return statistics.narrow_paths(paths, scope_paths(actor.key, WORKERS_VIEW))


@bp.route("/statistics/export.<any(xlsx, csv):fmt>")
def export_statistics(fmt: str):
    """The page's figures, then the same figures per site of the selection."""
    actor = require(LECTURES_VIEW)
    _form, unit, paths, start, end = _statistics_filters(actor)
    if start > end:
        abort(400)
    return audited_export(STATISTICS_TABLE, statistics_rows(paths, unit, start, end), fmt,
                          actor=actor, filters={**list_filters(), "start": start.isoformat(),
                                                "end": end.isoformat()},
                          org_unit_id=unit.id if unit else None, scope_paths=paths)


@bp.route("/statistics/never-attended.<any(xlsx, csv):fmt>")
def export_never_attended(fmt: str):
    """The whole never-attended list of the page's unit; 403 where the user sees no workers
    of it (the page leaves the list out there)."""
    actor = require(LECTURES_VIEW)
    _form, unit, paths, _start, _end = _statistics_filters(actor)
    people_paths = _never_attended_paths(actor, paths)
    if not people_paths:
        abort(403)
    return audited_export(NEVER_ATTENDED_TABLE, never_attended_rows(people_paths), fmt,
                          actor=actor, filters=list_filters("start", "end"),
                          org_unit_id=unit.id if unit else None, scope_paths=people_paths)


@bp.route("/statistics/remind", methods=["POST"])
def remind_never_attended():
    """"提醒参加下一次宣讲": a notice to each worker of the page's never-attended list (all its
    pages, same unit and scope; posted ``worker_id`` s narrow it, ids outside it are ignored)."""
    actor = require(LECTURES_VIEW)
    if not ActionForm().validate_on_submit():
        abort(400)
    _form, unit, paths, _start, _end = _statistics_filters(actor)
    people_paths = _never_attended_paths(actor, paths)
    if not people_paths:
        abort(403)
    posted = request.form.getlist("worker_id", type=int)
    outcome = reminders.remind_never_attended(
        people_paths, actor=actor, only_ids=set(posted) if posted else None,
        org_unit_id=unit.id if unit else None)
    flash(_("已提醒 %(sent)s 人；%(already)s 人今天已提醒过；"
            "%(none)s 人所在单位暂无即将举行的宣讲，未提醒",
            sent=outcome.sent, already=outcome.already_sent, none=outcome.no_lecture), "success")
    return redirect(url_for(".statistics_page", **request.args))


# --- lecture team --------------------------------------------------------------------------------

@bp.route("/team/")
def team():
    actor = require(LECTURES_VIEW)
    include_inactive = request.args.get("all") == "1"
    page = queries.search_lecturers(scope_paths=scope_paths(actor.key, LECTURES_VIEW),
                                    include_inactive=include_inactive,
                                    page=request.args.get("page", 1, type=int))
    return render_template("carebridge/lectures/team.html", page=page,
                           include_inactive=include_inactive, action_form=ActionForm(),
                           may_manage=has_permission(actor.key, LECTURES_MANAGE),
                           **LABELS)


def _lecturer_details(form) -> services.LecturerDetails:
    return services.LecturerDetails(
        name=form.name.data, kind=form.kind.data, unit=_chosen_unit(form),
        affiliation=form.affiliation.data, phone=form.phone.data,
        active=form.active.data if "active" in form else True)


@bp.route("/team/new", methods=["GET", "POST"])
def new_lecturer():
    actor = require(LECTURES_MANAGE)
    form = NewLecturerForm(data=_unit_from_query())
    form.unit.choices = _unit_choices(actor, LECTURES_MANAGE, blank="—")
    if form.validate_on_submit():
        try:
            services.create_lecturer(_lecturer_details(form), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已加入宣讲团"), "success")
            return redirect(url_for(".team"))
    return render_form("carebridge/lectures/lecturer_form.html", form=form, lecturer=None)


@bp.route("/team/<int:lecturer_id>/edit", methods=["GET", "POST"])
def edit_lecturer(lecturer_id: int):
    lecturer, actor = _lecturer_for(lecturer_id, LECTURES_MANAGE)
    form = LecturerForm(data=None if request.method == "POST" else {
        "name": lecturer.name, "kind": lecturer.kind.value, "unit": lecturer.org_unit_id,
        "affiliation": lecturer.affiliation, "phone": lecturer.phone, "active": lecturer.active})
    form.unit.choices = _unit_choices(actor, LECTURES_MANAGE, blank="—")
    if form.validate_on_submit():
        try:
            services.update_lecturer(lecturer, _lecturer_details(form), actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".team"))
    return render_form("carebridge/lectures/lecturer_form.html", form=form, lecturer=lecturer)


@bp.route("/team/<int:lecturer_id>/deactivate", methods=["POST"])
def deactivate_lecturer(lecturer_id: int):
    lecturer, actor = _lecturer_for(lecturer_id, LECTURES_MANAGE)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.deactivate_lecturer(lecturer, actor=actor)
    flash(_("已停用宣讲员 %(name)s", name=lecturer.name), "success")
    return redirect(url_for(".team"))


# --- statistics ----------------------------------------------------------------------------------

@bp.route("/statistics")
def statistics_page():
    """Figures for a unit (default: everything in scope) and a period (default:
    :func:`.statistics.default_period`, this year so far).
    The never-attended list names people, so it is shown only where the user may see workers."""
    actor = require(LECTURES_VIEW)
    form, unit, paths, start, end = _statistics_filters(actor)
    figures = None
    try:
        figures = statistics.lecture_figures(paths, start, end)
    except CareBridgeError as error:
        attach_error(form, error)
    people_paths = _never_attended_paths(actor, paths)
    never = (statistics.never_attended(people_paths, page=request.args.get("page", 1, type=int))
             if people_paths else None)
    return render_template(
        "carebridge/lectures/statistics.html", form=form, figures=figures, start=start, end=end,
        unit=unit, never=never, remind_form=ActionForm(),
        counts=children_counts([worker.id for worker in never.items]) if never else {})
