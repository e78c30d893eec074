from flask import Blueprint

bp = Blueprint("pledges", __name__, template_folder="templates")
