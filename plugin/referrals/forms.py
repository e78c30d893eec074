"""Forms of the referral directory's pages. They render inputs, carry the CSRF token and hand the
typed text on; the values are read and checked by :mod:`.contacts` with the import's field table
(:data:`.fields.FIELDS`), so a form and a spreadsheet accept the same input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from ..core.forms import TEL_INPUT, choices
from .fields import ADDRESS_MAX, NOTES_MAX, ORGANISATION_MAX, PERSON_MAX, TOWNSHIP_MAX
from .models import CONTACT_KIND_LABELS


def _kind_choices(blank):
    return choices([("", blank)] + [(kind.value, label)
                                    for kind, label in CONTACT_KIND_LABELS.items()])


class ContactForm(FlaskForm):
    """An entry; the unit's choices (where the user manages entries) are set by the view, and
    only for a new entry (an entry stays with its unit)."""

    unit = SelectField(_l("维护单位"), choices=[], validate_choice=False,
                       description=_l("通常为集团（公司）本部；该单位及上级单位有权限的人员可以修改"))
    kind = SelectField(_l("类别"), choices=[], validate_choice=False)
    region_code = StringField(
        _l("行政区划代码"), render_kw={"maxlength": 100, "autocomplete": "off"},
        description=_l("6位县（市、区）代码，例如 511321；负责整个地级市或全省的，填写地级市或省的"
                       "代码。也可以填写地区名称，如“南部县”"))
    township = StringField(_l("乡镇（街道）"), render_kw={"maxlength": TOWNSHIP_MAX},
                           description=_l("选填：只负责某个乡镇或街道的填写"))
    village = StringField(_l("村（社区）"), render_kw={"maxlength": TOWNSHIP_MAX},
                          description=_l("选填：儿童主任、村委会等只负责某个村或社区的填写"))
    organisation = StringField(_l("单位名称"), render_kw={"maxlength": ORGANISATION_MAX},
                               description=_l("例如：南部县公安局大桥派出所、南部县民政局"))
    person_name = StringField(_l("联系人"), render_kw={"maxlength": PERSON_MAX},
                              description=_l("单位名称和联系人至少填写一项"))
    phone = StringField(_l("联系电话"), render_kw={**TEL_INPUT, "maxlength": 40},
                        description=_l("手机、座机（如 0817-5512345）或热线号码（如 12355）"))
    address = StringField(_l("地址"), render_kw={"maxlength": ADDRESS_MAX})
    notes = TextAreaField(_l("备注"), render_kw={"rows": 3, "maxlength": NOTES_MAX},
                          description=_l("例如：办公时间、夜间和节假日的联系方式"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices("—")

    def values(self) -> dict[str, str | None]:
        """The typed text of each field of the entry, for :func:`.contacts.save_contact`."""
        return {name: getattr(self, name).data for name in (
            "kind", "region_code", "township", "village", "organisation", "person_name",
            "phone", "address", "notes")}


class SearchForm(FlaskForm):
    """The directory's search (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    region = StringField(_l("户籍地区"),
                         render_kw={"placeholder": _l("代码或名称，如 511321、南部县")})
    kind = SelectField(_l("类别"), choices=[], validate_choice=False)
    text = StringField(_l("关键词"), render_kw={"placeholder": _l("单位、联系人、电话、乡镇、村")})
    inactive = BooleanField(_l("包括已停用的"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices(_l("全部"))
