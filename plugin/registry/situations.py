"""Reading a child's situation as HR offices write it into the facts the categories need.

Rosters and the national survey forms say "与祖父母同住", "随父母在务工地", "父母均外出",
"父亲外出务工/母亲在家", "住校" rather than filling in yes/no columns (DOMAIN §3,
"Presumptions"). :func:`read_situation` reads such a text, clause by clause, into
:class:`Situation`: whether the child lives in its home area, with whom, boarding, and each
parent's status and capacity. Pure: no database, no Flask.

A text is read only when *every* clause of it is understood and the clauses agree; otherwise
:func:`read_situation` returns None and the caller reports the row ("cannot read … as a living
situation"), never guesses. A clause may be understood and carry no fact ("单亲", "父母离异",
"无"): it is kept in the text and decides nothing.

Product rules of the reading:

* Living with grandparents, other relatives or an entrusted carer ("与祖父母同住",
  "由亲戚照看") is living in the home area: the child is not with its parents where they work.
  Living with the parents where they work ("随父母在务工地", "随迁") is not. "在老家", "留守"
  say the home area outright. Living with the parents, alone, or at a boarding school says
  nothing about the area by itself.
* "父母均外出" / "父亲外出务工" is the parents' status only; it says nothing about where the
  child lives (a roster's "留守情况" column usually adds "与祖父母同住" or "在老家").
* "重病", "残疾" of a parent: no guardianship capacity (serious illness or disability, the
  roster's own words), status not stated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from .categories import ParentStatus
from .models import LivesWith

_SPLIT = re.compile(r"[，,；;。.、/／\\|｜+＋\s]+")
_FILLER = re.compile(r"^(目前|现在|现|平时|平常|长期|主要|一直|均|都)+")

_BOTH = r"(?:父母亲?|父母双方|双亲|爸妈|爸爸妈妈|父亲母亲|爸爸和妈妈|父亲和母亲)"
_FATHER = r"(?:父亲|爸爸|父)"
_MOTHER = r"(?:母亲|妈妈|母)"
_TOGETHER = r"(?:均|都|双方|皆|一起|同时|全部|全)?"

_STATUS_WORDS: tuple[tuple[str, ParentStatus | None, bool | None], ...] = (
    (r"(?:外出务工|外出打工|在外务工|在外打工|外出工作|在外地工作|外地务工|外地打工|异地务工|"
     r"外出|务工|打工|在外)", ParentStatus.WORKS_AWAY, None),
    (r"(?:在家务农|在家|务农|在老家|在本地|本地务工|本地工作|就近务工)",
     ParentStatus.AT_HOME, None),
    (r"(?:去世|已去世|死亡|已故|病故|过世)", ParentStatus.DECEASED, None),
    (r"(?:失联|下落不明|失踪|离家出走)", ParentStatus.OUT_OF_CONTACT, None),
    (r"(?:服刑|在押|羁押|坐牢|服刑或羁押|被羁押)", ParentStatus.IMPRISONED, None),
    (r"(?:强制隔离戒毒|戒毒)", ParentStatus.IN_REHABILITATION, None),
    (r"(?:重病|患重病|重残|重度残疾|残疾|患病卧床|丧失劳动能力|无监护能力)", None, False),
)

_GRANDPARENTS = (r"(?:祖父母|外祖父母|（外）祖父母|\(外\)祖父母|爷爷奶奶|外公外婆|姥姥姥爷|"
                 r"爷爷|奶奶|外公|外婆|姥姥|姥爷|祖辈|老人)")
_RELATIVES = r"(?:亲戚|亲属|其他亲属|叔叔|伯伯|姑姑|舅舅|阿姨|姨妈|哥哥|姐姐|叔伯)"
_CARER = r"(?:受委托人|委托监护人|委托照护人|邻居)"
_LIVE = r"(?:一起)?(?:共同)?(?:同住|生活|居住|住|照看|照顾|抚养|代养|监护|看护|带)?"
_WITH = r"(?:与|跟|和|随|由|同)?"


@dataclass(frozen=True)
class ParentReading:
    status: ParentStatus | None = None
    capable: bool | None = None


@dataclass(frozen=True)
class Situation:
    """Facts read from a situation text; None = the text does not say."""

    text: str
    lives_in_home_area: bool | None = None
    lives_with: LivesWith | None = None
    boarding: bool | None = None
    mother: ParentReading = ParentReading()
    father: ParentReading = ParentReading()


def _parents(who: str) -> tuple[str, ...]:
    if re.fullmatch(_BOTH, who):
        return ("mother", "father")
    return ("father",) if re.fullmatch(_FATHER, who) else ("mother",)


def _status_clause(clause: str) -> dict | None:
    for status_pattern, status, capable in _STATUS_WORDS:
        match = re.fullmatch(rf"({_BOTH}|{_FATHER}|{_MOTHER}){_TOGETHER}(?:已)?{status_pattern}"
                             r"(?:中|了)?", clause)
        if match:
            return {who: ParentReading(status, capable) for who in _parents(match.group(1))}
    return None


def _living_clause(clause: str) -> dict | None:
    def match(pattern: str) -> bool:
        return re.fullmatch(pattern, clause) is not None

    if match(rf"{_WITH}{_GRANDPARENTS}{_LIVE}|隔代(?:抚养|监护|照看)"):
        return {"lives_with": LivesWith.GRANDPARENTS, "lives_in_home_area": True}
    if match(rf"{_WITH}{_RELATIVES}{_LIVE}|亲戚代养|寄养在亲戚家"):
        return {"lives_with": LivesWith.OTHER_RELATIVES, "lives_in_home_area": True}
    if match(rf"{_WITH}{_CARER}{_LIVE}"):
        return {"lives_with": LivesWith.ENTRUSTED_CARER, "lives_in_home_area": True}
    for who, lives_with in ((_BOTH, LivesWith.BOTH_PARENTS), (_FATHER, LivesWith.FATHER),
                            (_MOTHER, LivesWith.MOTHER)):
        if match(rf"(?:随|跟随|跟)(?:同)?{who}(?:在|到|去)?(?:务工地|打工地|工作地|外地|务工|"
                 rf"外出|打工|迁移|流动)(?:生活|居住|上学|就读)?|随{who}(?:一起)?外出"):
            return {"lives_with": lives_with, "lives_in_home_area": False}
        if match(rf"{_WITH}{who}{_LIVE}|{who}(?:在家)?(?:照看|照顾|抚养|监护|陪伴)"):
            return {"lives_with": lives_with}
    if match(r"随迁|随迁子女|流动儿童|在父母务工地(?:生活|居住|上学|就读)?|在务工地(?:生活|居住)?"):
        return {"lives_in_home_area": False}
    if match(r"独自居住|独居|一人居住|独自生活|单独居住|无人照看|自己住|一个人住"):
        return {"lives_with": LivesWith.ALONE}
    if match(r"(?:在)?福利机构|(?:在)?福利院|(?:在)?儿童福利院|(?:在)?救助(?:保护)?站"):
        return {"lives_with": LivesWith.INSTITUTION}
    if match(r"寄宿|住校|寄宿学校|寄宿制学校|在校住宿|学校寄宿|寄宿生|在校寄宿"):
        return {"boarding": True}
    if match(r"走读|不住校|非寄宿"):
        return {"boarding": False}
    if match(r"(?:在|留在)?(?:农村)?(?:老家|户籍地|家乡|原籍|本地|村里)(?:生活|居住|上学|就读)?|"
             r"留守|留守儿童|农村留守儿童|在家留守"):
        return {"lives_in_home_area": True}
    if match(r"单亲|单亲家庭|父母离异|离异|离婚|无|正常|一般|否|不是|非留守|其他"):
        return {}
    return None


def _clause(clause: str) -> dict | None:
    clause = _FILLER.sub("", clause)
    clause = re.sub(r"[：:]$", "", clause)
    if not clause:
        return {}
    status = _status_clause(clause)
    if status is not None:
        return status
    return _living_clause(clause)


def read_situation(text: str | None) -> Situation | None:
    """The facts in ``text``; None when some clause cannot be read or clauses contradict each
    other. An empty text gives a :class:`Situation` without facts."""
    text = (text or "").strip()
    result = Situation(text=text)
    for clause in _SPLIT.split(text):
        if not clause:
            continue
        read = _clause(clause)
        if read is None:
            return None
        for key, value in read.items():
            if key in ("mother", "father"):
                old: ParentReading = getattr(result, key)
                merged = {}
                for part in fields(ParentReading):
                    new_value, old_value = getattr(value, part.name), getattr(old, part.name)
                    if new_value is not None and old_value is not None and new_value != old_value:
                        return None
                    merged[part.name] = new_value if new_value is not None else old_value
                result = replace(result, **{key: ParentReading(**merged)})
            else:
                old_value = getattr(result, key)
                if old_value is not None and old_value != value:
                    return None
                result = replace(result, **{key: value})
    return result


#: "配偶外出务工：是" and the like: a question about a parent and its yes/no answer.
_QUESTION = re.compile(r"^(?P<question>.*?)[：:]?\s*(?P<answer>是|否|有|无)$")


def read_parent_status(text: str) -> ParentReading | None:
    """One parent's status as a roster column says it about the worker's spouse: "外出务工",
    "在家务农", "配偶外出务工：是", "重病", or a bare 是/否 (the column asks whether the spouse
    works away). None when it cannot be read."""
    text = re.sub(r"\s+", "", text or "")
    text = re.sub(r"^(?:配偶|爱人|妻子|丈夫|另一方家长|另一方)", "", text)
    match = _QUESTION.match(text)
    if match:
        question = re.sub(r"^(?:是否|有无)", "", match.group("question"))
        answer = match.group("answer") in ("是", "有")
        if question in ("", "外出务工", "外出", "外出打工", "在外务工", "务工"):
            return ParentReading(ParentStatus.WORKS_AWAY if answer else ParentStatus.AT_HOME)
        return None
    for status_pattern, status, capable in _STATUS_WORDS:
        if re.fullmatch(rf"(?:已)?{status_pattern}(?:中|了)?", text):
            if status is None:  # seriously ill or disabled: read as at home, without capacity
                return ParentReading(ParentStatus.AT_HOME, capable)
            return ParentReading(status, capable)
    return None
