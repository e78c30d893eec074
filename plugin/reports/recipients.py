"""Who reports are filed with (DOMAIN §9) and the template CareBridge ships for each.

No official form exists for enterprises, so each recipient gets a built-in template naming the
indicators it asks for, how they are broken down, and free-text sections. A template names
indicators by code; one whose feature is not mounted is left out of the report (never a made-up
zero), so the templates already name the figures of features still to come (risk reports).
Companies copy a template and adjust the copy (:mod:`.templates`).
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from .periods import PeriodKind


class Recipient(str, enum.Enum):
    SASAC = "sasac"
    ACFTU = "acftu"
    WOMENS_FEDERATION = "womens_federation"
    YOUTH_LEAGUE = "youth_league"
    ACFIC = "acfic"
    CIVIL_AFFAIRS = "civil_affairs"

    @property
    def label(self):
        return RECIPIENT_LABELS[self]


RECIPIENT_LABELS = {
    Recipient.SASAC: _l("国资委"),
    Recipient.ACFTU: _l("总工会"),
    Recipient.WOMENS_FEDERATION: _l("妇联"),
    Recipient.YOUTH_LEAGUE: _l("共青团"),
    Recipient.ACFIC: _l("工商联"),
    Recipient.CIVIL_AFFAIRS: _l("民政部门"),
}

#: The free-text sections a template may ask for, in the order they appear.
TEXT_SECTIONS = {
    "work_done": _l("主要工作开展情况"),
    "typical_cases": _l("典型事例"),
    "problems": _l("存在的问题"),
    "plans": _l("下一步工作计划"),
}

#: Breakdowns of the children's figures the recipients ask for most.
_CHILD_MIX = ("age_band", "focus_flag")

_WORKERS = {"registry.workers_employed": ("site",)}
_CHILDREN = {
    "registry.children_registered": (),
    "registry.children_left_behind": _CHILD_MIX,
    "registry.children_in_difficulty": _CHILD_MIX,
    "registry.children_migrant": (),
    "registry.children_de_facto_unsupported": (),
    "registry.children_orphan": (),
}
_LECTURES_AND_PLEDGES = {
    "lectures.sessions_held": (),
    "lectures.attendances": (),
    "lectures.workers_reached": (),
    "pledges.signed": (),
    "pledges.workers_covered": (),
}
_GUARDIANSHIP = {
    "guardianship.agreements_in_force": (),
    "guardianship.contacts_logged": (),
    "guardianship.workers_in_contact": (),
}
_REUNIONS = {
    "reunions.households_travelled": (),
    "reunions.people_reunited": (),
    "reunions.children_reunited": (),
    "reunions.subsidy_spent_fen": (),
}
_AID = {
    "aid.applications_submitted": ("reason",), "aid.families_helped": (),
    "aid.children_reached": (), "aid.fund_income_fen": (), "aid.fund_spending_fen": ("fund_kind",),
    "aid.pairings_active": (), "aid.visits_made": (),
}
_FAMILY_CONTACT = {
    "family_contact.workers_granted": (), "family_contact.minutes_granted": (),
    "family_contact.data_granted_mb": (), "family_contact.grant_cost_fen": (),
    "family_contact.rooms_open": ("kind",), "family_contact.bookings_made": (),
    "family_contact.bookings_used": (), "family_contact.workers_wifi_covered": (),
    "family_contact.workers_housed": (),
}
# Figures of features still to come: left out until their feature declares them.
_RISK = {"risk.reports_made": (), "risk.median_hours_to_report": ()}


def _lines(*groups: dict[str, tuple[str, ...]]) -> list[dict]:
    return [{"code": code, "breakdowns": list(breakdowns)}
            for group in groups for code, breakdowns in group.items()]


#: Recipient → (template name, indicator lines, text sections, the period drafted by default).
BUILTIN_TEMPLATES = {
    Recipient.SASAC: (
        _l("国资委：关爱农村留守儿童和困境儿童工作情况"),
        _lines(_WORKERS, _CHILDREN, _LECTURES_AND_PLEDGES, _GUARDIANSHIP, _FAMILY_CONTACT,
               _REUNIONS, _AID, _RISK),
        ("work_done", "typical_cases", "problems", "plans"), PeriodKind.QUARTER),
    Recipient.ACFTU: (
        _l("总工会：职工子女关爱服务工作情况"),
        _lines({"registry.workers_employed": ("site", "subcontractor")},
               {"registry.children_left_behind": ("age_band",),
                "registry.children_in_difficulty": ()},
               _LECTURES_AND_PLEDGES, _FAMILY_CONTACT, _REUNIONS, _AID),
        ("work_done", "typical_cases", "plans"), PeriodKind.HALF_YEAR),
    Recipient.WOMENS_FEDERATION: (
        _l("妇联：家庭监护和亲情关爱工作情况"),
        _lines({"registry.children_registered": ("sex", "age_band"),
                "registry.children_left_behind": ("sex", "age_band", "focus_flag"),
                "registry.children_in_difficulty": ("sex", "focus_flag")},
               _LECTURES_AND_PLEDGES, _GUARDIANSHIP, _FAMILY_CONTACT),
        ("work_done", "typical_cases", "plans"), PeriodKind.HALF_YEAR),
    Recipient.YOUTH_LEAGUE: (
        _l("共青团：关爱留守儿童志愿服务情况"),
        _lines({"registry.children_left_behind": ("age_band",),
                "registry.children_migrant": ("age_band",)}, _REUNIONS),
        ("work_done", "typical_cases", "plans"), PeriodKind.YEAR),
    Recipient.ACFIC: (
        _l("工商联：企业履行社会责任关爱职工子女情况"),
        _lines(_WORKERS, {"registry.children_left_behind": (),
                          "registry.children_in_difficulty": ()},
               _LECTURES_AND_PLEDGES, _REUNIONS, _AID),
        ("work_done", "typical_cases", "plans"), PeriodKind.YEAR),
    Recipient.CIVIL_AFFAIRS: (
        _l("民政部门：职工子女中留守儿童和困境儿童情况"),
        _lines({"registry.children_left_behind": ("hukou_province", "three_areas",
                                                  "hukou_rural", "age_band", "focus_flag"),
                "registry.children_in_difficulty": ("hukou_province", "focus_flag"),
                "registry.children_de_facto_unsupported": ("hukou_province",),
                "registry.children_orphan": ("hukou_province",)},
               _GUARDIANSHIP, _RISK),
        ("work_done", "typical_cases", "problems"), PeriodKind.HALF_YEAR),
}
