"""Referral pre-fill: the contacts the referral directory suggests for the child's hukou region
(most specific first, the national hotlines last), and the police station and notice recipients
taken from them for the case page's forms."""
from __future__ import annotations

from dataclasses import dataclass

from ..referrals.queries import ReferralSuggestion, suggested_contacts
from .models import NoticeRecipient, RiskReport

#: The directory's kinds of contact that are a notice's recipient.
RECIPIENT_OF_KIND = {
    "civil_affairs": NoticeRecipient.CIVIL_AFFAIRS,
    "school": NoticeRecipient.SCHOOL,
    "village_committee": NoticeRecipient.VILLAGE_COMMITTEE,
    "child_director": NoticeRecipient.CHILD_DIRECTOR,
    "township_supervisor": NoticeRecipient.OTHER,
    "other": NoticeRecipient.OTHER,
}
POLICE_KIND = "police_station"


@dataclass(frozen=True)
class Prefill:
    suggestions: list[ReferralSuggestion]

    @property
    def police_station(self) -> ReferralSuggestion | None:
        """The most specific police station suggested (not the 110 hotline)."""
        return next((each for each in self.suggestions
                     if each.kind == POLICE_KIND and each.contact_id is not None), None)

    def for_recipient(self, recipient: NoticeRecipient) -> ReferralSuggestion | None:
        return next((each for each in self.suggestions
                     if RECIPIENT_OF_KIND.get(each.kind) == recipient), None)

    def notice_defaults(self, index: int | None = None) -> dict:
        """The notice form filled from suggestion ``index`` (a contact the officer picked), or
        from the first suggested Civil Affairs office, child director or village committee."""
        chosen = None
        if index is not None and 0 <= index < len(self.suggestions):
            chosen = self.suggestions[index]
            if chosen.kind not in RECIPIENT_OF_KIND:
                chosen = None
        if chosen is None:
            chosen = next(filter(None, (self.for_recipient(recipient) for recipient in (
                NoticeRecipient.CIVIL_AFFAIRS, NoticeRecipient.CHILD_DIRECTOR,
                NoticeRecipient.VILLAGE_COMMITTEE))), None)
        if chosen is None:
            return {}
        return {"recipient": RECIPIENT_OF_KIND[chosen.kind].value,
                "organisation": chosen.organisation or "", "person": chosen.person_name or "",
                "phone": chosen.phone or ""}


def prefill_for(report: RiskReport) -> Prefill:
    return Prefill(suggested_contacts(report.hukou_region_code))
