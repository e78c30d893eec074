"""Audit actions of the reunion campaigns' results pages (merged into the feature's declaration)."""
from flask_babel import lazy_gettext as _l  # noqa: F401

AUDIT_ACTIONS: dict = {}
