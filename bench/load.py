"""Load held: a mixed day on two app servers and one PostgreSQL database, loopback, bounded.

Two gunicorn app servers (deploy/gunicorn.conf.py, ``--gunicorn-workers`` x ``--threads`` each)
serve one throwaway PostgreSQL server (scripts/with-postgres.sh). Requests alternate between the
servers, as a load balancer would send them. Within ``--seconds``:

* **check-in**: a lecture's ``--workers`` workers scan the venue code on their remembered phones,
  in an open loop (each phone arrives when it arrives, whatever the server's answers):
  ``--first-second`` of them in the first second, the rest evenly over the remaining time;
  each a new connection, one GET;
* **apply**: a Spring Festival campaign opens: ``--applicants`` workers open the apply form on
  their phone and send it, spread over the first half (one in ten taps twice);
* **officer list**: ``--officers`` staff users page the worker list, the campaign's applications
  and the lecture's attendance, one page every half second each;
* **approve**: after each page an officer approves the first application of the campaign's list
  (as last seen) that nobody has decided yet, so officers often press at once on the same one;
  the sites' places and the budget run out during the day, and a refusal (422: no places or
  money left, or decided already) is an expected answer;
* **report**: one report officer generates a report (the new-report form, the draft page with
  its figures, its PDF) a third of the way in.

The baseline is measured in the same run, on the same servers, before the day: the same
open-loop arrivals on the portal's plain static file (``/cb-static/carebridge.css``). Every
kind's p50 and p99 are printed with p99 as a multiple of the baseline's p99, its errors (any
answer that is not the expected one; target 0), then whether every invariant held afterwards:
one attendance per worker (and as many as accepted scans), at most one open application per
worker and campaign (and as many as accepted forms), each quota's places taken equal to the
applications holding one and never above its places, the campaign's committed money equal to the
subsidies of the applications holding a place and never above its budget, and as many
applications holding a place as approvals answered.

Target: check-in p99 below 100 ms; the last line is ``check-in p99 ms: X``.

The load generator shares the machine's cores with both servers and the database: the figures
are a floor of what separate machines would do.
"""
from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from . import ROOT, run_on_databases, start_server, stop_server

STATIC_PATH = "/cb-static/carebridge.css"
ADMIN = "load-admin"
PASSWORD = "Load-pass-2026"
USER_AGENT = "bench-load"
KINDS = ("static (baseline)", "check-in", "apply form", "apply", "officer list", "report",
         "approve")


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=2000, help="workers checking in")
    parser.add_argument("--first-second", type=int, default=200,
                        help="of them, arriving within the first second")
    parser.add_argument("--seconds", type=float, default=60, help="length of the day")
    parser.add_argument("--applicants", type=int, default=400, help="workers applying")
    parser.add_argument("--officers", type=int, default=4, help="staff users paging lists")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per app server")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--databases", default="postgresql",
                        help="postgresql (several app servers need a database server)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a request may take")


# -- the data ----------------------------------------------------------------------------------

def seed(app, *, workers: int, applicants: int, officers: int) -> dict:
    """A company with two sites, ``workers`` workers with remembered phones, a lecture open for
    check-in (and one to warm up on), a Spring Festival campaign open for applications with
    quotas on both sites, a company-wide administrator and ``officers`` officers."""
    from sqlalchemy import insert, select

    from employer_portal.accounts.services import create_user
    from plugin.access.roles import Role
    from plugin.access.services import grant_role
    from plugin.core.clock import local_today, utcnow
    from plugin.core.db import refresh_planner_statistics, session
    from plugin.core.host import Actor
    from plugin.lectures.models import LectureFormat, LectureSession
    from plugin.org.models import OrgKind
    from plugin.org.queries import get_root_unit
    from plugin.org.services import create_company, create_unit
    from plugin.registry.models import Worker
    from plugin.reunions import services as reunions
    from plugin.reunions.models import CampaignKind, Eligibility, SubsidyKind, TravelMode
    from plugin.worker_access.cookies import _serializer
    from plugin.worker_access.services import remember_device

    actor = Actor.system("bench")
    with app.app_context():
        create_company("负载测试建工集团", actor=actor)
        session.flush()
        root = get_root_unit()
        sites = [create_unit(root, OrgKind.SITE, f"第{number}项目部", actor=actor)
                 for number in (1, 2)]
        session.execute(insert(Worker), [
            {"employee_number": f"L{n:06d}", "name": f"职工{n}", "name_initials": "zg",
             "phone": f"137{n:08d}", "org_unit_id": sites[n % 2].id} for n in range(workers)])
        cookies = [_serializer().dumps(remember_device(worker, user_agent=USER_AGENT))
                   for worker in session.execute(select(Worker).order_by(Worker.id)).scalars()]
        now = utcnow()
        lectures = []
        for title in ("预热宣讲", "安全与家庭教育宣讲"):
            # For the whole company: workers of both sites check in.
            lecture = LectureSession(title=title, format=LectureFormat.TALK, org_unit=root,
                                     venue="生活区食堂", starts_at=now + timedelta(minutes=10),
                                     ends_at=now + timedelta(hours=2),
                                     code_key=secrets.token_hex(32), created_by="bench")
            session.add(lecture)
            session.flush()
            lectures.append([lecture.id, lecture.code_key])
        today = local_today()
        places = max(1, applicants // 3)
        campaign = reunions.create_campaign(reunions.CampaignInput(
            name="春节返乡团聚", kind=CampaignKind.SPRING_FESTIVAL,
            applications_open_on=today - timedelta(days=1),
            applications_close_on=today + timedelta(days=30),
            travel_from=today + timedelta(days=40), travel_until=today + timedelta(days=70),
            budget_fen=places * 2 * 40_000, household_limit=4, eligibility=Eligibility.ALL_WORKERS,
            subsidy_kind=SubsidyKind.FULL, subsidy_percent=None, subsidy_amount_fen=None,
            travel_modes=(TravelMode.TRAIN, TravelMode.COACH)),
            unit=root, quotas=dict.fromkeys(sites, places), actor=actor)
        admin = create_user(ADMIN, "负载测试管理员", PASSWORD, actor=actor)
        grant_role(admin.key, Role.ADMIN, root, actor=actor, check_actor=False)
        staff = [ADMIN]
        for number in range(officers):
            officer = create_user(f"load-officer-{number}", f"专员{number}", PASSWORD, actor=actor)
            grant_role(officer.key, Role.ADMIN, root, actor=actor, check_actor=False)
            staff.append(officer.username)
        refresh_planner_statistics()
        world = {"cookies": cookies, "warm_up_lecture": lectures[0], "lecture": lectures[1],
                 "campaign_id": campaign.id, "root_id": root.id, "staff": staff,
                 "depart_on": (today + timedelta(days=45)).isoformat(),
                 "return_on": (today + timedelta(days=60)).isoformat()}
        session.commit()
        session.remove()
    return world


# -- a small HTTP/1.1 client (one connection per request, as phones open them) -----------------

@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Cookies kept between requests, like a phone's or an officer's browser."""

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    async def request(self, base: str, method: str, path: str, form: dict | None = None, *,
                      timeout: float = 30) -> Answer:
        address = urlsplit(base)
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {address.netloc}",
                 f"User-Agent: {USER_AGENT}", "Connection: close"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address.hostname, address.port), timeout)
        try:
            writer.write(raw)
            await writer.drain()
            data = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
        head, _, content = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines
                   if ":" in line]
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie_value = pair.partition("=")
                if cookie_value:
                    self.cookies[key.strip()] = cookie_value.strip()
                else:
                    self.cookies.pop(key.strip(), None)
        return Answer(int(status_line.split(" ", 2)[1]), headers, content)


def csrf_token(html: str) -> str:
    match = (re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
             or re.search(r'name="csrf_token" value="([^"]+)"', html))
    if match is None:
        raise ValueError("no CSRF token on the page")
    return match.group(1)


# -- the day -----------------------------------------------------------------------------------

@dataclass
class Measured:
    """Latencies (seconds) and errors per kind of request, and what the day left behind."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    accepted_check_ins: int = 0
    accepted_applications: int = 0
    approvals: int = 0

    def record(self, kind: str, started: float, ok: bool, why: str = "") -> None:
        self.latencies[kind].append(time.perf_counter() - started)
        if not ok:
            self.errors[kind] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{kind}: {why}")

    def percentile(self, kind: str, share: float) -> float:
        ordered = sorted(self.latencies.get(kind, ()))
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def arrivals(count: int, first_second: int, seconds: float, rng: random.Random) -> list[float]:
    """When each of ``count`` arrivals comes (seconds from the start): ``first_second`` of them
    within the first second, the rest evenly spread over the remaining time, each jittered."""
    first = min(count, first_second)
    rest = count - first
    times = [rng.random() for _ in range(first)]
    span = max(seconds - 1, 0.001)
    times += [1 + (index + rng.random()) * span / rest for index in range(rest)]
    return sorted(times)


async def _at(start: float, offset: float) -> None:
    delay = start + offset - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


async def static_baseline(bases: list[str], schedule: list[float], measured: Measured,
                          timeout: float) -> None:
    start = time.perf_counter()

    async def one(index: int, offset: float) -> None:
        await _at(start, offset)
        began = time.perf_counter()
        try:
            answer = await Browser().request(bases[index % len(bases)], "GET", STATIC_PATH,
                                             timeout=timeout)
            measured.record(KINDS[0], began, answer.status == 200, f"status {answer.status}")
        except (TimeoutError, OSError) as error:
            measured.record(KINDS[0], began, False, repr(error))

    await asyncio.gather(*(one(index, offset) for index, offset in enumerate(schedule)))


async def check_in(base: str, cookie: str, lecture: list, measured: Measured, timeout: float,
                   kind: str = "check-in") -> None:
    from plugin.attendance.codes import venue_code

    lecture_id, code_key = lecture
    began = time.perf_counter()
    try:
        answer = await Browser({"cb_worker_device": cookie}).request(
            base, "GET", f"/c/{venue_code(lecture_id, code_key, datetime.now(UTC))}",
            timeout=timeout)
    except (TimeoutError, OSError) as error:
        measured.record(kind, began, False, repr(error))
        return
    accepted = answer.status == 200 and b'data-outcome="accepted"' in answer.body
    if accepted and kind == "check-in":
        measured.accepted_check_ins += 1
    outcome = re.search(rb'data-outcome="([^"]+)"', answer.body)
    measured.record(kind, began, accepted,
                    f"status {answer.status} {outcome.group(1) if outcome else b''!r}")


async def apply(base: str, cookie: str, world: dict, measured: Measured, timeout: float,
                twice: bool) -> None:
    """A worker opens the campaign's apply form on the phone and sends it (twice: a double tap,
    which must leave one application)."""
    phone = Browser({"cb_worker_device": cookie})
    path = f"/w/reunions/{world['campaign_id']}/apply"
    began = time.perf_counter()
    try:
        page = await phone.request(base, "GET", path, timeout=timeout)
        measured.record(KINDS[2], began, page.status == 200, f"status {page.status}")
        if page.status != 200:
            return
        form = {"csrf_token": csrf_token(page.text), "worker_travels": "y",
                "from_place": "广东省深圳市", "to_place": "四川省南充市",
                "depart_on": world["depart_on"], "return_on": world["return_on"],
                "travel_mode": "train", "fare": "300"}
        for attempt in range(2 if twice else 1):
            began = time.perf_counter()
            answer = await phone.request(base, "POST", path, form, timeout=timeout)
            location = answer.header("location") or ""
            ok = answer.status == 302 and "/w/reunions/applications/" in location
            if ok and attempt == 0:
                measured.accepted_applications += 1
            measured.record(KINDS[3], began, ok, f"status {answer.status} {location}")
    except (TimeoutError, OSError, ValueError) as error:
        measured.record(KINDS[3], began, False, repr(error))


async def sign_in(base: str, username: str, timeout: float) -> Browser:
    browser = Browser()
    page = await browser.request(base, "GET", "/login", timeout=timeout)
    answer = await browser.request(base, "POST", "/login", {
        "csrf_token": csrf_token(page.text), "username": username, "password": PASSWORD},
        timeout=timeout)
    if answer.status != 302:
        raise RuntimeError(f"{username} could not sign in: {answer.status}")
    return browser


async def officer(base: str, browser: Browser, world: dict, until: float, measured: Measured,
                  timeout: float, rng: random.Random, decided: set[int]) -> None:
    pages = [lambda: f"/workers/?page={rng.randint(1, 20)}",
             lambda: f"/reunions/{world['campaign_id']}",
             lambda: f"/lectures/{world['lecture'][0]}"]
    listed: list[int] = []
    turn = 0
    while time.perf_counter() < until:
        path = pages[turn % len(pages)]()
        turn += 1
        began = time.perf_counter()
        try:
            answer = await browser.request(base, "GET", path, timeout=timeout)
            measured.record(KINDS[4], began, answer.status == 200, f"{path}: {answer.status}")
        except (TimeoutError, OSError) as error:
            measured.record(KINDS[4], began, False, f"{path}: {error!r}")
            answer = None
        if answer is not None and answer.status == 200:
            if path.startswith("/reunions/"):
                listed = [int(number) for number in dict.fromkeys(
                    re.findall(r"/reunions/applications/(\d+)", answer.text))]
            await approve_next(base, browser, answer.text, listed, decided, measured, timeout)
        await asyncio.sleep(0.5)


async def approve_next(base: str, browser: Browser, page: str, listed: list[int],
                       decided: set[int], measured: Measured, timeout: float) -> None:
    """Approve, with the CSRF token of the ``page`` just loaded, the first application of
    ``listed`` nobody has decided yet (``decided`` is shared by the officers, and filled once an
    answer comes: two may press at once)."""
    waiting = [number for number in listed if number not in decided]
    if not waiting:
        return
    began = time.perf_counter()
    try:
        answer = await browser.request(base, "POST", f"/reunions/applications/{waiting[0]}/approve",
                                       {"csrf_token": csrf_token(page)}, timeout=timeout)
    except (TimeoutError, OSError, ValueError) as error:
        measured.record(KINDS[6], began, False, repr(error))
        return
    decided.add(waiting[0])
    if answer.status == 302:
        measured.approvals += 1
    measured.record(KINDS[6], began, answer.status in (302, 422), f"status {answer.status}")


async def report(base: str, browser: Browser, world: dict, measured: Measured,
                 timeout: float) -> None:
    """The new-report form, the draft with its figures, its PDF: one "report" each."""
    from plugin.core.clock import local_today
    from plugin.reports.periods import Period, PeriodKind

    quarter = Period.containing(PeriodKind.QUARTER, local_today())
    began = time.perf_counter()
    try:
        page = await browser.request(base, "GET", "/reports/new", timeout=timeout)
        template = re.search(r'<option[^>]*value="(\d+)"',
                             page.text.split('name="template"', 1)[1]).group(1)
        answer = await browser.request(base, "POST", "/reports/new", {
            "csrf_token": csrf_token(page.text), "template": template,
            "unit": str(world["root_id"]), "period_kind": "quarter",
            "year": str(quarter.start.year), "number": str(quarter.number)}, timeout=timeout)
        location = answer.header("location") or ""
        measured.record(KINDS[5], began, answer.status == 302, f"new: {answer.status}")
        draft = location[location.index("/reports/"):] if "/reports/" in location else None
        if draft is None:
            return
        for path, marker in ((draft, "关爱农村留守儿童".encode()),
                             (f"{draft}/report.pdf", b"%PDF-")):
            began = time.perf_counter()
            answer = await browser.request(base, "GET", path, timeout=timeout)
            measured.record(KINDS[5], began, answer.status == 200 and marker in answer.body[:20000],
                            f"{path}: {answer.status}")
    except (TimeoutError, OSError, AttributeError, IndexError) as error:
        measured.record(KINDS[5], began, False, repr(error))


@dataclass
class Plan:
    workers: int
    first_second: int
    seconds: float
    applicants: int
    officers: int
    timeout: float = 30


async def warm_up(bases: list[str], world: dict, timeout: float) -> None:
    """Every server's workers connect, compile templates, fill caches (not measured)."""
    scratch = Measured()
    for base in bases:
        for _ in range(3):
            await asyncio.gather(*(Browser().request(base, "GET", STATIC_PATH, timeout=timeout)
                                   for _ in range(8)))
    cookies = world["cookies"][:min(60, len(world["cookies"]))]
    await asyncio.gather(*(check_in(bases[index % len(bases)], cookie, world["warm_up_lecture"],
                                    scratch, timeout, kind="warm-up")
                           for index, cookie in enumerate(cookies)))
    for base in bases:
        browser = await sign_in(base, world["staff"][0], timeout)
        for path in ("/", "/workers/", f"/reunions/{world['campaign_id']}"):
            await browser.request(base, "GET", path, timeout=timeout)


async def drive(bases: list[str], world: dict, plan: Plan, *, seed: int = 2026) -> Measured:
    """The baseline, then the day (see the module docstring); what was measured."""
    rng = random.Random(seed)
    measured = Measured()
    await warm_up(bases, world, plan.timeout)
    schedule = arrivals(plan.workers, plan.first_second, plan.seconds, rng)
    await static_baseline(bases, schedule, measured, plan.timeout)

    officers = [await sign_in(bases[index % len(bases)], world["staff"][1 + index], plan.timeout)
                for index in range(plan.officers)]
    reporter = await sign_in(bases[-1], world["staff"][0], plan.timeout)
    start = time.perf_counter()
    until = start + plan.seconds
    tasks = []

    async def later(offset, make):
        await _at(start, offset)
        await make()

    for index, offset in enumerate(schedule):
        base, cookie = bases[index % len(bases)], world["cookies"][index]
        tasks.append(later(offset, lambda base=base, cookie=cookie: check_in(
            base, cookie, world["lecture"], measured, plan.timeout)))
    applicants = min(plan.applicants, len(world["cookies"]))
    for index in range(applicants):
        offset = (index + rng.random()) * (plan.seconds / 2) / max(applicants, 1)
        base, cookie = bases[(index + 1) % len(bases)], world["cookies"][-1 - index]
        tasks.append(later(offset, lambda base=base, cookie=cookie, twice=index % 10 == 0: apply(
            base, cookie, world, measured, plan.timeout, twice)))
    decided: set[int] = set()
    for index, browser in enumerate(officers):
        tasks.append(officer(bases[index % len(bases)], browser, world, until, measured,
                             plan.timeout, random.Random(seed + index), decided))
    tasks.append(later(plan.seconds / 3, lambda: report(bases[-1], reporter, world, measured,
                                                        plan.timeout)))
    await asyncio.gather(*tasks)
    return measured


# -- afterwards --------------------------------------------------------------------------------

def invariants(app, world: dict, measured: Measured, plan: Plan) -> list[tuple[str, bool, str]]:
    """(rule, held, what was found) for each rule the day must have kept."""
    from sqlalchemy import func, select

    from plugin.attendance.models import AttemptOutcome, CheckInAttempt
    from plugin.core.db import session
    from plugin.lectures.models import Attendance
    from plugin.reunions.models import HOLDING, OPEN, Application, Campaign, CampaignQuota

    lecture_id = world["lecture"][0]
    with app.app_context():
        per_worker = session.execute(select(Attendance.worker_id, func.count()).where(
            Attendance.session_id == lecture_id).group_by(Attendance.worker_id)).all()
        accepted = session.execute(select(func.count()).select_from(CheckInAttempt).where(
            CheckInAttempt.session_id == lecture_id,
            CheckInAttempt.outcome == AttemptOutcome.ACCEPTED)).scalar_one()
        open_per_worker = session.execute(
            select(Application.worker_id, func.count()).where(
                Application.campaign_id == world["campaign_id"], Application.status.in_(OPEN))
            .group_by(Application.worker_id)).all()
        quotas = session.execute(select(CampaignQuota).where(
            CampaignQuota.campaign_id == world["campaign_id"])).scalars().all()
        holding = dict(session.execute(select(Application.quota_id, func.count()).where(
            Application.campaign_id == world["campaign_id"], Application.status.in_(HOLDING))
            .group_by(Application.quota_id)).all())
        campaign = session.get(Campaign, world["campaign_id"])
        subsidies = session.execute(select(func.coalesce(func.sum(Application.subsidy_fen), 0))
                                    .where(Application.campaign_id == campaign.id,
                                           Application.status.in_(HOLDING))).scalar_one()
        found = [
            ("one attendance per worker", {count for _w, count in per_worker} <= {1}
             and len(per_worker) == measured.accepted_check_ins == accepted == plan.workers,
             f"{len(per_worker)} workers, {sum(c for _w, c in per_worker)} rows, "
             f"{measured.accepted_check_ins} accepted answers, {accepted} accepted in the log, "
             f"{plan.workers} scanned"),
            ("one open application per worker",
             {count for _w, count in open_per_worker} <= {1}
             and len(open_per_worker) == measured.accepted_applications,
             f"{len(open_per_worker)} applications, {measured.accepted_applications} accepted "
             "forms"),
            ("quotas not exceeded", all(
                quota.taken == holding.get(quota.id, 0) and 0 <= quota.taken <= quota.places
                for quota in quotas),
             ", ".join(f"{quota.taken}/{quota.places} taken, {holding.get(quota.id, 0)} holding"
                       for quota in quotas)),
            ("budget not exceeded, ledger sums",
             campaign.committed_fen == subsidies and 0 <= campaign.committed_fen
             <= campaign.budget_fen,
             f"committed {campaign.committed_fen} fen = subsidies {subsidies} fen "
             f"<= budget {campaign.budget_fen} fen"),
            ("every approval holds a place, no other",
             sum(holding.values()) == measured.approvals,
             f"{sum(holding.values())} holding, {measured.approvals} approvals answered"),
        ]
        session.remove()
    return found


def report_lines(measured: Measured, found: list[tuple[str, bool, str]]) -> list[str]:
    baseline = measured.percentile(KINDS[0], 0.99)
    lines = [f"{'kind':<18} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'p99 ÷ static p99':>16}"]
    for kind in KINDS:
        if kind not in measured.latencies:
            continue
        p99 = measured.percentile(kind, 0.99)
        lines.append(f"{kind:<18} {len(measured.latencies[kind]):>8} "
                     f"{measured.errors.get(kind, 0):>6} {measured.percentile(kind, 0.5):>8.1f} "
                     f"{p99:>8.1f} {p99 / baseline if baseline else float('nan'):>15.1f}x")
    errors = sum(measured.errors.values())
    lines.append(f"errors: {errors} [{'ok' if errors == 0 else 'NOT ZERO'}]")
    lines += [f"  {sample}" for sample in measured.error_samples]
    lines += [f"invariant: {rule}: {'held' if held else 'BROKEN'} ({what})"
              for rule, held, what in found]
    p99 = measured.percentile("check-in", 0.99)
    lines.append(f"check-in p99 target < 100 ms: {'ok' if p99 < 100 else 'ABOVE TARGET'}")
    lines.append(f"check-in p99 ms: {p99:.1f}")
    return lines


# -- the servers -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_servers(environment: dict, count: int) -> list[tuple[subprocess.Popen, str]]:
    servers = []
    for _ in range(count):
        port = _free_port()
        process = start_server(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--chdir", str(ROOT), "--backlog", "2048", "--log-level", "warning"],
            env={**environment, "CAREBRIDGE_BIND": f"127.0.0.1:{port}"}, cwd=ROOT,
            stdout=subprocess.DEVNULL)
        servers.append((process, f"http://127.0.0.1:{port}"))
    deadline = time.monotonic() + 120
    for process, base in servers:
        while True:
            if process.poll() is not None:
                raise SystemExit("an app server did not start")
            try:
                answer = asyncio.run(Browser().request(base, "GET", STATIC_PATH, timeout=5))
                if answer.status == 200:
                    break
            except (TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit("an app server did not start in time")
            time.sleep(0.3)
    return servers


def run_database(name: str, url: str, arguments) -> None:
    from employer_portal import create_app
    from employer_portal.database import upgrade_database
    from plugin.privacy.crypto import KeyRing

    environment = {**os.environ, "CAREBRIDGE_DATABASE_URL": url,
                   "CAREBRIDGE_SECRET_KEY": secrets.token_urlsafe(32),
                   "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize(),
                   "CAREBRIDGE_WEB_WORKERS": str(arguments.gunicorn_workers),
                   "CAREBRIDGE_WEB_THREADS": str(arguments.threads),
                   "CAREBRIDGE_ACCESS_LOG": "/dev/null", "PYTHONPATH": str(ROOT)}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": environment["CAREBRIDGE_SECRET_KEY"],
                      "CAREBRIDGE_DATA_KEY": environment["CAREBRIDGE_DATA_KEY"]})
    with app.app_context():
        upgrade_database()
    plan = Plan(workers=arguments.workers, first_second=arguments.first_second,
                seconds=arguments.seconds, applicants=arguments.applicants,
                officers=arguments.officers, timeout=arguments.timeout)
    world = seed(app, workers=plan.workers, applicants=plan.applicants, officers=plan.officers)
    servers = _start_servers(environment, 2)
    try:
        measured = asyncio.run(drive([base for _process, base in servers], world, plan))
    finally:
        for process, _base in servers:
            stop_server(process)
    print(f"{name}: 2 app servers x gunicorn -w {arguments.gunicorn_workers} gthread "
          f"--threads {arguments.threads}; {plan.workers} check-ins in {plan.seconds:g} s "
          f"({plan.first_second} in the first second), {plan.applicants} applicants, "
          f"{plan.officers} officers, 1 report", flush=True)
    for line in report_lines(measured, invariants(app, world, measured, plan)):
        print(line, flush=True)


def run(arguments) -> None:
    if arguments.databases.strip() != "postgresql":
        raise SystemExit("bench load runs on PostgreSQL only (--databases postgresql)")
    run_on_databases("postgresql", lambda name, url: run_database(name, url, arguments), [
        "load", "--workers", str(arguments.workers), "--first-second",
        str(arguments.first_second), "--seconds", str(arguments.seconds), "--applicants",
        str(arguments.applicants), "--officers", str(arguments.officers), "--gunicorn-workers",
        str(arguments.gunicorn_workers), "--threads", str(arguments.threads), "--timeout",
        str(arguments.timeout)])

