"""Web views for signoff."""
from flask import Blueprint

bp = Blueprint("signoff", __name__)
