"""Booking: manifests for the ticket agent, booking results imported back, travellers' ID
numbers revealed to the booking officer (``/reunions/…``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reunions_booking", __name__, url_prefix="/reunions", template_folder="templates")
