"""The fields of a directory entry as people send them: one table (:data:`FIELDS`) for the
spreadsheet import, the forms and any later API, parsed by
:func:`plugin.registry.schema.parse_record`, so every channel accepts and refuses the same input.

*Product rules* for values the registry's parsers do not cover:

- **Kind**: its code (``police_station``) or a Chinese word people use (儿童主任, 督导员, 派出所,
  民政, 村委会, 学校, 热线…).
- **Region**: a 6-digit code that is or ever was a region code; or a region's name ("南部县",
  "四川省南充市南部县") when exactly one region in use today bears it.
- **Phone**: a mobile or landline number as everywhere else (:func:`parse_phone`), or a
  service number: 3 to 5 digits starting with 1 (110, 12355, 12338) or a 400/800 number.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationError
from ..core.i18n import N_
from ..core.text import clean_code, clean_free_text, clean_person_name, fold_width
from ..registry.regions import is_known_region, region_name
from ..registry.schema import FieldSpec
from ..registry.values import parse_choice, parse_phone
from .models import CONTACT_KIND_LABELS, ContactKind
from .places import codes_named

TOWNSHIP_MAX = VILLAGE_MAX = PERSON_MAX = 100
ORGANISATION_MAX = 200
ADDRESS_MAX = 300
NOTES_MAX = 1000

UNKNOWN_REGION = N_("未知的行政区划代码：%(value)s")
REGION_NOT_FOUND = N_("找不到名为“%(value)s”的地区，请填写6位行政区划代码")
REGION_AMBIGUOUS = N_("名为“%(value)s”的地区不止一个（%(examples)s），请填写6位行政区划代码")
PHONE_INVALID = N_("电话号码格式不正确：%(value)s")

_SERVICE_NUMBER = re.compile(r"1\d{2,4}")
_FREE_NUMBER = re.compile(r"[48]00\d{7}")

#: Words people write for each kind (besides the codes and the labels themselves).
KIND_ALIASES: dict[str, ContactKind] = {
    **{str(label): kind for kind, label in CONTACT_KIND_LABELS.items()},
    "儿童主任": ContactKind.CHILD_DIRECTOR, "村儿童主任": ContactKind.CHILD_DIRECTOR,
    "社区儿童主任": ContactKind.CHILD_DIRECTOR,
    "儿童督导员": ContactKind.TOWNSHIP_SUPERVISOR, "督导员": ContactKind.TOWNSHIP_SUPERVISOR,
    "乡镇儿童督导员": ContactKind.TOWNSHIP_SUPERVISOR,
    "派出所": ContactKind.POLICE_STATION, "公安": ContactKind.POLICE_STATION,
    "公安派出所": ContactKind.POLICE_STATION, "公安局": ContactKind.POLICE_STATION,
    "民政": ContactKind.CIVIL_AFFAIRS, "民政局": ContactKind.CIVIL_AFFAIRS,
    "民政所": ContactKind.CIVIL_AFFAIRS, "民政办": ContactKind.CIVIL_AFFAIRS,
    "民政部门": ContactKind.CIVIL_AFFAIRS,
    "村委会": ContactKind.VILLAGE_COMMITTEE, "居委会": ContactKind.VILLAGE_COMMITTEE,
    "村民委员会": ContactKind.VILLAGE_COMMITTEE, "居民委员会": ContactKind.VILLAGE_COMMITTEE,
    "学校": ContactKind.SCHOOL, "热线": ContactKind.HOTLINE, "热线电话": ContactKind.HOTLINE,
    "其他": ContactKind.OTHER,
}
#: As :func:`parse_choice` compares them: lower case, full-width brackets made ASCII.
_KIND_FOLDED = {fold_width(word).lower(): kind for word, kind in KIND_ALIASES.items()}


def _kind(value, today, field):
    return parse_choice(value, ContactKind, _KIND_FOLDED, field=field)


def parse_region(value, today=None, field: str = "region_code") -> str | None:
    """A region code from a code or an unambiguous name (see the module's rules)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = clean_code(value, field=field)
    text = clean_free_text(value, max_length=100, field=field)
    if text is None:
        return None
    code = clean_code(text, field=field)
    if code.isdigit():
        if len(code) == 6 and is_known_region(code):
            return code
        raise ValidationError(UNKNOWN_REGION, field=field, value=code)
    found = codes_named(text, current_only=True)
    if not found:
        raise ValidationError(REGION_NOT_FOUND, field=field, value=text)
    if len(found) > 1:
        raise ValidationError(REGION_AMBIGUOUS, field=field, value=text,
                              examples="、".join(f"{region_name(each)} {each}"
                                                for each in found[:3]))
    return found[0]


def parse_contact_phone(value, today=None, field: str = "phone") -> str | None:
    """A phone number, or a hotline's service number (see the module's rules)."""
    text = clean_code(value if not isinstance(value, float) or not value.is_integer()
                      else int(value), field=field)
    if text is None:
        return None
    digits = text.replace("-", "")
    if _SERVICE_NUMBER.fullmatch(digits) or _FREE_NUMBER.fullmatch(digits):
        return digits
    return parse_phone(value, field=field)


def _text(max_length: int):
    return lambda value, today, field: clean_free_text(value, max_length=max_length, field=field)


def _notes(value, today, field):
    return clean_free_text(value, max_length=NOTES_MAX, field=field, multiline=True)


def _person(value, today, field):
    return clean_person_name(value, max_length=PERSON_MAX, field=field)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", _l("类别"), ("类别", "类型", "资源类别", "联系人类别", "角色", "kind",
                                   "type", "category"), _kind, True, input="choice",
              choices=tuple((kind.value, label) for kind, label in CONTACT_KIND_LABELS.items())),
    FieldSpec("region_code", _l("行政区划代码"),
              ("行政区划代码", "区划代码", "地区代码", "户籍地区代码", "县（市、区）代码",
               "地区", "县（市、区）", "区县", "region code", "region_code", "region"),
              parse_region, True),
    FieldSpec("township", _l("乡镇（街道）"), ("乡镇（街道）", "乡镇", "街道", "乡镇/街道",
                                            "township", "town"), _text(TOWNSHIP_MAX)),
    FieldSpec("village", _l("村（社区）"), ("村（社区）", "村", "社区", "村/社区", "村居",
                                         "village", "community"), _text(VILLAGE_MAX)),
    FieldSpec("organisation", _l("单位名称"), ("单位名称", "单位", "机构", "机构名称", "部门",
                                             "organisation", "organization", "agency"),
              _text(ORGANISATION_MAX)),
    FieldSpec("person_name", _l("联系人"), ("联系人", "联系人姓名", "姓名", "负责人",
                                          "person name", "person_name", "contact person",
                                          "name"), _person),
    FieldSpec("phone", _l("联系电话"), ("联系电话", "电话", "手机号码", "手机", "电话号码",
                                      "phone", "telephone", "mobile"), parse_contact_phone, True),
    FieldSpec("address", _l("地址"), ("地址", "办公地址", "联系地址", "address"),
              _text(ADDRESS_MAX)),
    FieldSpec("notes", _l("备注"), ("备注", "说明", "notes", "remarks"), _notes),
)

#: The fields that identify an entry (a second row of a file with the same values is refused).
KEY_FIELDS = ("kind", "region_code", "township", "village", "organisation", "person_name")

#: A row of the blank template that imports as it is.
EXAMPLE = {"kind": "儿童主任", "region_code": "511321", "township": "大桥镇",
           "village": "青龙村", "organisation": "青龙村民委员会", "person_name": "王秀英",
           "phone": "13812345678", "address": "南部县大桥镇青龙村村委会",
           "notes": "工作日 8:30-17:30"}
