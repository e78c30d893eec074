"""Turning what people and HR systems send into clean values, or a reason why not.

Shared by the roster importer, the API and the forms, so a value is accepted or refused the same
way wherever it comes from. Real-world noise is normalised (full-width digits in numbers and
dates, stray spaces, Excel date serials, phone numbers stored as numbers) by the rules of
:mod:`plugin.core.text`; free text keeps what was typed. Real errors raise
:class:`~plugin.core.errors.ValidationError` naming the field.
"""
from __future__ import annotations

import enum
import re
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from ..core.errors import ValidationError
from ..core.text import clean_code, clean_free_text

#: Day 0 of Excel's 1900 date system as Python sees it (Excel counts a non-existent 1900-02-29).
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+]?\d+$")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
_PARENTHESES = re.compile(r"[()]")
_COUNTRY_CODE = re.compile(r"^(?:\+?86)(?=1\d{10}$)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "无", "没有", "n", "no", "false", "0", "×", "不是"}


def clean_text(value: Any, *, max_length: int | None = None, field: str = "value") -> str | None:
    """One line of free text (kept for callers of the old name): see
    :func:`plugin.core.text.clean_free_text`; names and codes have their own functions there."""
    return clean_free_text(value, max_length=max_length, field=field)


def required(value: Any, field: str) -> Any:
    if value is None:
        raise ValidationError("必填项不能为空", field=field)
    return value


def parse_date(value: Any, *, field: str, today: date | None = None,
               not_before: date = date(1900, 1, 1)) -> date | None:
    """A date from a date cell, an Excel serial number or text like 2020-1-5 / 2020年1月5日.

    With ``today``, a date after today is refused (birth and entry dates cannot be in the future).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:
            raise ValidationError("无法识别的日期：%(value)s", field=field, value=value)
        result = _EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = clean_code(value, field=field)
        if text is None:
            return None
        if _EXCEL_SERIAL.fullmatch(text):
            return parse_date(float(text), field=field, today=today, not_before=not_before)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    result = date(*(int(part) for part in match.groups()))
                except ValueError:
                    raise ValidationError("日期不存在：%(value)s", field=field,
                                          value=text) from None
                break
        else:
            raise ValidationError("无法识别的日期：%(value)s（请用 2020-01-31 这样的格式）",
                                  field=field, value=text)
    if result < not_before:
        raise ValidationError("日期太早：%(value)s", field=field, value=result.isoformat())
    if today is not None and result > today:
        raise ValidationError("日期不能晚于今天：%(value)s", field=field, value=result.isoformat())
    return result


def parse_phone(value: Any, *, field: str) -> str | None:
    """Mobile (11 digits) or landline; accepts numeric cells, spaces, dashes and a +86 prefix."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError("电话号码格式不正确：%(value)s", field=field, value=value)
        value = int(value)
    text = clean_code(value, field=field)
    if text is None:
        return None
    if _SCIENTIFIC.match(text):
        raise ValidationError(
            "电话号码被 Excel 转成了科学计数法（%(value)s），请将该列设为文本格式后重新导出",
            field=field, value=text)
    text = _PARENTHESES.sub("", text)
    text = _COUNTRY_CODE.sub("", text)
    if text.endswith(".0"):
        text = text[:-2]
    if _MOBILE.match(text):
        return text
    if _LANDLINE.match(text):
        return text
    raise ValidationError("电话号码格式不正确：%(value)s", field=field, value=text)


def parse_bool(value: Any, *, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = (clean_code(value, field=field) or "").lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError("请填写“是”或“否”：%(value)s", field=field, value=text)


def parse_choice(value: Any, enum_class: type[enum.Enum], aliases: dict[str, enum.Enum], *,
                 field: str) -> enum.Enum | None:
    """An enum member from its value (``male``) or one of its aliases (``男``, ``M``)."""
    text = clean_code(value, field=field)
    if text is None:
        return None
    lowered = text.lower()
    member = _members_by_value(enum_class).get(lowered)
    if member is not None:
        return member
    if lowered in aliases:
        return aliases[lowered]
    if text in aliases:
        return aliases[text]
    raise ValidationError("无法识别的取值：%(value)s（可用：%(choices)s）", field=field, value=text,
                          choices="、".join(sorted({k for k in aliases if not k.isascii()})
                                           or [str(m.value) for m in enum_class]))


@cache
def _members_by_value(enum_class: type[enum.Enum]) -> dict[str, enum.Enum]:
    """Lower-cased value → member (the first member, in definition order, for a repeated one)."""
    members: dict[str, enum.Enum] = {}
    for member in enum_class:
        members.setdefault(str(member.value).lower(), member)
    return members


@lru_cache(maxsize=65536)
def pinyin_initials(name: str) -> str:
    """Lower-case pinyin initials (张伟 → zw); non-Chinese letters are kept as they are.

    Cached: pypinyin takes ~60 µs a name and rosters repeat names a lot. A name no two or more
    of whose characters make a word of pypinyin's phrase dictionary is read character by
    character by pypinyin too, so its initials are put together from each character's (cached:
    a few thousand characters make up nearly every name)."""
    from pypinyin.constants import PHRASES_DICT

    length = len(name)
    if any(name[start:end] in PHRASES_DICT
           for start in range(length - 1) for end in range(start + 2, length + 1)):
        initials = _initials(name)
    else:
        initials = "".join(map(_initials, name))
    return initials.lower()[:40]


@lru_cache(maxsize=65536)
def _initials(text: str) -> str:
    """pypinyin's first letters of ``text``, as written (not lower-cased)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(part[:1] for part in lazy_pinyin(text, style=Style.FIRST_LETTER,
                                                    errors=lambda chars: list(chars)))
