"""Citizen ID numbers (居民身份证号码, GB 11643-1999): parse, check, mask.

An 18-character number: 6-digit region code (GB/T 2260) where it was first issued, 8-digit
birth date, 3-digit sequence whose last digit is odd for a man, and a check character
(ISO 7064 MOD 11-2, ``X`` for 10). Numbers arrive typed by hand or pasted from spreadsheets,
so :func:`parse_id_number` first removes the noise that does not change the number (full-width
characters, spaces), then refuses anything else with a reason a person can act on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..core.errors import ValidationError
from ..core.text import clean_code
from ..privacy.masking import mask_id_number  # the rule lives there; kept importable from here
from .regions import is_known_region

LENGTH = 18
EARLIEST_BIRTH_YEAR = 1900

#: Weight of each of the first 17 digits: 2^(17-i) mod 11 (ISO 7064 MOD 11-2).
_WEIGHTS = tuple(pow(2, LENGTH - 1 - i, 11) for i in range(LENGTH - 1))
#: Check character for (sum of weighted digits) mod 11.
_CHECK_CHARACTERS = "10X98765432"

_DIGITS = frozenset("0123456789")
#: What Excel (or a program that read the cell as a number) makes of a long number:
#: "4.40306E+17", "4.4E17", "4,40306E+17", "440306199001011000.0", "440,306,199,001,011,000".
_AS_NUMBER = (
    re.compile(r"[0-9]+(?:[.,][0-9]*)?[Ee][+]?[0-9]+"),
    re.compile(r"[0-9]+[.,][0-9]+"),
    re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"),
)


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A checked citizen ID number and what it says about its holder."""

    number: str  #: 18 characters, upper-case ``X``
    region_code: str  #: the first 6 digits: where the number was issued
    birth_date: date
    sex: str  #: "male" or "female"

    def __repr__(self) -> str:  # never put a whole ID number in logs or tracebacks
        return f"IdNumber({mask_id_number(self.number)!r})"


def check_character(first17: str) -> str:
    """The check character (``0``–``9`` or ``X``) for the first 17 digits of an ID number."""
    if len(first17) != LENGTH - 1 or not set(first17) <= _DIGITS:
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def _clean(raw) -> str:
    """Remove the noise that does not change the number (full width, spaces: the rule of every
    code, :func:`plugin.core.text.clean_code`) and make a lower-case x upper-case. Only the x:
    another letter is shown as it was typed when it is refused."""
    text = clean_code("" if raw is None else str(raw)) or ""
    return text.replace("x", "X")


def parse_id_number(raw: str, *, today: date, field: str = "id_number") -> IdNumber:
    """Check ``raw`` and return the ID number it holds, or raise :class:`ValidationError`.

    ``raw`` is normally text; a spreadsheet cell read as a number (int or float) is taken as
    its ``str()``, so a float ends up refused as scientific notation.

    Accepted noise: full-width digits and letters, spaces anywhere (also full-width and
    non-breaking), a lower-case ``x``. Everything else is refused with its own message:
    empty, turned into a number by Excel, wrong characters, wrong length, unknown region,
    impossible / future / pre-1900 birth date, wrong check character. ``today`` is the date
    in the company's time zone; a birth date after it is refused.
    """
    number = _clean(raw)
    if not (len(number) == LENGTH and number.isascii() and number[:17].isdigit()
            and (number[17] == "X" or number[17].isdigit())):
        _refuse_form(number, field)  # the usual well-formed number skips these checks

        raise ValidationError(
            "身份证号码被 Excel 转成了科学计数法（%(value)s），后几位数字已经丢失，无法还原；"
            "请将该列设为文本格式后重新导出", field=field, value=number)
    region_code = number[:6]
    if not is_known_region(region_code):
        raise ValidationError(
            "身份证号码前 6 位的地区码 %(region_code)s 不存在", field=field,
            region_code=region_code)

    birth_digits = number[6:14]
    try:
        birth_date = date(int(birth_digits[:4]), int(birth_digits[4:6]), int(birth_digits[6:]))
    except ValueError:
        raise ValidationError(
            "身份证号码中的出生日期 %(birth_digits)s 不存在", field=field,
            birth_digits=birth_digits) from None
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            "身份证号码中的出生日期 %(birth_date)s 早于 %(earliest)s 年", field=field,
            birth_date=birth_date.isoformat(), earliest=EARLIEST_BIRTH_YEAR)
    if birth_date > today:
        raise ValidationError(
            "身份证号码中的出生日期 %(birth_date)s 晚于今天（%(today)s）", field=field,
            birth_date=birth_date.isoformat(), today=today.isoformat())

    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "身份证号码校验位不对：最后一位应为 %(expected)s，填写的是 %(found)s，"
            "请核对号码是否抄错", field=field, expected=expected, found=number[17])

    return IdNumber(number=number, region_code=region_code, birth_date=birth_date,
                    sex="male" if int(number[16]) % 2 else "female")


def _refuse_form(number: str, field: str) -> None:
    """Raise the error of a number that is not 17 digits and a check character (empty, turned
    into a number by Excel, a wrong character, a wrong length); return for one that is."""
    if not number:
        raise ValidationError("请填写身份证号码", field=field)
    if any(pattern.fullmatch(number) for pattern in _AS_NUMBER):
        raise ValidationError(
            "身份证号码被 Excel 转成了科学计数法（%(value)s），后几位数字已经丢失，无法还原；"
            "请将该列设为文本格式后重新导出", field=field, value=number)
    # Report a character that is never valid before an X out of place: in "…002X.0" the
    # problem is ".", not the X.
    position = next((i for i, ch in enumerate(number) if ch not in _DIGITS and ch != "X"),
                    number.find("X", 0, len(number) - 1))
    if position >= 0:
        raise ValidationError(
            "身份证号码第 %(position)s 位是无效字符“%(character)s”：只能是数字，"
            "最后一位可以是 X", field=field, position=position + 1, character=number[position])
    if len(number) == 15:
        raise ValidationError(
            "这是已停用的 15 位第一代身份证号码，请填写 18 位号码", field=field, length=15)
    if len(number) != LENGTH:
        raise ValidationError(
            "身份证号码应为 18 位，这里是 %(length)s 位", field=field, length=len(number))


def check_matches(id: IdNumber, *, birth_date: date | None, sex: str | None) -> None:
    """Refuse a birth date or sex, entered next to the ID number, that the number contradicts.

    ``None`` means "not given" and is not checked. ``sex`` is "male" or "female".
    """
    if birth_date is not None and birth_date != id.birth_date:
        raise ValidationError(
            "出生日期 %(given)s 与身份证号码中的出生日期 %(expected)s 不一致", field="birth_date",
            given=birth_date.isoformat(), expected=id.birth_date.isoformat())
    if sex is not None:
        if sex not in ("male", "female"):
            raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
        # Two literal msgids (not one with the sex as a parameter) so each translates whole
        # and `make extract-messages` finds both.
        if sex != id.sex and id.sex == "male":
            raise ValidationError("性别与身份证号码不一致：身份证号码第 17 位表示男性",
                                  field="sex", given=sex, expected=id.sex)
        if sex != id.sex:
            raise ValidationError("性别与身份证号码不一致：身份证号码第 17 位表示女性",
                                  field="sex", given=sex, expected=id.sex)
