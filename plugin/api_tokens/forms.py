from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..core.forms import choices
from .models import SCOPE_LABELS, TokenScope  # noqa: F401 (SCOPE_LABELS: for the views)


class IssueTokenForm(FlaskForm):
    name = StringField(_l("对接系统"), validators=[DataRequired(), Length(max=100)],
                       description=_l("例如：金蝶HR；用于在列表和审计日志中认出这个令牌"))
    unit = SelectField(_l("授权范围（单位及其下级）"), coerce=int, validators=[DataRequired()])
    scope = SelectField(_l("权限"), validators=[DataRequired()], choices=choices(
        (scope.value, scope.label) for scope in TokenScope))

    def set_units(self, units, kind_labels) -> None:
        self.unit.choices = choices(
            (unit.id, "　" * unit.depth + unit.name + f"（{kind_labels[unit.kind]}）")
            for unit in units)
