"""Forms of risk reports, for officers and for the worker's phone. They render inputs, carry the
CSRF token and turn text into values (a local date and time into a UTC moment); the rules are
checked by :mod:`plugin.risk_reports.services`, whose errors come back to the field they name."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from ..core.clock import utcnow
from ..core.dates import company_zone
from ..core.forms import TEL_INPUT, CheckboxesField, choices
from . import services
from .models import (
    Care,
    FollowUpAction,
    LearnedHow,
    NoticeMethod,
    NoticeRecipient,
    Outcome,
    Safety,
    Situation,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
NONE_OF_THESE = "none"


def enum_choices(enum, *, blank: bool = False):
    pairs = [(member.value, member.label) for member in enum]
    return choices(([("", "—")] if blank else []) + pairs)


def enum_value(value, enum):
    return enum(value) if value in {member.value for member in enum} else None


def to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in a form (company time) as an aware UTC moment."""
    return value.replace(tzinfo=company_zone()).astimezone(UTC) if value else None


def local_now() -> datetime:
    """Now in company time to the minute, a form's default."""
    return utcnow().astimezone(company_zone()).replace(tzinfo=None, second=0, microsecond=0)


def int_or_none(text) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


class ConcernForm(FlaskForm):
    """A concern raised by staff. ``child_id`` lists the chosen worker's children (set by the
    view); without a worker the child is described and a site chosen."""

    situation = SelectField(_l("孩子遇到的情况"), choices=enum_choices(Situation, blank=True))
    child_id = RadioField(_l("哪个孩子"), validate_choice=False)
    child_name = StringField(_l("孩子姓名"), render_kw={"maxlength": 100})
    parent = StringField(_l("父母姓名或工号"), render_kw={"maxlength": 100})
    child_location = StringField(_l("孩子现在在哪里"), render_kw={"maxlength": 300},
                                 description=_l("省市县、乡镇、村或详细地址"))
    hukou_region_code = StringField(_l("孩子户籍地区代码（选填）"),
                                    render_kw={"maxlength": 6, "inputmode": "numeric"},
                                    description=_l("6 位行政区划代码，用于推荐当地的儿童主任、"
                                                   "派出所等联系人"))
    site_id = SelectField(_l("由哪个项目部或厂区负责"), validate_choice=False)
    facts = TextAreaField(_l("了解到的情况"), render_kw={"rows": 5, "maxlength": 2000})
    learned_at = DateTimeLocalField(_l("什么时候知道的"), format=DATETIME_FORMAT,
                                    validators=[Optional()])
    learned_how = SelectField(_l("怎么知道的"), choices=enum_choices(LearnedHow, blank=True))
    learned_how_text = StringField(_l("补充说明（选填）"), render_kw={"maxlength": 200})
    anonymous = BooleanField(_l("匿名报告（案件中不记录我是谁）"))
    contact = StringField(_l("我的联系电话（选填，匿名时不填）"), render_kw=TEL_INPUT)

    def set_sites(self, sites) -> None:
        self.site_id.choices = choices([("", "—")] + [(str(site.id), site.name)
                                                      for site in sites])

    def set_children(self, children) -> None:
        self.child_id.choices = choices([(str(child.id), child.name) for child in children]
                                        + [(NONE_OF_THESE, _l("不在列表中，下面手动填写"))])

    def concern_input(self) -> services.ConcernInput:
        return services.ConcernInput(
            situation=enum_value(self.situation.data, Situation), facts=self.facts.data,
            learned_at=to_utc(self.learned_at.data),
            learned_how=enum_value(self.learned_how.data, LearnedHow),
            learned_how_text=self.learned_how_text.data,
            child_id=int_or_none(self.child_id.data), child_name=self.child_name.data,
            parent=self.parent.data, child_location=self.child_location.data,
            hukou_region_code=self.hukou_region_code.data,
            site_id=int_or_none(self.site_id.data), anonymous=bool(self.anonymous.data),
            contact=self.contact.data)


class PhoneConcernForm(ConcernForm):
    """The worker's form on a phone: radio buttons (a phone's select is hard to use) and the
    worker's words. The child is always described."""

    situation = RadioField(_l("孩子遇到了什么情况"), choices=enum_choices(Situation),
                           validate_choice=False)
    child_id = None
    hukou_region_code = None
    child_name = StringField(_l("孩子的名字"), render_kw={"maxlength": 100,
                                                      "placeholder": _l("不知道全名可以写小名")})
    parent = StringField(_l("孩子父母的名字或工号"), render_kw={"maxlength": 100})
    child_location = StringField(_l("孩子现在在哪里"), render_kw={
        "maxlength": 300, "placeholder": _l("如：四川省南充市某某镇某某村")})
    facts = TextAreaField(_l("您知道的情况"), render_kw={
        "rows": 5, "maxlength": 2000,
        "placeholder": _l("如：孩子一个人在家几天了，没有大人照顾")})
    learned_how = RadioField(_l("您是怎么知道的"), choices=enum_choices(LearnedHow),
                             validate_choice=False)
    site_id = SelectField(_l("报告给哪个项目部或厂区"), validate_choice=False,
                          description=_l("默认是您所在的项目部"))

    def concern_input(self) -> services.ConcernInput:
        return services.ConcernInput(
            situation=enum_value(self.situation.data, Situation), facts=self.facts.data,
            learned_at=to_utc(self.learned_at.data),
            learned_how=enum_value(self.learned_how.data, LearnedHow),
            learned_how_text=self.learned_how_text.data, child_name=self.child_name.data,
            parent=self.parent.data, child_location=self.child_location.data,
            site_id=int_or_none(self.site_id.data), anonymous=bool(self.anonymous.data),
            contact=self.contact.data)


class PoliceReportForm(FlaskForm):
    reported_at = DateTimeLocalField(_l("报警时间"), format=DATETIME_FORMAT,
                                     validators=[Optional()])
    station = StringField(_l("接警的公安机关（派出所）"), render_kw={"maxlength": 200})
    officer = StringField(_l("接警民警（选填）"), render_kw={"maxlength": 100})
    receipt = StringField(_l("回执号或案件编号"), render_kw={"maxlength": 100})

    def police_input(self) -> services.PoliceReportInput:
        return services.PoliceReportInput(to_utc(self.reported_at.data), self.station.data,
                                          self.officer.data, self.receipt.data)


class NoticeForm(FlaskForm):
    recipient = SelectField(_l("告知的单位类别"), choices=enum_choices(NoticeRecipient, blank=True))
    organisation = StringField(_l("单位名称"), render_kw={"maxlength": 200})
    person = StringField(_l("联系人（选填）"), render_kw={"maxlength": 100})
    phone = StringField(_l("联系电话（选填）"), render_kw=TEL_INPUT)
    notified_at = DateTimeLocalField(_l("告知时间"), format=DATETIME_FORMAT,
                                     validators=[Optional()])
    method = SelectField(_l("告知方式"), choices=enum_choices(NoticeMethod, blank=True))
    note = StringField(_l("备注（选填）"), render_kw={"maxlength": 500})

    def notice_input(self) -> services.NoticeInput:
        return services.NoticeInput(
            recipient=enum_value(self.recipient.data, NoticeRecipient),
            organisation=self.organisation.data, notified_at=to_utc(self.notified_at.data),
            method=enum_value(self.method.data, NoticeMethod), person=self.person.data,
            phone=self.phone.data, note=self.note.data)


class FollowUpForm(FlaskForm):
    occurred_at = DateTimeLocalField(_l("跟进时间"), format=DATETIME_FORMAT,
                                     validators=[Optional()])
    safety = SelectField(_l("孩子是否安全"), choices=enum_choices(Safety, blank=True))
    care = SelectField(_l("照料情况"), choices=enum_choices(Care, blank=True))
    actions = CheckboxesField(_l("采取的措施"), choices=enum_choices(FollowUpAction),
                              validate_choice=False)
    notes = TextAreaField(_l("跟进情况"), render_kw={"rows": 4, "maxlength": 2000})
    aid_application = StringField(_l("相关困难帮扶申请编号（选填）"),
                                  render_kw={"maxlength": 10, "inputmode": "numeric"})

    def follow_up_input(self) -> services.FollowUpInput:
        return services.FollowUpInput(
            occurred_at=to_utc(self.occurred_at.data),
            safety=enum_value(self.safety.data, Safety), care=enum_value(self.care.data, Care),
            actions=[action for action in (enum_value(code, FollowUpAction)
                                           for code in self.actions.data or ()) if action],
            notes=self.notes.data, aid_application=self.aid_application.data)


class CloseForm(FlaskForm):
    outcome = SelectField(_l("结案结果"), choices=enum_choices(Outcome, blank=True))
    summary = TextAreaField(_l("结案情况"), render_kw={"rows": 4, "maxlength": 2000})
    guardianship_neglected = BooleanField(_l("父母未依法履行监护职责，予以批评教育并记入诚信档案"))
    admonition = TextAreaField(_l("批评教育内容（《家庭教育促进法》第四十八条）"),
                               render_kw={"rows": 3, "maxlength": 1000})

    def close_input(self) -> services.CloseInput:
        return services.CloseInput(
            outcome=enum_value(self.outcome.data, Outcome), summary=self.summary.data,
            guardianship_neglected=bool(self.guardianship_neglected.data),
            admonition=self.admonition.data)
