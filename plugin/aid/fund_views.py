"""The fund pages (``/aid/funds/``): the funds with their money, one fund's balances by purpose
and its ledger, opening and closing a fund, recording allocations and donations, reversing an
entry, and the period statement (page, PDF, XLSX).

Views are thin: parse the input, call one service, render. A fund is seen (``AID_VIEW``) by
those whose scope holds its unit or lies below it (:func:`.funds.reaches`); any other fund, and
any entry of it, answers 404 exactly like one that does not exist. Keeping its books
(``AID_FUNDS``) needs the permission on the fund's own unit (403 otherwise); its statement needs
``AID_FUNDS`` where the fund is seen.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.checks import has_permission, require, scope_paths
from ..access.roles import Permission
from ..access.scope import Scope, valid_id
from ..core.clock import local_today
from ..core.errors import CareBridgeError
from ..core.forms import attach_error, attach_service_error, choices, has_errors, render_form
from ..core.money import format_yuan
from ..org.queries import sorted_tree, units_in_subtrees
from . import funds, ledger, queries, statement_documents, statements
from .fund_forms import CloseFundForm, FundForm, IncomeForm, ReverseForm, StatementForm, enum_value
from .models import EntryKind, FundKind
from .permissions import AID_FUNDS, AID_VIEW

bp = Blueprint("aid_funds", __name__, url_prefix="/aid/funds", template_folder="templates")

PAGES = "carebridge/aid/"


# -- who sees what --------------------------------------------------------------------------------

def _fund_for(fund_id: int, permission: Permission = AID_VIEW, *, keep_books: bool = False):
    """The fund and the actor holding ``permission`` somewhere: 404 for a fund that does not
    exist or that the actor does not see; 403 when the actor sees it but may not do this (for
    ``keep_books``, ``permission`` on the fund's own unit)."""
    actor = require(permission)
    fund = queries.get_fund(fund_id) if valid_id(fund_id) else None
    if fund is None or not funds.reaches(fund, Scope.of_actor(actor, AID_VIEW)):
        abort(404)
    allowed = (has_permission(actor.key, permission, fund.org_unit) if keep_books
               else funds.reaches(fund, Scope.of_actor(actor, permission)))
    if not allowed:
        abort(403)
    return fund, actor


def _entry_for(entry_id: int):
    """A ledger entry and an actor who keeps its fund's books (as :func:`_fund_for`)."""
    require(AID_FUNDS)
    entry = funds.get_entry(entry_id) if valid_id(entry_id) else None
    if entry is None:
        abort(404)
    fund, actor = _fund_for(entry.fund_id, AID_FUNDS, keep_books=True)
    return entry, fund, actor


# -- the funds ------------------------------------------------------------------------------------

@bp.route("/")
def index():
    actor = require(AID_VIEW)
    shown = funds.funds_in(Scope.of_actor(actor, AID_VIEW))
    return render_template(PAGES + "funds.html", funds=shown,
                           totals=ledger.fund_totals([fund.id for fund in shown]),
                           may_create=has_permission(actor.key, AID_FUNDS))


@bp.route("/new", methods=["GET", "POST"])
def new_fund():
    actor = require(AID_FUNDS)
    units = sorted_tree(units_in_subtrees(scope_paths(actor.key, AID_FUNDS)))
    form = FundForm()
    form.unit.choices = choices([("", "—")] + [(str(unit.id), "　" * (unit.depth or 0) + unit.name)
                                                for unit in units])
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            by_id = {str(unit.id): unit for unit in units}
            try:
                fund = funds.create_fund(by_id.get(form.unit.data or ""), form.name.data,
                                         enum_value(form.kind, FundKind), form.keeper.data,
                                         actor)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已设立基金“%(fund)s”", fund=fund.name), "success")
                    return redirect(url_for(".fund", fund_id=fund.id))
    return render_form(PAGES + "fund_form.html", form=form)


@bp.route("/<int:fund_id>")
def fund(fund_id: int):
    fund, actor = _fund_for(fund_id)
    page = funds.ledger_page(fund, request.args.get("page", 1, type=int))
    return render_template(
        PAGES + "fund.html", fund=fund, totals=ledger.fund_totals([fund.id])[fund.id],
        balances=funds.balances_of(fund), page=page, reversed_by=funds.reversals_of(page.items),
        undoes=funds.reversed_kinds(page.items), purpose_label=funds.purpose_label,
        reversible=funds.is_reversible,
        may_keep_books=has_permission(actor.key, AID_FUNDS, fund.org_unit),
        may_see_statement=funds.reaches(fund, Scope.of_actor(actor, AID_FUNDS)))


@bp.route("/<int:fund_id>/income", methods=["GET", "POST"])
def record_income(fund_id: int):
    """"登记拨款" / "登记捐赠" (``?kind=donation`` preselects a donation)."""
    fund, actor = _fund_for(fund_id, AID_FUNDS, keep_books=True)
    defaults = None
    if request.method != "POST":
        kind = request.args.get("kind")
        defaults = {"kind": kind if kind in {k.value for k in funds.INCOME_KINDS}
                    else EntryKind.ALLOCATION.value, "booked_on": local_today()}
    form = IncomeForm(data=defaults)
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            try:
                entry = funds.record_income(
                    fund, enum_value(form.kind, EntryKind), form.amount_fen.data,
                    form.booked_on.data, form.purpose.data, form.donor.data,
                    form.receipt_number.data, form.note.data, actor)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已登记%(kind)s %(amount)s 元", kind=entry.kind.label,
                            amount=format_yuan(entry.amount_fen, grouping=True)),
                          "success")
                    return redirect(url_for(".fund", fund_id=fund.id))
    return render_form(PAGES + "fund_income.html", form=form, fund=fund)


@bp.route("/<int:fund_id>/close", methods=["GET", "POST"])
def close_fund(fund_id: int):
    fund, actor = _fund_for(fund_id, AID_FUNDS, keep_books=True)
    form = CloseFundForm()
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            try:
                funds.close_fund(fund, actor, reason=form.reason.data)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已关闭基金“%(fund)s”", fund=fund.name), "success")
                    return redirect(url_for(".fund", fund_id=fund.id))
    return render_form(PAGES + "fund_close.html", form=form, fund=fund,
                       totals=ledger.fund_totals([fund.id])[fund.id])


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
def reverse_entry(entry_id: int):
    entry, fund, actor = _entry_for(entry_id)
    form = ReverseForm()
    if request.method == "POST":
        form.validate()
        if not form.csrf_token.errors:
            try:
                reversal = funds.reverse_entry(entry, form.reason.data, actor)
            except CareBridgeError as error:
                attach_service_error(form, error)
            else:
                if not has_errors(form):
                    flash(_("已冲正第 %(entry)s 号流水（冲正流水第 %(reversal)s 号）",
                            entry=entry.id, reversal=reversal.id), "success")
                    return redirect(url_for(".fund", fund_id=fund.id))
    return render_form(PAGES + "fund_reverse.html", form=form, fund=fund, entry=entry,
                       reversed_by=funds.reversals_of([entry]).get(entry.id),
                       reversible=funds.is_reversible(entry),
                       purpose_label=funds.purpose_label)


# -- statements -----------------------------------------------------------------------------------

def _period(form: StatementForm):
    """The period asked for (the last calendar month when not given), or None when the form
    says why not."""
    start, end = statements.default_period()
    if request.args:
        form.validate()
    if form.start.errors or form.end.errors:
        return None
    start, end = form.start.data or start, form.end.data or end
    try:
        statements.check_period(start, end)
    except CareBridgeError as error:
        attach_error(form, error)
        return None
    form.start.data, form.end.data = start, end
    return start, end


@bp.route("/<int:fund_id>/statement")
def statement(fund_id: int):
    fund, actor = _fund_for(fund_id, AID_FUNDS)
    form = StatementForm(request.args)
    period = _period(form)
    built = statements.build_statement(fund, *period) if period else None
    return render_template(PAGES + "statement.html", fund=fund, form=form, statement=built,
                           summary=statements.summary_lines(built) if built else [],
                           reconciliation=statements.reconciliation_text(built) if built else "",
                           headers=statements.headers(), row_texts=statements.row_texts,
                           period={"start": str(period[0]), "end": str(period[1])}
                           if period else {})


@bp.route("/<int:fund_id>/statement.<any(pdf, xlsx):fmt>")
def statement_file(fund_id: int, fmt: str):
    fund, actor = _fund_for(fund_id, AID_FUNDS)
    period = _period(StatementForm(request.args))
    if period is None:
        abort(400)
    return statement_documents.download(fund, *period, fmt, actor)
