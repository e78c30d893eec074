"""Reunion campaigns of the demo company (``carebridge seed-demo``), entered through the services:

- last Spring Festival's trip home, finished and closed: workers of the three sites applied (some
  on their phones), two were refused with a reason, the lottery-free allocation approved in
  priority order within each site's places and the rest waited; one approved worker withdrew and
  the waiting list moved up; tickets were booked with actual prices (children half fare), two
  households cancelled with the carrier's refund, two did not travel, the others went home;
- this summer's 小候鸟 visit, open for applications now: parents of left-behind children
  applied for the children (a grandparent coming with some), the places of one site are taken,
  one household that withdrew freed places that are now offered to the household on the
  waiting list;
- a 反探亲 visit going on now at a construction site and the factory: families staying this
  fortnight, the children registered with the adult responsible for them, a safety lesson held
  with its attendance and a reading session coming.

Deterministic: the same seed and day give the same campaigns.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from ..core.features import DemoContext
from ..org.models import OrgKind
from ..org.queries import get_root_unit
from ..registry.models import EmploymentStatus, Worker
from ..registry.queries import WorkerFilter, children_of, get_worker, search_workers
from ..registry.regions import region_name
from ..worker_access.services import worker_actor
from . import services
from .models import (
    ApplicationStatus,
    CampaignKind,
    Eligibility,
    SubsidyKind,
    TravellerKind,
    TravelMode,
)
from .services import ApplicationInput, CampaignInput, TravellerInput

SEED = 20261121

#: 春节 (the first day of the lunar year); the demo takes the last one before its day.
SPRING_FESTIVALS = tuple(date.fromisoformat(day) for day in (
    "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29",
    "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23",
    "2032-02-11", "2033-01-31", "2034-02-19", "2035-02-08", "2036-01-28", "2037-02-15",
    "2038-02-04", "2039-01-24", "2040-02-12"))
#: Applications per site for the Spring Festival, and places per site.
SPRING_APPLICANTS, SPRING_PLACES = 15, 12
STATIONS = {"深圳": "深圳北站", "广州": "广州南站", "成都": "成都东站"}
REFUSALS = ("同一户已由配偶提交申请，不重复补贴", "入职不满三个月，按活动规则下次再申请")
CARRIERS = {TravelMode.TRAIN: ("中国铁路", "K{n}"), TravelMode.COACH: ("粤运长途客运", "粤B{n}"),
            TravelMode.CHARTERED_BUS: ("华夏建工返乡专车", "专{n}")}


def last_spring_festival(today: date) -> date:
    """The last Spring Festival whose trips home are over by ``today`` (25 days after it)."""
    past = [day for day in SPRING_FESTIVALS if day + timedelta(days=25) < today]
    if past and past[-1].year >= today.year - 1:
        return past[-1]
    year = today.year if today >= date(today.year, 3, 10) else today.year - 1
    return date(year, 2, 10)  # beyond the table: a day in its usual season


def load(context: DemoContext) -> None:
    rng = random.Random(SEED)
    sites = sorted((unit for unit in context.units.values() if unit.kind == OrgKind.SITE),
                   key=lambda unit: unit.path)
    root = get_root_unit()
    workers = sorted(search_workers(WorkerFilter(status=EmploymentStatus.ACTIVE),
                                    scope_paths=[root.path], per_page=100_000).items,
                     key=lambda worker: worker.id)
    by_site = {site.id: [worker for worker in workers
                         if worker.org_unit.path.startswith(site.path)] for site in sites}
    _spring_festival(context, rng, root, sites, by_site)
    _summer_visit(context, rng, root, sites, by_site)
    _reverse_visit_now(context, rng, root, sites, by_site)


# -- last Spring Festival, finished -----------------------------------------------------------

def _spring_festival(context, rng, root, sites, by_site) -> None:
    festival = last_spring_festival(context.today)
    actor = context.actor
    campaign = services.create_campaign(CampaignInput(
        name=f"{festival.year} 年春节“温暖回家路”返乡补贴", kind=CampaignKind.SPRING_FESTIVAL,
        applications_open_on=festival - timedelta(days=75),
        applications_close_on=festival - timedelta(days=35),
        travel_from=festival - timedelta(days=20), travel_until=festival + timedelta(days=15),
        budget_fen=2_000_000, household_limit=3, eligibility=Eligibility.ALL_WORKERS,
        subsidy_kind=SubsidyKind.PERCENT_CAPPED, subsidy_percent=80, subsidy_amount_fen=50_000,
        travel_modes=(TravelMode.TRAIN, TravelMode.COACH, TravelMode.CHARTERED_BUS),
        offer_hours=48), unit=root, quotas=dict.fromkeys(sites, SPRING_PLACES), actor=actor)
    applications = []
    for site in sites:
        chosen = rng.sample(by_site[site.id], min(SPRING_APPLICANTS, len(by_site[site.id])))
        for worker in sorted(chosen, key=lambda worker: worker.id):
            # Children living with the parents travel home with them; left-behind ones wait there.
            along = [child for child in children_of(worker) if not child.left_behind][:2]
            mode = rng.choice((TravelMode.TRAIN, TravelMode.TRAIN, TravelMode.COACH,
                               TravelMode.CHARTERED_BUS))
            data = ApplicationInput(
                travellers=[TravellerInput(TravellerKind.WORKER)] + [
                    TravellerInput(TravellerKind.CHILD, child_id=child.id) for child in along],
                from_place=_station(site.name), to_place=_home(worker),
                depart_on=campaign.travel_from + timedelta(days=rng.randint(0, 12)),
                return_on=festival + timedelta(days=rng.randint(7, 14)), travel_mode=mode,
                estimated_fare_fen=rng.randrange(28_000, 66_000, 500))
            applied_on = campaign.applications_open_on + timedelta(days=rng.randint(0, 38))
            applicant = worker_actor(worker) if rng.random() < 0.5 else actor
            applications.append(services.apply(campaign, worker, data, actor=applicant,
                                               today=applied_on))
    for application, reason in zip(applications[3::17], REFUSALS, strict=False):
        services.reject(application, reason, actor=actor)
    services.allocate(campaign, actor=actor)
    approved = [a for a in applications if a.status == ApplicationStatus.APPROVED]
    if approved:
        services.cancel(approved[len(approved) // 2], "春节期间改为留岗值班", actor=actor)
    for application in applications:
        if application.status == ApplicationStatus.OFFERED:
            services.accept_offer(application, actor=worker_actor_for(application))
    booked = []
    for application in applications:
        if application.status == ApplicationStatus.APPROVED:
            booked.append(_book(application, rng, actor))
    services.close_campaign(campaign, actor=actor)
    for application in booked[2:4]:
        price = sum(traveller.ticket_price_fen or 0 for traveller in application.travellers)
        services.cancel(application, "家中老人住院，改期自行返乡", actor=actor,
                        refund_fen=price - price // 20)  # the carrier keeps 5 %
    for number, application in enumerate(booked[4:]):
        services.mark_travelled(application, travelled=number % 9 != 4, actor=actor)


def _book(application, rng, actor):
    """The agent's tickets, on each traveller (children half fare), then the household is
    booked at the actual prices."""
    carrier, service = CARRIERS[application.travel_mode]
    number = rng.randint(100, 999)
    for index, traveller in enumerate(application.travellers):
        fare = application.estimated_fare_fen - rng.randrange(0, 4_000, 100)
        if traveller.kind == TravellerKind.CHILD:
            fare //= 2
        traveller.ticket_number = f"E{application.id:05d}{index}{rng.randint(100, 999)}"
        traveller.ticket_price_fen = fare
        traveller.carrier = carrier
        traveller.service_number = service.format(n=number)
        traveller.seat = f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{'ABCDF'[index % 5]}号"
    return services.book(application, actor=actor)


# -- this summer's 小候鸟 visit, open now ---------------------------------------------------------

def _summer_visit(context, rng, root, sites, by_site) -> None:
    today = context.today
    actor = context.actor
    close_on = today + timedelta(days=30)
    year = today.year if date(today.year, 7, 10) > close_on else today.year + 1
    construction = [site for site in sites if "厂" not in site.name][:1] or sites[:1]
    factory = [site for site in sites if "厂" in site.name][:1] or sites[-1:]
    campaign = services.create_campaign(CampaignInput(
        name=f"{year} 年暑期“小候鸟”团聚营", kind=CampaignKind.SUMMER_VISIT,
        applications_open_on=today - timedelta(days=10), applications_close_on=close_on,
        travel_from=date(year, 7, 10), travel_until=date(year, 8, 25), budget_fen=1_200_000,
        household_limit=3, eligibility=Eligibility.LEFT_BEHIND_OR_DIFFICULTY,
        subsidy_kind=SubsidyKind.FULL, subsidy_percent=None, subsidy_amount_fen=None,
        travel_modes=(TravelMode.TRAIN, TravelMode.COACH), offer_hours=48),
        unit=root, quotas={construction[0]: 5, **dict.fromkeys(factory, 6)}, actor=actor)
    households = {}
    for site in {*construction, *factory}:
        parents = [worker for worker in by_site[site.id]
                   if any(child.left_behind for child in children_of(worker))]
        households[site.id] = parents
    full_site = construction[0]
    parents = households[full_site.id]
    # The full site: two households fill its five places (2 + 3), a third waits; the second
    # withdraws and the third is offered the places.
    first = _apply_summer(campaign, parents, 0, rng, children=2, grandparent=False)
    second = _apply_summer(campaign, parents, 1, rng, children=2, grandparent=True)
    third = _apply_summer(campaign, parents, 2, rng, children=2, grandparent=False)
    for application in (first, second):
        if application is not None:
            services.approve(application, actor=actor)
    if third is not None:
        services.waitlist(third, actor=actor)
    if second is not None:
        services.cancel(second, "孩子暑假要参加学校的夏令营", actor=actor)
    # The factory: applications just in, not decided yet.
    for site in factory:
        if site.id == full_site.id:
            continue
        for index in range(3):
            _apply_summer(campaign, households[site.id], index, rng, children=1 + index % 2,
                          grandparent=index == 1)


def _apply_summer(campaign, parents: list[Worker], index: int, rng, *, children: int,
                  grandparent: bool):
    if index >= len(parents):
        return None
    worker = parents[index]
    kids = [child for child in children_of(worker) if child.left_behind][:children]
    travellers = [TravellerInput(TravellerKind.CHILD, child_id=child.id) for child in kids]
    if grandparent and len(travellers) < campaign.household_limit:
        travellers.append(TravellerInput(TravellerKind.RELATIVE, name=f"{worker.name[0]}秀兰",
                                         relation="祖母"))
    data = ApplicationInput(
        travellers=travellers, from_place=_home(worker), to_place=_station(worker.org_unit.name),
        depart_on=campaign.travel_from + timedelta(days=rng.randint(0, 10)),
        return_on=campaign.travel_from + timedelta(days=rng.randint(20, 30)),
        travel_mode=TravelMode.TRAIN, estimated_fare_fen=rng.randrange(20_000, 45_000, 500))
    return services.apply(campaign, worker, data, actor=worker_actor(worker),
                          today=campaign.applications_open_on + timedelta(days=index + 2))


# -- a 反探亲 visit going on now ------------------------------------------------------------------

def _reverse_visit_now(context, rng, root, sites, by_site) -> None:
    """Families staying at a construction site and at the factory this fortnight: the children
    registered with the adult responsible for them, a safety lesson held yesterday with its
    attendance and a reading session coming, so "children on site today" has someone in it."""
    from . import visits
    from .models import ActivityKind

    today, actor = context.today, context.actor
    hosts = [next((unit for unit in sites if "前海" in unit.name),
                  next((unit for unit in sites if "厂" not in unit.name), sites[0])),
             next((unit for unit in sites if "厂" in unit.name), sites[-1])]
    hosts = list(dict.fromkeys(hosts))
    campaign = services.create_campaign(CampaignInput(
        name=f"{today.year} 年冬季反探亲", kind=CampaignKind.REVERSE_VISIT,
        applications_open_on=today - timedelta(days=40),
        applications_close_on=today - timedelta(days=8),
        travel_from=today - timedelta(days=6), travel_until=today + timedelta(days=14),
        budget_fen=600_000, household_limit=3, eligibility=Eligibility.PARENTS,
        subsidy_kind=SubsidyKind.FIXED, subsidy_percent=None, subsidy_amount_fen=30_000,
        travel_modes=(TravelMode.TRAIN, TravelMode.COACH), offer_hours=48),
        unit=root, quotas=dict.fromkeys(hosts, 8), actor=actor)
    for site in hosts:
        _families_on_site(campaign, site, by_site[site.id], rng, today, actor)
        lesson = visits.add_activity(campaign, site, ActivityKind.SAFETY_EDUCATION,
                                     "防溺水、防触电安全课", today - timedelta(days=1),
                                     f"{site.name}会议室", actor=actor)
        present = [visit.id for visit in visits.expected_at(lesson)]
        visits.record_attendance(lesson, present[:-1] if len(present) > 1 else present,
                                 actor=actor)
        visits.add_activity(campaign, site, ActivityKind.CLASSIC_READING, "亲子经典诵读",
                            today + timedelta(days=2), "职工书屋", actor=actor)


def _families_on_site(campaign, site, workers, rng, today, actor) -> None:
    """Two households of ``site`` staying now, their children registered on site."""
    from . import visits

    def young(worker):
        return [child for child in children_of(worker) if child.birth_date
                and today - child.birth_date < timedelta(days=13 * 365)][:2]

    for index, worker in enumerate([worker for worker in workers if young(worker)][:2]):
        arrives = today - timedelta(days=3 + index)
        application = services.apply(campaign, worker, ApplicationInput(
            travellers=[TravellerInput(TravellerKind.CHILD, child_id=child.id)
                        for child in young(worker)]
            + [TravellerInput(TravellerKind.RELATIVE, name=f"{worker.name[0]}桂英",
                              relation="孩子的母亲" if worker.sex and worker.sex.value == "male"
                              else "孩子的父亲")],
            from_place=_home(worker), to_place=_station(site.name), depart_on=arrives,
            return_on=today + timedelta(days=7 + index), travel_mode=TravelMode.TRAIN,
            estimated_fare_fen=rng.randrange(25_000, 40_000, 500)),
            actor=worker_actor(worker), today=campaign.applications_open_on + timedelta(days=3))
        services.approve(application, actor=actor)
        adult = next(t.name for t in application.travellers if t.kind == TravellerKind.RELATIVE)
        for traveller in application.travellers:
            if traveller.kind == TravellerKind.CHILD:
                visits.register_visit(traveller, visits.VisitInput(
                    arrives_on=arrives, leaves_on=application.return_on,
                    accommodation=f"家属房 {index + 1} 号，与{worker.name}同住",
                    responsible_adult=adult, responsible_adult_phone=f"1390000{index:04d}",
                    emergency_contact=worker.name,
                    emergency_phone=worker.phone or "13800000000",
                    insurance_number=f"PICC-{today.year}-{application.id:05d}"), actor=actor)


# -- helpers ------------------------------------------------------------------------------------

def worker_actor_for(application):
    return worker_actor(get_worker(application.worker_id))


def _station(site_name: str) -> str:
    return next((station for city, station in STATIONS.items() if city in site_name),
                site_name)


def _home(worker: Worker) -> str:
    return (region_name(worker.hukou_region_code) if worker.hukou_region_code else None) or "老家"
