"""Forms built from the field tables in :mod:`plugin.registry.schema`.

The forms only render inputs and carry the CSRF token; values are checked by
:func:`~plugin.registry.schema.parse_record`, the same parser the importer and the API use.
"""
from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import DIGITS_INPUT, ID_NUMBER_INPUT, TEL_INPUT, choices
from .models import ConsentMethod
from .schema import FieldSpec

#: Left empty on an edit form, the ID number stays as it is (it is never sent back to the page).
ID_NUMBER_KEEP_HINT = _l("留空则不修改已登记的号码")


#: Phone keyboards for the record fields typed as digits (:data:`plugin.core.forms.TEL_INPUT`…).
FIELD_INPUTS = {"phone": TEL_INPUT, "carer_phone": TEL_INPUT, "hukou_region_code": DIGITS_INPUT,
                "id_number": ID_NUMBER_INPUT}


@cache
def record_form_class(fields: tuple[FieldSpec, ...], exclude: frozenset[str]) -> type[FlaskForm]:
    attributes = {}
    for spec in fields:
        if spec.code in exclude:
            continue
        if spec.input == "choice":
            attributes[spec.code] = SelectField(spec.label,
                                                choices=choices([("", "—"), *spec.choices]),
                                                validate_choice=False)
        elif spec.input == "date":
            attributes[spec.code] = StringField(spec.label, render_kw={"type": "date"})
        else:
            attributes[spec.code] = StringField(spec.label,
                                                render_kw=FIELD_INPUTS.get(spec.code))
    return type("RecordForm", (FlaskForm,), attributes)


def record_form(fields: tuple[FieldSpec, ...], *, exclude=(),
                data: dict | None = None) -> FlaskForm:
    form = record_form_class(fields, frozenset(exclude))(data=data)
    if "id_number" in form and data is not None:
        form.id_number.description = ID_NUMBER_KEEP_HINT
    return form


def form_values(form: FlaskForm, fields: tuple[FieldSpec, ...], *, keep_blank_id: bool) -> dict:
    """The raw values of a submitted record form, keyed by field code."""
    raw = {}
    for spec in fields:
        if spec.code in form:
            value = form[spec.code].data
            if spec.code == "id_number" and keep_blank_id and not (value or "").strip():
                continue
            raw[spec.code] = value if value != "" else None
    return raw


def stored_values(record, fields: tuple[FieldSpec, ...]) -> dict:
    """A record's current values as form data (never the ID number)."""
    data = {}
    for spec in fields:
        if spec.code == "id_number" or not hasattr(record, spec.code):
            continue
        value = getattr(record, spec.code)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif hasattr(value, "value"):
            value = value.value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[spec.code] = value
    return data


class UnitChoiceForm(FlaskForm):
    unit = SelectField(_l("所属项目部/班组"), coerce=int, validators=[DataRequired()])


class RevealForm(FlaskForm):
    reason = StringField(_l("查看原因"), validators=[DataRequired(), Length(min=4, max=200)],
                         description=_l("查看完整身份证号码会记入审计日志"))


class ConsentForm(FlaskForm):
    guardian_name = StringField(_l("同意人（监护人）姓名"),
                                validators=[DataRequired(), Length(max=100)])
    # Confirming on a phone is the guardian's own act (:class:`PhoneConsentForm`), never typed in.
    method = SelectField(_l("同意方式"), choices=choices(
        (method.value, method.label) for method in ConsentMethod
        if method is not ConsentMethod.PHONE))
    given_on = DateField(_l("同意日期"), validators=[DataRequired()])


class WithdrawConsentForm(FlaskForm):
    reason = TextAreaField(_l("撤回原因"), validators=[Optional(), Length(max=300)])

