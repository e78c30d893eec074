"""The referral directory of the demo company (``carebridge seed-demo``), made through the
service: for the hukou counties of the demo children (:mod:`plugin.registry.demo`) the police
station, the Civil Affairs bureau, a township child supervisor and the child directors of the
villages the children live in (named as the registry's demo names them, "南部县东村"); a
prefecture's Civil Affairs bureau, provincial hotlines, and one entry deactivated. 镇雄县's
children carry its withdrawn code 532128: its entries are listed under today's 530627."""
from __future__ import annotations

from ..access.scope import Scope
from ..core.features import DemoContext
from ..org.queries import get_root_unit
from . import contacts
from .models import ContactKind

#: County code → (its name as the demo's villages are named, phone area code, a township).
COUNTIES = {
    "511321": ("南部县", "0817", "大桥镇"),
    "411521": ("罗山县", "0376", "周党镇"),
    "430582": ("邵东市", "0739", "廉桥镇"),
    "341221": ("临泉县", "0558", "杨桥镇"),
    "520521": ("大方县", "0857", "羊场镇"),
    "450821": ("平南县", "0775", "大安镇"),
    "360731": ("于都县", "0797", "岭背镇"),
    "421127": ("黄梅县", "0713", "孔垄镇"),
    "500233": ("忠县", "023", "拔山镇"),
    "530627": ("镇雄县", "0870", "以勒镇"),
    "513431": ("昭觉县", "0834", "竹核乡"),
}
DIRECTORS = ("王秀英", "李桂兰", "张玉梅", "刘丽")
VILLAGES = "东南西北"


def load(context: DemoContext) -> None:
    root = get_root_unit()
    actor = context.actor
    care = context.accounts.get("care", actor)
    scope = Scope.company()

    def add(kind: ContactKind, region: str, phone: str, *, by=actor, **values):
        return contacts.save_contact(None, {"kind": kind.value, "region_code": region,
                                            "phone": phone, **values},
                                     unit=root, scope=scope, actor=by, today=context.today)

    for number, (code, (county, area, township)) in enumerate(COUNTIES.items()):
        add(ContactKind.POLICE_STATION, code, f"{area}-{6110000 + number:07d}",
            organisation=f"{county}公安局城关派出所",
            address=f"{county}人民路 {number + 8} 号", notes="24小时值班")
        add(ContactKind.CIVIL_AFFAIRS, code, f"{area}-{6220000 + number:07d}",
            organisation=f"{county}民政局儿童福利股",
            notes="工作日 8:30-12:00，14:30-17:30")
        add(ContactKind.TOWNSHIP_SUPERVISOR, code, f"139{number:04d}{5501:04d}",
            township=township, organisation=f"{township}社会事务办",
            person_name=("赵德华", "钱建军", "孙立新")[number % 3], by=care)
        for index, side in enumerate(VILLAGES[: 4 if number < 4 else 2]):
            add(ContactKind.CHILD_DIRECTOR, code, f"137{number:04d}{index + 1:04d}",
                village=f"{county}{side}村", organisation=f"{county}{side}村民委员会",
                person_name=DIRECTORS[(number + index) % len(DIRECTORS)], by=care)
    add(ContactKind.CIVIL_AFFAIRS, "511300", "0817-2221234", organisation="南充市民政局儿童福利科",
        address="南充市顺庆区涪江路 6 号")
    add(ContactKind.HOTLINE, "510000", "12355", organisation="四川青少年服务台（12355）",
        notes="心理咨询、法律援助，工作日 9:00-21:00")
    add(ContactKind.HOTLINE, "410000", "12338", organisation="河南省妇联妇女儿童维权热线")
    add(ContactKind.SCHOOL, "511321", "0817-5601234", township="大桥镇",
        organisation="南部县大桥镇中心小学教导处")
    moved = add(ContactKind.CHILD_DIRECTOR, "511321", "13700009999", village="南部县东村",
                organisation="南部县东村民委员会", person_name="陈春花",
                notes="已调任，由王秀英接任")
    contacts.set_active(moved, False, actor=actor)
