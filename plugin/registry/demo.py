"""The registry's part of the demo company (``carebridge seed-demo``, ``Feature.demo``).

About 300 workers across the sites and teams (names, phones, ID numbers, subcontractors, entry
dates, home regions, some from 三区三州) and about 250 children covering every category the
rules can decide for a worker's child, every focus flag, children whose categories rest on
presumptions or cannot be decided yet, and children under 14 with and without their guardian's
consent. Everything goes through :func:`upsert_worker` / :func:`upsert_child` with values parsed
by :func:`parse_record`, as a roster import does, so each record is checked, categorised and
audited as in production. Deterministic: the same seed gives the same company.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..access.scope import Scope
from ..core.features import DemoContext
from ..org.models import OrgKind, OrgUnit
from .consent import needs_consent
from .guardian_consent import give_consent
from .idnumber import check_character
from .models import ConsentMethod, Worker
from .permissions import CHILDREN_MANAGE, WORKERS_MANAGE
from .schema import CHILD_FIELDS, WORKER_FIELDS, parse_record
from .services import upsert_child, upsert_worker

SEED = 20261116
WORKERS = 300
#: Workers with children; with about 40 % of them having two, ≈250 children.
PARENTS = 180

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
            "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶"
            "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
MEN = ("建国", "志强", "德明", "海军", "永福", "长青", "国庆", "红军", "大伟", "小龙",
       "文斌", "勇", "军", "刚", "强", "磊", "涛", "斌", "超", "鹏", "辉", "杰",
       "浩", "明", "亮", "波", "峰", "华", "平", "林", "建华", "建军", "国强",
       "春生", "金龙", "光明", "成", "胜利", "德华", "学文", "家宝", "玉山")
WOMEN = ("秀英", "桂兰", "玉梅", "丽", "芳", "娟", "红", "霞", "燕", "敏", "静",
         "婷", "艳", "慧", "琴", "凤", "兰", "梅", "秀兰", "春花", "翠花", "小红",
         "金凤", "海燕")
CHILDREN = ("子涵", "梓轩", "雨桐", "欣怡", "浩然", "宇航", "思雨", "一诺", "俊杰", "佳怡",
            "子豪", "诗涵", "若曦", "嘉乐", "晨阳", "心怡", "博文", "可馨", "天佑", "雅琪",
            "明轩", "紫萱", "梓萌", "锦程", "书瑶", "宇轩", "沐阳", "安琪", "子墨", "语桐",
            "皓轩", "思琪")
GRANDPARENTS = ("祖母", "祖父", "外祖母", "外祖父")
PHONE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182",
                  "187", "188", "132", "155", "186", "133", "153", "189", "177")

#: (region code, weight, ethnicity of most children there); the last five lie in 三区三州.
REGIONS = (
    ("511321", 14, "汉族"), ("411521", 12, "汉族"), ("430582", 9, "汉族"), ("341221", 9, "汉族"),
    ("520521", 8, "汉族"), ("450821", 7, "汉族"), ("360731", 7, "汉族"), ("421127", 6, "汉族"),
    ("500233", 6, "汉族"), ("532128", 5, "汉族"),
    ("513431", 6, "彝族"), ("513432", 3, "彝族"), ("622921", 3, "回族"), ("533323", 2, "傈僳族"),
    ("653121", 1, "维吾尔族"),
)
SUBCONTRACTORS = ("四川蜀建劳务有限公司", "河南豫安建筑劳务有限公司", "湖南湘楚劳务分包有限公司",
                  "广东粤冠劳务服务有限公司")
SCHOOLS = ("{place}中心小学", "{place}第一初级中学", "{place}实验小学", "{place}民族中学",
           "{place}幼儿园")

#: How each family lives, with weights: where the other parent is and where the children live.
FAMILIES = (
    ("both_away", 24), ("other_incapable", 9), ("other_deceased", 4), ("other_missing", 3),
    ("other_imprisoned", 2), ("migrant", 22), ("migrant_recent", 3), ("at_home", 14),
    ("at_home_presumed", 6), ("unknown", 4), ("couple", 9),
)

#: Families whose worker parent no longer cares for the children, by position among the parents
#: (so each is always shown): died at work with the other parent missing (de facto unsupported),
#: died with the other parent dead (orphans), detained with the other parent seriously ill.
WORKER_GONE = {13: "worker_died", 57: "worker_died_orphans", 101: "worker_detained"}


@dataclass
class _Family:
    worker: dict[str, Any]
    kind: str
    unit: OrgUnit
    spouse: dict[str, Any] | None = None
    children: list[dict[str, Any]] = field(default_factory=list)


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    today = context.today
    teams = _teams(context.units)
    worker_scope = Scope.of_actor(context.actor, WORKERS_MANAGE)
    child_scope = Scope.of_actor(context.actor, CHILDREN_MANAGE)
    people = _Names(rng)
    rows = [(_worker_row(rng, index, teams[index % len(teams)], people, today),
             teams[index % len(teams)]) for index in range(WORKERS)]
    families: list[_Family] = []
    for index in range(PARENTS):
        raw, unit = rows[index]
        kind = _family_kind(rng)
        kind = WORKER_GONE.get(index, kind)
        family = _Family(raw, kind, unit)
        if kind == "couple":
            if index < WORKERS - PARENTS:
                # Husband and wife both work here (the wife on a row far down the roster): the
                # children's other parent is a worker, so neither row describes them.
                spouse = WORKERS - 1 - index
                spouse_unit = rows[spouse][1]
                family.spouse = _worker_row(rng, spouse, spouse_unit, people, today,
                                            man=raw["sex"] != "男",
                                            region=raw["hukou_region_code"], active=True)
                rows[spouse] = (family.spouse, spouse_unit)
            else:
                family.kind = "both_away"
        _other_parent(rng, raw, family.kind, today)
        families.append(family)
    workers: dict[str, Worker] = {}
    for raw, unit in rows:
        values = parse_record(raw, WORKER_FIELDS, today=today)
        workers[raw["employee_number"]] = upsert_worker(
            values, unit=unit, actor=context.actor, scope=worker_scope).record
    position = 0
    for family in families:
        for _ in range(2 if rng.random() < 0.4 else 1):
            family.children.append(_child_row(rng, family, position, people, today))
            position += 1
    consents = []
    for family in families:
        for raw in family.children:
            values = parse_record(raw, CHILD_FIELDS, today=today)
            child = upsert_child(values, actor=context.actor, today=today,
                                 scope=child_scope).record
            if (needs_consent(child.birth_date, today) and "consent_given_on" not in raw
                    and rng.random() < 0.6):
                consents.append((child, workers[family.worker["employee_number"]]))
    # Consent given afterwards (at the office, or signed on the worker's phone): the details
    # held meanwhile are written to the record. The other children under 14 still wait for it.
    for child, worker in consents:
        give_consent(child, guardian_name=worker.name,
                     method=rng.choice((ConsentMethod.IN_PERSON, ConsentMethod.PHONE_SIGNATURE)),
                     given_on=today - timedelta(days=rng.randint(1, 40)), actor=context.actor,
                     today=today, guardian_worker_id=worker.id)


def _teams(units) -> list[OrgUnit]:
    """The teams of every site, each site's teams together; a site without teams stands for
    itself."""
    sites = [unit for unit in units.values() if unit.kind == OrgKind.SITE]
    teams = []
    for site in sorted(sites, key=lambda unit: unit.path):
        own = sorted((unit for unit in units.values()
                      if unit.kind == OrgKind.TEAM and unit.parent_id == site.id),
                     key=lambda unit: unit.path)
        teams.extend(own or [site])
    if not teams:
        raise ValueError("the demo company has no site")
    return teams


class _Names:
    """Unique names and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set()
        self.phones: set[str] = set()

    def adult(self, man: bool) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(MEN if man else WOMEN)
            if name not in self.taken:
                self.taken.add(name)
                return name

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def _id_number(rng: random.Random, region: str, birth: date, man: bool, sequence: int) -> str:
    digits = f"{(sequence % 500) * 2 + (1 if man else 0):03d}"
    first17 = f"{region}{birth:%Y%m%d}{digits}"
    return first17 + check_character(first17)


def _region(rng: random.Random) -> tuple[str, str]:
    code, _weight, ethnicity = rng.choices(REGIONS, weights=[weight for _, weight, _ in REGIONS])[0]
    return code, ethnicity


def _worker_row(rng: random.Random, index: int, unit: OrgUnit, people: _Names, today: date, *,
                man: bool | None = None, region: str | None = None,
                active: bool = False) -> dict[str, Any]:
    man = rng.random() < 0.85 if man is None else man
    region = region or _region(rng)[0]
    birth = today - timedelta(days=rng.randint(22 * 365, 55 * 365))
    raw: dict[str, Any] = {
        "employee_number": f"HX{2015 + index % 11}{index + 1:04d}",
        "name": people.adult(man), "sex": "男" if man else "女", "phone": people.phone(),
        "hukou_region_code": region,
    }
    if rng.random() < 0.7:
        raw["id_number"] = _id_number(rng, region, birth, man, index)
    if "厂" not in _site_name(unit):
        raw["subcontractor"] = SUBCONTRACTORS[(index // 7) % len(SUBCONTRACTORS)]
    if rng.random() < 0.92:
        # Most came more than six months ago; a few are new (not "working away" long enough).
        days = rng.randint(20, 150) if rng.random() < 0.08 else rng.randint(200, 2600)
        raw["entry_date"] = today - timedelta(days=days)
    if not active and index >= PARENTS and rng.random() < 0.08:
        raw["employment_status"] = "离职"
        raw["left_on"] = today - timedelta(days=rng.randint(3, 90))
    return raw


def _site_name(unit: OrgUnit) -> str:
    return unit.parent.name if unit.kind == OrgKind.TEAM and unit.parent else unit.name


def _family_kind(rng: random.Random) -> str:
    kinds, weights = zip(*FAMILIES, strict=True)
    return rng.choices(kinds, weights=weights)[0]


def _other_parent(rng: random.Random, raw: dict[str, Any], kind: str, today: date) -> None:
    """The worker's record of the children's other parent, as HR takes it down."""
    def since(low: int = 200, high: int = 1500) -> date:
        return today - timedelta(days=rng.randint(low, high))

    if kind == "both_away":
        raw["other_parent_status"] = "外出务工"
        if rng.random() < 0.6:  # otherwise presumed to have lasted six months
            raw["other_parent_since"] = since()
    elif kind == "other_incapable":
        raw.update(other_parent_status="在家", other_parent_capable="否")
    elif kind == "other_deceased":
        raw.update(other_parent_status="去世", other_parent_since=since(300, 3000))
    elif kind == "other_missing":
        raw.update(other_parent_status="失联", other_parent_since=since())
    elif kind == "other_imprisoned":
        raw.update(other_parent_status="服刑", other_parent_since=since())
    elif kind in ("migrant", "migrant_recent", "at_home"):
        raw.update(other_parent_status="在家" if kind == "at_home" else "外出务工",
                   other_parent_capable="是")
        if kind != "at_home":
            raw["other_parent_since"] = since()
    elif kind == "at_home_presumed":
        raw["other_parent_status"] = "在家"  # capacity not recorded: presumed capable
    elif kind in WORKER_GONE.values():
        # HR records why the worker cannot care any more (离职 with its reason).
        left_on = today - timedelta(days=rng.randint(200, 700))
        raw.update(employment_status="离职", left_on=left_on)
        if kind == "worker_detained":
            raw.update(own_parent_status="服刑或羁押", other_parent_status="在家",
                       other_parent_capable="否")
        else:
            raw.update(own_parent_status="去世",
                       other_parent_status="去世" if kind == "worker_died_orphans" else "失联",
                       other_parent_since=since(300, 3000))


#: Focus flags and difficulty facts, each given to children at these positions (so each is shown).
_SPECIAL = {
    "family_poverty": {3, 11, 19, 27, 41, 55, 68, 83, 97, 112, 130, 151, 170, 199, 222},
    "has_disability": {7, 60, 133, 201},
    "guardianship_lacking_with_harm": {15, 101, 188},
    "wandering": {23, 160},
    "psychological_anomaly": {5, 31, 77, 140, 210},
    "asked_for_help": {9, 88, 177},
}


def _child_row(rng: random.Random, family: _Family, position: int, people: _Names,
               today: date) -> dict[str, Any]:
    worker = family.worker
    man = worker["sex"] == "男"
    boy = rng.random() < 0.52
    father = worker if man else family.spouse
    surname = father["name"][0] if father else rng.choice(SURNAMES)
    name = surname + rng.choice(CHILDREN)
    while name in people.taken:
        name = surname + rng.choice(CHILDREN)
    people.taken.add(name)
    age_days = rng.randint(2 * 365, 17 * 365 + 200)
    if family.kind in ("both_away", "other_incapable", "other_deceased",
                       *WORKER_GONE.values()):
        age_days = rng.randint(3 * 365, 15 * 365)  # mostly of the age the lists are about
    birth = today - timedelta(days=age_days)
    region = worker["hukou_region_code"]
    ethnicity = next(ethnic for code, _, ethnic in REGIONS if code == region)
    raw: dict[str, Any] = {
        "parent_employee_number": worker["employee_number"],
        "parent_role": "父亲" if man else "母亲",
        "name": name, "sex": "男" if boy else "女", "birth_date": birth,
        "hukou_region_code": region, "hukou_rural": "农业", "ethnicity": ethnicity,
    }
    if family.spouse is not None:
        raw["other_parent_employee_number"] = family.spouse["employee_number"]
    kind = family.kind
    place = _county(region)
    if kind in ("migrant", "migrant_recent"):
        raw.update(lives_in_home_area="否", lives_with="父母",
                   outside_hukou_county_since=(
                       today - timedelta(days=rng.randint(20, 150)) if kind == "migrant_recent"
                       else max(birth, today - timedelta(days=rng.randint(200, 2000)))),
                   school=f"{_site_city(family.unit)}务工人员子女学校")
    elif kind in ("at_home", "at_home_presumed"):
        raw.update(lives_in_home_area="是", lives_with="母亲" if man else "父亲",
                   school=rng.choice(SCHOOLS).format(place=place))
    elif kind == "unknown":
        raw.pop("hukou_rural")  # HR knows little: residence not recorded, birth date maybe not
        if rng.random() < 0.4:
            raw.pop("birth_date")
    else:
        carer = rng.choice(GRANDPARENTS)
        raw.update(lives_in_home_area="是", lives_with="祖父母",
                   carer_name=surname + rng.choice(MEN if carer.endswith("父") else WOMEN),
                   carer_relation=carer, carer_phone=people.phone(),
                   school=rng.choice(SCHOOLS).format(place=place),
                   boarding="是" if age_days > 11 * 365 and rng.random() < 0.5 else "否",
                   village_child_director=f"{place}{rng.choice('东南西北')}村 "
                                          f"{rng.choice(SURNAMES)}{rng.choice(WOMEN)}",
                   address=f"{place}{rng.choice('东南西北')}村 {rng.randint(1, 12)} 组")
    for fact, positions in _SPECIAL.items():
        if position in positions:
            raw[fact] = "是" if fact != "family_poverty" else rng.choice(("低保", "特困", "低收入"))
    if "family_poverty" not in raw and rng.random() < 0.5:
        raw["family_poverty"] = "无"
    if "birth_date" in raw and needs_consent(birth, today) and rng.random() < 0.4:
        # The guardian's consent, signed on paper, comes with the roster.
        raw.update(consent_given_on=today - timedelta(days=rng.randint(30, 400)),
                   consent_guardian=worker["name"])
    return raw


def _county(region: str) -> str:
    from .regions import region_name

    full = region_name(region) or ""
    for marker in ("自治州", "地区", "市", "省"):
        if marker in full:
            full = full.rsplit(marker, 1)[-1] or full
    return full


def _site_city(unit: OrgUnit) -> str:
    name = _site_name(unit)
    return name[:2]
