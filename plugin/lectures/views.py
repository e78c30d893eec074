from flask import Blueprint

bp = Blueprint("lectures", __name__, template_folder="templates")
