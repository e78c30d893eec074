from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..core.clock import DEFAULT_TIMEZONE
from ..core.forms import TEL_INPUT, choices
from ..org.labels import KIND_LABELS
from ..org.models import ALLOWED_CHILD_KINDS, OrgKind

PHONE = Regexp(r"^[0-9+\-() ]{5,30}$", message=_l("请输入有效的电话号码"))


class UnitForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    responsible_department = StringField(_l("责任部门"), validators=[Optional(), Length(max=200)])
    responsible_person = StringField(_l("责任人"), validators=[Optional(), Length(max=100)])
    responsible_phone = StringField(_l("责任人电话"), validators=[Optional(), PHONE],
                                    render_kw=TEL_INPUT)


class NewUnitForm(UnitForm):
    kind = SelectField(_l("类型"), validators=[DataRequired()])

    def __init__(self, parent_kind: OrgKind, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((kind.value, KIND_LABELS[kind])
                                    for kind in ALLOWED_CHILD_KINDS[parent_kind])
        # Put the kind first: it decides what the rest means.
        self._fields.move_to_end("kind", last=False)


class CompanyForm(FlaskForm):
    name = StringField(_l("公司名称"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("时区"), default=DEFAULT_TIMEZONE,
                           description=_l("显示时间所用的时区，例如 Asia/Shanghai"),
                           validators=[DataRequired(), Length(max=64)])
