"""How personal data reads where it may not be read in full: the one rule for each kind.

* **Names** on public pages (the QR check pages of pledges and agreements) and wherever else a
  name is shown masked: the family name, then one ``*`` for every other character, so the
  length shows and nothing more: 张三 → ``张*``, 张三丰 → ``张**``, 欧阳娜娜 → ``欧阳**`` (a
  compound family name from :data:`COMPOUND_SURNAMES` keeps both characters when the name is
  longer than it). Spaces and the middle dot of transliterated names stay (阿依古丽·买买提 →
  ``阿***·***``). A one-character name is masked entirely, since keeping the first character
  would show all of it.
* **ID numbers**: the first 3 and last 4 characters, ``*`` in between, same length.
* **Phone numbers**: ``138****5678``; a number shorter than 8 keeps only its last 2 digits.

Everything here is pure: no request, no database. Who may see a value in full is decided
elsewhere (``plugin.registry.phones``, the ID-number permission).
"""
from __future__ import annotations

from ..core.text import clean_person_name

MASK = "*"
#: Common two-character family names (复姓). A name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset((
    "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "司空", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "东门", "万俟", "闻人",
    "赫连", "澹台", "公冶", "宗政", "濮阳", "太史", "申屠", "仲孙", "单于", "呼延", "完颜", "拓跋",
    "百里", "东郭", "第五", "闾丘", "子车", "亓官", "段干", "颛孙", "巫马", "公西", "漆雕", "乐正",
    "壤驷", "公良", "梁丘", "左丘", "羊舌", "微生", "南门", "鲜于", "谷梁", "淳于", "即墨", "青阳",
    "宰父", "拓拔", "纳兰"))
#: Characters of a name shown as they are: separators, not letters of the name.
_SEPARATORS = frozenset(" ·・•‧")


def mask_name(name: str | None) -> str:
    """The family name and one ``*`` per other character: ``张**``, ``欧阳**``."""
    name = clean_person_name(name) or ""
    if len(name) <= 1:
        return MASK * len(name)
    kept = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:kept] + "".join(char if char in _SEPARATORS else MASK for char in name[kept:])


def mask_id_number(number: str) -> str:
    """The number for display: first 3 and last 4 characters, ``*`` in between, same length.

    ``"44030619900101123X"`` → ``"440***********123X"``. A string of 7 characters or fewer is
    masked completely, since showing 3 + 4 of it would show all of it.
    """
    if len(number) <= 7:
        return MASK * len(number)
    return number[:3] + MASK * (len(number) - 7) + number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """``13800135678`` -> ``138****5678``; shorter numbers keep only their last 2 digits."""
    if not phone:
        return phone
    if len(phone) >= 8:
        return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]
    return MASK * max(len(phone) - 2, 1) + phone[-2:]
