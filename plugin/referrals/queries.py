"""Published reads of the referral directory: the contacts to suggest for a child's hukou region
(:func:`suggested_contacts`, read by the risk reports to pre-fill referrals) and the directory's
search (:func:`search`).

*Product rule* of the suggestions: the active entries of the child's county, then of its
prefecture (``code[:4] + "00"``), then of its province (``code[:2] + "0000"``), most specific
first; a county's, prefecture's or province's code also stands for the same place under the code
it had before or after being renumbered (:func:`.places.same_place`). Within the county, the
entries of the child's village come first, then those of its township, then the county-wide ones,
then those of other townships and villages; within each of these, by kind (the order of
:class:`.models.ContactKind`), organisation and person. The national hotlines (110, 12355,
12338) always come last: they are constants, not rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select

from ..core.db import session
from ..core.errors import ValidationError
from ..core.i18n import N_
from ..core.pagination import Page, paginate
from ..core.text import clean_code, clean_free_text
from ..registry.regions import is_known_region, region_name
from .models import KIND_ORDER, ContactKind, ReferralContact
from .places import NAME_MATCHES_MAX, codes_named, prefecture_of, province_of, same_place

REGION_TOO_VAGUE = N_("符合“%(value)s”的地区太多，请写得更具体，或填写6位行政区划代码")
REGION_NOT_FOUND = N_("找不到名为“%(value)s”的地区，请填写6位行政区划代码")
UNKNOWN_REGION = N_("未知的行政区划代码：%(value)s")


@dataclass(frozen=True)
class ReferralSuggestion:
    """One contact to suggest for a referral, as the risk reports show and store it."""

    #: The :class:`.models.ContactKind` value.
    kind: str
    kind_label: str
    organisation: str | None
    person_name: str | None
    phone: str
    #: None for the national hotlines.
    region_code: str | None
    region_name: str | None
    township: str | None
    village: str | None
    #: The directory entry; None for the built-in national hotlines.
    contact_id: int | None


@dataclass(frozen=True)
class Hotline:
    phone: str
    organisation: object


#: The national hotlines, suggested last for every child (公安报警 first).
HOTLINES = (
    Hotline("110", _l("公安报警")),
    Hotline("12355", _l("青少年服务台")),
    Hotline("12338", _l("妇女儿童维权热线")),
)
NATIONWIDE = _l("全国")


def hotline_suggestions() -> list[ReferralSuggestion]:
    return [ReferralSuggestion(kind=ContactKind.HOTLINE.value,
                               kind_label=str(ContactKind.HOTLINE.label),
                               organisation=str(hotline.organisation), person_name=None,
                               phone=hotline.phone, region_code=None,
                               region_name=str(NATIONWIDE), township=None, village=None,
                               contact_id=None)
            for hotline in HOTLINES]


def _levels(code: str) -> dict[str, int]:
    """Region code → its level for ``code``: 0 the county, 1 the prefecture, 2 the province
    (with the codes of the same places before or after renumbering)."""
    levels: dict[str, int] = {}
    counties = same_place(code) if code[4:] != "00" else ()
    for county in counties:
        levels.setdefault(county, 0)
    prefectures = {prefecture_of(each) for each in counties or (code,)}
    if code[2:] != "0000":
        for prefecture in sorted(prefectures):
            for each in same_place(prefecture):
                levels.setdefault(each, 1)
    for province in sorted({province_of(each) for each in levels or (code,)}):
        levels.setdefault(province, 2)
    return levels


def _clean(value: str | None) -> str | None:
    return clean_free_text(value) if value else None


def _closeness(contact: ReferralContact, township: str | None, village: str | None) -> int:
    """Within the county: 0 the child's village, 1 its township, 2 county-wide, 3 elsewhere."""
    township_fits = contact.township is None or township is None or contact.township == township
    if village and contact.village == village and township_fits:
        return 0
    if contact.village is None and township and contact.township == township:
        return 1
    if contact.village is None and contact.township is None:
        return 2
    return 3


def suggested_contacts(region_code: str | None, *, township: str | None = None,
                       village: str | None = None) -> list[ReferralSuggestion]:
    """The contacts to suggest for a child whose hukou region is ``region_code`` (and, when
    known, township and village), in the order of the module's rule; one query. Without a
    known region code only the national hotlines."""
    code = clean_code(region_code) if region_code else None
    if not code or len(code) != 6 or not code.isdigit():
        return hotline_suggestions()
    township, village = _clean(township), _clean(village)
    levels = _levels(code)
    contacts = session.scalars(select(ReferralContact).where(
        ReferralContact.active.is_(True), ReferralContact.region_code.in_(levels))).all()

    def rank(contact: ReferralContact):
        level = levels[contact.region_code]
        return (level, _closeness(contact, township, village) if level == 0 else 0,
                KIND_ORDER[contact.kind], contact.organisation or "", contact.person_name or "",
                contact.id)

    names: dict[str, str | None] = {}
    suggestions = []
    for contact in sorted(contacts, key=rank):
        if contact.region_code not in names:
            names[contact.region_code] = region_name(contact.region_code)
        suggestions.append(ReferralSuggestion(
            kind=contact.kind.value, kind_label=str(contact.kind.label),
            organisation=contact.organisation, person_name=contact.person_name,
            phone=contact.phone, region_code=contact.region_code,
            region_name=names[contact.region_code], township=contact.township,
            village=contact.village, contact_id=contact.id))
    return suggestions + hotline_suggestions()


# --- the directory's search ---------------------------------------------------------------------

@dataclass(frozen=True)
class RegionFilter:
    """The entries serving a region typed in the search: their codes, and the prefixes of the
    prefectures and provinces typed (whose entries inside them are listed too)."""

    codes: tuple[str, ...]
    prefixes: tuple[str, ...]

    def condition(self):
        return or_(ReferralContact.region_code.in_(self.codes),
                   *(ReferralContact.region_code.startswith(prefix) for prefix in self.prefixes))


def region_filter(region: str | None) -> RegionFilter | None:
    """What the search's ``region`` (a code or a name) selects: the codes serving each region it
    names (its county, prefecture and province, as suggested) and, for a prefecture or province,
    every code inside it; None when nothing was typed. Raises a ValidationError on the field
    ``region`` for a code or name that is no region."""
    text = clean_free_text(region, max_length=100, field="region")
    if not text:
        return None
    code = clean_code(text)
    if code.isdigit():
        if len(code) != 6 or not is_known_region(code):
            raise ValidationError(UNKNOWN_REGION, field="region", value=code)
        found = [code]
    else:
        found = codes_named(text)
        if not found:
            raise ValidationError(REGION_NOT_FOUND, field="region", value=text)
        if len(found) > NAME_MATCHES_MAX:
            raise ValidationError(REGION_TOO_VAGUE, field="region", value=text)
    codes: dict[str, None] = {}
    prefixes: dict[str, None] = {}
    for each in found:
        codes.update(dict.fromkeys(_levels(each)))
        if each[2:] == "0000":
            prefixes[each[:2]] = None
        elif each[4:] == "00":
            prefixes[each[:4]] = None
    return RegionFilter(tuple(sorted(codes)), tuple(prefixes))


#: Entries of one place by kind in the order of :class:`.models.ContactKind`.
_KIND_RANK = case(*((ReferralContact.kind == kind, position)
                    for kind, position in KIND_ORDER.items()), else_=len(KIND_ORDER))


def search(*, region: str | None = None, kind: ContactKind | None = None,
           text: str | None = None, include_inactive: bool = False, page: int = 1,
           per_page: int = 50) -> Page:
    """Entries of the directory (company-wide reference data: no scope), in two queries.

    ``region``: a code or a name (:func:`region_filter`). ``text``: part of the organisation,
    person, phone, township, village or address. Deactivated entries only when asked. By region
    code from the highest, so each county comes before its prefecture and each prefecture
    before its province (most specific first, as suggested), then by kind and organisation."""
    statement = select(ReferralContact)
    selected = region_filter(region)
    if selected is not None:
        statement = statement.where(selected.condition())
    if kind is not None:
        statement = statement.where(ReferralContact.kind == kind)
    words = clean_free_text(text, max_length=100, field="text")
    if words:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", words) + "%"
        statement = statement.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            ReferralContact.organisation, ReferralContact.person_name, ReferralContact.phone,
            ReferralContact.township, ReferralContact.village, ReferralContact.address))))
    if not include_inactive:
        statement = statement.where(ReferralContact.active.is_(True))
    statement = statement.order_by(ReferralContact.region_code.desc(), _KIND_RANK,
                                   ReferralContact.organisation, ReferralContact.id)
    return paginate(statement, page, per_page)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, str(kind.label)) for kind in ContactKind]


def region_label(code: str) -> str:
    """A code as people read it: "四川省南充市南部县（511321）"."""
    name = region_name(code)
    return gettext("%(name)s（%(code)s）", name=name, code=code) if name else code
