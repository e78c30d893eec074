"""Cells of spreadsheets the portal writes for download: text stays text, never a formula.

A value a person typed (a name, a site, a roster cell) that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice and WPS when the file
is opened ("CSV injection", OWASP): ``=HYPERLINK(...)`` sends data away, ``+cmd|' /C calc'!A0``
starts a program. Full-width ``＝ ＋ － ＠`` are treated the same, since Chinese input methods
type them and some spreadsheets accept them. Every CSV or XLSX file the portal writes goes through
this module:

* CSV: :func:`neutralise` puts an apostrophe in front (the spreadsheet shows the text, without
  running it); :func:`restore` takes it off again when such a file is read back, so an error file
  imported again gives the cells that were sent.
* XLSX: :func:`as_text` makes an openpyxl cell a string cell (never a formula) with the "quote
  prefix" style, so the value is shown as it is and stays text when edited.
"""
from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: What :func:`neutralise` puts in front of such a cell.
ESCAPE = "'"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """The value for a CSV cell: text that a spreadsheet would run gets an apostrophe in front.
    Anything that is not text (numbers, dates, ``None``) is returned as it is."""
    return ESCAPE + value if is_formula_like(value) else value


def restore(value: Any) -> Any:
    """The inverse of :func:`neutralise`, for CSV cells read back."""
    if isinstance(value, str) and value.startswith(ESCAPE) and is_formula_like(value[1:]):
        return value[1:]
    return value


def as_text(cell: Any) -> Any:
    """Make an openpyxl cell holding formula-like text a plain string cell (quote-prefixed).

    openpyxl stores any string starting with ``=`` as a formula; this undoes that. Returns the
    cell, for use inline."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
