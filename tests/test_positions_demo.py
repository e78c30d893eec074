"""The demo company's work near home: its sites located, openings (one closed) and two requests
of workers from 南部县 with left-behind children — one waiting, one approved — made through the
services, and the Chengdu factory's positions suggested to a worker from Sichuan."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.features import DemoContext
from plugin.org.models import OrgKind
from plugin.positions import demo
from plugin.positions.models import (
    Opening,
    OpeningStatus,
    TransferRequest,
    TransferStatus,
    WorkLocation,
)
from plugin.positions.queries import suggestions_for

from .conftest import SYSTEM
from .positions_support import NANBU, TODAY, parent


def test_the_demo_shows_work_near_home(company, make_unit, make_worker, make_child, clock):
    bureau = make_unit(OrgKind.SUBSIDIARY, name="华夏建工第一工程局")
    shenzhen = make_unit(OrgKind.SITE, parent=bureau, name="深圳前海国际中心项目部")
    make_unit(OrgKind.SITE, parent=bureau, name="广州南沙地铁站项目部")
    make_unit(OrgKind.SITE, name="成都天府装配式构件厂")
    workers = [parent(make_worker, make_child, shenzhen, NANBU) for _ in range(3)]
    demo.load(DemoContext(units={}, actor=SYSTEM, today=TODAY))

    assert session.scalar(select(func.count()).select_from(WorkLocation)) == 3
    openings = session.scalars(select(Opening)).all()
    assert len(openings) == 5
    assert [opening.trade for opening in openings
            if opening.status == OpeningStatus.CLOSED] == ["架子工"]
    requests = session.scalars(select(TransferRequest).order_by(TransferRequest.id)).all()
    assert [(request.worker_id, request.status) for request in requests] == [
        (workers[0].id, TransferStatus.REQUESTED), (workers[1].id, TransferStatus.APPROVED)]
    assert requests[1].effective_on is not None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.startswith("positions."))) == 3 + 5 + 1 + 2 + 1
    # the third worker from 南部县 sees the Chengdu factory's positions, in the same province
    found = suggestions_for(workers[2], TODAY)
    assert {each.site_name for each in found} == {"成都天府装配式构件厂"}
    assert {str(each.distance_words) for each in found} == {"同省"}
