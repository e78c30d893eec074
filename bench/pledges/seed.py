"""A site with workers, each with a child and a pledge signed on the phone, straight through the
ORM (not timed; the registry's services would only make seeding slower)."""
from __future__ import annotations

import base64
import io
import random
from datetime import date

from PIL import Image, ImageDraw

from plugin.core.db import session
from plugin.core.host import Actor
from plugin.core.signatures import decode_signature
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.pledges import services
from plugin.pledges.models import Pledge, SigningMethod
from plugin.pledges.rules import new_verification_code, valid_until_for
from plugin.registry.models import Child, ChildParent, ParentRole, Worker

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SYSTEM = Actor.system("bench")


def id_number(region: str, born: date, sequence: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + "10X98765432"[
        sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def signature(rng: random.Random) -> bytes:
    """A finger-drawn signature as the phone posts it, through the real check."""
    image = Image.new("RGBA", (1020, 540), (0, 0, 0, 0))
    points = [(90 + step * 36, rng.randrange(150, 400)) for step in range(24)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 0, 255), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode_signature("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())


def seed_pledges(count: int, *, signed_on: date, seed: int = 2026) -> list[int]:
    rng = random.Random(seed)
    create_company("基准测试建工集团", actor=SYSTEM)
    session.flush()
    site = create_unit(get_root_unit(), OrgKind.SITE, "第一项目部", actor=SYSTEM)
    template = services.current_template()
    text_sha256 = services.template_text_sha256(template)
    signatures = [signature(rng) for _ in range(20)]
    pledges = []
    for number in range(count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        worker = Worker(employee_number=f"W{number:06d}", name=name, name_initials="x",
                        id_number=id_number("510722", date(1985, 1, 1), number % 1000),
                        phone=f"139{number:08d}", org_unit=site)
        child = Child(name=name[0] + rng.choice(GIVEN) + rng.choice(GIVEN), name_initials="x",
                      birth_date=date(2012, 3, 3), org_unit=site, left_behind=True,
                      id_number=id_number("510722", date(2012, 3, 3), number % 1000))
        session.add_all([worker, child,
                         ChildParent(child=child, worker=worker, role=ParentRole.FATHER)])
        pledge = Pledge(worker=worker, template=template, text_sha256=text_sha256,
                        method=SigningMethod.PHONE, signed_on=signed_on,
                        valid_until=valid_until_for(signed_on),
                        verification_code=new_verification_code(),
                        signature_png=signatures[number % len(signatures)],
                        recorded_by=f"worker:{number}")
        pledge.children = [child]
        session.add(pledge)
        pledges.append(pledge)
        if number % 200 == 199:
            session.flush()
    session.flush()
    return [pledge.id for pledge in pledges]
