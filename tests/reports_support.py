"""Test data for the reports tests: a group with two sites, workers, left-behind children and
lectures on the boundaries of the fourth quarter of 2026 in Asia/Shanghai, and helpers to
draft and file a report through the services."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from plugin.core.host import Actor
from plugin.org.models import OrgKind
from plugin.reports import services
from plugin.reports.periods import Period, PeriodKind
from plugin.reports.recipients import Recipient

from .factories import make_child, make_worker
from .lectures_support import attend, make_lecture

Q4_2026 = Period.numbered(PeriodKind.QUARTER, 2026, 4)
OFFICER = Actor(key="user:officer", name="杨帆")


def shanghai(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute,
                    tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def build_world(company, make_unit) -> dict:
    """Site A (with a team) and site B under the company; 5 workers at A, 2 at B; three
    left-behind children at A, one at B; lectures: one at the quarter's first local minute and
    one at 23:59 on its last day (inside), one at midnight after (outside)."""
    site_a = make_unit(OrgKind.SITE, name="甲项目部", responsible_person="张伟")
    team_a = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    workers_a = [make_worker(site_a) for _ in range(4)] + [make_worker(team_a)]
    workers_b = [make_worker(site_b) for _ in range(2)]
    children = [make_child(workers_a[0], left_behind=True),
                make_child(workers_a[1], left_behind=True),
                make_child(workers_a[2], left_behind=True, sex="女"),
                make_child(workers_b[0], left_behind=True),
                make_child(workers_b[1])]
    first = make_lecture(site_a, starts_at=shanghai(2026, 10, 1, 0, 0))
    last = make_lecture(team_a, starts_at=shanghai(2026, 12, 31, 23, 59))
    after = make_lecture(site_a, starts_at=shanghai(2027, 1, 1, 0, 0))
    for worker in workers_a[:3]:
        attend(first, worker)
    attend(last, workers_a[4])
    attend(after, workers_a[3])
    return {"company": company, "site_a": site_a, "team_a": team_a, "site_b": site_b,
            "workers_a": workers_a, "workers_b": workers_b, "children": children,
            "lectures": (first, last, after)}


def template_of(recipient: Recipient = Recipient.SASAC):
    return next(template for template in services.ensure_builtin_templates()
                if template.recipient is recipient)


def file_report(unit, period: Period = Q4_2026, *, recipient: Recipient = Recipient.SASAC,
                texts: dict | None = None, actor: Actor = OFFICER):
    draft = services.create_draft(template_of(recipient), unit, period, actor,
                                  texts=texts or {"work_done": "开展宣讲"})
    return services.file_draft(draft, actor)
