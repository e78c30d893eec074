"""HR roster files (花名册) as construction and factory HR offices export them: CSV and XLSX.

Each format implements :class:`plugin.imports.formats.RosterFormat`: it streams the rows of a
file as they are (the importer finds the header row and maps the columns) and writes the
rejected rows back in the same format with a reason column. A host registers them with
:func:`register_roster_formats`.
"""
from __future__ import annotations

from flask import Flask

from plugin.imports.formats import register_roster_format

from .csv_format import CsvFormat
from .xlsx_format import XlsxFormat

__all__ = ["CsvFormat", "XlsxFormat", "register_roster_formats"]


def register_roster_formats(app: Flask) -> None:
    """Make CSV and XLSX rosters importable in ``app`` (call after ``CareBridge.init_app``)."""
    register_roster_format(app, CsvFormat())
    register_roster_format(app, XlsxFormat())
