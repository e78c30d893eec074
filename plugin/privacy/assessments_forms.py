"""Forms of impact assessments, and the two fields every gated export form adds
(:class:`ExportBasisMixin`). They render inputs and carry the CSRF token; the rules are
:mod:`.assessments`' (select fields do not check their choices: the service says what is wrong
in its own words)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import choices
from .assessments import PURPOSE_MAX
from .assessments_models import RECIPIENT_KIND_LABELS, ImpactAssessment


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AssessmentForm(FlaskForm):
    unit = SelectField(_l("适用单位"), choices=[], validate_choice=False,
                       description=_l("该单位及其下级单位向这个接收方提供个人信息时可以依据这份评估"))
    recipient_kind = SelectField(_l("接收方类型"), validate_choice=False, choices=choices(
        [("", "—")] + [(kind.value, label) for kind, label in RECIPIENT_KIND_LABELS.items()]))
    recipient_name = StringField(_l("接收方名称"), render_kw={"maxlength": 200},
                                 description=_l("例如：中国移动通信集团深圳有限公司"))
    purpose = TextAreaField(_l("处理目的"), render_kw={"rows": 2})
    data_categories = TextAreaField(_l("提供的个人信息种类"), render_kw={"rows": 2},
                                    description=_l("例如：职工姓名、手机号码、每月赠送的通话时长"))
    legal_basis = TextAreaField(_l("合法性基础"), render_kw={"rows": 2},
                                description=_l("例如：为订立、履行个人作为一方当事人的合同所必需"
                                               "（个人信息保护法第十三条）；已取得个人单独同意"))
    necessity = TextAreaField(_l("必要性"), render_kw={"rows": 3},
                              description=_l("为什么必须提供这些信息，能否少提供"))
    risks_and_measures = TextAreaField(_l("风险及保护措施"), render_kw={"rows": 4},
                                       description=_l("对个人权益的影响和安全风险，以及采取的措施"
                                                      "（合同约定、加密传输、用后删除等）"))
    assessed_by = StringField(_l("评估人"), render_kw={"maxlength": 200})
    assessed_on = DateField(_l("评估日期"), validators=[Optional()])
    valid_until = DateField(_l("有效期至"), validators=[Optional()])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("终止原因"), render_kw={"maxlength": 300})


class ExportBasisMixin:
    """The assessment an export relies on and its purpose; the view fills the choices with
    :func:`set_assessment_choices`, the service checks them (:func:`.assessments.check_export`).
    """

    assessment = SelectField(_l("个人信息保护影响评估"), choices=[], validate_choice=False,
                             description=_l("向外部提供个人信息前须完成影响评估（个人信息保护法"
                                            "第五十五条）；这里只列出今天有效、适用于这类接收方的评估"))
    purpose = StringField(_l("这次提供的目的"), render_kw={"maxlength": PURPOSE_MAX})

    @property
    def assessment_id(self) -> int | None:
        return _int_or_none(self.assessment.data)


def set_assessment_choices(form, assessments: list[ImpactAssessment]) -> None:
    form.assessment.choices = choices([("", "—")] + [
        (str(each.id), _("%(name)s：%(purpose)s（有效期至 %(date)s）", name=each.recipient_name,
                         purpose=each.purpose[:40], date=each.valid_until.isoformat()))
        for each in assessments])
