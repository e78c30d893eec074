"""Blank roster templates (XLSX) with a field guide, made from the fields of the registry.

Sheet 1 "花名册" is what HR fills in: one header per field (its label, "（必填）" after the
required ones: the importer ignores that mark) and one example row that imports as it is.
Sheet 2 "填写说明" lists every column: what it means, the values the importer accepts (for a
choice: every word :func:`plugin.registry.schema.parse_record` reads as that choice, found by
asking the field's own parser), whether it is required and whether it decides a child's
categories. Everything comes from :data:`~plugin.registry.schema.WORKER_FIELDS` and
:data:`~plugin.registry.schema.CHILD_FIELDS`, so a template never drifts from the importer.
"""
from __future__ import annotations

import enum
import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..core.errors import ValidationError
from ..core.i18n import N_
from ..core.spreadsheets import as_text
from ..registry.idnumber import check_character
from ..registry.schema import (
    LIVES_WITH_ALIASES,
    PARENT_STATUS_ALIASES,
    POVERTY_ALIASES,
    ROLE_ALIASES,
    SEX_ALIASES,
    STATUS_ALIASES,
    FieldSpec,
)
from ..registry.values import FALSE_WORDS, TRUE_WORDS
from .kinds import kind_spec
from .models import ImportKind

ROSTER_SHEET = N_("花名册")
GUIDE_SHEET = N_("填写说明")
#: Put after the header of a required field; the importer ignores it (:mod:`.columns`).
REQUIRED_MARK = N_("（必填）")
FILE_NAMES = {ImportKind.WORKERS.value: N_("职工花名册模板.xlsx"),
              ImportKind.CHILDREN.value: N_("职工子女花名册模板.xlsx")}
#: The guide's columns.
GUIDE_HEADER = (N_("列名"), N_("含义"), N_("可填写的值"), N_("是否必填"),
                N_("是否影响儿童类别（留守/流动/困境）"))


def _example_id(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + check_character(first17)


#: The example row: valid data that imports as it is (a worker, then that worker's son).
EXAMPLES: dict[str, dict[str, str]] = {
    ImportKind.WORKERS.value: {
        "employee_number": "1001", "name": "张三", "sex": "男",
        "id_number": _example_id("110101", "19900307", "123"), "phone": "13800138000",
        "site": "一号项目部", "team": "钢筋班组", "subcontractor": "某某劳务有限公司",
        "entry_date": "2020-03-01", "employment_status": "在职",
        "works_away_since": "2020-03-01", "other_parent_status": "在家",
        "other_parent_capable": "是"},
    ImportKind.CHILDREN.value: {
        "parent_employee_number": "1001", "parent_role": "父亲", "name": "张小明", "sex": "男",
        "ethnicity": "汉族", "id_number": _example_id("110101", "20150601", "011"),
        "birth_date": "2015-06-01", "hukou_rural": "农业户口", "lives_with": "祖父母",
        "living_situation": "与祖父母同住", "lives_in_home_area": "是", "school": "某某小学",
        "grade": "五年级", "boarding": "否", "has_disability": "否", "family_poverty": "无",
        "guardianship_lacking_with_harm": "否", "wandering": "否",
        "psychological_anomaly": "否", "asked_for_help": "否", "carer_name": "张大山",
        "carer_relation": "祖父", "carer_phone": "13900139000"},
}

#: What each column means, by record type and field code.
MEANINGS: dict[str, dict[str, str]] = {
    ImportKind.WORKERS.value: {
        "employee_number": N_("职工在本单位的工号，每人唯一；子女花名册按它对应到职工"),
        "name": N_("职工姓名"),
        "sex": N_("职工性别；不填时从身份证号码读出"),
        "id_number": N_("职工的居民身份证号码"),
        "phone": N_("职工本人的联系电话"),
        "hukou_region_code": N_("职工户籍所在地的行政区划代码；不填时从身份证号码读出"),
        "site": N_("职工所在的项目部或厂区；没有的会在导入单位下新建"),
        "team": N_("职工所在的班组；没有的会在项目部下新建"),
        "subcontractor": N_("职工所属的劳务分包单位"),
        "entry_date": N_("职工进场或入职的日期"),
        "employment_status": N_("职工是否仍在职"),
        "left_on": N_("职工离职或退场的日期"),
        "works_away_since": N_("职工开始离开户籍县外出务工的日期（与入职日期不同时填写）"),
        "other_parent_status": N_("职工子女另一方家长（配偶）现在的状况"),
        "other_parent_since": N_("配偶的上述状况从哪天开始"),
        "other_parent_capable": N_("配偶有没有监护能力（重病、重残为没有）"),
        "own_parent_status": N_("职工本人不再是在本单位务工的家长时填写：去世（如工亡）、"
                                "服刑或羁押、失联、离职回家等"),
        "own_parent_status_since": N_("本人的上述状况从哪天开始；不填按离职日期"),
        "own_parent_capable": N_("职工本人有没有监护能力（重病、重残为没有）"),
    },
    ImportKind.CHILDREN.value: {
        "parent_employee_number": N_("儿童的父亲或母亲（本单位职工）的工号"),
        "parent_role": N_("该职工是儿童的父亲还是母亲"),
        "other_parent_employee_number": N_("另一方家长也是本单位职工时，填其工号"),
        "name": N_("儿童姓名"),
        "sex": N_("儿童性别；不填时从身份证号码读出"),
        "ethnicity": N_("儿童的民族"),
        "id_number": N_("儿童的居民身份证号码"),
        "birth_date": N_("儿童的出生日期；不填时从身份证号码读出"),
        "hukou_region_code": N_("儿童户籍所在地的行政区划代码；不填时从身份证号码读出"),
        "hukou_rural": N_("儿童的户口是农业户口还是非农业户口"),
        "address": N_("儿童现在居住的地址"),
        "lives_with": N_("儿童现在和谁一起生活"),
        "living_situation": N_("用文字写的儿童生活状况，导入时读出其中的事实并保留原文"),
        "lives_in_home_area": N_("儿童是否在户籍所在县（市、区）生活"),
        "outside_hukou_county_since": N_("儿童随父母离开户籍县生活的起始日期"),
        "school": N_("儿童就读的学校"),
        "grade": N_("儿童所在年级"),
        "boarding": N_("儿童是否在学校寄宿"),
        "health_note": N_("儿童的健康状况"),
        "has_disability": N_("儿童本人是否残疾"),
        "family_poverty": N_("儿童家庭的经济困难类型"),
        "guardianship_lacking_with_harm": N_("儿童是否因监护缺失或监护不当受到伤害或威胁"),
        "wandering": N_("儿童是否有流浪经历"),
        "psychological_anomaly": N_("儿童是否有心理或行为异常"),
        "asked_for_help": N_("儿童或家庭是否主动求助"),
        "carer_name": N_("父母外出时实际照护儿童的人（委托照护人）"),
        "carer_relation": N_("委托照护人与儿童的关系，如祖父、外婆、舅舅"),
        "carer_phone": N_("委托照护人的联系电话"),
        "village_committee_contact": N_("儿童户籍地或居住地村（居）委会的联系人"),
        "village_child_director": N_("儿童所在村（居）的儿童主任"),
        "consent_given_on": N_("监护人在纸质告知书上签字同意处理儿童个人信息的日期；"
                               "未满 14 周岁的儿童有此日期才保存全部信息，否则加密暂存，"
                               "等监护人在手机上同意"),
        "consent_notice_version": N_("监护人签字的告知书版本；不填按当前版本"),
        "consent_guardian": N_("签字同意的监护人姓名；不填即为该职工本人"),
    },
}

#: Fields that decide a child's categories, with how (the rules: plugin.registry.categories).
DECIDES: dict[str, dict[str, str]] = {
    ImportKind.WORKERS.value: {
        "entry_date": N_("是：没有填外出务工起始日期时，从入职日期起算外出务工是否满 6 个月"),
        "employment_status": N_("是：离职的职工不再算作外出务工的家长"),
        "works_away_since": N_("是：家长外出务工满 6 个月起，子女才可能是留守或流动儿童"),
        "other_parent_status": N_("是：另一方家长外出、去世、失联、服刑等，决定留守和困境"),
        "other_parent_since": N_("是：外出、失联、服刑满 6 个月才计入"),
        "other_parent_capable": N_("是：另一方家长没有监护能力时，可能认定为留守或困境"),
        "own_parent_status": N_("是：本人去世、服刑、失联等，决定困境和事实无人抚养"),
        "own_parent_status_since": N_("是：失联、服刑满 6 个月才计入"),
        "own_parent_capable": N_("是：本人没有监护能力时，可能认定为困境或事实无人抚养"),
    },
    ImportKind.CHILDREN.value: {
        "parent_employee_number": N_("是：该职工的务工情况决定留守和流动"),
        "parent_role": N_("是：决定该职工是母亲还是父亲"),
        "other_parent_employee_number": N_("是：按该职工的情况认定另一方家长"),
        "id_number": N_("是：没有填出生日期时，从号码读出年龄"),
        "birth_date": N_("是：年龄（留守未满 16 周岁，其他类别未满 18 周岁）"),
        "lives_in_home_area": N_("是：在户籍地生活是留守的条件"),
        "outside_hukou_county_since": N_("是：随父母离开户籍县满 6 个月为流动儿童"),
        "living_situation": N_("是：从文字读出在哪里生活、和谁生活以及父母的状况"),
        "family_poverty": N_("是：家庭经济困难的，认定困境儿童"),
        "has_disability": N_("是：本人残疾的，认定困境儿童"),
        "guardianship_lacking_with_harm": N_("是：监护缺失或不当并受到伤害的，认定困境儿童"),
    },
}
#: Flags that mark a child for attention without changing its categories.
FOCUS_ONLY = N_("否：作为重点关注标记")
FOCUS_FIELDS = frozenset({"wandering", "psychological_anomaly", "asked_for_help"})

#: Values of fields that are not choices, by how the field is entered or by its code.
DATE_HINT = N_("日期，如 2020-03-01、2020/3/1 或 2020年3月1日，也可以是 Excel 日期")
VALUE_HINTS = {
    "id_number": N_("18 位居民身份证号码，最后一位可以是 X"),
    "phone": N_("11 位手机号码或固定电话，可带 +86、空格或横线"),
    "carer_phone": N_("11 位手机号码或固定电话，可带 +86、空格或横线"),
    "hukou_region_code": N_("6 位行政区划代码，如 110101"),
    "employee_number": N_("字母和数字"),
    "parent_employee_number": N_("职工花名册中的工号"),
    "other_parent_employee_number": N_("职工花名册中的工号"),
    "living_situation": N_("文字，如：与祖父母同住、随父母在务工地、父母均外出、"
                           "父亲外出务工/母亲在家、住校"),
    "consent_notice_version": N_("告知书上印的版本号，如 2026-11"),
}
TEXT_HINT = N_("文字")

#: Words offered to the parsers to find what each choice accepts.
_CANDIDATES: tuple[str, ...] = tuple(dict.fromkeys(
    [word for table in (SEX_ALIASES, STATUS_ALIASES, PARENT_STATUS_ALIASES, ROLE_ALIASES,
                        LIVES_WITH_ALIASES, POVERTY_ALIASES) for word in table]
    + sorted(TRUE_WORDS) + sorted(FALSE_WORDS)
    + ["农业户口", "非农业户口", "农业", "非农业", "农村", "城镇", "居民"]))
_SOME_DAY = date(2026, 1, 1)


def _reads_as(spec: FieldSpec, word: str) -> str | None:
    """The choice value ``spec``'s parser reads ``word`` as (``None`` if it refuses it)."""
    try:
        value = spec.parse(word, _SOME_DAY, spec.code)
    except ValidationError:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return None


def accepted_values(spec: FieldSpec) -> list[tuple[str, list[str]]]:
    """For a choice field: each choice's label with the other words the importer reads as it."""
    result = []
    for value, label in spec.choices:
        words = [word for word in (str(label), *_CANDIDATES)
                 if not word.isascii() and _reads_as(spec, word) == value]
        words = list(dict.fromkeys(words)) or [str(value)]
        result.append((words[0], words[1:]))
    return result


def allowed_text(spec: FieldSpec) -> str:
    if spec.input == "choice":
        parts = []
        for main, others in accepted_values(spec):
            parts.append(_("%(value)s（也可写：%(others)s）", value=main, others="、".join(others))
                         if others else main)
        return "；".join(parts)
    if spec.code in VALUE_HINTS:
        return _(VALUE_HINTS[spec.code])
    if spec.input == "date":
        return _(DATE_HINT)
    return _(TEXT_HINT)


def header_text(spec: FieldSpec) -> str:
    return str(spec.label) + (_(REQUIRED_MARK) if spec.required else "")


def decides_text(kind: ImportKind | str, spec: FieldSpec) -> str:
    if spec.code in DECIDES[kind]:
        return _(DECIDES[kind][spec.code])
    if kind == ImportKind.CHILDREN and spec.code in FOCUS_FIELDS:
        return _(FOCUS_ONLY)
    return _("否")


def guide_rows(kind: ImportKind | str) -> list[tuple[str, ...]]:
    """One row per field: header, meaning, allowed values, required, and for the rosters
    whether it decides a child's categories."""
    spec_of_kind = kind_spec(kind)
    meanings = MEANINGS.get(spec_of_kind.code, {})
    return [(header_text(spec), _(meanings[spec.code]) if spec.code in meanings else "",
             allowed_text(spec), _("必填") if spec.required else _("选填"),
             *((decides_text(spec_of_kind.code, spec),) if spec_of_kind.is_roster else ()))
            for spec in spec_of_kind.fields]


def file_name(kind: ImportKind | str) -> str:
    spec = kind_spec(kind)
    if spec.code in FILE_NAMES:
        return _(FILE_NAMES[spec.code])
    return _("%(what)s模板.xlsx", what=spec.label)


_BOLD = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def build_template(kind: ImportKind | str) -> bytes:
    """The template workbook for ``kind`` as XLSX bytes."""
    spec_of_kind = kind_spec(kind)
    fields = spec_of_kind.fields
    example = EXAMPLES.get(spec_of_kind.code) or spec_of_kind.example
    book = Workbook()
    roster = book.active
    roster.title = _(ROSTER_SHEET)
    roster.append([header_text(spec) for spec in fields])
    roster.append([example.get(spec.code) for spec in fields])
    for spec, head, cell in zip(fields, roster[1], roster[2], strict=True):
        head.font = _BOLD
        if spec.required:
            head.fill = _REQUIRED_FILL
        cell.number_format = "@"  # ID and phone numbers stay text when HR types over them
        as_text(cell)
        roster.column_dimensions[head.column_letter].width = max(12, 2 * len(head.value) + 2)
    roster.freeze_panes = "A2"

    guide = book.create_sheet(_(GUIDE_SHEET))
    header = GUIDE_HEADER if spec_of_kind.is_roster else GUIDE_HEADER[:4]
    guide.append([_(title) for title in header])
    for row in guide_rows(kind):
        guide.append(list(row))
    for cell in guide[1]:
        cell.font = _BOLD
    for letter, width in zip("ABCDE"[:len(header)], (24, 40, 48, 10, 40), strict=False):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
            as_text(cell)
    guide.append([])
    guide.append([_("第 2 行是示例，请改为实际数据或删除；"
                    "列的顺序可以调整，不用的选填列可以删除。")])
    guide.append([_("标有“（必填）”的列每行都要填写；日期、身份证号码和电话号码请按文本填写。")])
    guide.freeze_panes = "A2"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
