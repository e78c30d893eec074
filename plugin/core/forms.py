"""Glue between service errors and WTForms forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from .errors import CareBridgeError


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A form with no fields, for buttons that POST (mark as read…): it checks the CSRF token even
    when the host app has no ``CSRFProtect``."""


def attach_error(form: FlaskForm, error: CareBridgeError) -> None:
    """Show a service's error on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.localized()]
    else:
        form.form_errors.append(error.localized())
