"""Guardianship's indicators (issue #18): agreements in force on the period's last day, contacts
logged and the workers who logged them, each against figures counted by hand on two sites (one
with a team), for subtrees and at the period's boundaries."""
from datetime import UTC, date, datetime, timedelta

import pytest

from plugin.core import indicators
from plugin.core.clock import local_today
from plugin.guardianship import services
from plugin.guardianship.contacts import log_contact
from plugin.guardianship.integrity import worker_actor
from plugin.org.models import OrgKind

from .conftest import SYSTEM
from .factories import make_child, make_worker
from .guardianship_support import paper_draft, phone_draft, signature_data_url

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))


@pytest.fixture
def sites(make_unit):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    team = make_unit(OrgKind.TEAM, parent=site_a, name="钢筋班组")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    return site_a, team, site_b


def parent_of_one(unit):
    worker = make_worker(unit)
    make_child(worker, left_behind=True)
    return worker


def paper(unit, starts_on: date, ends_on: date):
    """A paper agreement of a new worker of ``unit``, signed on its first day."""
    worker = parent_of_one(unit)
    return services.create_agreement(
        worker, paper_draft([link.child for link in worker.child_links], starts_on=starts_on,
                            ends_on=ends_on, signed_on=starts_on),
        actor=SYSTEM, today=starts_on)


@pytest.fixture
def agreements(sites, clock):
    """甲: one in force since September, one of its team from 1 November, one ended early on
    20 November, one ended on 30 November, one lapsing on its last day, 30 November, one revoked
    on 10 November, one sent to the phone on 1 November and signed on 5 December, one never
    signed; 乙: one in force."""
    site_a, team, site_b = sites
    year_on = timedelta(days=364)
    made = {
        "active": paper(site_a, date(2026, 9, 1), date(2027, 8, 31)),
        "team": paper(team, date(2026, 11, 1), date(2027, 10, 31)),
        "ended_early": paper(site_a, date(2026, 6, 1), date(2027, 5, 31)),
        "ended_on_last_day": paper(site_a, date(2026, 6, 1), date(2027, 5, 31)),
        "lapsed": paper(site_a, date(2026, 1, 1), date(2026, 11, 30)),
        "revoked": paper(site_a, date(2026, 7, 1), date(2027, 6, 30)),
        "b": paper(site_b, date(2026, 3, 1), date(2027, 2, 28)),
    }
    services.end_agreement(made["ended_early"], reason="职工返乡", actor=SYSTEM,
                           today=date(2026, 11, 20))
    services.end_agreement(made["ended_on_last_day"], reason="孩子随父母到工地", actor=SYSTEM,
                           today=date(2026, 11, 30))
    services.revoke_agreement(made["revoked"], reason="照护人不适合", actor=SYSTEM,
                              today=date(2026, 11, 10))
    assert services.end_lapsed_agreements(date(2026, 12, 1)) == 1  # the daily job, next morning
    assert made["lapsed"].closed_on == date(2026, 11, 30)
    for key, signs_on in (("signed_late", date(2026, 12, 5)), ("unsigned", None)):
        worker = parent_of_one(site_a)
        made[key] = services.create_agreement(
            worker, phone_draft([link.child for link in worker.child_links],
                                starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 1) + year_on),
            actor=SYSTEM, today=date(2026, 11, 1))
        if signs_on:
            services.sign_on_phone(made[key], worker, signature_data_url(), confirmed=True,
                                   today=signs_on)
    return made


def figure(code, paths, period):
    return indicators.compute(f"guardianship.{code}", [unit.path for unit in paths], *period)


def records(code, paths, period):
    return indicators.counted_records(f"guardianship.{code}", [unit.path for unit in paths],
                                      *period)


def ids(*agreements):
    return sorted(agreement.id for agreement in agreements)


def test_agreements_in_force_on_the_last_day(sites, agreements, company):
    site_a, team, site_b = sites
    a = agreements
    # 30 November: the ones ended early or revoked are out, the one ended by an officer that
    # day too; the lapsing one ran to its last day; the phone one was not signed yet.
    assert figure("agreements_in_force", [site_a], NOVEMBER) == 3
    assert records("agreements_in_force", [site_a], NOVEMBER) == ids(
        a["active"], a["team"], a["lapsed"])
    assert figure("agreements_in_force", [company], NOVEMBER) == 4
    assert figure("agreements_in_force", [team], NOVEMBER) == 1
    assert figure("agreements_in_force", [site_b], NOVEMBER) == 1
    assert figure("agreements_in_force", [team, site_b], NOVEMBER) == 2
    # October: what stood then, though several ended or were revoked since.
    assert records("agreements_in_force", [site_a], OCTOBER) == ids(
        a["active"], a["ended_early"], a["ended_on_last_day"], a["lapsed"], a["revoked"])
    # A stock counts the last day only: the lapsed one is out on 31 December, the phone one in.
    assert records("agreements_in_force", [site_a], DECEMBER) == ids(
        a["active"], a["team"], a["signed_late"])
    # A period ending the day before an agreement starts does not count it.
    assert records("agreements_in_force", [team], OCTOBER) == []
    assert figure("agreements_in_force", [], NOVEMBER) == 0


def contact(worker, on: date, kind: str = "call", *, today: date | None = None):
    child = worker.child_links[0].child
    return log_contact(worker, child_id=child.id, party="child", kind=kind, contact_on=on,
                       note=None, actor=worker_actor(worker), today=today or on)


@pytest.fixture
def contacts(sites, clock):
    """甲: w1 calls on 31 October, 1 and 15 November; w2 on 10 November; the team's worker on the
    phone at 23:59 local on 30 November and again at 00:00 on 1 December; 乙: w3 on 20 November."""
    site_a, team, site_b = sites
    w1, w2, member, w3 = (parent_of_one(unit) for unit in (site_a, site_a, team, site_b))
    logged = {"w1_october": contact(w1, date(2026, 10, 31)),
              "w1_first": contact(w1, date(2026, 11, 1)),
              "w1_video": contact(w1, date(2026, 11, 15), "video"),
              "w2": contact(w2, date(2026, 11, 10)),
              "w3": contact(w3, date(2026, 11, 20))}
    # The phone logs today's contacts under the company's local today (Asia/Shanghai, UTC+8).
    clock.now = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)
    assert local_today() == date(2026, 11, 30)
    logged["last_minute"] = contact(member, local_today())
    clock.advance(minutes=1)
    assert local_today() == date(2026, 12, 1)
    logged["next_day"] = contact(member, local_today(), "video")
    return logged, (w1, w2, member, w3)


def test_contacts_logged_in_the_period(sites, contacts, company):
    site_a, team, site_b = sites
    logged, _workers = contacts
    assert figure("contacts_logged", [site_a], NOVEMBER) == 4
    assert records("contacts_logged", [site_a], NOVEMBER) == sorted(
        logged[key].id for key in ("w1_first", "w1_video", "w2", "last_minute"))
    assert figure("contacts_logged", [company], NOVEMBER) == 5
    assert figure("contacts_logged", [team], NOVEMBER) == 1
    assert figure("contacts_logged", [site_b], NOVEMBER) == 1
    assert records("contacts_logged", [site_a], OCTOBER) == [logged["w1_october"].id]
    assert records("contacts_logged", [site_a], DECEMBER) == [logged["next_day"].id]
    assert figure("contacts_logged", [site_a], (date(2026, 11, 2), date(2026, 11, 14))) == 1


def test_workers_in_contact_are_counted_once(sites, contacts, company):
    site_a, team, site_b = sites
    _logged, (w1, w2, member, w3) = contacts
    assert figure("workers_in_contact", [site_a], NOVEMBER) == 3  # w1 twice, counted once
    assert records("workers_in_contact", [site_a], NOVEMBER) == sorted([w1.id, w2.id, member.id])
    assert figure("workers_in_contact", [company], NOVEMBER) == 4
    assert records("workers_in_contact", [team], NOVEMBER) == [member.id]
    assert records("workers_in_contact", [site_a], OCTOBER) == [w1.id]
    assert records("workers_in_contact", [site_a], DECEMBER) == [member.id]
    assert figure("workers_in_contact", [site_b], OCTOBER) == 0


def test_the_indicators_are_declared(app):
    declared = indicators.declared_indicators()
    kinds = {code: (declared[code][1].kind, declared[code][1].record_type) for code in (
        "guardianship.agreements_in_force", "guardianship.contacts_logged",
        "guardianship.workers_in_contact")}
    assert kinds == {"guardianship.agreements_in_force": (indicators.STOCK, "agreement"),
                     "guardianship.contacts_logged": (indicators.FLOW, "contact_log"),
                     "guardianship.workers_in_contact": (indicators.FLOW, "worker")}
