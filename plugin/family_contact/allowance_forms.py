"""Forms of the allowance pages. They render inputs, carry the CSRF token and turn text into values
(a month into its 1st, yuan into integer fen); the rules are the services' (:mod:`.policies`,
:mod:`.batches`), so select fields do not check their choices: the service says what is wrong
in its own words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import Optional

from ..core.forms import DIGITS_INPUT, MonthField, choices
from ..core.money import YuanField
from ..privacy.assessments_forms import ExportBasisMixin
from .carriers import carrier_choices
from .models import ELIGIBILITY_LABELS, GRANT_STATUS_LABELS
from .policies import MAX_UNIT_COST_FEN


def eligibility_choices():
    return choices([("", "—")] + [(member.value, label)
                                  for member, label in ELIGIBILITY_LABELS.items()])


class PolicyForm(FlaskForm):
    """A new version of a unit's policy; the unit's and the carrier's choices are set by the
    view (the units where the user sets policies, the registered carrier formats)."""

    unit = SelectField(_l("适用单位"), choices=[], validate_choice=False,
                       description=_l("该单位及其下级单位的职工按这个政策发放；下级单位自己的政策"
                                      "优先"))
    eligibility = SelectField(_l("发放对象"), choices=[], validate_choice=False)
    minutes_per_month = IntegerField(_l("每月通话时长（分钟）"), validators=[Optional()],
                                     render_kw=DIGITS_INPUT)
    data_mb_per_month = IntegerField(_l("每月流量（MB）"), validators=[Optional()],
                                     render_kw=DIGITS_INPUT,
                                     description=_l("1 GB = 1024 MB"))
    carrier = SelectField(_l("运营商"), choices=[], validate_choice=False,
                          description=_l("按这家运营商的格式导出批量赠送文件"))
    minute_cost_fen = YuanField(_l("每分钟费用（元）"), max_fen=MAX_UNIT_COST_FEN,
                                description=_l("例如 0.10；用于统计费用"))
    mb_cost_fen = YuanField(_l("每 MB 费用（元）"), max_fen=MAX_UNIT_COST_FEN,
                            description=_l("例如 0.02"))
    starts_on = MonthField(_l("从哪个月开始"),
                           description=_l("不能早于本月；已发放的月份不受影响"))
    prorate_joiners = BooleanField(_l("月中入职的职工按剩余天数折算"))
    suspended = BooleanField(_l("暂停发放"),
                             description=_l("从开始月份起，该单位及其下级单位都不再发放"
                                            "（上级单位的政策也不适用）"))

    def set_choices(self, units) -> None:
        self.unit.choices = choices([("", "—")] + [
            (str(unit.id), "　" * (unit.depth or 0) + unit.name) for unit in units])
        self.eligibility.choices = eligibility_choices()
        self.carrier.choices = choices([("", "—")] + carrier_choices())


class GrantFilterForm(FlaskForm):
    """The grants list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    month = MonthField(_l("月份"))
    status = SelectField(_l("状态"), validate_choice=False, choices=choices(
        [("", _l("全部"))] + [(status.value, label)
                              for status, label in GRANT_STATUS_LABELS.items()]))
    unit = SelectField(_l("单位"), choices=[], validate_choice=False)


class ExportForm(ExportBasisMixin, FlaskForm):
    """A batch to export; the impact assessment and purpose fields come from
    :class:`~plugin.privacy.assessments_forms.ExportBasisMixin`."""

    month = MonthField(_l("月份"))
    carrier = SelectField(_l("运营商"), choices=[], validate_choice=False)
    unit = SelectField(_l("单位"), choices=[], validate_choice=False,
                       description=_l("导出该单位及其下级单位还没有报送的发放记录"))


class ResultsForm(FlaskForm):
    file = FileField(_l("运营商结果文件"),
                     validators=[FileRequired(message=_l("请选择运营商返回的结果文件"))],
                     description=_l("上传运营商返回的处理结果（与导出的文件格式相同，多出处理结果"
                                    "和失败原因两列）。有任何一行不对，整个文件都不会保存，页面会"
                                    "列出每一处错误；同一个文件重复导入不会重复登记。"))
