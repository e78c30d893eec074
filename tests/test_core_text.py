"""The three text rules of plugin.core.text, with what people really type."""
from __future__ import annotations

from datetime import date

import pytest

from plugin.core.errors import ValidationError
from plugin.core.text import clean_code, clean_free_text, clean_person_name, fold_width
from plugin.guardianship.contacts import log_contact
from plugin.guardianship.integrity import worker_actor
from plugin.guardianship.models import ContactKind, ContactParty
from plugin.guardianship.services import create_agreement
from plugin.org.models import OrgKind
from plugin.pledges.rules import normalise_code
from plugin.registry.schema import WORKER_FIELDS, parse_record
from plugin.registry.values import parse_phone

from .conftest import SYSTEM
from .guardianship_support import TODAY, paper_draft

DUTIES = ("一、接送孩子上学；照顾孩子的饮食起居（含周末）。\r\n"
          "二、每周与家长联系一次，孩子生病时及时告知家长，并陪同就医；\r\n"
          "三、不得让孩子独自留在家中，不得让孩子单独下河游泳。")


# -- free text: kept as typed -------------------------------------------------------------------

def test_agreement_duties_keep_their_full_width_punctuation_and_lines():
    cleaned = clean_free_text(DUTIES, multiline=True)
    assert cleaned == DUTIES.replace("\r\n", "\n")
    assert "；" in cleaned and "（含周末）" in cleaned and "，" in cleaned and ";" not in cleaned


@pytest.mark.parametrize("note", [
    "视频通话半小时，孩子说想爸爸了；外婆身体还好（血压有点高）。",
    "电话：孩子期中考试数学 92 分，语文 88 分！",
    "探望：带了新书包、两本课外书，约好“五一”再回来。",
])
def test_contact_notes_come_back_as_the_worker_typed_them(note):
    assert clean_free_text(note, multiline=True) == note
    assert clean_free_text(note) == note


def test_free_text_trims_the_ends_and_drops_control_characters():
    assert clean_free_text("\u3000 已电话联系。\x00\x07\u200b\ufeff  ") == "已电话联系。"
    assert clean_free_text("第一行  \r\n\r\n  第二行\r第三行\u2028第四行", multiline=True) == (
        "第一行\n\n  第二行\n第三行\n第四行")


def test_one_line_free_text_folds_pasted_line_breaks_into_one_space():
    assert clean_free_text("深圳市南山区\n前海路 1 号\t（工地宿舍）") == "深圳市南山区 前海路 1 号 （工地宿舍）"


def test_free_text_never_folds_full_width_letters_or_digits():
    assert clean_free_text("３号楼Ａ座") == "３号楼Ａ座"


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000\u3000", "\r\n\x00"])
def test_nothing_is_none(value):
    assert clean_free_text(value) is None and clean_free_text(value, multiline=True) is None
    assert clean_person_name(value) is None and clean_code(value) is None


def test_too_long_text_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        clean_free_text("长" * 11, max_length=10, field="note")
    assert refused.value.field == "note" and refused.value.params == {"max": 10}
    assert clean_free_text("长" * 10, max_length=10) == "长" * 10


def test_a_spreadsheet_number_cell_reads_as_typed():
    assert clean_free_text(3.0) == "3" and clean_code(13800135678.0) == "13800135678"


# -- person names: stray spaces go, characters stay ---------------------------------------------

@pytest.mark.parametrize("typed, name", [
    ("张　三", "张三"),                      # full-width space from a Chinese input method
    ("  王 建 国 ", "王建国"),
    ("欧阳\u00a0娜娜", "欧阳娜娜"),          # non-breaking space from a web page
    ("阿依古丽 · 买买提", "阿依古丽·买买提"),  # transliterated name, middle dot kept
    ("Li   Wei", "Li Wei"),
    ("李 Lily", "李Lily"),
    ("张三丰\u200b", "张三丰"),
])
def test_names_lose_their_stray_spaces(typed, name):
    assert clean_person_name(typed) == name


def test_names_keep_their_characters():
    assert clean_person_name("Ｌｉ　Ｗｅｉ") == "Ｌｉ Ｗｅｉ"
    assert clean_person_name("𠮷野家") == "𠮷野家"


# -- codes and numbers: ASCII, no spaces ----------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),   # full-width ID number
    ("110105 19491231 002x", "11010519491231002x"),
    ("Ｅ００１", "E001"),
    (" E 001\u3000", "E001"),
    ("１３８ ００１３ ５６７８", "13800135678"),
])
def test_codes_become_ascii_without_spaces(typed, code):
    assert clean_code(typed) == code


def test_case_insensitive_codes_are_upper_case():
    assert clean_code("abcd-ｅｆｇｈ", upper=True) == "ABCD-EFGH"


def test_only_full_width_forms_are_folded():
    assert fold_width("①²ﬁ") == "①²ﬁ"  # NFKC would make these 1, 2 and fi
    assert fold_width("（）；，：") == "();,:"


def test_a_full_width_phone_number_is_a_phone_number():
    assert parse_phone("１３８００１３５６７８", field="phone") == "13800135678"
    assert parse_phone("＋８６ １３８ ００１３ ５６７８", field="phone") == "13800135678"


# -- through the services ------------------------------------------------------------------------

def test_an_agreements_duties_and_names_are_stored_as_the_rules_say(make_unit, make_worker,
                                                                     make_child):
    father = make_worker(make_unit(OrgKind.SITE), name="张大山")
    child = make_child(father, left_behind=True, name="张小明")
    agreement = create_agreement(father, paper_draft(
        [child], duties=DUTIES, carer_name="李　桂英", witness=" 王 专员 ",
        carer_address="四川省凉山州（某县）某村３组", carer_phone="１３９１２３４５６７８"),
        actor=SYSTEM, today=TODAY)
    assert agreement.duties == DUTIES.replace("\r\n", "\n")
    assert agreement.carer_name == "李桂英" and agreement.witness == "王专员"
    assert agreement.carer_address == "四川省凉山州（某县）某村３组"
    assert agreement.carer_phone == "13912345678"


def test_a_contact_note_keeps_its_punctuation(make_unit, make_worker, make_child):
    father = make_worker(make_unit(OrgKind.SITE), name="张大山")
    child = make_child(father, left_behind=True, name="张小明")
    note = "视频通话半小时；孩子说（期中）考了 92 分，很开心！\r\n下周再打。"
    log = log_contact(father, child_id=child.id, party=ContactParty.CHILD, kind=ContactKind.VIDEO,
                      contact_on=TODAY, note=note, actor=worker_actor(father), today=TODAY)
    assert log.note == "视频通话半小时；孩子说（期中）考了 92 分，很开心！\n下周再打。"


def test_a_full_width_id_number_and_employee_number_are_read_as_ascii(company, clock):
    values = parse_record({"employee_number": "Ｅ　００１", "name": "王　五",
                           "id_number": "１１０１０５１９４９１２３１００２ｘ",
                           "phone": "１３８ ００１３ ５６７８"}, WORKER_FIELDS, today=date(2026, 12, 1))
    assert values["employee_number"] == "E001" and values["name"] == "王五"
    assert values["id_number"].number == "11010519491231002X"
    assert values["phone"] == "13800135678"


def test_a_pledge_code_typed_in_full_width_is_found():
    assert normalise_code(" ａｂｃｄ－ｅｆｇｈ-2345 ") == "ABCDEFGH2345"
