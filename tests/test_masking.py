"""The one masking rule for names, ID numbers and phone numbers (plugin.privacy.masking)."""
from __future__ import annotations

import pytest

from plugin.guardianship import labels
from plugin.pledges import rules
from plugin.privacy.masking import mask_id_number, mask_name, mask_phone
from plugin.registry import idnumber, phones


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"),
    ("张大山", "张**"),
    ("李桂英", "李**"),
    ("欧阳娜娜", "欧阳**"),        # compound family name: both characters kept
    ("司马相如", "司马**"),
    ("欧阳", "欧*"),              # no given name after it: the compound rule does not apply
    ("阿依古丽·买买提", "阿***·***"),
    ("张　三", "张*"),             # stray full-width space dropped first
    ("Li Wei", "L* ***"),
    ("张", "*"),                  # a one-character name is masked entirely
    ("", ""),
    (None, ""),
])
def test_names_keep_the_family_name_and_one_star_per_other_character(name, masked):
    assert mask_name(name) == masked


def test_a_masked_name_is_as_long_as_the_name():
    for name in ("王五", "赵铁柱", "诸葛孔明", "上官婉儿"):
        assert len(mask_name(name)) == len(name) and "*" in mask_name(name)


def test_the_pledge_and_agreement_pages_use_the_same_rule():
    assert rules.mask_name is mask_name and labels.mask_name is mask_name


@pytest.mark.parametrize("number, masked", [
    ("44030619900101123X", "440***********123X"),
    ("110105491231002", "110********1002"),
    ("12345678", "123*5678"),
    ("1234567", "*******"),
    ("", ""),
])
def test_id_numbers_show_the_first_three_and_last_four(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize("phone, masked", [
    ("13800135678", "138****5678"),
    ("075512345678", "075*****5678"),
    ("1234567", "*****67"),
    ("12", "*12"),
    ("", ""),
    (None, None),
])
def test_phone_numbers(phone, masked):
    assert mask_phone(phone) == masked


def test_the_registry_keeps_the_same_functions():
    assert idnumber.mask_id_number is mask_id_number and phones.mask_phone is mask_phone
