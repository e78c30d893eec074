from flask import Blueprint

bp = Blueprint("attendance", __name__, template_folder="templates")
