"""The fields of a worker and of a child as the outside world sends them.

One table per record type: the code (the JSON name in the API and the attribute name), the
label shown to people (a msgid), the column headers recognised in HR rosters (Chinese and
English), and the parser. The importer, the API and the forms all go through
:func:`parse_record`, so every channel accepts and refuses exactly the same input.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from ..core.errors import ErrorList, ValidationError
from ..core.i18n import N_
from ..core.text import clean_code, clean_free_text, clean_person_name
from .categories import ParentStatus
from .idnumber import check_matches, parse_id_number
from .labels import PARENT_STATUS_LABELS
from .models import (
    EMPLOYMENT_STATUS_LABELS,
    LIVES_WITH_LABELS,
    PARENT_ROLE_LABELS,
    POVERTY_STATUS_LABELS,
    SEX_LABELS,
    EmploymentStatus,
    LivesWith,
    ParentRole,
    PovertyStatus,
    Sex,
)
from .regions import is_known_region
from .situations import read_parent_status, read_situation
from .values import parse_bool, parse_choice, parse_date, parse_phone, required


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: Any
    #: Roster column headers that mean this field (compared without spaces, case-insensitive).
    aliases: tuple[str, ...]
    parse: Callable[[Any, date, str], Any]
    required: bool = False
    #: Never written to logs or audit details in clear; shown masked.
    sensitive: bool = False
    #: For forms: ``text``, ``date`` or ``choice`` (then ``choices`` holds (value, label) pairs).
    input: str = "text"
    choices: tuple = ()


class RecordInvalid(Exception):
    """One record (row) with one or more field errors; nothing of it is stored."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = ErrorList(errors)


def _text(max_length: int):
    """One line of free text (an address, a school), kept as typed."""
    return lambda value, today, field: clean_free_text(value, max_length=max_length, field=field)


def _name(max_length: int):
    """A person's name: stray spaces removed, characters kept."""
    return lambda value, today, field: clean_person_name(value, max_length=max_length, field=field)


def _code(max_length: int):
    """An employee number: full-width made ASCII, no spaces."""
    return lambda value, today, field: clean_code(value, max_length=max_length, field=field)


def _choice(enum_class, aliases):
    folded = {key.lower(): member for key, member in aliases.items()}
    return lambda value, today, field: parse_choice(value, enum_class, folded, field=field)


def _past_date(value, today, field):
    return parse_date(value, field=field, today=today)


def _any_date(value, today, field):
    return parse_date(value, field=field)


def _phone(value, today, field):
    return parse_phone(value, field=field)


def _bool(value, today, field):
    return parse_bool(value, field=field)


def _flag(value, today, field):
    """A yes/no focus flag: empty means no (the child is simply not flagged)."""
    return parse_bool(value, field=field) or False


def _id_number(value, today, field):
    text = clean_code(value, field=field) if not isinstance(value, (int, float)) else value
    return None if text is None else parse_id_number(text, today=today, field=field)


def _region(value, today, field):
    text = clean_code(value, field=field)
    if text is None:
        return None
    if not (len(text) == 6 and text.isdigit() and is_known_region(text)):
        raise ValidationError("未知的行政区划代码：%(value)s", field=field, value=text)
    return text


def _hukou_rural(value, today, field):
    text = clean_code(value, field=field)
    if text is None:
        return None
    if text in {"农业", "农村", "农业户口", "rural"}:
        return True
    if text in {"非农业", "城镇", "非农业户口", "居民", "urban"}:
        return False
    return parse_bool(text, field=field)


#: A situation text some clause of which cannot be read (reported for the row, never guessed).
UNREADABLE_SITUATION = N_("无法将“%(value)s”识别为生活状况（可写作：与祖父母同住、随父母在务工地、"
                          "父母均外出、父亲外出务工/母亲在家、住校）")


def _situation(value, today, field):
    """A child's situation in words ("与祖父母同住"): kept as written once every clause of it
    is read (:mod:`.situations`); a text that cannot be read is refused, never guessed."""
    text = clean_free_text(value, max_length=200, field=field)
    if text is not None and read_situation(text) is None:
        raise ValidationError(UNREADABLE_SITUATION, field=field, value=text)
    return text


def _other_parent_status(value, today, field):
    """The spouse's status: a status word, or the roster's "配偶外出务工：是" and the like."""
    try:
        return parse_choice(value, ParentStatus, _PARENT_STATUS_FOLDED, field=field)
    except ValidationError:
        reading = read_parent_status(str(value))
        if reading is None or reading.status is None:
            raise
        return reading.status


SEX_ALIASES = {"男": Sex.MALE, "女": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
STATUS_ALIASES = {"在职": EmploymentStatus.ACTIVE, "离职": EmploymentStatus.LEFT,
                  "已离职": EmploymentStatus.LEFT, "退场": EmploymentStatus.LEFT}
PARENT_STATUS_ALIASES = {
    "外出务工": ParentStatus.WORKS_AWAY, "在外务工": ParentStatus.WORKS_AWAY,
    "在家": ParentStatus.AT_HOME, "在家务农": ParentStatus.AT_HOME, "去世": ParentStatus.DECEASED,
    "死亡": ParentStatus.DECEASED, "失联": ParentStatus.OUT_OF_CONTACT,
    "服刑": ParentStatus.IMPRISONED, "服刑或羁押": ParentStatus.IMPRISONED,
    "强制隔离戒毒": ParentStatus.IN_REHABILITATION, "戒毒": ParentStatus.IN_REHABILITATION,
    "不详": ParentStatus.UNKNOWN}
#: What HR may record of a worker's own situation as a parent (working here is the default).
OWN_PARENT_STATUS_ALIASES = {word: status for word, status in PARENT_STATUS_ALIASES.items()
                             if status not in (ParentStatus.WORKS_AWAY, ParentStatus.UNKNOWN)}
_PARENT_STATUS_FOLDED = {key.lower(): member for key, member in PARENT_STATUS_ALIASES.items()}
ROLE_ALIASES = {"母亲": ParentRole.MOTHER, "母": ParentRole.MOTHER, "妈妈": ParentRole.MOTHER,
                "父亲": ParentRole.FATHER, "父": ParentRole.FATHER, "爸爸": ParentRole.FATHER}
LIVES_WITH_ALIASES = {
    "父母": LivesWith.BOTH_PARENTS, "母亲": LivesWith.MOTHER, "父亲": LivesWith.FATHER,
    "祖父母": LivesWith.GRANDPARENTS, "外祖父母": LivesWith.GRANDPARENTS,
    "(外)祖父母": LivesWith.GRANDPARENTS, "其他亲属": LivesWith.OTHER_RELATIVES,
    "受委托人": LivesWith.ENTRUSTED_CARER, "福利机构": LivesWith.INSTITUTION,
    "独居": LivesWith.ALONE, "单独居住": LivesWith.ALONE}
POVERTY_ALIASES = {"无": PovertyStatus.NONE, "一般": PovertyStatus.NONE,
                   "低保": PovertyStatus.SUBSISTENCE_ALLOWANCE,
                   "低保户": PovertyStatus.SUBSISTENCE_ALLOWANCE,
                   "特困": PovertyStatus.EXTREME_POVERTY, "特困供养": PovertyStatus.EXTREME_POVERTY,
                   "低收入": PovertyStatus.LOW_INCOME, "低收入户": PovertyStatus.LOW_INCOME}

WORKER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("employee_number", _l("工号"), ("工号", "员工编号", "职工编号", "employee number",
                                             "employee no", "employee_number"), _code(64), True),
    FieldSpec("name", _l("姓名"), ("姓名", "职工姓名", "name"), _name(100), True),
    FieldSpec("sex", _l("性别"), ("性别", "sex", "gender"), _choice(Sex, SEX_ALIASES)),
    FieldSpec("id_number", _l("身份证号码"), ("身份证号码", "身份证号", "身份证", "公民身份号码",
                                              "id number", "id_number"), _id_number,
              sensitive=True),
    FieldSpec("phone", _l("手机号码"), ("手机号码", "手机号", "联系电话", "电话", "phone",
                                        "mobile"), _phone),
    FieldSpec("hukou_region_code", _l("户籍地区代码"),
              ("户籍地区代码", "户籍区划代码", "hukou region code", "hukou_region_code"), _region),
    FieldSpec("site", _l("项目部/厂区"), ("项目部", "项目", "厂区", "工地", "项目部/厂区", "site"),
              _text(200)),
    FieldSpec("team", _l("班组"), ("班组", "班组名称", "team"), _text(200)),
    FieldSpec("subcontractor", _l("劳务分包单位"), ("劳务分包单位", "劳务公司", "分包单位",
                                                "subcontractor"), _text(200)),
    FieldSpec("entry_date", _l("入职日期"), ("入职日期", "进场日期", "入职时间", "entry date",
                                            "entry_date"), _past_date),
    FieldSpec("employment_status", _l("在职状态"), ("在职状态", "状态", "employment status",
                                                 "employment_status"),
              _choice(EmploymentStatus, STATUS_ALIASES)),
    FieldSpec("left_on", _l("离职日期"), ("离职日期", "退场日期", "left on", "left_on"),
              _past_date),
    FieldSpec("works_away_since", _l("外出务工起始日期"), ("外出务工起始日期", "外出务工时间",
                                                        "works away since", "works_away_since"),
              _past_date),
    FieldSpec("other_parent_status", _l("配偶（子女另一方家长）状况"),
              ("配偶状况", "配偶（子女另一方家长）状况", "另一方家长状况", "配偶是否外出务工",
               "配偶外出务工", "配偶外出情况", "配偶务工情况", "配偶情况", "配偶就业状况",
               "配偶工作情况", "other parent status", "other_parent_status"),
              _other_parent_status),
    FieldSpec("other_parent_since", _l("配偶状况起始日期"),
              ("配偶状况起始日期", "other parent since", "other_parent_since"), _past_date),
    FieldSpec("other_parent_capable", _l("配偶有无监护能力"),
              ("配偶有无监护能力", "配偶监护能力", "other parent capable",
               "other_parent_capable"), _bool),
    FieldSpec("own_parent_status", _l("本人（作为家长）状况"),
              ("本人状况", "本人（作为家长）状况", "职工本人状况", "own parent status",
               "own_parent_status"), _choice(ParentStatus, OWN_PARENT_STATUS_ALIASES)),
    FieldSpec("own_parent_status_since", _l("本人状况起始日期"),
              ("本人状况起始日期", "own parent status since", "own_parent_status_since"),
              _past_date),
    FieldSpec("own_parent_capable", _l("本人有无监护能力"),
              ("本人有无监护能力", "本人监护能力", "own parent capable", "own_parent_capable"),
              _bool),
)

CHILD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("parent_employee_number", _l("家长工号"),
              ("家长工号", "职工工号", "父母工号", "工号", "parent employee number",
               "parent_employee_number"), _code(64), True),
    FieldSpec("parent_role", _l("职工与儿童关系"),
              ("职工与儿童关系", "与儿童关系", "关系", "父/母", "parent role", "parent_role"),
              _choice(ParentRole, ROLE_ALIASES), True),
    FieldSpec("other_parent_employee_number", _l("另一方家长工号"), (
        "另一方家长工号", "配偶工号", "other parent employee number",
        "other_parent_employee_number"), _code(64)),
    FieldSpec("name", _l("儿童姓名"), ("儿童姓名", "子女姓名", "姓名", "child name", "name"),
              _name(100), True),
    FieldSpec("sex", _l("性别"), ("性别", "sex", "gender"), _choice(Sex, SEX_ALIASES)),
    FieldSpec("ethnicity", _l("民族"), ("民族", "ethnicity"), _text(32)),
    FieldSpec("id_number", _l("身份证号码"), ("身份证号码", "身份证号", "公民身份号码", "id number",
                                              "id_number"), _id_number, sensitive=True),
    FieldSpec("birth_date", _l("出生日期"), ("出生日期", "出生年月日", "birth date", "birth_date"),
              _past_date),
    FieldSpec("hukou_region_code", _l("户籍地区代码"),
              ("户籍地区代码", "户籍区划代码", "hukou region code", "hukou_region_code"), _region),
    FieldSpec("hukou_rural", _l("户籍类型"), ("户籍类型", "户口性质", "hukou type", "hukou_rural"),
              _hukou_rural),
    FieldSpec("address", _l("现住址"), ("现住址", "家庭住址", "住址", "address"), _text(300),
              sensitive=True),
    FieldSpec("lives_with", _l("共同生活人"),
              ("共同生活人", "与谁生活", "监护情况", "lives with", "lives_with"),
              _choice(LivesWith, LIVES_WITH_ALIASES)),
    FieldSpec("living_situation", _l("生活状况"),
              ("生活状况", "生活情况", "留守情况", "留守状况", "留守类型", "居住情况", "居住状况",
               "与谁共同生活", "与谁同住", "共同生活情况", "父母外出情况", "父母务工情况",
               "父母外出务工情况", "儿童生活状况", "儿童居住情况", "监护类型", "照护情况",
               "living situation", "living_situation"), _situation),
    FieldSpec("lives_in_home_area", _l("是否在户籍地生活"),
              ("是否在户籍地生活", "在户籍地生活", "lives in home area",
               "lives_in_home_area"), _bool),
    FieldSpec("outside_hukou_county_since", _l("随父母离开户籍县起始日期"), (
        "随父母离开户籍县起始日期", "随迁起始日期", "outside hukou county since",
        "outside_hukou_county_since"), _past_date),
    FieldSpec("school", _l("就读学校"), ("就读学校", "学校", "school"), _text(200)),
    FieldSpec("grade", _l("年级"), ("年级", "grade"), _text(32)),
    FieldSpec("boarding", _l("是否寄宿"), ("是否寄宿", "寄宿", "boarding"), _bool),
    FieldSpec("health_note", _l("健康状况"), ("健康状况", "health", "health_note"), _text(500),
              sensitive=True),
    FieldSpec("has_disability", _l("是否残疾"), ("是否残疾", "残疾", "disability",
                                                 "has_disability"), _bool),
    FieldSpec("family_poverty", _l("家庭经济状况"),
              ("家庭经济状况", "家庭困难类型", "family poverty", "family_poverty"),
              _choice(PovertyStatus, POVERTY_ALIASES)),
    FieldSpec("guardianship_lacking_with_harm", _l("监护缺失或不当"), (
        "监护缺失或不当", "guardianship lacking", "guardianship_lacking_with_harm"), _bool),
    FieldSpec("wandering", _l("是否流浪"), ("是否流浪", "流浪", "wandering"), _flag),
    FieldSpec("psychological_anomaly", _l("心理行为异常"), ("心理行为异常", "psychological anomaly",
                                                        "psychological_anomaly"), _flag),
    FieldSpec("asked_for_help", _l("主动求助"), ("主动求助", "asked for help", "asked_for_help"),
              _flag),
    FieldSpec("carer_name", _l("委托照护人"), (
        "委托照护人", "照护人", "受委托人", "监护人姓名", "委托监护人", "委托监护人姓名",
        "监护人", "实际监护人", "实际监护人姓名", "照护人姓名", "carer name", "carer_name"),
        _name(100)),
    FieldSpec("carer_relation", _l("照护人与儿童关系"), (
        "照护人与儿童关系", "照护人关系", "监护人与儿童关系", "委托监护人与儿童关系",
        "监护人关系", "与监护人关系", "实际监护人与儿童关系", "carer relation", "carer_relation"),
        _text(32)),
    FieldSpec("carer_phone", _l("照护人电话"), (
        "照护人电话", "照护人联系电话", "监护人联系电话", "监护人电话", "委托监护人电话",
        "委托监护人联系电话", "实际监护人联系电话", "carer phone", "carer_phone"),
        _phone, sensitive=True),
    FieldSpec("village_committee_contact", _l("村（居）委会联系人"), (
        "村（居）委会联系人", "村委会联系人", "村居委会联系人", "village committee contact",
        "village_committee_contact"), _text(200)),
    FieldSpec("village_child_director", _l("儿童主任"),
              ("儿童主任", "村儿童主任", "village child director", "village_child_director"),
              _text(200)),
    # A guardian's consent already given on paper (PIPL Art. 31): recorded with the child, so
    # a child under 14 is stored whole at the first import.
    FieldSpec("consent_given_on", _l("监护人同意日期"), (
        "监护人同意日期", "监护人同意时间", "同意日期", "同意书签署日期", "知情同意日期",
        "签署同意书日期", "consent given on", "consent_given_on"), _past_date),
    FieldSpec("consent_notice_version", _l("告知书版本"), (
        "告知书版本", "告知书版本号", "notice version", "consent_notice_version"), _code(32)),
    FieldSpec("consent_guardian", _l("同意人"), (
        "同意人", "同意人姓名", "签字监护人", "consent guardian", "consent_guardian"), _name(100)),
)
#: Fields of a roster or API record that are not the child's own (never on the record's form).
CHILD_CONSENT_FIELD_CODES = ("consent_given_on", "consent_notice_version", "consent_guardian")


def _with_inputs(fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """Fill in how each field is entered in a form, from its parser."""
    from dataclasses import replace

    result = []
    for spec in fields:
        if spec.parse in (_past_date, _any_date):
            spec = replace(spec, input="date")
        elif spec.parse in (_bool, _flag, _hukou_rural):
            choices = ((("true", _l("农业户口")), ("false", _l("非农业户口")))
                       if spec.parse is _hukou_rural
                       else (("true", _l("是")), ("false", _l("否"))))
            spec = replace(spec, input="choice", choices=choices)
        elif spec.code in CHOICE_LABELS:
            spec = replace(spec, input="choice", choices=tuple(CHOICE_LABELS[spec.code].items()))
        result.append(spec)
    return tuple(result)


#: Choices of the enum fields in forms, by value: the enums' own label tables.
CHOICE_LABELS = {code: {member.value: label for member, label in table.items()} for code, table in (
    ("sex", SEX_LABELS), ("employment_status", EMPLOYMENT_STATUS_LABELS),
    ("other_parent_status", PARENT_STATUS_LABELS), ("parent_role", PARENT_ROLE_LABELS),
    ("own_parent_status", {status: label for status, label in PARENT_STATUS_LABELS.items()
                           if status in OWN_PARENT_STATUS_ALIASES.values()}),
    ("lives_with", LIVES_WITH_LABELS), ("family_poverty", POVERTY_STATUS_LABELS))}

WORKER_FIELDS = _with_inputs(WORKER_FIELDS)
CHILD_FIELDS = _with_inputs(CHILD_FIELDS)


def parse_record(raw: Mapping[str, Any], fields: tuple[FieldSpec, ...], *,
                 today: date) -> dict[str, Any]:
    """Parse the fields present in ``raw`` (keyed by field code). Collects every field error.

    Only fields present in ``raw`` appear in the result, so a partial record updates only what
    it carries. Raises :class:`RecordInvalid` listing all errors of the record.
    """
    values: dict[str, Any] = {}
    errors = ErrorList()
    for spec in fields:
        if spec.code not in raw:
            if spec.required:
                errors.add(ValidationError("必填项不能为空", field=spec.code))
            continue
        try:
            value = spec.parse(raw[spec.code], today, spec.code)
            if spec.required:
                required(value, spec.code)
            values[spec.code] = value
        except ValidationError as error:
            errors.add(error)
    if not errors:
        codes = _codes(fields)
        _check_id_number_agrees(values, codes, errors)
        _read_situations(raw, values, codes)
    if errors:
        raise RecordInvalid(errors)
    return values


#: id of a field table → (the table, its codes), for the few tables there are (the table is
#: kept, so its id is not reused while it is here).
_CODES: dict[int, tuple[tuple[FieldSpec, ...], frozenset[str]]] = {}


def _codes(fields: tuple[FieldSpec, ...]) -> frozenset[str]:
    known = _CODES.get(id(fields))
    if known is None or known[0] is not fields:
        if len(_CODES) >= 16:
            _CODES.clear()
        known = _CODES[id(fields)] = (fields, frozenset(spec.code for spec in fields))
    return known[1]


def _check_id_number_agrees(values: dict[str, Any], codes: frozenset[str],
                            errors: ErrorList) -> None:
    """Birth date and sex must agree with the ID number; missing ones are taken from it, and so
    is the hukou region (the number keeps the region of the birth registration)."""
    id_number = values.get("id_number")
    if id_number is None:
        return
    try:
        check_matches(id_number, birth_date=values.get("birth_date"),
                      sex=values["sex"].value if values.get("sex") else None)
    except ValidationError as error:
        errors.append(error)
        return
    if "birth_date" in codes and values.get("birth_date") is None:
        values["birth_date"] = id_number.birth_date
    if values.get("sex") is None:
        values["sex"] = Sex(id_number.sex)
    if values.get("hukou_region_code") is None:
        values["hukou_region_code"] = id_number.region_code


def _read_situations(raw: Mapping[str, Any], values: dict[str, Any], codes: frozenset[str]) -> None:
    """Facts stated in words fill the fields the record leaves empty: a child's situation
    (where and with whom it lives, boarding; the parents' statuses are read from the kept text
    when the categories are decided), and the spouse's incapacity in "重病" / "残疾"."""
    text = values.get("living_situation")
    situation = read_situation(text) if text else None
    if situation is not None:
        for code in ("lives_in_home_area", "lives_with", "boarding"):
            if code in codes and values.get(code) is None and getattr(situation, code) is not None:
                values[code] = getattr(situation, code)
    if ("other_parent_capable" in codes and values.get("other_parent_capable") is None
            and values.get("other_parent_status") is not None):
        reading = read_parent_status(str(raw.get("other_parent_status") or ""))
        if reading is not None and reading.capable is not None:
            values["other_parent_capable"] = reading.capable


def field_label(fields: tuple[FieldSpec, ...], code: str):
    for spec in fields:
        if spec.code == code:
            return spec.label
    return code
