"""Children's records as they were on a past day: the nightly record, and the read function
reports use for "left-behind children on 31 December" asked on any later day."""
from datetime import date

from sqlalchemy import func, select

from plugin.core.db import session
from plugin.org.models import OrgKind
from plugin.registry import history
from plugin.registry.models import ChildHistory
from plugin.registry.schema import WORKER_FIELDS, parse_record
from plugin.registry.services import upsert_worker

from .conftest import SYSTEM
from .factories import make_child, make_worker


def left_behind_on(day: date) -> set[int]:
    rows = history.children_on(day)
    return set(session.execute(select(rows.c.child_id).where(rows.c.left_behind.is_(True)))
               .scalars())


def test_a_past_day_keeps_its_categories_after_the_record_changes(make_unit, clock):
    site = make_unit(OrgKind.SITE, name="甲项目部")
    parent = make_worker(site)
    child = make_child(parent, left_behind=True)
    other = make_child(make_worker(site), left_behind=True)
    assert history.history_begins() is None and left_behind_on(date(2026, 11, 1)) == {
        child.id, other.id}  # nothing recorded yet: the live records
    assert history.record_day(date(2026, 11, 21)) == {"closed": 0, "opened": 2}
    assert history.record_day(date(2026, 11, 21)) == {"closed": 0, "opened": 0}  # twice: same
    # The next day the mother, at home, turns out capable: the child is no longer left-behind.
    upsert_worker(parse_record({"employee_number": parent.employee_number, "name": parent.name,
                                "other_parent_status": "在家", "other_parent_capable": "是"},
                               WORKER_FIELDS, today=date(2026, 11, 22)),
                  unit=site, actor=SYSTEM)
    assert child.left_behind is False
    clock.advance(days=1)  # 2026-11-23
    assert history.record_day(date(2026, 11, 22)) == {"closed": 1, "opened": 1}
    assert left_behind_on(date(2026, 11, 21)) == {child.id, other.id}
    assert left_behind_on(date(2026, 11, 22)) == {other.id}
    assert left_behind_on(date(2026, 11, 23)) == {other.id}  # today: the live records
    assert history.history_begins() == date(2026, 11, 21)
    assert left_behind_on(date(2026, 11, 20)) == set()  # before the history: nothing known
    rows = session.execute(select(ChildHistory).where(ChildHistory.child_id == child.id)
                           .order_by(ChildHistory.held_from)).scalars().all()
    assert [(row.held_from, row.held_until, row.left_behind) for row in rows] == [
        (date(2026, 11, 21), date(2026, 11, 22), True), (date(2026, 11, 22), None, False)]


def test_an_earlier_day_never_rewrites_a_later_one(make_unit, clock):
    site = make_unit(OrgKind.SITE)
    make_child(make_worker(site), left_behind=True)
    history.record_day(date(2026, 11, 21))
    assert history.record_day(date(2026, 11, 20)) == {"closed": 0, "opened": 0}
    assert session.execute(select(func.min(ChildHistory.held_from))).scalar_one() == date(
        2026, 11, 21)


def test_the_nightly_job_records_yesterday_before_todays_birthdays(make_unit, clock):
    from plugin.registry.jobs import recompute_categories_due_today

    site = make_unit(OrgKind.SITE)
    # Turns 16 on 2026-11-22 (the clock's today): left-behind until yesterday.
    child = make_child(make_worker(site), left_behind=False, birth_date="2010-11-22")
    child.left_behind = True  # as it stood yesterday, before today's recompute
    session.flush()
    outcome = recompute_categories_due_today()
    assert outcome["opened"] == 1
    assert left_behind_on(date(2026, 11, 21)) == {child.id}
