"""Forms of the visiting children's pages (inputs and CSRF; the rules are in :mod:`.visits`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField

from ..core.forms import CheckboxesField, choices
from .models import ActivityKind


class VisitForm(FlaskForm):
    arrives_on = DateField(_l("到达日期"))
    leaves_on = DateField(_l("离开日期"))
    accommodation = StringField(_l("住宿安排"), description=_l("如：项目部家属房 3 号，与父亲同住"))
    responsible_adult = StringField(_l("全程负责照看的成年人"),
                                    description=_l("不满 8 周岁的孩子必须填写"))
    responsible_adult_phone = StringField(_l("照看人电话"), render_kw={"inputmode": "tel"})
    emergency_contact = StringField(_l("紧急联系人"))
    emergency_phone = StringField(_l("紧急联系人电话"), render_kw={"inputmode": "tel"})
    insurance_number = StringField(_l("意外保险单号"))


class ActivityForm(FlaskForm):
    #: Checked by the service against the campaign's subtree, not against the choices.
    unit = SelectField(_l("项目部/厂区"), coerce=int, validate_choice=False)
    kind = SelectField(_l("活动类型"), choices=choices(
        [("", _l("请选择"))] + [(kind.value, kind.label) for kind in ActivityKind]))
    title = StringField(_l("活动名称"))
    held_on = DateField(_l("活动日期"))
    place = StringField(_l("地点"))


class AttendanceForm(FlaskForm):
    present = CheckboxesField(_l("到场的孩子"), coerce=int, validate_choice=False)
