"""Cleaning text people type or HR systems send: one rule per kind of text, used by every feature.

Three kinds, three functions, because what counts as noise differs:

* **free text** (:func:`clean_free_text`: agreement duties, contact notes, reasons, addresses,
  titles) keeps what the person typed, full-width Chinese punctuation included (``；（），`` stay
  ``；（），``): only the ends are trimmed, line endings made ``\\n`` and control characters
  dropped. A one-line field also folds runs of whitespace (line breaks pasted from a
  spreadsheet cell) into one space.
* **person names** (:func:`clean_person_name`) keep their characters too; stray spaces go, the
  full-width ``\\u3000`` of a Chinese input method included: none between two Chinese characters
  (``张　三`` → ``张三``) or beside a middle dot (``阿依古丽 · 买买提`` → ``阿依古丽·买买提``),
  one between words (``Li  Wei`` → ``Li Wei``).
* **codes and numbers** (:func:`clean_code`: employee numbers, ID numbers, phone numbers, region
  codes, PINs, verification codes, dates and yes/no answers typed as text) have their full-width
  digits and letters made ASCII (``１２３Ａ`` → ``123A``, the NFKC mapping of the full-width
  block) and every space and invisible character removed; ``upper=True`` where case does not
  matter.

Each returns ``None`` for nothing (``None`` or only spaces) and refuses text longer than
``max_length`` with :class:`~plugin.core.errors.ValidationError` naming ``field``.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import ValidationError

#: Characters that carry nothing a person meant: C0 and C1 controls other than tab and line
#: feed (carriage returns are line endings, handled first), DEL, lone surrogates (broken
#: copy-and-paste), the byte-order mark and zero-width spaces a pasted web page brings along.
_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
     *range(0xD800, 0xE000), 0xFEFF, 0x200B, 0x2060])
#: Line endings other than ``\n``: Windows, old Mac, Unicode line and paragraph separators.
_LINE_ENDINGS = re.compile("\r\n|[\r\u2028\u2029\x85]")
#: Full-width ASCII (``！`` to ``～``) and the ideographic space, as a Chinese input method in
#: full-width mode types them: exactly what NFKC maps to ASCII in that block, and nothing else
#: (NFKC would also turn ``①`` into ``1`` and ``²`` into ``2``, which no one typed).
_FULL_WIDTH = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = " "
#: Spaces in codes: every Unicode space (``str.isspace``) and the invisible ones.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_WHITESPACE_RUN = re.compile(r"\s+")
#: A space next to a character that is not written with spaces (Han, kana, hangul, the middle
#: dot of transliterated names): such a space in a name is a typing slip.
_CLOSE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff·・•‧"
_SPACE_BESIDE_CLOSE = re.compile(rf"(?<=[{_CLOSE}]) | (?=[{_CLOSE}])")


def drop_controls(text: str) -> str:
    """``text`` with line endings made ``\\n`` and control and invisible characters removed."""
    return _LINE_ENDINGS.sub("\n", text).translate(_CONTROLS)


def fold_width(text: str) -> str:
    """Full-width digits, letters and ASCII punctuation made ASCII; everything else as it is."""
    return text.translate(_FULL_WIDTH)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's number cell: 12.0 was typed as 12
    return str(value)


def _checked(text: str, max_length: int | None, field: str) -> str | None:
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        raise ValidationError("不能超过 %(max)s 个字符", field=field, max=max_length)
    return text


def clean_free_text(value: Any, *, max_length: int | None = None, field: str = "value",
                    multiline: bool = False) -> str | None:
    """Free text as the person typed it: ends trimmed, control characters dropped.

    ``multiline=True`` (notes, duties, a pledge's wording) keeps the lines, each without
    trailing spaces; a one-line field folds every run of whitespace into one space. Punctuation,
    full-width or not, is never changed.
    """
    text = _as_text(value)
    if text is None:
        return None
    text = drop_controls(text)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    else:
        text = _WHITESPACE_RUN.sub(" ", text).strip()
    return _checked(text, max_length, field)


def clean_person_name(value: Any, *, max_length: int | None = None,
                      field: str = "name") -> str | None:
    """A person's name with its stray spaces removed and its characters kept.

    No space next to a Chinese (or Japanese, Korean) character or a middle dot, one space
    between other words; full-width and non-breaking spaces count as spaces.
    """
    text = _as_text(value)
    if text is None:
        return None
    text = _WHITESPACE_RUN.sub(" ", drop_controls(text)).strip()
    return _checked(_SPACE_BESIDE_CLOSE.sub("", text), max_length, field)


def clean_code(value: Any, *, upper: bool = False, max_length: int | None = None,
               field: str = "value") -> str | None:
    """A code or number as typed or pasted: full-width made ASCII, no spaces at all.

    ``upper=True`` for codes whose case does not matter (verification codes, the ``X`` of an
    ID number is handled by :mod:`plugin.registry.idnumber` itself). Other characters stay, so
    a validator can name a wrong one as it was typed.
    """
    text = _as_text(value)
    if text is None:
        return None
    if text.isprintable() and " " not in text:
        # The usual code: control, invisible and space characters (but " ") are all
        # unprintable, so only the full-width folding can change it.
        text = fold_width(text)
    else:
        text = fold_width(drop_controls(text))
        text = "".join(char for char in text if not char.isspace() and char not in _INVISIBLE)
    return _checked(text.upper() if upper else text, max_length, field)
