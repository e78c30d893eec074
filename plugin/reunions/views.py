"""Officers' pages of reunion campaigns (``/reunions/``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reunions", __name__, url_prefix="/reunions", template_folder="templates")
