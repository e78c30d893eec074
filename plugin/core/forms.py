"""Glue between service errors and WTForms forms, and how a page answers a refused form.

A view that takes a form redirects when it succeeds. When the form, or the service behind it,
refuses the submission, the page is shown again with each error next to its field and the
user's input kept, and it answers **422** (:func:`render_form`, :func:`render_refused`). The
request is then noted as refused, so the boundary stores none of it
(:func:`plugin.core.boundary.commit_on_success`). A refusal that a button's redirect shows as
a flashed message goes through :func:`flash_refusal`.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask import Response, flash, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, MonthInput

from .boundary import note_refusal
from .db import SAFE_METHODS
from .errors import CareBridgeError

#: The status of a page that shows a submitted form again, refused.
REFUSED = 422


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: a multiple select needs Ctrl-click, which office
    users do not know and phones do not have."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: ``render_kw`` of inputs a phone types digits into, so it opens its number pad: phone numbers
#: (``type="tel"``), digit-only codes (``inputmode="numeric"``), and ID numbers, which may end
#: with X and so keep the letter keyboard (capitals, no autocorrect).
TEL_INPUT = {"type": "tel", "inputmode": "tel", "autocomplete": "off"}
DIGITS_INPUT = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
ID_NUMBER_INPUT = {"inputmode": "text", "autocapitalize": "characters", "autocorrect": "off",
                   "spellcheck": "false", "autocomplete": "off"}


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A form with no fields, for buttons that POST (mark as read…): it checks the CSRF token even
    when the host app has no ``CSRFProtect``."""


def attach_error(form: FlaskForm, error: CareBridgeError) -> None:
    """Show a service's error on the field it names, or on the form as a whole; an error that
    carries several (``errors``: :class:`~plugin.core.errors.InputInvalid`) shows each."""
    several = getattr(error, "errors", None)
    if several:
        attach_errors(form, several)
        return
    field = getattr(form, error.field, None) if error.field else None
    # A list of subforms keeps its entries' errors: an error about the whole list is the form's.
    if field is not None and field.type != "FieldList":
        field.errors = list(field.errors) + [error.localized()]
    else:
        form.form_errors.append(error.localized())


def attach_errors(form: FlaskForm, errors) -> None:
    """:func:`attach_error` for each of several errors (a record's, an agreement's)."""
    for error in errors:
        attach_error(form, error)


def attach_service_error(form: FlaskForm, error: CareBridgeError, *,
                         elsewhere: tuple[str, ...] = ()) -> list[str]:
    """:func:`attach_error` for a service asked even though some fields did not parse: an error
    on a field the form already marks (its own parsing said why) is left out. Errors about the
    ``elsewhere`` fields (inputs the view shows apart from the form) are returned, translated."""
    marked = {name for name, field in form._fields.items() if field.errors}
    others: list[str] = []
    for each in getattr(error, "errors", None) or [error]:
        if each.field in elsewhere:
            others.append(each.localized())
        elif each.field not in marked:
            attach_error(form, each)
    return others


def has_errors(form: FlaskForm) -> bool:
    """Whether the form shows any error, on a field or as a whole."""
    return bool(form.form_errors) or any(field.errors for field in form)


def submitted(form: FlaskForm) -> bool:
    """A POST whose CSRF token holds: the view asks the service even when a field did not
    parse, so every problem is named at once."""
    if request.method != "POST":
        return False
    form.validate()
    return not form.csrf_token.errors


def render_refused(template: str, /, **context) -> Response:
    """The page of a submitted form shown again because it was refused: 422, nothing stored."""
    note_refusal("form shown again")
    return make_response(render_template(template, **context), REFUSED)


def render_form(template: str, /, **context) -> Response | str:
    """The page of a form whose success redirects: shown (200) on GET; after a POST reaching
    it means the submission was refused, so it is :func:`render_refused`."""
    if request.method in SAFE_METHODS:
        return render_template(template, **context)
    return render_refused(template, **context)


def flash_refusal(message: str) -> None:
    """Flash why a button's request was refused (the redirect answers as before) and refuse it."""
    note_refusal(message)
    flash(message, "danger")


_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月|[-/.]\s*\d{1,2}\s*日?)?")


def parse_month(text: str | None) -> date | None:
    """The first day of a month typed as ``2027-06``, ``2027/6``, ``2027年6月`` (a full date is
    read as its month); None when empty, ValueError when not a month."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(text)
    return date(int(match.group(1)), int(match.group(2)), 1)


class MonthField(StringField):
    """A month (``<input type="month">``; a phone whose browser shows a text box takes
    ``2027-06`` or ``2027年6月``). ``data`` is the month's first day, None when empty."""

    widget = MonthInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_month(valuelist[0])
        except ValueError as error:
            raise ValueError(_l("请按“年-月”填写月份，例如 2027-06")) from error

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:%Y-%m}" if self.data else ""
