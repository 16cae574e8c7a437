"""Web views for dashboard."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)
