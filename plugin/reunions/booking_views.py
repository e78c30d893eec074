"""Booking: manifests for the ticket agent, booking results imported back, travellers' ID
numbers revealed to the booking officer (``/reunions/…``).

Every page needs :data:`~.permissions.REUNIONS_BOOK`; a campaign that does not reach the
officer's subtrees, or an application or traveller outside them, answers 404, and a campaign's
pages list only the applications within them.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from ..access.checks import require
from ..access.scope import Scope, load_in_scope, valid_id
from ..core.clock import local_today
from ..core.db import session
from ..core.errors import CareBridgeError, ErrorList, InputInvalid, ValidationError
from ..core.forms import ActionForm, attach_error, flash_refusal, render_refused
from ..core.i18n import N_
from ..core.money import format_yuan
from ..privacy.assessments import usable_assessments
from ..privacy.assessments_forms import ExportBasisMixin, set_assessment_choices
from ..privacy.masking import mask_id_number
from ..registry.models import Worker
from ..registry.reveals import remember_reveal, take_reveal
from . import bookings, manifests, queries
from .history import history_context
from .models import Application, ApplicationStatus, Campaign, Traveller
from .permissions import REUNIONS_BOOK

bp = Blueprint("reunions_booking", __name__, url_prefix="/reunions", template_folder="templates")

#: Applications the booking page lists: to book, booked, and what became of booked ones.
LISTED = (ApplicationStatus.APPROVED, ApplicationStatus.BOOKED, ApplicationStatus.TRAVELLED,
          ApplicationStatus.NO_SHOW)
#: The key of a traveller's reveal noted in the session (:mod:`plugin.registry.reveals`).
REVEAL_KIND = "reunion_traveller"
REFUND_INVALID = N_("请填写退款金额（元），最多两位小数，例如 0 或 128.50")


class ResultsForm(FlaskForm):
    file = FileField(_l("出票结果文件"),
                     validators=[FileRequired(message=_l("请选择出票结果文件"))],
                     render_kw={"accept": bookings.RESULTS_UPLOAD.accept},
                     description=_l("在下载的出票名单（XLSX）上填好票号、承运单位、车次/班次、"
                                    "座位和实际票价（元）后上传。有任何一行不对，整个文件都不会"
                                    "保存，页面会列出每一处错误。"))


class ManifestForm(ExportBasisMixin, FlaskForm):
    """The manifest's download: the impact assessment and the purpose (PIPL Art. 55)."""


class RevealForm(FlaskForm):
    reason = StringField(_l("查看原因"), validators=[Optional(), Length(max=200)],
                         description=_l("查看完整身份证号码会记入审计日志"))


class CancelTicketForm(FlaskForm):
    reason = StringField(_l("退票原因"), validators=[Optional(), Length(max=300)])
    refund = StringField(_l("退款金额（元）"), validators=[Optional()],
                         description=_l("承运单位退回的金额；没有退款请填 0"))


class TravelForm(ActionForm):
    #: ``campaign``: go back to the campaign's booking page, else the application's.
    back = HiddenField()


def _campaign_or_404(campaign_id: int) -> tuple[Campaign, object, Scope]:
    actor = require(REUNIONS_BOOK)
    scope = Scope.of_actor(actor, REUNIONS_BOOK)
    campaign = queries.get_campaign(campaign_id) if valid_id(campaign_id) else None
    if campaign is None or not queries.campaign_reaches(campaign, scope):
        abort(404)
    return campaign, actor, scope


def _application_or_404(application_id: int):
    return load_in_scope(queries.get_application, application_id, REUNIONS_BOOK)


def _listed(campaign: Campaign, scope: Scope) -> list[tuple[Application, str]]:
    """The campaign's applications in scope the booking page lists, with the worker's name:
    approved, booked, travelled, no-show, and cancelled ones that had tickets (a refund)."""
    return [tuple(row) for row in session.execute(
        select(Application, Worker.name).join(Worker, Worker.id == Application.worker_id)
        .where(Application.campaign_id == campaign.id,
               scope.contains_unit_id(Application.org_unit_id),
               or_(Application.status.in_(LISTED),
                   (Application.status == ApplicationStatus.CANCELLED)
                   & Application.refund_fen.is_not(None)))
        .order_by(Application.depart_on, Application.id))]


def _manifest_form(campaign: Campaign, form: ManifestForm | None = None) -> ManifestForm:
    form = form or ManifestForm(prefix="manifest")
    set_assessment_choices(form, usable_assessments(manifests.MANIFEST_EXPORT,
                                                    [campaign.org_unit.path], local_today()))
    return form


def _campaign_page(campaign: Campaign, scope: Scope, *, form: ResultsForm | None = None,
                   import_errors: ErrorList | None = None, refused: bool = False,
                   manifest_form: ManifestForm | None = None):
    context = dict(
        campaign=campaign, rows=_listed(campaign, scope), form=form or ResultsForm(),
        manifest_form=_manifest_form(campaign, manifest_form),
        action_form=TravelForm(),
        import_errors=bookings.describe(import_errors) if import_errors else None,
        max_megabytes=bookings.MAX_UPLOAD_BYTES // (1024 * 1024))
    if refused:
        return render_refused("carebridge/reunions/booking_campaign.html", **context)
    return render_template("carebridge/reunions/booking_campaign.html", **context)


@bp.route("/<int:campaign_id>/booking")
def campaign_booking(campaign_id: int):
    campaign, _actor, scope = _campaign_or_404(campaign_id)
    return _campaign_page(campaign, scope)


@bp.route("/<int:campaign_id>/manifest.<any(xlsx, pdf):fmt>", methods=["POST"])
def manifest(campaign_id: int, fmt: str):
    """The manifest of the travellers in the officer's scope, on an impact assessment and a
    purpose; every download tied to them and audited. Refused: the page again, the form's
    fields naming why, nothing recorded."""
    campaign, actor, scope = _campaign_or_404(campaign_id)
    form = _manifest_form(campaign, ManifestForm(prefix="manifest"))
    if form.validate_on_submit():
        try:
            return manifests.manifest_download(campaign, scope, fmt, actor=actor,
                                               assessment_id=form.assessment_id,
                                               purpose=form.purpose.data)
        except CareBridgeError as error:
            attach_error(form, error)
    return _campaign_page(campaign, scope, manifest_form=form, refused=True)


@bp.route("/<int:campaign_id>/booking/results", methods=["POST"])
def import_results(campaign_id: int):
    """The agent's results, all or nothing: a bad row refuses the file, each one listed."""
    campaign, actor, scope = _campaign_or_404(campaign_id)
    form = ResultsForm()
    if not form.validate_on_submit():
        return _campaign_page(campaign, scope, form=form, refused=True)
    upload = form.file.data
    try:
        outcome = bookings.import_results(campaign, upload.stream, upload.filename, scope=scope,
                                          actor=actor)
    except bookings.BookingImportRefused as refusal:
        return _campaign_page(campaign, scope, form=form, import_errors=refusal.errors,
                              refused=True)
    flash(_("已登记 %(tickets)s 张车票，%(booked)s 户已全部出票。", tickets=outcome.tickets,
            booked=len(outcome.booked)), "success")
    if outcome.waiting:
        flash(_("还有 %(count)s 户只有部分家人出票，全家出票后才算已出票：%(numbers)s",
                count=len(outcome.waiting),
                numbers="、".join(str(application.id) for application in outcome.waiting)),
              "warning")
    if outcome.skipped or outcome.unchanged:
        flash(_("%(skipped)s 行没有填写车票，%(unchanged)s 行与已登记的车票相同，均未改动。",
                skipped=outcome.skipped, unchanged=outcome.unchanged), "info")
    return redirect(url_for(".campaign_booking", campaign_id=campaign.id))


# -- one application ------------------------------------------------------------------------------

def _application_page(application: Application, *, revealed: dict[int, str] | None = None,
                      reveal_forms: dict[int, RevealForm] | None = None,
                      cancel_form: CancelTicketForm | None = None, refused: bool = False):
    worker = session.get(Worker, application.worker_id)
    context = dict(
        application=application, campaign=application.campaign, worker=worker,
        revealed=revealed or {},
        masked={traveller.id: mask_id_number(traveller.id_number)
                for traveller in application.travellers if traveller.id_number},
        reveal_forms={traveller.id: (reveal_forms or {}).get(traveller.id)
                      or RevealForm(prefix=f"reveal-{traveller.id}")
                      for traveller in application.travellers},
        cancel_form=cancel_form or CancelTicketForm(prefix="cancel"),
        action_form=TravelForm(), **history_context(application),
        tickets_total=bookings.tickets_total(application))
    if refused:
        return render_refused("carebridge/reunions/booking_application.html", **context)
    return render_template("carebridge/reunions/booking_application.html", **context)


@bp.route("/applications/<int:application_id>/booking")
def application_booking(application_id: int):
    application, _actor = _application_or_404(application_id)
    # A full number once, right after its (audited) reveal redirected here; a reload masks it.
    revealed = {traveller.id: traveller.id_number for traveller in application.travellers
                if traveller.id_number and take_reveal(REVEAL_KIND, traveller.id)}
    return _application_page(application, revealed=revealed)


@bp.route("/travellers/<int:traveller_id>/reveal-id", methods=["POST"])
def reveal_traveller_id(traveller_id: int):
    traveller, actor = load_in_scope(lambda key: session.get(Traveller, key), traveller_id,
                                     REUNIONS_BOOK,
                                     unit=lambda record: record.application.org_unit)
    form = RevealForm(prefix=f"reveal-{traveller.id}")
    if form.validate_on_submit():
        try:
            bookings.reveal_id_number(traveller, reason=form.reason.data, actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            # Redirect, so a reload does not reveal (and audit) again; the page shows it once.
            remember_reveal(REVEAL_KIND, traveller.id)
            return redirect(url_for(".application_booking",
                                    application_id=traveller.application_id)
                            + f"#traveller-{traveller.id}")
    return _application_page(traveller.application, reveal_forms={traveller.id: form},
                             refused=True)


def _back(application: Application, form: TravelForm):
    if form.back.data == "campaign":
        return redirect(url_for(".campaign_booking", campaign_id=application.campaign_id))
    return redirect(url_for(".application_booking", application_id=application.id))


def _record_travel(application_id: int, travelled: bool):
    application, actor = _application_or_404(application_id)
    form = TravelForm()
    if not form.validate_on_submit():
        flash_refusal(_("页面已过期，请重新操作"))
        return _back(application, form)
    try:
        bookings.record_travel(application, travelled=travelled, actor=actor)
    except CareBridgeError as error:
        flash_refusal(error.localized())
    else:
        flash(_("已登记：%(status)s", status=application.status.label), "success")
    return _back(application, form)


@bp.route("/applications/<int:application_id>/travelled", methods=["POST"])
def mark_travelled(application_id: int):
    return _record_travel(application_id, True)


@bp.route("/applications/<int:application_id>/no-show", methods=["POST"])
def mark_no_show(application_id: int):
    return _record_travel(application_id, False)


@bp.route("/applications/<int:application_id>/cancel-ticket", methods=["POST"])
def cancel_ticket(application_id: int):
    """Cancel a booked household's tickets with the refund received."""
    application, actor = _application_or_404(application_id)
    form = CancelTicketForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            refund_fen = _refund_fen(form.refund.data, form.reason.data)
            bookings.cancel_ticket(application, reason=form.reason.data, refund_fen=refund_fen,
                                   actor=actor)
        except CareBridgeError as error:
            attach_error(form, error)
        else:
            flash(_("已退票，退款 %(refund)s 元已登记；空出的名额已按候补顺序递补。",
                    refund=format_yuan(application.refund_fen or 0)), "success")
            return redirect(url_for(".application_booking", application_id=application.id))
    return _application_page(application, cancel_form=form, refused=True)


def _refund_fen(text: str | None, reason: str | None) -> int | None:
    """The refund typed in yuan, in fen (None: empty); a refusal names the reason too when it
    is missing, so the form shows both at once."""
    if not (text or "").strip():
        return None
    try:
        return bookings.parse_price(text)
    except ValueError:
        errors: list[CareBridgeError] = [ValidationError(REFUND_INVALID, field="refund")]
        if not (reason or "").strip():
            errors.append(ValidationError(N_("请填写原因"), field="reason"))
        raise InputInvalid(errors) from None
