"""Forms of work near home. They render inputs, carry the CSRF token and hand the typed text on;
the values are read and checked by the services (:mod:`.workplaces` with the import's field
table, :mod:`.transfers`), so a form and a spreadsheet accept the same input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import DIGITS_INPUT, choices
from .fields import ADDRESS_MAX, NOTES_MAX, TRADE_MAX
from .models import OpeningStatus
from .transfers import NOTE_MAX, REASON_MAX, Outcome

DATE_INPUT = {"type": "date", "autocomplete": "off"}


class LocationForm(FlaskForm):
    """Where a site is."""

    county_code = StringField(_l("所在县（市、区）代码"),
                              render_kw={**DIGITS_INPUT, "maxlength": 6},
                              description=_l("6位行政区划代码，如成都市双流区 510116；"
                                             "用于为职工推荐离家近的岗位"))
    address = StringField(_l("地址"), render_kw={"maxlength": ADDRESS_MAX})

    def values(self) -> dict[str, str | None]:
        return {"county_code": self.county_code.data, "address": self.address.data}


class OpeningForm(FlaskForm):
    """An opening; the site's choices (where the user manages openings) are set by the view,
    and only for a new opening (an opening stays with its site)."""

    unit = SelectField(_l("项目部（厂区）"), choices=[], validate_choice=False)
    trade = StringField(_l("工种"), render_kw={"maxlength": TRADE_MAX},
                        description=_l("如：钢筋工、电工、焊工、普工"))
    headcount = StringField(_l("招用人数"), render_kw={**DIGITS_INPUT, "maxlength": 5})
    starts_on = StringField(_l("开始日期"), render_kw=DATE_INPUT)
    ends_on = StringField(_l("结束日期"), render_kw=DATE_INPUT,
                          description=_l("选填：长期招用的不填"))
    notes = TextAreaField(_l("备注"), render_kw={"rows": 3, "maxlength": NOTES_MAX},
                          description=_l("如：持证要求、住宿、待遇"))

    def values(self) -> dict[str, str | None]:
        return {name: getattr(self, name).data
                for name in ("trade", "headcount", "starts_on", "ends_on", "notes")}


class OpeningFilterForm(FlaskForm):
    """The openings list's filter (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("状态"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices([("", _l("全部"))] + [(status.value, status.label)
                                                           for status in OpeningStatus])


class DecisionForm(FlaskForm):
    """HR's answer to a transfer request."""

    outcome = RadioField(_l("处理结果"), choices=choices([(Outcome.APPROVED.value, _l("同意调动")),
                                                           (Outcome.DECLINED.value, _l("不同意"))]),
                         validate_choice=False)
    effective_on = DateField(_l("到新项目部的日期"), validators=[Optional()],
                             description=_l("选填：同意时可写明职工到岗的日期"))
    reason = TextAreaField(_l("意见"), render_kw={"rows": 3, "maxlength": REASON_MAX},
                           description=_l("不同意时必须写明原因，职工会在手机上看到"))

    def outcome_value(self) -> Outcome | None:
        try:
            return Outcome(self.outcome.data)
        except ValueError:
            return None


class TransferForm(FlaskForm):
    """The worker asks to move to an opening."""

    note = TextAreaField(_l("想对单位说的话（选填）"),
                         render_kw={"rows": 3, "maxlength": NOTE_MAX,
                                    "placeholder": _l("如：家在附近，想离孩子近一点；"
                                                      "什么时候可以过去")})
