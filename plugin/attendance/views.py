"""Attendance pages: the worker's check-in at the code's URL (``/c/<code>``, tiny, no JavaScript),
the projector, the officer's badge scanner and its upload, the session's attendance list with
manual and paper-sheet entry and annulment, the attempts log, and badge sheets."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError as CSRFInvalid

from ..access.checks import has_permission
from ..access.scope import load_in_scope, scope_refusal, valid_id
from ..core.clock import utcnow
from ..core.db import session
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, flash_refusal, render_refused
from ..core.pdf import qr_svg
from ..core.urls import public_url
from ..lectures.permissions import LECTURES_VIEW
from ..org.permissions import ORG_VIEW
from ..org.queries import get_unit
from ..registry.queries import get_worker
from ..worker_access.cookies import device_token, secure_cookies
from . import queries, scans, services, venue_scan
from .badges import badge_sheets_pdf
from .codes import seen_mark
from .forms import AnnulForm, ManualEntryForm, PaperSheetForm
from .permissions import ATTENDANCE_RECORD
from .results import METHOD_LABELS, OUTCOME_LABELS, REASON_LABELS, result_message, short_time
from .scope import worker_scope

bp = Blueprint("attendance", __name__, template_folder="templates", static_folder="static",
               static_url_path="/attendance/static")

#: Short-lived cookie: when this browser first opened a venue code, before signing in.
SEEN_COOKIE = "cb_checkin_seen"
#: A worker id as the manual-entry form sends it (ASCII digits; larger numbers name nobody).
WORKER_ID = re.compile(r"[0-9]{1,12}")


# A session, check-in or unit outside the user's scope is "not found", exactly like an id that
# does not exist (ids are sequential): plugin.access.scope.require_in_scope.

def _recordable_lecture(session_id: int):
    """The session and the actor who records its attendance (404 outside their scope)."""
    return load_in_scope(queries.get_lecture, session_id, ATTENDANCE_RECORD,
                         seen_with=LECTURES_VIEW)


def _seen_cookie_path() -> str:
    return url_for(".check_in", code="x")[:-1]


def _origin(actor=None) -> services.Origin:
    return services.Origin.of(actor, user_agent=request.user_agent.string, ip=request.remote_addr)


# --- the worker's phone -----------------------------------------------------------------------

@bp.route("/c/<code>")
def check_in(code: str):
    """The venue code's URL. A phone not signed in yet goes to the worker sign-in and comes back;
    the code is then judged as of its first opening (services.SIGN_IN_GRACE)."""
    remembered = request.cookies.get(SEEN_COOKIE, "")
    token = device_token()
    user_agent = request.user_agent.string
    # Only phones back from the sign-in detour carry the cookie: the usual scan reads nothing.
    seen = services.first_seen(remembered, code, user_agent=user_agent, device_token=token) \
        if remembered else None
    seen_at = seen.at if seen is not None and seen.same_phone else None
    result = venue_scan.check_in_by_venue_code(code, token, origin=_origin(), seen_at=seen_at,
                                               copied_mark=seen is not None and not seen.same_phone)
    if result is None:
        back = url_for(".check_in", code=code)
        response = redirect(url_for("carebridge.worker_access.sign_in", next=back))
        if seen_at is None:
            mark = seen_mark(code, utcnow(), services.seen_key(), user_agent=user_agent)
            response.set_cookie(SEEN_COOKIE, f"{code}~{mark}",
                                max_age=int(services.SIGN_IN_GRACE.total_seconds()), httponly=True,
                                secure=secure_cookies(),
                                samesite="Lax", path=_seen_cookie_path())
        return response
    result = result.labelled()
    # Done before the answer is worded and rendered: on SQLite the write lock is held until the
    # commit, and 2,000 phones queue behind it.
    session.commit()
    response = make_response(render_template("carebridge/attendance/check_in.html", result=result,
                                             message=result_message(result)))
    response.headers["Cache-Control"] = "no-store"
    if remembered:
        response.delete_cookie(SEEN_COOKIE, path=_seen_cookie_path())
    return response


# --- the projector ------------------------------------------------------------------------------

PROJECTOR_STATUS = {
    "cancelled": lambda time: _("本场宣讲已取消"),
    "not_open": lambda time: _("签到 %(time)s 开始", time=time),
    "open": lambda time: _("请用微信或手机相机扫码签到（%(time)s 截止）", time=time),
    "closed": lambda time: _("签到已于 %(time)s 结束", time=time),
}


def _projector_state(lecture) -> dict:
    code, changes_at = services.current_venue_code(lecture)
    url = public_url(".check_in", code=code)  # the configured address, never the Host header
    state, time = services.window_state(lecture)
    return {"code": code, "url": url,
            "svg": "" if lecture.is_cancelled else qr_svg(url, box_size=12),
            "count": queries.present_count(lecture.id),
            "status": PROJECTOR_STATUS[state](short_time(time)),
            "refresh_ms": max(500, int((changes_at - utcnow()).total_seconds() * 1000) + 300)}


@bp.route("/attendance/sessions/<int:session_id>/projector")
def projector(session_id: int):
    lecture, _actor = _recordable_lecture(session_id)
    state = _projector_state(lecture)
    response = make_response(render_template(
        "carebridge/attendance/projector.html", lecture=lecture, state=state,
        refresh_seconds=-(-state["refresh_ms"] // 1000)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/attendance/sessions/<int:session_id>/projector.json")
def projector_state(session_id: int):
    lecture, _actor = _recordable_lecture(session_id)
    response = jsonify(_projector_state(lecture))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the officer's badge scanner ------------------------------------------------------------

@bp.route("/attendance/sessions/<int:session_id>/scanner")
def scanner(session_id: int):
    lecture, _actor = _recordable_lecture(session_id)
    return render_template("carebridge/attendance/scanner.html", lecture=lecture,
                           count=queries.present_count(lecture.id),
                           server_time_ms=int(utcnow().timestamp() * 1000))


def _json_error(message: str, status: int):
    return jsonify(error=message), status


def _result_json(nonce: str, result) -> dict:
    return {"nonce": nonce, "outcome": result.outcome.value,
            "reason": result.reason.value if result.reason else None, "level": result.level.value,
            "message": result_message(result), "late_upload": result.late_upload,
            "worker": result.worker.name if result.worker else None,
            "employee_number": result.worker.employee_number if result.worker else None}


@bp.route("/attendance/sessions/<int:session_id>/scans", methods=["POST"])
def upload_scans(session_id: int):
    """Scans queued on the officer's device (JSON); answers per scan, never a redirect."""
    actor = current_app.extensions["carebridge"].adapter.current_actor()
    if actor is None:
        return _json_error(_("请重新登录后再上传"), 401)
    # The answers of plugin.access.scope.require_in_scope, in JSON.
    if not has_permission(actor.key, ATTENDANCE_RECORD):
        return _json_error(_("没有权限"), 403)
    lecture = queries.get_lecture(session_id) if valid_id(session_id) else None
    refusal = scope_refusal(actor, ATTENDANCE_RECORD, lecture.org_unit if lecture else None,
                            seen_with=LECTURES_VIEW)
    if refusal == 404:
        return _json_error(_("找不到这场宣讲"), 404)
    if refusal == 403:
        return _json_error(_("没有权限"), 403)
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except CSRFInvalid:
        return _json_error(_("页面已过期，请刷新页面"), 400)
    try:
        items = scans.parse_scan_items(request.get_json(silent=True))
    except CareBridgeError as error:
        return _json_error(error.localized(), 400)
    results = scans.record_scans(lecture, items, actor=actor, origin=_origin(actor))
    return jsonify(server_time=int(utcnow().timestamp() * 1000),
                   count=queries.present_count(lecture.id),
                   results=[_result_json(nonce, result) for nonce, result in results])


# --- the session's attendance ---------------------------------------------------------------

def _session_page(lecture, actor, *, paper_form=None):
    """The session's attendance page; with ``paper_form``, that form shown again, refused."""
    search = (request.args.get("q") or "").strip()
    candidates = queries.candidate_workers(lecture, search) if search else []
    now = utcnow()
    page = queries.attendance_page(lecture.id, page=request.args.get("page", 1, type=int))
    opens_at, closes_at = lecture.check_in_window()
    scope = worker_scope(actor)
    render = render_refused if paper_form is not None else render_template
    return render(
        "carebridge/attendance/session.html", lecture=lecture, page=page, search=search,
        shown={row.id for row in page.items if scope.sees(row.worker)},
        candidates=candidates,
        present=queries.attendances_of(lecture.id, [w.id for w in candidates]),
        count=queries.present_count(lecture.id), opens_at=opens_at, closes_at=closes_at,
        annullable={row.id for row in page.items if services.may_annul(row, now)},
        officer_names=current_app.extensions["carebridge"].adapter.user_names(
            {row.officer for row in page.items if row.officer}),
        paper_form=paper_form or PaperSheetForm(),
        method_labels=METHOD_LABELS)


@bp.route("/attendance/sessions/<int:session_id>")
def session_attendance(session_id: int):
    lecture, actor = _recordable_lecture(session_id)
    return _session_page(lecture, actor)


@bp.route("/attendance/sessions/<int:session_id>/manual", methods=["POST"])
def manual_entry(session_id: int):
    lecture, actor = _recordable_lecture(session_id)
    form = ManualEntryForm()
    if not form.validate_on_submit() or not WORKER_ID.fullmatch(form.worker_id.data):
        abort(400)
    worker_id = int(form.worker_id.data)
    result = services.manual_check_in(lecture,
                                      get_worker(worker_id) if valid_id(worker_id) else None,
                                      actor=actor, origin=_origin(actor))
    # A worker outside the officer's scope comes back as no worker at all (see .scope).
    name = f"{result.worker.name} " if result.worker else ""
    flash(f"{name}{result_message(result)}", "success" if result.accepted else "warning")
    return redirect(url_for(".session_attendance", session_id=lecture.id,
                            q=request.args.get("q") or None))


@bp.route("/attendance/sessions/<int:session_id>/paper-sheet", methods=["POST"])
def paper_sheet(session_id: int):
    lecture, actor = _recordable_lecture(session_id)
    form = PaperSheetForm()
    if form.validate_on_submit():
        try:
            summary = services.enter_paper_sheet(lecture, form.lines.data, form.default_time.data,
                                                 actor=actor, origin=_origin(actor))
        except services.PaperSheetInvalid as invalid:
            form.lines.errors = [invalid.localized(),
                                 *(error.localized() for error in invalid.errors)]
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("纸质签到表已登记：新增 %(accepted)s 人，已签到过 %(already)s 人",
                    accepted=len(summary.accepted), already=len(summary.already)), "success")
            return redirect(url_for(".session_attendance", session_id=lecture.id))
    return _session_page(lecture, actor, paper_form=form)


@bp.route("/attendance/check-ins/<int:attendance_id>/annul", methods=["POST"])
def annul(attendance_id: int):
    attendance, actor = load_in_scope(queries.get_attendance, attendance_id, ATTENDANCE_RECORD,
                                      unit=lambda attendance: attendance.session.org_unit,
                                      seen_with=LECTURES_VIEW)
    form = AnnulForm()
    if not form.validate_on_submit():
        flash_refusal(_("请填写作废原因"))
    else:
        try:
            services.annul_check_in(attendance, form.reason.data, actor=actor)
        except CareBridgeError as error:
            flash_refusal(error.localized())
        else:
            if worker_scope(actor).sees(attendance.worker):
                flash(_("已作废 %(name)s 的签到", name=attendance.worker.name), "success")
            else:
                flash(_("已作废这条签到"), "success")
    return redirect(url_for(".session_attendance", session_id=attendance.session_id))


@bp.route("/attendance/sessions/<int:session_id>/attempts")
def attempts(session_id: int):
    """The attempts log, as the viewer may see it (:func:`.queries.attempts_page`)."""
    lecture, actor = _recordable_lecture(session_id)
    page = queries.attempts_page(lecture.id, worker_scope(actor),
                                 page=request.args.get("page", 1, type=int))
    return render_template(
        "carebridge/attendance/attempts.html", lecture=lecture, page=page,
        officer_names=current_app.extensions["carebridge"].adapter.user_names(
            {line.attempt.officer for line in page.items if line.attempt.officer}),
        method_labels=METHOD_LABELS, outcome_labels=OUTCOME_LABELS,
        reason_labels={reason.value: label for reason, label in REASON_LABELS.items()})


# --- badges --------------------------------------------------------------------------------

@bp.route("/attendance/units/<int:unit_id>/badges.pdf")
def badges(unit_id: int):
    unit, actor = load_in_scope(get_unit, unit_id, ATTENDANCE_RECORD, unit=lambda unit: unit,
                                seen_with=ORG_VIEW)
    workers = queries.badge_workers(unit)
    codes = [services.worker_badge_code(worker) for worker in workers]
    document = badge_sheets_pdf(unit, workers, codes)
    services.record_badge_download(unit, len(workers), actor=actor)
    filename = quote(_("签到胸卡-%(unit)s.pdf", unit=unit.name))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=badges.pdf; filename*=UTF-8''{filename}"})


# --- the panel on the lecture's page ----------------------------------------------------------

@bp.app_context_processor
def attendance_helpers():
    def attendance_panel(lecture) -> dict | None:
        """What the session panel shows to the current user, or None for nothing."""
        actor = current_app.extensions["carebridge"].adapter.current_actor()
        if actor is None or not has_permission(actor.key, LECTURES_VIEW, lecture.org_unit):
            return None
        return {"count": queries.present_count(lecture.id),
                "may_record": has_permission(actor.key, ATTENDANCE_RECORD, lecture.org_unit)}

    return {"cb_attendance_panel": attendance_panel}
