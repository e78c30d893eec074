"""The demo company's directory: entries for the demo children's hukou counties, made through the
service, that the suggestions find (the withdrawn code the registry's demo gives 镇雄县's
children included)."""
from __future__ import annotations

from sqlalchemy import func, select

from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.features import DemoContext
from plugin.referrals import demo
from plugin.referrals.models import ContactKind, ReferralContact
from plugin.referrals.queries import suggested_contacts
from plugin.registry.demo import REGIONS

from .conftest import SYSTEM
from .referrals_support import TODAY


def test_the_demo_directory_serves_the_demo_childrens_counties(company):
    demo.load(DemoContext(units={}, actor=SYSTEM, today=TODAY))
    entries = session.scalars(select(ReferralContact)).all()
    kinds = {entry.kind for entry in entries}
    assert {ContactKind.CHILD_DIRECTOR, ContactKind.TOWNSHIP_SUPERVISOR,
            ContactKind.POLICE_STATION, ContactKind.CIVIL_AFFAIRS, ContactKind.HOTLINE} <= kinds
    assert any(entry.kind is ContactKind.HOTLINE and entry.region_code.endswith("0000")
               for entry in entries)
    assert [entry.person_name for entry in entries if not entry.active] == ["陈春花"]
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "referrals.contact_created")) == len(entries)
    served = 0
    for code, _weight, _ethnicity in REGIONS:
        local = [s for s in suggested_contacts(code) if s.contact_id is not None]
        served += bool(local)
    assert served >= 10
    # 镇雄县's children carry 532128 (withdrawn in 2001); its entries are under 530627.
    found = suggested_contacts("532128", village="镇雄县东村")
    assert found[0].kind == "child_director" and found[0].village == "镇雄县东村"
    assert [s.kind for s in found[1:3]] == ["police_station", "civil_affairs"]
    nanbu = suggested_contacts("511321", village="南部县东村")
    assert nanbu[0].person_name != "陈春花" and nanbu[0].village == "南部县东村"
    assert "四川青少年服务台（12355）" in [s.organisation for s in nanbu]
