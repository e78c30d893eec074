"""Entries of the referral directory for the referral tests, made through the real service
(:func:`plugin.referrals.contacts.save_contact`), so they are checked and audited as in
production::

    police = make_contact(root, "police_station", "511321", organisation="大桥派出所")
    director = make_contact(root, "child_director", "511321", village="青龙村",
                            person_name="王秀英", phone="13812345678")
"""
from __future__ import annotations

from datetime import date

from plugin.access.scope import Scope
from plugin.referrals import contacts
from plugin.referrals.models import ReferralContact

from .conftest import SYSTEM

#: The ``clock`` fixture's today (2026-11-22, Shanghai).
TODAY = date(2026, 11, 22)
#: 四川省南充市南部县, its prefecture and province.
COUNTY, PREFECTURE, PROVINCE = "511321", "511300", "510000"


def make_contact(unit, kind: str, region: str, *, phone: str = "0817-5512345",
                 actor=SYSTEM, **values) -> ReferralContact:
    """An active entry kept by ``unit``; ``values`` by field code (organisation defaults to a
    name made of the kind and region, when no person is given either)."""
    if not values.get("organisation") and not values.get("person_name"):
        values["organisation"] = f"{region}{kind}"
    return contacts.save_contact(None, {"kind": kind, "region_code": region, "phone": phone,
                                        **values},
                                 unit=unit, scope=Scope.company(), actor=actor, today=TODAY)


def form_data(**overrides) -> dict[str, str]:
    """A valid entry as the form sends it (no unit)."""
    data = {"kind": "police_station", "region_code": COUNTY, "township": "大桥镇",
            "village": "", "organisation": "南部县公安局大桥派出所", "person_name": "",
            "phone": "0817-5512110", "address": "大桥镇人民路 8 号", "notes": "24小时值班"}
    data.update(overrides)
    return data
