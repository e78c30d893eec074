"""Attendance at the demo company's lectures (``carebridge seed-demo``): at every lecture held,
most of the site's workers checked in, by scanning the venue code on their phones, by an
officer scanning their badges or picking them by name; one lecture's paper sign-in sheet was
entered afterwards."""
from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from ..core.clock import utcnow
from ..core.features import DemoContext
from ..lectures.models import CheckInMethod
from ..lectures.queries import sessions_between
from ..org.queries import get_root_unit
from ..registry.models import EmploymentStatus
from ..registry.queries import WorkerFilter, search_workers
from .services import Origin, check_in, enter_paper_sheet, manual_check_in

SEED = 20261118
PHONE = "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 Mobile Safari/537.36"


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    now = utcnow()
    root = get_root_unit()
    lectures = [lecture for lecture in sessions_between(
        now - timedelta(days=400), now, scope_paths=[root.path]) if not lecture.is_cancelled
        and lecture.ends_at < now]
    officer = Origin(officer=context.actor.key, device="扫码枪 / badge scanner")
    zone = ZoneInfo(current_app.extensions["carebridge"].company_timezone_name())
    paper_done: set[int] = set()
    for lecture in lectures:
        workers = list(search_workers(
            WorkerFilter(unit=lecture.org_unit, status=EmploymentStatus.ACTIVE),
            scope_paths=[root.path], per_page=10_000).items)
        present = rng.sample(workers, int(len(workers) * rng.uniform(0.45, 0.8)))
        if lecture.org_unit_id not in paper_done:
            # The first lecture of each site: a paper sheet, typed in the next morning.
            paper_done.add(lecture.org_unit_id)
            start = lecture.starts_at.astimezone(zone)
            lines = "\n".join(f"{worker.employee_number} "
                              f"{(start - timedelta(minutes=rng.randint(0, 20))):%H:%M}"
                              for worker in present)
            enter_paper_sheet(lecture, lines, None, actor=context.actor, origin=officer)
            continue
        for worker in present:
            at = lecture.starts_at - timedelta(minutes=rng.randint(-10, 25),
                                               seconds=rng.randint(0, 59))
            draw = rng.random()
            if draw < 0.7:
                check_in(lecture, worker, CheckInMethod.WORKER_SCAN, at=at,
                         origin=Origin(device=PHONE))
            elif draw < 0.92:
                check_in(lecture, worker, CheckInMethod.BADGE_SCAN, at=at, origin=officer)
            else:  # forgot the phone: the officer picks them by name
                manual_check_in(lecture, worker, actor=context.actor, origin=officer, at=at)
