"""Data for ``bench checkin``, in a process of its own against the benchmark's database.

``python -m bench.checkin.seed seed WORKERS LECTURES``: migrate, one site with WORKERS workers,
each with a remembered phone made by the sign-in service (no PIN asked), and LECTURES open
sessions; prints the phones' cookies and the sessions' ids and code keys as JSON.
``python -m bench.checkin.seed count``: attendance rows per session, as JSON.
"""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from employer_portal import create_app
from plugin.core.db import refresh_planner_statistics, session
from plugin.core.host import Actor
from plugin.lectures.models import Attendance, LectureFormat, LectureSession
from plugin.org.models import OrgKind
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.registry.models import Worker
from plugin.worker_access.cookies import _serializer
from plugin.worker_access.services import remember_device


def seed(workers: int, lectures: int) -> dict:
    actor = Actor.system("bench")
    upgrade()
    create_company("基准测试建工集团", actor=actor)
    session.flush()
    site = create_unit(get_root_unit(), OrgKind.SITE, "基准项目部", actor=actor)
    session.execute(insert(Worker), [
        {"employee_number": f"B{n:06d}", "name": f"职工{n}", "name_initials": "zg",
         "phone": f"139{n:08d}", "org_unit_id": site.id} for n in range(workers)])
    cookies = [_serializer().dumps(remember_device(worker, user_agent="bench"))
               for worker in session.execute(select(Worker).order_by(Worker.id)).scalars().all()]
    now = datetime.now(UTC)
    made = []
    for number in range(lectures):
        lecture = LectureSession(title=f"基准宣讲 {number}", format=LectureFormat.TALK,
                                 org_unit=site, venue="食堂", starts_at=now + timedelta(minutes=10),
                                 ends_at=now + timedelta(hours=2), code_key=f"{number:02d}" * 32,
                                 created_by="bench")
        session.add(lecture)
        session.flush()
        made.append([lecture.id, lecture.code_key])
    # Table statistics, as a roster import leaves them: without them the planner guesses a
    # table holds a row or two.
    refresh_planner_statistics()
    session.commit()
    return {"cookies": cookies, "lectures": made}


def count() -> dict:
    rows = session.execute(select(Attendance.session_id, func.count())
                           .group_by(Attendance.session_id))
    return {str(lecture): number for lecture, number in rows}


if __name__ == "__main__":
    with create_app().app_context():
        if sys.argv[1] == "seed":
            print(json.dumps(seed(int(sys.argv[2]), int(sys.argv[3]))))
        else:
            print(json.dumps(count()))
