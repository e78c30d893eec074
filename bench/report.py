"""Annual SASAC report at a million workers: its figures against raw SQL, PDF, XLSX, dashboard.

Seconds to compute the full 2026 report of the whole company, against hand-written aggregate SQL
for the same figures run in the same process.

The database is filled directly with set-based inserts committed in chunks (not timed; the
registry's services would only make seeding slower): a group with three subsidiaries and 50
sites (30 of them with two teams); 1 M workers (a few percent who left in 2026, some with no entry
date, some joining in 2027) and 1.5 M children (about a third left behind, one in eight in
difficulty, one in six migrant, a few de facto unsupported or orphans, some undecided; sex, birth
dates over 0–17 years, hukou codes, focus flags); and, for 2026, about 3,000 lecture sessions
with 400,000 attendances, 300,000 pledges, 40,000 entrusted-care agreements, 300,000 contact logs
and two reunion campaigns with their applications and travellers. Sizes follow ``--workers``;
the year's boundaries are crossed on purpose (sessions just before and after it, pledges and
contacts of 2025, a campaign of 2025, workers who leave on 31 December).

No child history is seeded, so :func:`plugin.registry.history.children_on` reads the live child
records for 31 December (it does whenever the history is empty, whatever the date): the report
and the raw SQL read the same rows. The figures are checked equal before anything is timed; a
mismatch prints an ``ERROR`` line.

Timed, each the median of ``--runs`` runs after a warm-up (report and raw SQL alternate, the
session rolled back after each run, which also forgets what indicators remembered):

* ``report``: :func:`plugin.reports.content.build_content` of the built-in SASAC template for the
  root unit and the year 2026: every figure and breakdown through the features' indicators;
* ``raw SQL``: one hand-written aggregate statement per figure and per breakdown of that report,
  written for the whole company (no unit filter: the root covers every unit);
* ``pdf`` and ``xlsx``: rendering that content;
* ``dashboard``: GET of the staff home page by a company-wide administrator signed in through
  the login form (Flask test client, no network).

Targets (issue 18): report ÷ raw SQL ≤ 2.0, the last line (``ratio: X.XX``, of the first database
run); the company-wide dashboard answers within 1 s.
"""
from __future__ import annotations

import argparse
import functools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from sqlalchemy import Date, bindparam, insert, text

from employer_portal.accounts.services import create_user
from plugin.access.roles import Role
from plugin.access.services import grant_role
from plugin.core.clock import utcnow
from plugin.core.db import UTCDateTime, refresh_planner_statistics, session
from plugin.core.host import Actor
from plugin.guardianship.models import (
    AgreementSigning,
    AgreementStatus,
    ContactKind,
    ContactLog,
    ContactParty,
    EntrustmentAgreement,
)
from plugin.lectures.models import (
    Attendance,
    CheckInMethod,
    LectureFormat,
    LectureSession,
    SessionStatus,
)
from plugin.org.models import OrgKind, OrgUnit
from plugin.org.queries import get_root_unit
from plugin.org.services import create_company, create_unit
from plugin.pledges.models import Pledge, SigningMethod
from plugin.pledges.rules import valid_until_for
from plugin.pledges.services import current_template, template_text_sha256
from plugin.registry.models import Child, ChildParent, EmploymentStatus, ParentRole, Sex, Worker
from plugin.registry.values import pinyin_initials
from plugin.reports.content import build_content
from plugin.reports.documents import render_report_pdf
from plugin.reports.models import ReportTemplate
from plugin.reports.periods import Period, PeriodKind
from plugin.reports.recipients import Recipient
from plugin.reports.services import ensure_builtin_templates
from plugin.reports.workbook import render_report_xlsx
from plugin.reunions.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignKind,
    CampaignQuota,
    Eligibility,
    SubsidyKind,
    Traveller,
    TravellerKind,
    TravelMode,
)

from . import is_child_run, run_on_databases

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
#: County codes of hukou registration; the last three lie in 三区三州.
REGIONS = ("510722", "411522", "421127", "430524", "360732", "522425", "130528", "370982",
           "450329", "341222", "533325", "623026", "513433")
THREE_AREAS = {"533325", "623026", "513433"}
FLAGS = ("family_hardship", "own_disability", "guardianship_lacking", "wandering",
         "psychological_anomaly", "asked_for_help")
SUBSIDIARIES = 3
SITES = 50
SITES_WITH_TEAMS = 30
#: Workers per committed chunk (with their children, pledges, contacts…).
CHUNK = 20_000
YEAR = 2026
#: The last day anything in the data happened: the data is "as of" this day.
DATA_UNTIL = date(2026, 12, 3)
APPLICATION_STATUSES = ([ApplicationStatus.TRAVELLED] * 12 + [ApplicationStatus.BOOKED] * 2
                        + [ApplicationStatus.NO_SHOW, ApplicationStatus.CANCELLED,
                           ApplicationStatus.CANCELLED, ApplicationStatus.REJECTED,
                           ApplicationStatus.APPLIED, ApplicationStatus.WAITLISTED])
TICKETED = {ApplicationStatus.BOOKED, ApplicationStatus.TRAVELLED, ApplicationStatus.NO_SHOW,
            ApplicationStatus.CANCELLED}
SYSTEM = Actor.system("bench")
ADMIN = "bench-admin"
PASSWORD = "Bench-pass-2026"
TEXTS = {
    "work_done": "全年各项目部开展监护责任宣讲，组织职工签订监护责任承诺书，春节和暑期组织团聚。",
    "typical_cases": "某项目部钢筋班组职工王某，两个孩子在四川老家由祖父母照看，"
                     "项目部安排视频通话。",
    "problems": "部分分包单位职工流动快，子女信息更新不及时。",
    "plans": "明年完善困难家庭帮扶台账，扩大宣讲覆盖面。",
}


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--children", type=int, default=1_500_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--databases", default="sqlite",
                        help="comma-separated: sqlite, postgresql (default sqlite)")
    # Where the PostgreSQL child process leaves its ratio for the parent's last line.
    parser.add_argument("--ratio-file", default=None, help=argparse.SUPPRESS)


# --- the data -----------------------------------------------------------------------------------

def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time of the company (Asia/Shanghai), as aware UTC."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


class _Units:
    """The organisation, made through the services: root, subsidiaries, sites and teams."""

    def __init__(self):
        create_company("基准测试建工集团", actor=SYSTEM)
        session.flush()
        self.root = get_root_unit()
        subsidiaries = [create_unit(self.root, OrgKind.SUBSIDIARY, f"第{number}工程局",
                                    actor=SYSTEM) for number in range(1, SUBSIDIARIES + 1)]
        self.sites, self.teams = [], []
        for number in range(SITES):
            parent = self.root if number % 10 == 9 else subsidiaries[number % SUBSIDIARIES]
            site = create_unit(parent, OrgKind.SITE, f"第{number + 1}项目部", actor=SYSTEM)
            self.sites.append(site)
            self.teams.append([create_unit(site, OrgKind.TEAM, f"{name}班组", actor=SYSTEM)
                               for name in ("钢筋", "木工")] if number < SITES_WITH_TEAMS else [])
        session.commit()

    def of_worker(self, number: int) -> tuple[int, int]:
        """(site index, unit id) of worker ``number``: the sites in turn, and on a site with
        teams two workers in three on a team."""
        site = number % SITES
        teams = self.teams[site]
        if teams and (number // SITES) % 3:
            return site, teams[(number // SITES) % 2].id
        return site, self.sites[site].id


class _Rows:
    """Rows waiting to be inserted, per table (in foreign-key order), and the ids given."""

    MODELS = {Worker: "workers", Child: "children", ChildParent: "parent links",
              Pledge: "pledges", ContactLog: "contacts", EntrustmentAgreement: "agreements",
              Application: "applications", Traveller: "travellers", LectureSession: "sessions",
              Attendance: "attendances"}

    def __init__(self):
        self.pending: dict = {model: [] for model in self.MODELS}
        self.last_id = dict.fromkeys(self.MODELS, 0)
        self.counts = dict.fromkeys(self.MODELS.values(), 0)

    def add(self, model, row: dict) -> int:
        """Queue ``row`` with the next id of its table; return that id."""
        self.last_id[model] += 1
        self.pending[model].append({"id": self.last_id[model], **row})
        return self.last_id[model]

    def insert(self) -> None:
        """One executemany INSERT per table, then commit."""
        for model, rows in self.pending.items():
            if rows:
                session.execute(insert(model.__table__), rows)
                self.counts[self.MODELS[model]] += len(rows)
                rows.clear()
        session.commit()


class _Seeder:
    def __init__(self, units: _Units, workers: int, children: int):
        self.units, self.workers, self.children = units, workers, children
        self.rng = random.Random(2026)
        self.now = datetime.now(UTC)
        self.rows = _Rows()
        self.initials = functools.lru_cache(maxsize=None)(pinyin_initials)
        template = current_template()
        self.template_id, self.text_sha256 = template.id, template_text_sha256(template)
        self.campaigns = self._campaigns()
        session.commit()

    def fill(self) -> dict[str, int]:
        for number, own_children in zip(range(self.workers), self._children_per_worker(),
                                        strict=True):
            self._worker(number, own_children)
            if len(self.rows.pending[Worker]) >= CHUNK:
                self.rows.insert()
        self.rows.insert()
        self._lectures()
        self.rows.insert()
        return self.rows.counts

    def _children_per_worker(self):
        """Children of each worker in turn, adding up to ``children`` exactly: each pair of
        workers shares its even share at random (0 to 3 each at 1.5 children per worker)."""
        def share(number: int) -> int:
            return (number + 1) * self.children // self.workers - (
                number * self.children // self.workers)

        for number in range(0, self.workers, 2):
            if number + 1 < self.workers:
                total = share(number) + share(number + 1)
                first = self.rng.randint(0, total)
                yield first
                yield total - first
            else:
                yield share(number)

    def _campaigns(self) -> list[tuple[Campaign, list[int]]]:
        """Two reunion campaigns of 2026 (Spring Festival home, summer visit to the sites), one of
        2025 (outside the year), with a quota per site: [(campaign, quota ids by site)]."""
        made = []
        for kind, travel_from, name in (
                (CampaignKind.SPRING_FESTIVAL, date(2026, 2, 1), "2026春节返乡"),
                (CampaignKind.SUMMER_VISIT, date(2026, 7, 15), "2026小候鸟"),
                (CampaignKind.NATIONAL_DAY, date(2025, 9, 28), "2025国庆返乡")):
            campaign = Campaign(
                org_unit_id=self.units.root.id, name=name, kind=kind,
                applications_open_on=travel_from - timedelta(days=40),
                applications_close_on=travel_from - timedelta(days=20), travel_from=travel_from,
                travel_until=travel_from + timedelta(days=20), budget_fen=2_000_000_000,
                eligibility=Eligibility.PARENTS, subsidy_kind=SubsidyKind.FULL,
                travel_modes="train,coach", created_by="bench")
            quotas = [CampaignQuota(campaign=campaign, org_unit_id=site.id, places=10**6)
                      for site in self.units.sites]
            session.add_all([campaign, *quotas])
            session.flush()
            made.append((campaign, [quota.id for quota in quotas]))
        return made

    def _worker(self, number: int, own_children: int) -> None:
        rng = self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        site_index, unit_id = self.units.of_worker(number)
        region = rng.choice(REGIONS)
        entry = None if number % 50 == 7 else _day(rng, date(2012, 1, 1), date(2026, 11, 30))
        # About 4 % left during 2026 (one in forty of them on 31 December, the boundary), 1 %
        # leave in 2027 as HR recorded ahead, 1 % join only in 2027.
        left_on, roll = None, rng.random()
        if roll < 0.04 and (entry is None or entry < date(2026, 11, 1)):
            left_on = date(2026, 12, 31) if roll < 0.001 else _day(
                rng, max(entry or date(2026, 1, 1), date(2026, 1, 2)), DATA_UNTIL)
        elif roll < 0.05:
            left_on = _day(rng, date(2027, 1, 1), date(2027, 2, 28))
        elif roll < 0.06:
            entry = _day(rng, date(2027, 1, 1), date(2027, 1, 15))
        worker_id = self.rows.add(Worker, {
            "employee_number": f"E{number:07d}", "name": name,
            "name_initials": self.initials(name), "phone": f"139{number:08d}",
            "org_unit_id": unit_id, "sex": Sex.MALE if number % 3 else Sex.FEMALE,
            "hukou_region_code": region,
            "subcontractor": None if number % 4 == 0 else f"劳务分包{number % 7 + 1}公司",
            "entry_date": entry, "left_on": left_on,
            "employment_status": (EmploymentStatus.LEFT if left_on and left_on <= DATA_UNTIL
                                  else EmploymentStatus.ACTIVE),
            "created_at": self.now, "updated_at": self.now})
        children = [self._child(worker_id, unit_id, region) for _ in range(own_children)]
        if rng.random() < 0.3:
            self._pledge(worker_id)
        if children and rng.random() < 0.2:
            self._contacts(worker_id, name, [child_id for child_id, _left_behind in children])
        if any(left_behind for _child_id, left_behind in children) and rng.random() < 0.1:
            self._agreement(worker_id)
        for campaign, quota_ids in self.campaigns:
            if children and rng.random() < 0.02:
                self._application(campaign, quota_ids[site_index], worker_id, name, unit_id,
                                  [child_id for child_id, _left_behind in children])

    def _child(self, worker_id: int, unit_id: int, region: str) -> tuple[int, bool]:
        """A child of the worker (one in ten also of a mother working on the same site); returns
        (its id, whether it is left behind)."""
        rng = self.rng
        child_id = self.rows.last_id[Child] + 1
        category = rng.random()
        left_behind, migrant = category < 0.34, 0.34 <= category < 0.50
        undecided = rng.random() < 0.03
        flags = [flag for flag in FLAGS if rng.random() < 0.06]
        self.rows.add(Child, {
            "name": f"子{child_id}", "name_initials": "z", "org_unit_id": unit_id,
            "sex": None if child_id % 40 == 0 else (Sex.MALE if rng.random() < 0.52
                                                     else Sex.FEMALE),
            "birth_date": (None if child_id % 60 == 0
                           else _day(rng, date(2009, 1, 1), date(2026, 11, 30))),
            "hukou_region_code": None if child_id % 25 == 0 else region,
            "hukou_rural": None if child_id % 30 == 0 else rng.random() < 0.8,
            "left_behind": None if undecided else left_behind,
            "migrant": None if undecided else migrant,
            "in_difficulty": None if undecided else rng.random() < 0.125,
            "de_facto_unsupported": rng.random() < 0.01, "orphan": rng.random() < 0.003,
            "in_three_areas": None if child_id % 25 == 0 else region in THREE_AREAS,
            "wandering": "wandering" in flags,
            "psychological_anomaly": "psychological_anomaly" in flags,
            "asked_for_help": "asked_for_help" in flags, "focus_flags": " ".join(flags),
            "categories_missing": "mother.since" if undecided else "",
            "created_at": self.now, "updated_at": self.now})
        self.rows.add(ChildParent, {"child_id": child_id, "worker_id": worker_id,
                                    "role": ParentRole.FATHER})
        mother = worker_id - SITES * (1 + rng.randrange(50))  # inserted already
        if child_id % 10 == 0 and mother >= 1:
            self.rows.add(ChildParent, {"child_id": child_id, "worker_id": mother,
                                        "role": ParentRole.MOTHER})
        return child_id, bool(left_behind and not undecided)

    def _pledge(self, worker_id: int) -> None:
        """Signed from March 2025 on; 3 % revoked since."""
        signed_on = _day(self.rng, date(2025, 3, 1), DATA_UNTIL)
        revoked = self.rng.random() < 0.03
        number = self.rows.last_id[Pledge] + 1
        self.rows.add(Pledge, {
            "worker_id": worker_id, "template_id": self.template_id,
            "text_sha256": self.text_sha256,
            "method": SigningMethod.PHONE if number % 3 else SigningMethod.PAPER,
            "signed_on": signed_on, "valid_until": valid_until_for(signed_on),
            "verification_code": f"BR{number:010d}", "recorded_by": "bench",
            "recorded_at": self.now,
            "revoked_at": _at(_day(self.rng, signed_on, DATA_UNTIL), 10) if revoked else None,
            "revoked_by": "bench" if revoked else None})

    def _contacts(self, worker_id: int, name: str, children: list[int]) -> None:
        """One to three contacts logged, from November 2025 on."""
        for _ in range(self.rng.randint(1, 3)):
            self.rows.add(ContactLog, {
                "worker_id": worker_id,
                "party": ContactParty.CHILD if self.rng.random() < 0.7 else ContactParty.CARER,
                "child_id": self.rng.choice(children), "kind": self.rng.choice(list(ContactKind)),
                "contact_on": _day(self.rng, date(2025, 11, 1), DATA_UNTIL),
                "logged_by": f"worker:{worker_id}", "logged_by_name": name,
                "created_at": self.now})

    def _agreement(self, worker_id: int) -> None:
        """An entrusted-care agreement of one or two years from 2025 on: pending, in force,
        revoked, ended early, or lapsed (closed on its last day, as the daily job does)."""
        rng = self.rng
        number = self.rows.last_id[EntrustmentAgreement] + 1
        starts_on = _day(rng, date(2025, 1, 1), DATA_UNTIL)
        ends_on = starts_on + timedelta(days=364 if number % 2 else 729)
        roll = rng.random()
        status, signed_on, closed_on = AgreementStatus.ACTIVE, starts_on, None
        if roll < 0.1:
            status, signed_on = AgreementStatus.PENDING, None
        elif roll < 0.25:
            status = AgreementStatus.REVOKED if roll < 0.2 else AgreementStatus.ENDED
            closed_on = _day(rng, starts_on, min(ends_on, DATA_UNTIL))
        elif ends_on < DATA_UNTIL:
            status, closed_on = AgreementStatus.ENDED, ends_on
        self.rows.add(EntrustmentAgreement, {
            "worker_id": worker_id, "carer_name": "祖母", "carer_relation": "祖母",
            "carer_phone": f"138{number:08d}", "carer_capable_adult": True,
            "no_bars_declared": True, "declared_at": _at(starts_on, 9),
            "declaration_version": "1", "duties": "照护孩子日常生活和学习",
            "starts_on": starts_on, "ends_on": ends_on, "method": AgreementSigning.PAPER,
            "status": status, "signed_on": signed_on, "verification_code": f"EA{number:010d}",
            "recorded_by": "bench", "recorded_by_name": "基准", "recorded_at": self.now,
            "closed_on": closed_on, "closed_by": "bench" if closed_on else None})

    def _application(self, campaign: Campaign, quota_id: int, worker_id: int, name: str,
                     unit_id: int, children: list[int]) -> None:
        """A household's application with its travellers (the worker on a trip home, one or
        two children, sometimes a relative), in a status of :data:`APPLICATION_STATUSES`."""
        rng = self.rng
        status = rng.choice(APPLICATION_STATUSES)
        travellers = [(TravellerKind.WORKER, None)] if not campaign.kind.family_travels else []
        travellers += [(TravellerKind.CHILD, child) for child in children[:rng.randint(1, 2)]]
        if rng.random() < 0.3:
            travellers.append((TravellerKind.RELATIVE, None))
        fare = 30_000 * len(travellers)
        application_id = self.rows.add(Application, {
            "campaign_id": campaign.id, "worker_id": worker_id, "org_unit_id": unit_id,
            "quota_id": quota_id, "status": status, "priority_band": 1, "from_place": "项目部",
            "to_place": "四川省绵阳市",
            "depart_on": campaign.travel_from + timedelta(days=rng.randrange(10)),
            "travel_mode": TravelMode.TRAIN, "estimated_fare_fen": fare,
            "subsidy_fen": fare if status in TICKETED else 0,
            "refund_fen": fare // 2 if status is ApplicationStatus.CANCELLED else None,
            "applied_by": f"worker:{worker_id}", "applied_at": self.now,
            "updated_at": self.now})
        for kind, child in travellers:
            number = self.rows.last_id[Traveller] + 1
            self.rows.add(Traveller, {
                "application_id": application_id, "kind": kind, "child_id": child,
                "name": name if kind is TravellerKind.WORKER else "家属",
                "ticket_number": f"T{number:09d}" if status in TICKETED else None})

    def _lectures(self) -> None:
        """3 sessions per 1,000 workers across 2026 (one in forty between 20 December 2025 and
        10 January 2027, at any hour), at a site or group-wide, attended by workers of that site
        (anyone for the group's): 0.4 attendances per worker; cancelled sessions, some with
        check-ins; 2 % of check-ins annulled."""
        rng, workers = self.rng, self.workers
        sessions = max(20, workers * 3 // 1000)
        per_session = max(1, workers * 2 // 5 // sessions)
        pool = max(1, workers // SITES)
        for number in range(sessions):
            boundary = number % 40 == 0
            day = _day(rng, *((date(2025, 12, 20), date(2027, 1, 10)) if boundary
                              else (date(2026, 1, 1), date(2026, 12, 31))))
            starts_at = _at(day, rng.choice((0, 9, 14, 19, 23) if boundary else (9, 14, 19)), 30)
            group_wide, site_index = number % 50 == 25, number % SITES
            cancelled = number % 33 == 0
            session_id = self.rows.add(LectureSession, {
                "title": f"监护责任宣讲 {number + 1}", "format": rng.choice(list(LectureFormat)),
                "org_unit_id": (self.units.root.id if group_wide
                                else self.units.sites[site_index].id),
                "venue": "食堂", "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=2),
                "brochures_handed_out": rng.randrange(0, 200),
                "status": SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                "cancelled_at": starts_at - timedelta(days=1) if cancelled else None,
                "cancel_reason": "天气原因" if cancelled else None, "code_key": f"{number:064d}",
                "created_by": "bench", "created_at": self.now, "updated_at": self.now})
            if cancelled and number % 2:
                continue
            wanted = rng.randint(per_session // 2, per_session * 3 // 2)
            if group_wide:
                attendees = rng.sample(range(workers), min(wanted, workers))
            else:
                attendees = [site_index + SITES * index
                             for index in rng.sample(range(pool), min(wanted, pool))
                             if site_index + SITES * index < workers]
            for worker_number in attendees:
                annulled = rng.random() < 0.02
                self.rows.add(Attendance, {
                    "session_id": session_id, "worker_id": worker_number + 1,
                    "method": rng.choice(list(CheckInMethod)),
                    "checked_in_at": starts_at + timedelta(minutes=rng.randrange(-20, 30)),
                    "recorded_at": self.now, "late_upload": False,
                    "annulled_at": self.now if annulled else None,
                    "annulled_by": "bench" if annulled else None})
            if len(self.rows.pending[Attendance]) >= CHUNK * 5:
                self.rows.insert()


def _settle() -> None:
    """Planner statistics as a roster import leaves them; on PostgreSQL, the sequences moved past
    the ids given and a VACUUM, as autovacuum would have run by the time a report is due."""
    refresh_planner_statistics()
    session.commit()
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for model in _Rows.MODELS:
        table = model.__tablename__
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))")
    session.commit()
    with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
        raw.exec_driver_sql("VACUUM ANALYZE")


# --- the raw SQL ------------------------------------------------------------------------------

EMPLOYED = ("(w.entry_date IS NULL OR w.entry_date <= :end) "
            "AND (w.left_on IS NULL OR w.left_on > :end)")
AGE_BAND = ("CASE WHEN birth_date IS NULL THEN 'unknown' WHEN birth_date > :age6 THEN '0-5' "
            "WHEN birth_date > :age14 THEN '6-13' WHEN birth_date > :age16 THEN '14-15' "
            "WHEN birth_date > :age18 THEN '16-17' ELSE '18+' END")
FLAG_SUMS = ", ".join(f"sum(CASE WHEN (' ' || focus_flags || ' ') LIKE '% {flag} %' "
                      f"THEN 1 ELSE 0 END)" for flag in FLAGS)
SESSIONS_HELD = "s.status <> 'cancelled' AND s.starts_at >= :since AND s.starts_at < :until"
VALID_ATTENDANCES = ("FROM cb_attendance a JOIN cb_lecture_session s ON s.id = a.session_id "
                     f"WHERE a.annulled_at IS NULL AND {SESSIONS_HELD}")
CAMPAIGN_APPLICATIONS = ("FROM cb_reunion_application a JOIN cb_reunion_campaign c "
                         "ON c.id = a.campaign_id WHERE c.travel_from >= :start "
                         "AND c.travel_from <= :end")
TRAVELLED_TRAVELLERS = ("FROM cb_reunion_traveller t JOIN cb_reunion_application a "
                        "ON a.id = t.application_id JOIN cb_reunion_campaign c "
                        "ON c.id = a.campaign_id WHERE c.travel_from >= :start "
                        "AND c.travel_from <= :end AND a.status = 'travelled'")

#: (indicator code, breakdown or None, what the rows are, statement): one statement per figure
#: and per breakdown of the SASAC report, for the whole company.
RAW = [
    ("registry.workers_employed", None, "one",
     f"SELECT count(*) FROM cb_worker w WHERE {EMPLOYED}"),
    # Each worker under the site above its unit (a unit with no site above: itself).
    ("registry.workers_employed", "site", "rows",
     "SELECT coalesce(s.id, u.id), sum(w.n) FROM "
     f"(SELECT w.org_unit_id, count(*) AS n FROM cb_worker w WHERE {EMPLOYED} "
     "GROUP BY w.org_unit_id) w JOIN cb_org_unit u ON u.id = w.org_unit_id "
     "LEFT JOIN cb_org_unit s ON s.kind = 'site' AND u.path LIKE s.path || '%' "
     "GROUP BY coalesce(s.id, u.id)"),
    ("registry.children_registered", None, "one", "SELECT count(*) FROM cb_child"),
]
for _category in ("left_behind", "in_difficulty"):
    RAW += [
        (f"registry.children_{_category}", None, "one",
         f"SELECT count(*) FROM cb_child WHERE {_category} IS TRUE"),
        (f"registry.children_{_category}", "age_band", "rows",
         f"SELECT {AGE_BAND}, count(*) FROM cb_child WHERE {_category} IS TRUE GROUP BY 1"),
        (f"registry.children_{_category}", "focus_flag", "flags",
         f"SELECT {FLAG_SUMS} FROM cb_child WHERE {_category} IS TRUE AND focus_flags <> ''"),
    ]
for _category in ("migrant", "de_facto_unsupported", "orphan"):
    RAW.append((f"registry.children_{_category}", None, "one",
                f"SELECT count(*) FROM cb_child WHERE {_category} IS TRUE"))
RAW += [
    ("lectures.sessions_held", None, "one",
     f"SELECT count(*) FROM cb_lecture_session s WHERE {SESSIONS_HELD}"),
    ("lectures.attendances", None, "one", f"SELECT count(*) {VALID_ATTENDANCES}"),
    ("lectures.workers_reached", None, "one",
     f"SELECT count(DISTINCT a.worker_id) {VALID_ATTENDANCES}"),
    ("pledges.signed", None, "one",
     "SELECT count(*) FROM cb_pledge WHERE signed_on >= :start AND signed_on <= :end"),
    ("pledges.workers_covered", None, "one",
     "SELECT count(DISTINCT p.worker_id) FROM cb_pledge p JOIN cb_worker w ON w.id = p.worker_id "
     "WHERE p.signed_on <= :end AND p.valid_until >= :end "
     f"AND (p.revoked_at IS NULL OR p.revoked_at >= :end_of_day) AND {EMPLOYED}"),
    ("guardianship.agreements_in_force", None, "one",
     "SELECT count(*) FROM cb_entrustment_agreement WHERE signed_on IS NOT NULL "
     "AND signed_on <= :end AND starts_on <= :end AND ends_on >= :end "
     "AND (closed_on IS NULL OR closed_on > :end OR closed_on >= ends_on)"),
    ("guardianship.contacts_logged", None, "one",
     "SELECT count(*) FROM cb_contact_log WHERE contact_on >= :start AND contact_on <= :end"),
    ("guardianship.workers_in_contact", None, "one",
     "SELECT count(DISTINCT worker_id) FROM cb_contact_log "
     "WHERE contact_on >= :start AND contact_on <= :end"),
    ("reunions.households_travelled", None, "one",
     f"SELECT count(*) {CAMPAIGN_APPLICATIONS} AND a.status = 'travelled'"),
    # The workers (one per household) with the children and relatives who travelled.
    ("reunions.people_reunited", None, "one",
     f"SELECT (SELECT count(DISTINCT a.worker_id) {CAMPAIGN_APPLICATIONS} "
     "AND a.status = 'travelled') + "
     f"(SELECT count(*) {TRAVELLED_TRAVELLERS} AND t.kind IN ('child', 'relative'))"),
    ("reunions.children_reunited", None, "one",
     f"SELECT count(*) {TRAVELLED_TRAVELLERS} AND t.kind = 'child'"),
    ("reunions.subsidy_spent_fen", None, "one",
     f"SELECT coalesce(sum(a.subsidy_fen), 0) {CAMPAIGN_APPLICATIONS} "
     "AND a.status IN ('booked', 'travelled', 'no_show', 'cancelled')"),
]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _raw_statements(period: Period, zone: ZoneInfo) -> list:
    """The statements of :data:`RAW` with their parameters, typed as the columns are (so dates
    and UTC times compare the same way on both databases)."""
    since, until = (datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
                    for day in (period.start, period.end + timedelta(days=1)))
    values = {"start": (period.start, Date()), "end": (period.end, Date()),
              "since": (since, UTCDateTime()), "until": (until, UTCDateTime()),
              "end_of_day": (until, UTCDateTime()),
              **{f"age{years}": (_years_before(period.end, years), Date())
                 for years in (6, 14, 16, 18)}}
    made = []
    for code, by, shape, sql in RAW:
        names = sorted(set(re.findall(r":(\w+)", sql)))
        statement = text(sql).bindparams(*(bindparam(name, values[name][0],
                                                     type_=values[name][1]) for name in names))
        made.append((code, by, shape, statement))
    return made


def _run_raw(statements) -> dict:
    """(code, breakdown) → the figure, or {key: count} as the report's breakdowns have them."""
    found = {}
    for code, by, shape, statement in statements:
        result = session.execute(statement)
        if shape == "one":
            found[(code, by)] = int(result.scalar_one() or 0)
        elif shape == "rows":
            found[(code, by)] = {str(key): int(count) for key, count in result.all()}
        else:
            found[(code, by)] = {flag: int(count) for flag, count in
                                 zip(FLAGS, result.one(), strict=True) if count}
    return found


def _report_figures(content: dict) -> dict:
    """The same shape, from the report's content."""
    found = {}
    for section in content["sections"]:
        for figure in section.get("figures", ()):
            found[(figure["code"], None)] = figure["value"]
            for part in figure["breakdowns"]:
                found[(figure["code"], part["by"])] = {row["key"]: row["value"]
                                                       for row in part["rows"]}
    return found


# --- the measurements ---------------------------------------------------------------------------

def _timed(function) -> float:
    """Seconds one call takes; the session is rolled back after it."""
    started = time.perf_counter()
    function()
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed


#: Features the benchmark seeds no records of: their figures are computed in the report (and
#: timed with it) but are zero here, so they are not compared; their own tests check them against
#: hand-computed data (tests/test_indicators_aid.py, tests/test_indicators_family_contact.py).
UNSEEDED = ("aid.", "family_contact.")


def _check(name: str, content: dict, raw: dict) -> int:
    """Print the report's figures and any figure the raw SQL counts otherwise; the mismatches."""
    reported = _report_figures(content)
    unseeded = sorted({code for code, _by in reported if code.startswith(UNSEEDED)})
    if unseeded:
        print(f"{name:<11} not seeded, not compared: {', '.join(unseeded)}", flush=True)
        reported = {key: value for key, value in reported.items()
                    if not key[0].startswith(UNSEEDED)}
    keys = sorted(set(reported) | set(raw), key=lambda key: (key[0], key[1] or ""))
    errors = [key for key in keys if reported.get(key) != raw.get(key)]
    for code, by in errors:
        print(f"{name:<11} ERROR figure mismatch: {code}{' by ' + by if by else ''}: "
              f"report {reported.get((code, by))!r}, raw SQL {raw.get((code, by))!r}", flush=True)
    figures = sum(1 for _code, by in reported if by is None)
    print(f"{name:<11} {figures} figures and {len(reported) - figures} breakdowns: "
          + (f"{len(errors)} MISMATCHED" if errors else "report = raw SQL"), flush=True)
    for code, by in keys:
        if by is None and (code, by) in reported:
            print(f"{'':<13} {code:<38} {reported[(code, by)]:>14,}", flush=True)
    return len(errors)


def _measure(name: str, arguments) -> float:
    """Seed, check, time; the report ÷ raw SQL ratio."""
    started = time.perf_counter()
    units = _Units()
    counts = _Seeder(units, arguments.workers, arguments.children).fill()
    _settle()
    print(f"{name:<11} seeded in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{count:,} {what}" for what, count in counts.items()), flush=True)

    template = next(template for template in ensure_builtin_templates()
                    if template.recipient is Recipient.SASAC)
    session.commit()
    root_id, template_id = units.root.id, template.id
    period = Period.numbered(PeriodKind.YEAR, YEAR)
    statements = _raw_statements(period, ZoneInfo(
        current_app.extensions["carebridge"].company_timezone_name()))

    def report() -> dict:
        return build_content(session.get(ReportTemplate, template_id),
                             session.get(OrgUnit, root_id), period, TEXTS, now=utcnow())

    # The warm-up, and the check that keeps the baseline honest.
    content = report()
    session.rollback()
    raw = _run_raw(statements)
    session.rollback()
    _check(name, content, raw)

    report_times, raw_times = [], []
    for _ in range(arguments.runs):
        report_times.append(_timed(report))
        raw_times.append(_timed(lambda: _run_raw(statements)))
    pdf = render_report_pdf(content)
    pdf_seconds = statistics.median(_timed(lambda: render_report_pdf(content))
                                    for _ in range(arguments.runs))
    render_report_xlsx(content)
    xlsx_seconds = statistics.median(_timed(lambda: render_report_xlsx(content))
                                     for _ in range(arguments.runs))
    report_seconds, raw_seconds = statistics.median(report_times), statistics.median(raw_times)
    ratio = report_seconds / raw_seconds
    print(f"{name:<11} {'report (build_content)':<36} {report_seconds:>7.2f} s", flush=True)
    print(f"{name:<11} {f'raw aggregate SQL ({len(statements)} statements)':<36} "
          f"{raw_seconds:>7.2f} s", flush=True)
    print(f"{name:<11} {'PDF render':<36} {pdf_seconds:>7.2f} s  ({len(pdf) // 1024} KB)",
          flush=True)
    print(f"{name:<11} {'XLSX render':<36} {xlsx_seconds:>7.2f} s", flush=True)
    print(f"{name:<11} report ÷ raw SQL {ratio:.2f} [{'ok' if ratio <= 2.0 else 'ABOVE TARGET'}"
          f" ≤ 2.0]  (runs, s: report {', '.join(f'{t:.2f}' for t in report_times)}; raw SQL "
          f"{', '.join(f'{t:.2f}' for t in raw_times)})", flush=True)

    user = create_user(ADMIN, "基准管理员", PASSWORD, actor=SYSTEM)
    grant_role(user.key, Role.ADMIN, units.root, actor=SYSTEM, check_actor=False)
    session.commit()
    return ratio


def _dashboard(name: str, app, runs: int) -> None:
    """The staff home page for the company-wide administrator, signed in through the form."""
    with app.test_request_context():
        home = url_for("carebridge.dashboard.home")
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    response = client.post("/login", data={"csrf_token": token.group(1) if token else "",
                                           "username": ADMIN, "password": PASSWORD})
    if response.status_code != 302:
        print(f"{name:<11} ERROR dashboard: the login answered {response.status_code}", flush=True)
        return
    times = []
    for _run in range(runs + 1):
        started = time.perf_counter()
        response = client.get(home)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            print(f"{name:<11} ERROR dashboard: GET {home} answered {response.status_code}",
                  flush=True)
            return
    # The day's first page computes the closed periods' figures and keeps them (the
    # dashboard's cache); every later page that day computes only today's.
    first, seconds = times[0], statistics.median(times[1:])
    print(f"{name:<11} dashboard: {seconds:.2f} s (target < 1 s) "
          f"[{'ok' if seconds < 1 else 'ABOVE TARGET'}]  (GET {home}, "
          f"{len(response.data) // 1024} KB; the day's first page {first:.2f} s; then, s: "
          f"{', '.join(f'{t:.2f}' for t in times[1:])})", flush=True)


def run_database(name: str, url: str, arguments, ratios: list[float]) -> None:
    from employer_portal import create_app
    from employer_portal.database import upgrade_database
    from plugin.privacy.crypto import KeyRing

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize()})
    with app.app_context():
        upgrade_database()  # the plugin's tables, then the portal's (its users)
        ratio = _measure(name, arguments)
    _dashboard(name, app, arguments.runs)
    ratios.append(ratio)
    if is_child_run() and arguments.ratio_file:
        Path(arguments.ratio_file).write_text(f"{ratio:.6f}\n")


def run(arguments) -> None:
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as directory:
        if not is_child_run():
            print(f"annual SASAC report {YEAR}, whole company, {arguments.workers:,} workers and "
                  f"{arguments.children:,} children: median of {arguments.runs} runs after a "
                  "warm-up", flush=True)
            arguments.ratio_file = str(Path(directory) / "ratio")
        run_on_databases(arguments.databases,
                         lambda name, url: run_database(name, url, arguments, ratios),
                         ["report", "--workers", str(arguments.workers),
                          "--children", str(arguments.children), "--runs", str(arguments.runs),
                          "--ratio-file", str(arguments.ratio_file)])
        if is_child_run():
            return
        # The first database's: run here (SQLite), or left by the PostgreSQL child process.
        if arguments.databases.split(",")[0].strip() == "sqlite" and ratios:
            ratio = ratios[0]
        elif os.path.exists(arguments.ratio_file):
            ratio = float(Path(arguments.ratio_file).read_text())
        else:
            sys.exit("no ratio: the first database did not finish")
    print(f"ratio: {ratio:.2f}", flush=True)
