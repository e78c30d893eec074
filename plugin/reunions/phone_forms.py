"""The worker's application form on a phone (``/w/reunions/<campaign>/apply``).

The form only reads what was typed: dates (the phone's date picker sends ``2027-02-01``; typed
``2027/2/1`` or ``2027年2月1日`` are read too) and the fare in yuan, turned into integer fen
(at most two decimals). Everything else (who may travel, the travel window, the household
limit, the campaign's modes) is checked by :func:`plugin.reunions.services.apply`, whose errors
come back to the field they name (:func:`attach_service_error`).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, RadioField, StringField
from wtforms.widgets import DateInput

from ..core.errors import CareBridgeError
from ..core.forms import CheckboxesField, attach_error, choices
from ..core.money import YuanField
from ..privacy.masking import mask_id_number
from .models import TravelMode

#: Blank rows for relatives (a phone page has no JavaScript to add rows).
RELATIVE_ROWS = 2
RELATIVE_NAME_MAX = 50
RELATION_MAX = 32
#: The services' field names that the phone form calls otherwise.
FORM_FIELD_OF = {"estimated_fare_fen": "fare"}

_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_day(text: str | None) -> date | None:
    """A date as a phone sends or a person types it; None when empty. ValueError when not a
    date."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    match = _DAY.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)


class DayField(StringField):
    """A date input; empty is None (the service says when a date is needed)."""

    widget = DateInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_day(valuelist[0])
        except ValueError as error:
            raise ValueError(_l("请按“年-月-日”填写日期，例如 2027-02-01")) from error

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""


class RelativeEntry(Form):
    """A family member travelling who is not in the registry (a spouse, a grandparent)."""

    name = StringField(_l("姓名"), render_kw={"maxlength": RELATIVE_NAME_MAX,
                                              "autocomplete": "off"})
    relation = StringField(_l("和您的关系"), render_kw={"maxlength": RELATION_MAX,
                                                        "placeholder": _l("如：配偶、孩子奶奶")})


class PhoneApplicationForm(FlaskForm):
    #: Trips home only: the worker travels.
    worker_travels = BooleanField(_l("我本人"))
    #: Validated by the service (only the worker's own children from the registry).
    children = CheckboxesField(_l("子女"), coerce=int, validate_choice=False)
    relatives = FieldList(FormField(RelativeEntry), label=_l("同行的其他家人（选填）"),
                          min_entries=RELATIVE_ROWS, max_entries=10)
    #: Never an input: carries the errors about the household as a whole.
    travellers = HiddenField()
    from_place = StringField(_l("出发地"), render_kw={"maxlength": 200})
    to_place = StringField(_l("目的地"), render_kw={"maxlength": 200})
    depart_on = DayField(_l("出发日期"))
    return_on = DayField(_l("返程日期（选填）"))
    travel_mode = RadioField(_l("出行方式"), validate_choice=False)
    fare = YuanField(_l("每人预计票价（元）"),
                     render_kw={"inputmode": "decimal", "autocomplete": "off",
                                "placeholder": _l("例如 350 或 350.50")})

    def validate_relatives(self, field):
        for entry in field.entries:
            name = (entry.form.name.data or "").strip()
            relation = (entry.form.relation.data or "").strip()
            if relation and not name:
                field.errors.append(_l("请填写同行家人的姓名"))
            elif name and not relation:
                field.errors.append(_l("请填写%(name)s和您的关系", name=name))
            elif len(name) > RELATIVE_NAME_MAX or len(relation) > RELATION_MAX:
                field.errors.append(_l("姓名或关系太长了"))

    def mode(self) -> TravelMode | None:
        try:
            return TravelMode(self.travel_mode.data)
        except ValueError:
            return None

    def relatives_typed(self) -> list[tuple[str, str]]:
        """(name, relation) of each row filled in."""
        rows = [((entry.form.name.data or "").strip(), (entry.form.relation.data or "").strip())
                for entry in self.relatives.entries]
        return [(name, relation) for name, relation in rows if name or relation]


def mode_choices(campaign):
    return choices((mode.value, mode.label) for mode in campaign.modes)


def child_choices(children):
    """Each child with the birth date and the ID number masked (never in full on a phone)."""
    return choices((child.id, child_label(child)) for child in children)


def child_label(child) -> str:
    facts = [child.birth_date.isoformat()] if child.birth_date else []
    facts.append(id_label(child.id_number))
    return f"{child.name}（{'，'.join(facts)}）"


def id_label(id_number: str | None) -> str:
    if not id_number:
        return _("未登记身份证号")
    return _("身份证 %(number)s", number=mask_id_number(id_number))


def attach_service_error(form: FlaskForm, error: CareBridgeError) -> None:
    """A service's error (or each of several) next to the phone form's field it is about."""
    for one in getattr(error, "errors", None) or [error]:
        if one.field in FORM_FIELD_OF:
            one.field = FORM_FIELD_OF[one.field]
        attach_error(form, one)


class WithdrawForm(FlaskForm):
    """The worker gives up their own application (before tickets are booked)."""

    reason = StringField(_l("不去的原因"), render_kw={"maxlength": 100,
                                                     "placeholder": _l("如：工地赶工、家中有事")})
