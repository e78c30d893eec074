"""A campaign's results: figures, PDF summary and XLSX detail (``/reunions/…/results``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reunions_results", __name__, url_prefix="/reunions", template_folder="templates")
