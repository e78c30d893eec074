"""Forms of the living-area pages. They render inputs, carry the CSRF token and turn text into
values; the rules are checked by :mod:`.living_areas` (the site's select does not check its
choices: the service says what is missing in its own words)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .living_areas import NAME_MAX, NUMBERS_MAX


class AreaForm(FlaskForm):
    """A living area; the site's choices (where the user sets up living areas) are set by the
    view, and only for a new area (an area stays in its site)."""

    unit = SelectField(_l("所属项目部"), choices=[], validate_choice=False)
    name = StringField(_l("居住区名称"), validators=[Length(max=NAME_MAX)],
                       description=_l("例如：一号宿舍楼、生活区东区"))
    wifi = BooleanField(_l("有免费WiFi"))
    wifi_since = DateField(_l("WiFi开通日期"), validators=[Optional()],
                           description=_l("有免费WiFi的必填"))
    bandwidth_mbps = IntegerField(_l("带宽（Mbps）"), validators=[Optional()],
                                  render_kw={"inputmode": "numeric"},
                                  description=_l("选填，例如 100"))


class ResidentsForm(FlaskForm):
    numbers = TextAreaField(
        _l("入住职工的工号"), validators=[Length(max=NUMBERS_MAX * 24)],
        render_kw={"rows": 8, "placeholder": "A1001\nA1002"},
        description=_l("每行一个工号，也可以用空格或逗号分开；已住在本项目部其他居住区的职工会"
                       "改为住在这里"))
