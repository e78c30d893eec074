"""Labels of category, focus flag and fact codes, and of a parent's status, for pages and exports.

The enums of :mod:`.models` carry their own (``Sex.MALE.label``, tables beside them).
"""
from flask_babel import lazy_gettext as _l

from .categories import ParentStatus

CATEGORY_LABELS = {
    "left_behind": _l("农村留守儿童"),
    "migrant": _l("流动儿童"),
    "in_difficulty": _l("困境儿童"),
    "de_facto_unsupported": _l("事实无人抚养儿童"),
    "orphan": _l("孤儿"),
}

FLAG_LABELS = {
    "family_hardship": _l("家庭困难"),
    "own_disability": _l("本人残疾"),
    "guardianship_lacking": _l("监护缺失"),
    "wandering": _l("流浪"),
    "psychological_anomaly": _l("心理行为异常"),
    "asked_for_help": _l("主动求助"),
}

FACT_LABELS = {
    "birth_date": _l("出生日期"),
    "lives_in_home_area": _l("是否在户籍地生活"),
    "family_poverty": _l("家庭经济状况"),
    "own_disability": _l("是否残疾"),
    "guardianship_lacking_with_harm": _l("监护缺失或不当"),
    "mother.status": _l("母亲状况"),
    "mother.since": _l("母亲状况起始日期"),
    "mother.capable": _l("母亲有无监护能力"),
    "father.status": _l("父亲状况"),
    "father.since": _l("父亲状况起始日期"),
    "father.capable": _l("父亲有无监护能力"),
}

#: What was presumed, for each presumed fact code a category can rest on (DOMAIN §3,
#: "Presumptions"): a timed status without a start date, a capacity not recorded.
PRESUMED_LABELS = {
    "mother.since": _l("母亲的状况未登记起始日期，推定已满六个月"),
    "mother.capable": _l("母亲的监护能力未登记，推定有监护能力"),
    "father.since": _l("父亲的状况未登记起始日期，推定已满六个月"),
    "father.capable": _l("父亲的监护能力未登记，推定有监护能力"),
}

#: The one label of each parent status (:class:`~plugin.registry.categories.ParentStatus`, whose
#: module holds the rules only).
PARENT_STATUS_LABELS = {
    ParentStatus.WORKS_AWAY: _l("外出务工"), ParentStatus.AT_HOME: _l("在家"),
    ParentStatus.DECEASED: _l("去世"), ParentStatus.OUT_OF_CONTACT: _l("失联"),
    ParentStatus.IMPRISONED: _l("服刑或羁押"), ParentStatus.IN_REHABILITATION: _l("强制隔离戒毒"),
    ParentStatus.UNKNOWN: _l("不详"),
}
