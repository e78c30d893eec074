"""Carriers' enterprise-account batch files for the monthly call-minute and data allowances
(DOMAIN §6): China Mobile's CSV and China Unicom's XLSX.

Each format implements :class:`plugin.family_contact.carriers.CarrierFormat`: it writes a
month's lines (phone, minutes, data, the stable line id) in the shape the carrier's bulk
"赠送" upload takes, and reads the carrier's result file back (credited or failed, with the
reason). A host registers them with :func:`register_carrier_formats`.
"""
from __future__ import annotations

from flask import Flask

from plugin.family_contact.carriers import register_carrier_format

from .china_mobile import ChinaMobileFormat
from .china_unicom import ChinaUnicomFormat

__all__ = ["ChinaMobileFormat", "ChinaUnicomFormat", "register_carrier_formats"]


def register_carrier_formats(app: Flask) -> None:
    """Make both carriers' files available in ``app`` (call after ``CareBridge.init_app``)."""
    register_carrier_format(app, ChinaMobileFormat())
    register_carrier_format(app, ChinaUnicomFormat())
