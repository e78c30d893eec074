"""The directory as a spreadsheet: the field table the importer maps columns to and parses rows
with (kinds in Chinese words, regions by code or unambiguous name, hotline numbers), and the row
store: created, updated, unchanged (writing and auditing nothing), refused — idempotent, and
never touching an entry kept outside the importer's scope."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.access.scope import Scope
from plugin.audit.models import AuditEvent
from plugin.core.db import session
from plugin.core.errors import ValidationError
from plugin.org.models import OrgKind
from plugin.referrals import contacts
from plugin.referrals.importing import EXAMPLE, FIELDS, KEY_FIELDS, store_row
from plugin.referrals.models import ContactKind, ReferralContact
from plugin.registry.schema import RecordInvalid, parse_record

from .conftest import SYSTEM
from .referrals_support import COUNTY, TODAY, make_contact


def parsed(**raw):
    return parse_record(raw, FIELDS, today=TODAY)


def row(**overrides):
    raw = {"kind": "儿童主任", "region_code": "511321", "township": "大桥镇", "village": "东村",
           "person_name": "王秀英", "phone": "13812345678", "address": "东村村委会",
           "notes": "工作日"}
    raw.update(overrides)
    return parsed(**raw)


def audits():
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.action.startswith("referrals.")).order_by(AuditEvent.id)))


@pytest.mark.parametrize(("word", "kind"), [
    ("儿童主任", ContactKind.CHILD_DIRECTOR), ("村（居）儿童主任", ContactKind.CHILD_DIRECTOR),
    ("儿童督导员", ContactKind.TOWNSHIP_SUPERVISOR), ("派出所", ContactKind.POLICE_STATION),
    ("民政", ContactKind.CIVIL_AFFAIRS), ("村委会", ContactKind.VILLAGE_COMMITTEE),
    ("学校", ContactKind.SCHOOL), ("热线", ContactKind.HOTLINE),
    ("police_station", ContactKind.POLICE_STATION), ("Civil_Affairs", ContactKind.CIVIL_AFFAIRS)])
def test_kinds_are_read_from_the_words_people_use(app_context, word, kind):
    assert parsed(kind=word, region_code="511321", phone="110",
                  organisation="x")["kind"] is kind


def test_fields_parse_codes_names_and_numbers_and_name_every_bad_field(app_context):
    values = parsed(kind="派出所", region_code=511321.0, phone=13812345678.0,
                    organisation=" 大桥派出所 ", notes="白天\n夜间")
    assert values == {"kind": ContactKind.POLICE_STATION, "region_code": "511321",
                      "phone": "13812345678", "organisation": "大桥派出所", "notes": "白天\n夜间"}
    assert parsed(kind="热线", region_code="四川省南充市南部县", phone="12355")["region_code"] == COUNTY
    assert parsed(kind="热线", region_code="510000", phone="400-123-4567")["phone"] == "4001234567"
    with pytest.raises(RecordInvalid) as refused:
        parsed(kind="警察", region_code="朝阳区", phone="12", township="镇" * 101)
    errors = refused.value.errors.by_field()
    assert set(errors) == {"kind", "region_code", "phone", "township"}
    assert errors["region_code"][0].startswith("名为“朝阳区”的地区不止一个（北京市朝阳区 110105")
    with pytest.raises(RecordInvalid) as refused:
        parsed(organisation="派出所")
    assert set(refused.value.errors.by_field()) == {"kind", "region_code", "phone"}
    # The template's example imports as it is; the identifying fields are fields.
    assert parsed(**EXAMPLE)["region_code"] == "511321"
    assert set(KEY_FIELDS) <= {spec.code for spec in FIELDS}
    aliases = {alias for spec in FIELDS for alias in spec.aliases}
    assert {"儿童主任", "类别", "行政区划代码", "联系电话", "village", "phone"} - aliases == {"儿童主任"}


def test_rows_are_created_updated_or_unchanged_and_import_twice_changes_nothing(company):
    assert store_row(row(), unit=company, actor=SYSTEM, scope=Scope.company(),
                     today=TODAY) == "created"
    entry = session.scalars(select(ReferralContact)).one()
    assert (entry.org_unit_id, entry.kind, entry.village, entry.person_name) == (
        company.id, ContactKind.CHILD_DIRECTOR, "东村", "王秀英")
    assert store_row(row(), unit=company, actor=SYSTEM, scope=Scope.company(),
                     today=TODAY) == "unchanged"
    assert len(audits()) == 1
    stamp = entry.updated_at
    assert store_row(row(phone="13900001111", notes=None), unit=company, actor=SYSTEM,
                     scope=Scope.company(), today=TODAY) == "updated"
    assert (entry.phone, entry.notes) == ("13900001111", None) and entry.updated_at >= stamp
    # A row without the notes column leaves the notes alone.
    values = row(phone="13900001111")
    values.pop("notes")
    assert store_row(values, unit=company, actor=SYSTEM, scope=Scope.company(),
                     today=TODAY) == "unchanged"
    # Another person in the same village is another entry.
    assert store_row(row(person_name="李桂兰"), unit=company, actor=SYSTEM,
                     scope=Scope.company(), today=TODAY) == "created"
    written = audits()
    assert [(event.action, event.details["referrals_outcome"]) for event in written] == [
        ("referrals.contact_imported", "created"), ("referrals.contact_imported", "updated"),
        ("referrals.contact_imported", "created")]
    assert written[1].details["fields"] == ["phone", "notes"]
    assert all("王秀英" not in repr(e.details) and "139" not in repr(e.details) for e in written)


def test_a_deactivated_entry_in_the_file_is_active_again(company):
    store_row(row(), unit=company, actor=SYSTEM, scope=Scope.company(), today=TODAY)
    entry = session.scalars(select(ReferralContact)).one()
    contacts.set_active(entry, False, actor=SYSTEM)
    assert store_row(row(), unit=company, actor=SYSTEM, scope=Scope.company(),
                     today=TODAY) == "updated"
    assert entry.active is True and audits()[-1].details["fields"] == ["active"]


def test_an_entry_kept_outside_the_scope_is_refused_without_naming_it(company, make_unit):
    site_a = make_unit(OrgKind.SITE, name="甲项目部")
    site_b = make_unit(OrgKind.SITE, name="乙项目部")
    theirs = make_contact(site_b, "child_director", COUNTY, township="大桥镇", village="东村",
                          person_name="王秀英", phone="13812345678")
    before = len(audits())
    with pytest.raises(ValidationError) as refused:
        store_row(row(phone="13900001111"), unit=site_a, actor=SYSTEM,
                  scope=Scope.of_unit(site_a), today=TODAY)
    assert "乙项目部" not in refused.value.localized() and "王秀英" not in refused.value.localized()
    assert theirs.phone == "13812345678" and len(audits()) == before
    # Within the importer's scope it is updated, and stays with its unit.
    assert store_row(row(phone="13900001111"), unit=company, actor=SYSTEM,
                     scope=Scope.company(), today=TODAY) == "updated"
    assert theirs.org_unit_id == site_b.id and theirs.phone == "13900001111"


def test_a_row_naming_neither_organisation_nor_person_is_refused(company):
    with pytest.raises(ValidationError) as refused:
        store_row(row(person_name=None), unit=company, actor=SYSTEM, scope=Scope.company(),
                  today=TODAY)
    assert refused.value.errors[0].field == "organisation"
    assert session.scalars(select(ReferralContact)).all() == []
