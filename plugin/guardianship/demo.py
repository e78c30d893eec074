"""Entrusted care and family contact in the demo company (``carebridge seed-demo``): about half
the parents of left-behind children entrusted them to a grandparent by a written agreement
(signed on paper, or sent to the worker's phone and not signed yet), and most parents log their
calls, video calls and visits home; some have not been in touch for weeks (the follow-up list)."""
from __future__ import annotations

import random
from datetime import timedelta

from ..core.demo_images import scan_png
from ..core.features import DemoContext
from ..org.queries import get_root_unit
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, children_of, search_workers
from ..worker_access.services import worker_actor
from .contacts import log_contact
from .models import AgreementSigning, ContactKind, ContactParty
from .services import AgreementDraft, create_agreement

SEED = 20261120
CARERS = (("外祖母", "秀兰"), ("祖母", "桂英"), ("祖父", "德福"), ("外祖父", "长根"))
DUTIES = ("照料孩子日常生活，接送上下学，督促完成作业；孩子生病及时就医并告知父母；"
          "每周至少一次安排孩子与父母视频通话。")
NOTES = ("问了期中考试成绩", "孩子说想爸爸妈妈了", "奶奶说孩子感冒好了", "叮嘱暑假不要去河边玩",
         None, None, "和班主任也通了电话", "寄了新书包")


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    today = context.today
    root = get_root_unit()
    parents = sorted(search_workers(
        WorkerFilter(category="left_behind", status=EmploymentStatus.ACTIVE),
        scope_paths=[root.path], per_page=10_000).items, key=lambda worker: worker.id)
    entrusted: set[int] = set()
    for number, worker in enumerate(parents):
        children = [child for child in children_of(worker) if child.left_behind]
        if number % 2 == 0 and not entrusted & {child.id for child in children}:
            entrusted.update(child.id for child in children)
            relation, given = CARERS[number % len(CARERS)]
            phone = number % 5 == 4
            starts_on = today - timedelta(days=rng.randint(5, 300))
            create_agreement(worker, AgreementDraft(
                child_ids=[child.id for child in children],
                carer_name=children[0].carer_name or worker.name[0] + given,
                carer_relation=relation,
                carer_phone=children[0].carer_phone or f"139{rng.randrange(10 ** 8):08d}",
                carer_address=children[0].address, starts_on=starts_on,
                ends_on=starts_on + timedelta(days=rng.choice((365, 730))),
                method=AgreementSigning.PHONE if phone else AgreementSigning.PAPER,
                carer_capable_adult=True, no_bars_declared=True, duties=DUTIES,
                child_contacts_per_week=rng.choice((1, 2, 3)), carer_contacts_per_week=1,
                witness=None if phone else "李秀英", signed_on=None if phone else starts_on,
                scan=None if phone else scan_png(rng),
                scan_declared_type=None if phone else "image/png",
                scan_filename=None if phone else "委托照护协议.png"),
                actor=context.actor, today=today)
        if rng.random() < 0.2:
            continue  # not in touch lately: on the follow-up list
        recent = rng.randint(0, 6)
        for _ in range(rng.randint(2, 9)):
            child = rng.choice(children)
            contact_on = today - timedelta(days=rng.randint(recent, 60))
            if child.birth_date is not None and contact_on < child.birth_date:
                continue
            on_phone = rng.random() < 0.85
            log_contact(worker, child_id=child.id,
                        party=ContactParty.CHILD if rng.random() < 0.7 else ContactParty.CARER,
                        kind=rng.choices(list(ContactKind), weights=(5, 6, 1))[0],
                        contact_on=contact_on, note=rng.choice(NOTES),
                        actor=worker_actor(worker) if on_phone else context.actor, today=today)
