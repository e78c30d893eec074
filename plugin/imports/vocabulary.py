"""Header words of real rosters, beyond the aliases of :mod:`plugin.registry.schema`.

Chinese HR and labour-subcontractor rosters (花名册, 实名制登记表, 进场登记表) name the same
column in many ways; the importer merges these synonyms with the fields' own aliases when it
matches a header row (:mod:`plugin.imports.columns`). The fields' aliases come first, so a word
listed in both places keeps the registry's meaning.

:data:`AMBIGUOUS` lists headers that can mean either of two fields ("与儿童关系" may be the
worker's relationship to the child or the carer's): the column's values decide, or the user.
:data:`IGNORED` lists headers of columns that never hold a field (a row counter, signatures).
"""
from __future__ import annotations

#: Field code → further headers of worker rosters.
WORKER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "employee_number": ("员工号", "职工号", "人员编号", "工人编号", "考勤号", "工卡号",
                        "工牌号", "员工工号", "职工工号"),
    "name": ("员工姓名", "工人姓名", "人员姓名", "农民工姓名", "务工人员姓名"),
    "sex": ("性 别",),
    "id_number": ("身份证号码", "证件号码", "证件号", "公民身份号码", "公民身份证号码",
                  "身份证件号码", "居民身份证号码", "身份证号（18位）", "证件编号"),
    "phone": ("联系电话", "手机号码", "本人电话", "本人手机", "手机", "联系方式",
              "本人联系电话", "移动电话", "电话号码"),
    "site": ("项目名称", "工程项目", "工程名称", "所属项目", "所属项目部", "施工项目",
             "项目部名称", "工程项目名称", "在建项目", "所在项目", "所在项目部", "厂区名称",
             "所在厂区", "工地名称"),
    "team": ("班组名称", "所在班组", "作业班组", "所属班组", "班组名", "施工班组", "工种班组"),
    "subcontractor": ("劳务分包企业", "劳务分包公司", "分包企业", "劳务企业", "所属劳务公司",
                      "劳务单位"),
    "entry_date": ("进场日期", "入场时间", "入场日期", "进场时间", "入职时间", "到岗日期",
                   "进厂日期", "入厂日期"),
    "left_on": ("退场时间", "离场日期", "离场时间", "出场日期", "离职时间"),
    "employment_status": ("人员状态", "在岗状态", "进退场状态"),
}

#: Field code → further headers of children's rosters.
CHILD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "parent_employee_number": ("家长员工号", "父（母）工号", "父母工号", "职工工号",
                               "员工工号", "家长职工号"),
    "parent_role": ("职工与子女关系", "本人与儿童关系", "职工与儿童的关系", "与子女关系",
                    "职工身份"),
    "name": ("孩子姓名", "子女名字", "儿童名字", "学生姓名"),
    "id_number": ("儿童身份证号码", "子女身份证号码", "证件号码", "儿童证件号码"),
    "birth_date": ("出生年月", "生日", "出生时间"),
    "school": ("就读学校名称", "学校名称", "在读学校"),
    "carer_name": ("监护人姓名", "实际监护人", "照护人姓名", "监护人", "委托监护人"),
    "carer_relation": ("监护人与儿童关系", "监护人与儿童的关系", "监护人关系",
                       "照护人与儿童的关系", "与监护人关系"),
    "carer_phone": ("监护人电话", "监护人联系电话", "监护人手机", "照护人手机"),
}

#: Normalised-or-not header → the fields it may mean, the likelier first.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "与儿童关系": ("parent_role", "carer_relation"),
    "与儿童的关系": ("parent_role", "carer_relation"),
    "关系": ("parent_role", "carer_relation"),
    "亲属关系": ("parent_role", "carer_relation"),
    "与孩子关系": ("parent_role", "carer_relation"),
}

#: Columns that hold nothing to import.
IGNORED: tuple[str, ...] = ("序号", "备注", "签名", "本人签名", "签字", "照片", "说明")


def synonyms_for(codes: set[str]) -> dict[str, tuple[str, ...]]:
    """The synonyms of the record type whose field codes are ``codes``."""
    table = CHILD_SYNONYMS if "parent_employee_number" in codes else WORKER_SYNONYMS
    return {code: words for code, words in table.items() if code in codes}
