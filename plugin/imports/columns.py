"""Finding the header row of a roster and matching its columns to the fields of a record.

Headers are compared normalised (full-width folded, all spaces removed, case-folded), against
the aliases of :mod:`plugin.registry.schema` and the column mapping saved for the file's source
(which wins). The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows in which
at least two cells are known headers, so merged title rows and "制表日期" rows above it are
skipped; when no row qualifies, the first row with two or more filled cells is taken, so a
roster with unfamiliar headers can still be mapped by hand.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain, islice
from typing import Any

from ..core.boundary import refusable_part
from ..core.errors import ValidationError
from ..registry.schema import FieldSpec
from .formats import REASON_HEADER
from .vocabulary import AMBIGUOUS, IGNORED, synonyms_for

HEADER_SCAN_ROWS = 20
MIN_KNOWN_HEADERS = 2
#: Data rows read ahead of the import to check that a column's values fit its field.
SAMPLE_ROWS = 50
#: Sample values shown per column on the mapping step.
SHOWN_SAMPLES = 3
#: A header containing an alias (or contained in one) must make up this share of it.
MIN_CONTAINED_SHARE = 0.4
#: difflib ratio from which a header is taken as a misspelt alias.
MIN_SIMILARITY = 0.6
#: Share of values a field must accept to be taken on their word, and below which its values
#: are taken to contradict it.
GOOD_FIT = 0.8
POOR_FIT = 0.5
#: Values needed before they may move a column to another field.
MIN_VALUES = 3
#: How much a header must resemble a free-text field's name for the values to move it there.
MIN_LIKENESS = 0.5
#: How much an unused column's header must resemble a missing field to be suggested for it.
MIN_SUGGESTION = 0.3
#: Longer cells are titles or notes, not column headers.
MAX_HEADER_LENGTH = 40
_NONSENSE = "☃☃ 不是任何字段的值 zz"

SAVED, EXACT, CONTAINS, SIMILAR, VALUES = "saved", "exact", "contains", "similar", "values"
AMBIGUOUS_HOW, IGNORED_HOW, TAKEN = "ambiguous", "ignored", "taken"
#: Fields whose values are tidied before parsing: phone numbers and ID numbers as people type
#: them (dashes, spaces).
PHONE_FIELDS = frozenset({"phone", "carer_phone"})
ID_FIELDS = frozenset({"id_number"})
_PHONE_PUNCTUATION = re.compile(r"[\s\-‐‑‒–—―－]")
_MOBILE_DIGITS = re.compile(r"(?:\+?86)?1\d{10}")
_ID_DIGITS = re.compile(r"\d{17}[\dXx]|\d{15}")
#: C0 control characters other than tab, line feed and carriage return, DEL, and lone
#: surrogates: never meaningful in a roster, and refused by databases and Excel alike.
_UNPRINTABLE = dict.fromkeys(chain(range(0, 9), (11, 12), range(14, 32), (127,),
                                   range(55296, 57344)))
#: "(必填)", "（必填）", "*", "★" and the like, after NFKC folding and case-folding.
_REQUIRED_MARK = re.compile(r"\((?:必填|必填项|必须|选填|可选|非必填|required|optional)\)|[*★☆※]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|〔[^〔〕]*〕")


def normalise_header(value: Any) -> str:
    """``"身份证 号码"``, ``"ＩＤ Number "``, ``"*姓名（必填）："`` → ``"身份证号码"``,
    ``"idnumber"``, ``"姓名"``: full-width folded, spaces and line breaks removed, case-folded,
    "required" marks and trailing colons dropped."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_UNPRINTABLE)
    text = "".join(text.split()).casefold()
    text = _REQUIRED_MARK.sub("", text)
    return text.rstrip(":")


def bare_header(key: str) -> str:
    """A normalised header without bracketed notes: ``"身份证号(18位)"`` → ``"身份证号"``."""
    return _BRACKETED.sub("", key) or key


def clean_cell(value: Any) -> Any:
    """Drop characters no roster means (control characters, broken surrogates) from text cells."""
    if isinstance(value, str) and not value.isprintable():  # all of them are unprintable
        return value.translate(_UNPRINTABLE)
    return value


def tidy_value(code: str, value: Any) -> Any:
    """``"138-0013-8000"`` → ``"13800138000"`` for phones, ``"110101 19900307 1234"`` without
    its spaces for ID numbers; other values as they are."""
    if not isinstance(value, str):
        return value
    if code in PHONE_FIELDS:
        text = unicodedata.normalize("NFKC", value).strip()
        digits = _PHONE_PUNCTUATION.sub("", text)
        if _MOBILE_DIGITS.fullmatch(digits):
            return digits
        return value
    if code in ID_FIELDS:
        text = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", value))
        if _ID_DIGITS.fullmatch(text):
            return text
    return value


def is_empty_row(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


@dataclass
class ColumnPlan:
    """Which column of the file holds which field, for one roster."""

    #: Header row cells as text, as the file has them (the error file repeats them).
    header: list[str]
    header_row: int
    #: Field code → column index.
    columns: dict[str, int]
    #: Headers matching no field (ignored), and second columns for a field already matched.
    unknown: list[str] = field(default_factory=list)
    #: Codes of required fields no column holds.
    missing: list[str] = field(default_factory=list)
    #: Index of the reason column of an error file being re-imported, if any.
    reason_column: int | None = None

    #: Every named column's guess (:class:`ColumnGuess`), in file order.
    guesses: list[ColumnGuess] = field(default_factory=list)

    def raw_record(self, cells: list[Any]) -> dict[str, Any]:
        """The row's values keyed by field code (a missing cell at the end counts as empty),
        phone and ID numbers tidied (:func:`tidy_value`)."""
        return {code: tidy_value(code, clean_cell(cells[index])) if index < len(cells) else None
                for code, index in self.columns.items()}

    def unused_suggestions(self) -> list[tuple[str, str]]:
        """(header, field code) of the columns left unused that could hold a missing field."""
        return [(guess.header, guess.suggestion) for guess in self.guesses
                if guess.code is None and guess.suggestion]

    def source_cells(self, cells: list[Any]) -> list[Any]:
        """The row as the error file repeats it: one cell per header, reason column left out."""
        width = len(self.header)
        padded = list(cells[:width]) + [None] * (width - len(cells))
        if self.reason_column is not None:
            del padded[self.reason_column]
        return padded

    def output_header(self) -> list[str]:
        return [text for index, text in enumerate(self.header) if index != self.reason_column]


def alias_table(fields: tuple[FieldSpec, ...]) -> dict[str, tuple[str, int]]:
    """Normalised header → (field code, rank: 0 is the most specific): the fields' aliases,
    then the synonyms of :mod:`.vocabulary`, each also without its bracketed notes."""
    table: dict[str, tuple[str, int]] = {}
    synonyms = synonyms_for({spec.code for spec in fields})
    for spec in fields:
        words = (*spec.aliases, *synonyms.get(spec.code, ()))
        for rank, alias in enumerate(words):
            key = normalise_header(alias)
            table.setdefault(key, (spec.code, rank))
    for key, (code, rank) in list(table.items()):
        table.setdefault(bare_header(key), (code, rank))
    return table


def _ambiguous_table(codes: set[str]) -> dict[str, tuple[str, ...]]:
    table = {}
    for header, options in AMBIGUOUS.items():
        options = tuple(code for code in options if code in codes)
        if len(options) > 1:
            table[normalise_header(header)] = options
    return table


_IGNORED = frozenset(normalise_header(header) for header in IGNORED)


def _header_score(key: str, alias: str, similar: bool = True) -> tuple[float, str]:
    """How well a normalised header names an alias: (confidence, how), 0 for not at all
    (``similar=False``: word for word or by containment only, which is cheap)."""
    if key == alias:
        return 1.0, EXACT
    if len(alias) >= 2 and alias in key:
        share = len(alias) / len(key)
        if share >= MIN_CONTAINED_SHARE:
            return 0.6 + 0.3 * share, CONTAINS
    if len(key) >= 2 and key in alias:
        share = len(key) / len(alias)
        if share >= MIN_CONTAINED_SHARE:
            return 0.6 + 0.3 * share, CONTAINS
    if not similar:
        return 0.0, ""
    ratio = difflib.SequenceMatcher(None, key, alias).ratio()
    if ratio >= MIN_SIMILARITY:
        return round(ratio * 0.9, 2), SIMILAR
    return 0.0, ""


def guess_by_header(key: str, table: Mapping[str, tuple[str, int]],
                    only: set[str] | None = None,
                    similar: bool = True) -> tuple[str | None, float, str, int]:
    """The field a normalised header names best: (code, confidence, how, alias rank)."""
    bare = bare_header(key)
    for candidate in (key, bare):
        if candidate in table and (only is None or table[candidate][0] in only):
            code, rank = table[candidate]
            return code, 1.0, EXACT, rank
    best: tuple[str | None, float, str, int] = (None, 0.0, "", 0)
    for alias, (code, rank) in table.items():
        if only is not None and code not in only:
            continue
        confidence, how = _header_score(bare, alias, similar)
        if (confidence, -rank) > (best[1], -best[3]):
            best = (code, confidence, how, rank)
    return best


def _accepts(spec: FieldSpec, value: Any, today: date) -> bool:
    try:
        spec.parse(tidy_value(spec.code, value), today, spec.code)
    except Exception:  # any refusal, or a parser tripping on the value: it does not fit
        return False
    return True


def value_fit(spec: FieldSpec, values: list[Any], today: date) -> float:
    """The share of ``values`` the field's parser accepts (1.0 for no values)."""
    if not values:
        return 1.0
    return sum(1 for value in values if _accepts(spec, value, today)) / len(values)


def is_strict(spec: FieldSpec, today: date) -> bool:
    """Whether the field refuses arbitrary text (a choice, a date, a number): only then do its
    values say much about a column."""
    return not _accepts(spec, _NONSENSE, today)


@dataclass
class ColumnGuess:
    """What one column of the file was taken for, and why (shown on the mapping step)."""

    index: int
    header: str
    code: str | None
    confidence: float
    #: ``saved``, ``exact``, ``contains``, ``similar``, ``values``, ``ambiguous``, ``ignored``,
    #: ``taken`` (another column holds the field) or ``""`` (nothing fits).
    how: str
    samples: list[str] = field(default_factory=list)
    #: Fields the header could also mean (an ambiguous header), or the header's own field when
    #: the values chose another one.
    alternatives: list[str] = field(default_factory=list)
    #: An unused column's likeliest field, to suggest when that field is missing.
    suggestion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """As kept on the job: without the sample values (they may be ID numbers, children's
        names; the mapping step reads them from the stored upload, encrypted, when shown)."""
        return {"index": self.index, "header": self.header, "code": self.code,
                "confidence": self.confidence, "how": self.how,
                "alternatives": self.alternatives, "suggestion": self.suggestion}

    @property
    def is_sure(self) -> bool:
        """Matched word for word, saved by a user, or a column that never holds a field."""
        return self.how in (SAVED, EXACT, IGNORED_HOW)


def _sample_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    return str(value).strip()[:40]


def match_columns(header_cells: list[Any], fields: tuple[FieldSpec, ...],
                  saved: Mapping[str, str] | None = None, header_row: int = 1,
                  samples: list[list[Any]] | None = None,
                  today: date | None = None) -> ColumnPlan:
    """Match a header row to fields. ``saved`` maps normalised headers to field codes ("" means
    "ignore this column") and overrides everything else; ``samples`` (the first data rows) let
    the values decide a header that could mean two fields, or that its values contradict."""
    saved = saved or {}
    samples = samples or []
    today = today or date.today()
    specs = {spec.code: spec for spec in fields}
    table = alias_table(fields)
    ambiguous = _ambiguous_table(set(specs))
    header = ["" if cell is None else str(cell).strip() for cell in header_cells]
    guesses: list[ColumnGuess] = []
    reason_column = None
    ranks: dict[int, int] = {}
    for index, text in enumerate(header):
        key = normalise_header(text)
        if not key:
            continue
        if key == normalise_header(REASON_HEADER):
            reason_column = index
            continue
        values = [row[index] for row in samples
                  if index < len(row) and not is_empty_row([row[index]])]
        guess = ColumnGuess(index, text, None, 0.0, "",
                            samples=[_sample_text(value) for value in values[:SHOWN_SAMPLES]])
        guesses.append(guess)
        if key in saved:
            code = saved[key]
            guess.code, guess.confidence, guess.how = (code if code in specs else None), 1.0, SAVED
            ranks[index] = -1
            continue
        options = ambiguous.get(key) or ambiguous.get(bare_header(key))
        if options:
            _decide_by_values(guess, options, values, specs, today)
            continue
        if key in _IGNORED or bare_header(key) in _IGNORED:
            guess.how = IGNORED_HOW
            continue
        code, confidence, how, rank = guess_by_header(key, table)
        guess.code, guess.confidence, guess.how = code, confidence, how
        ranks[index] = rank
        if code is not None and values:
            _check_values(guess, key, values, specs, table, today)
    return _assign(header, header_row, guesses, ranks, specs, table, reason_column)


def _decide_by_values(guess: ColumnGuess, options: tuple[str, ...], values: list[Any],
                      specs: Mapping[str, FieldSpec], today: date) -> None:
    """A header that may mean any of ``options``: the first whose parser refuses arbitrary
    text and accepts most values, else the first that accepts most values if the others
    refuse them; with no values (or no clear winner) the user chooses."""
    guess.alternatives = list(options)
    guess.how = AMBIGUOUS_HOW
    if not values:
        return
    fits = {code: value_fit(specs[code], values, today) for code in options}
    strict = [code for code in options if is_strict(specs[code], today)]
    for code in strict:
        if fits[code] >= GOOD_FIT:
            guess.code, guess.confidence, guess.how = code, round(0.9 * fits[code], 2), VALUES
            return
    if all(fits[code] < POOR_FIT for code in strict):
        lax = [code for code in options if code not in strict and fits[code] >= GOOD_FIT]
        if lax:
            guess.code, guess.confidence, guess.how = lax[0], round(0.9 * fits[lax[0]], 2), VALUES


def _check_values(guess: ColumnGuess, key: str, values: list[Any],
                  specs: Mapping[str, FieldSpec], table: Mapping[str, tuple[str, int]],
                  today: date) -> None:
    """When most values fail the field the header named but fit a field whose name the header
    resembles, take that field (a header matched word for word keeps its field: the other one
    is only proposed, in :attr:`ColumnGuess.alternatives`, for the mapping step)."""
    named = guess.code
    if len(values) < MIN_VALUES or value_fit(specs[named], values, today) >= POOR_FIT:
        return
    best: tuple[float, str | None] = (0.0, None)
    for code, spec in specs.items():
        if code == named:
            continue
        _, likeness, _, _ = guess_by_header(key, table, only={code})
        strict = is_strict(spec, today)
        if likeness < (MIN_SUGGESTION if strict else MIN_LIKENESS):
            continue
        fit = value_fit(spec, values, today)
        if fit >= GOOD_FIT:
            best = max(best, (likeness * fit + (0.2 if strict else 0.0), code),
                       key=lambda pair: pair[0])
    if best[1] is None:
        return
    if guess.how == EXACT:
        guess.alternatives = [best[1]]
        return
    guess.alternatives = [named]
    guess.code, guess.confidence, guess.how = best[1], round(min(best[0], 0.9), 2), VALUES


def _assign(header: list[str], header_row: int, guesses: list[ColumnGuess],
            ranks: dict[int, int], specs: Mapping[str, FieldSpec],
            table: Mapping[str, tuple[str, int]], reason_column: int | None) -> ColumnPlan:
    """One column per field: the surest guess wins; the other columns are left unused."""
    columns: dict[str, int] = {}
    for guess in sorted((guess for guess in guesses if guess.code),
                        key=lambda guess: (-guess.confidence, ranks.get(guess.index, 0),
                                           guess.index)):
        if guess.code in columns:
            guess.alternatives = [guess.code]
            guess.code, guess.how = None, TAKEN
            continue
        columns[guess.code] = guess.index
    unknown = [guess.header for guess in guesses if guess.code is None
               and guess.how != SAVED]
    free = set(specs) - set(columns)
    for guess in guesses:
        if guess.code is None and guess.how not in (SAVED, IGNORED_HOW) and free:
            options = [code for code in guess.alternatives if code in free]
            guess.suggestion = options[0] if options else _suggestion(guess.header, table, free)
    missing = [code for code, spec in specs.items() if spec.required and code not in columns]
    plan = ColumnPlan(header=header, header_row=header_row,
                      columns=dict(sorted(columns.items(), key=lambda item: item[1])),
                      unknown=unknown, missing=missing, reason_column=reason_column)
    plan.guesses = guesses
    return plan


def _suggestion(header: str, table: Mapping[str, tuple[str, int]], free: set[str]) -> str | None:
    """The unmatched field a header resembles most, however loosely (``None`` below
    :data:`MIN_SUGGESTION`)."""
    key = bare_header(normalise_header(header))
    best = (0.0, None)
    for alias, (code, _) in table.items():
        if code in free:
            score = max(_header_score(key, alias)[0],
                        difflib.SequenceMatcher(None, key, alias).ratio())
            best = max(best, (score, code), key=lambda pair: pair[0])
    return best[1] if best[0] >= MIN_SUGGESTION else None


def _known_count(cells: list[Any], table: Mapping[str, tuple[str, int]],
                 extra: set[str]) -> int:
    count = 0
    for cell in cells:
        if not isinstance(cell, str):
            continue
        key = normalise_header(cell)
        if not key or len(key) > MAX_HEADER_LENGTH:
            continue
        if key in extra or bare_header(key) in extra:
            count += 1
            continue
        code, _, _, _ = guess_by_header(key, table, similar=False)
        if code is not None:
            count += 1
    return count


def find_header(rows: Iterable[tuple[int, list[Any]]], fields: tuple[FieldSpec, ...],
                saved: Mapping[str, str] | None = None, today: date | None = None
                ) -> tuple[ColumnPlan, Iterator[tuple[int, list[Any]]]]:
    """Find the header row among the first rows; returns the plan and the data rows after it
    (empty rows skipped), still streaming. The first :data:`SAMPLE_ROWS` data rows are read
    ahead, so the values can decide what a column holds."""
    table = alias_table(fields)
    extra = (set(saved or {}) | set(_ambiguous_table({spec.code for spec in fields}))
             | set(_IGNORED))

    def known(cells: list[Any]) -> int:
        return _known_count(cells, table, extra)

    iterator = iter(rows)
    scanned: list[tuple[int, list[Any]]] = []
    position = None
    for row_number, cells in iterator:
        if is_empty_row(cells):
            continue
        scanned.append((row_number, cells))
        if known(cells) >= MIN_KNOWN_HEADERS:
            position = len(scanned) - 1
            break
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    if not scanned:
        raise ValidationError("文件中没有任何数据", field="file")
    if position is None:
        position = next((i for i, (_, cells) in enumerate(scanned)
                         if sum(1 for cell in cells if cell not in (None, "")) >= 2), None)
    if position is None:
        raise ValidationError("在文件的前 %(rows)s 行中找不到表头（列名所在的行）", field="file",
                              rows=HEADER_SCAN_ROWS)
    header_row, header_cells = scanned[position]
    following = ((number, cells) for number, cells in chain(scanned[position + 1:], iterator)
                 if not is_empty_row(cells))
    ahead = list(islice(following, SAMPLE_ROWS))
    # Trying values on parsers makes errors, which would refuse the request that uploads the
    # file: they are questions asked, not refusals.
    with refusable_part():
        plan = match_columns(header_cells, fields, saved, header_row,
                             samples=[cells for _, cells in ahead], today=today)
    return plan, chain(ahead, following)
