from flask import Blueprint

bp = Blueprint("guardianship", __name__, template_folder="templates")
