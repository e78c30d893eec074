"""Guardianship pledges of the demo company (``carebridge seed-demo``): most parents of
left-behind children signed one, on paper (logged with the scanned page) or on their phones;
some pledges lapse within the reminder window (the officers are reminded, as the nightly job
does), one was revoked, and some parents have not signed yet."""
from __future__ import annotations

import random
from datetime import timedelta

from ..core.demo_images import scan_png, signature_data_url
from ..core.features import DemoContext
from ..core.signatures import decode_signature
from ..org.queries import get_root_unit
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, children_of, search_workers
from ..worker_access.services import worker_actor
from . import services
from .lifecycle import send_expiry_reminders
from .rules import reminder_days, validity_days

SEED = 20261119
WITNESSES = ("李秀英", "孙丽", "郑红梅", "黄磊")


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    today = context.today
    root = get_root_unit()
    parents = search_workers(WorkerFilter(category="left_behind", status=EmploymentStatus.ACTIVE),
                             scope_paths=[root.path], per_page=10_000).items
    template = services.current_template()
    lapsing = validity_days() - reminder_days()  # signed this many days ago: lapses in the window
    revoked = False
    for number, worker in enumerate(sorted(parents, key=lambda worker: worker.id)):
        children = [child for child in children_of(worker) if child.left_behind]
        draw = rng.random()
        if draw < 0.16:
            continue  # not signed yet: the coverage page lists them
        if draw < 0.32:
            services.sign_on_phone(worker, children, decode_signature(signature_data_url(rng)),
                                   template=template, actor=worker_actor(worker))
            continue
        if draw < 0.45:
            days_ago = rng.randint(lapsing + 1, validity_days() - 2)
        else:
            days_ago = rng.randint(10, lapsing - 10)
        pledge = services.log_paper_pledge(
            worker, children, today - timedelta(days=days_ago), WITNESSES[number % len(WITNESSES)],
            scan_png(rng), "image/png", context.actor, scan_filename="承诺书签字页.png")
        if not revoked and draw > 0.95:
            services.revoke(pledge, "扫描件模糊无法辨认，需重新签署", context.actor)
            revoked = True
    send_expiry_reminders(today)
